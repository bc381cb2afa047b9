/**
 * `/healthz`, `/readyz` and `/metrics` (docs/server-mode.md) on a real server, over both stores:
 * the Prometheus text carries the core's counters, the CUPS latency histogram, Owner API requests
 * by route and status and store transaction latency; `/readyz` turns 503 when the HSM locks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';
import { STORE_KINDS } from '../../helpers/test-store';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const { gw1 } = KDF_VECTORS;

/** The value of one sample line `name{labels} value` (undefined when absent). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each(STORE_KINDS)('ops routes (%s store)', (store) => {
  it('/healthz answers, /readyz checks store and HSM, 503 once the HSM is locked', async () => {
    s = await startTestServer({ store });
    expect((await s.request('/healthz')).json).toEqual({ status: 'ok' });
    const ready = await s.request('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready', checks: { store: 'ok', hsm: 'ok' } });
    s.station.hsm.lock();
    const locked = await s.request('/readyz');
    expect(locked.status).toBe(503);
    expect(locked.json).toEqual({ status: 'not_ready', checks: { store: 'ok', hsm: 'failing' } });
  });

  it('/metrics: CUPS outcomes and latency, Owner API items and requests, claim failures, store latency', async () => {
    s = await startTestServer({ store, rateLimits: false });
    await s.api('claim', s.ownerA.apiKey, { ownerid: s.ownerA.id6, gateway: gw1.id6, claim: 'AAAAAAAA' });
    await s.api('claim', s.ownerA.apiKey, { ownerid: s.ownerA.id6, gateway: gw1.id6, claim: gw1.pin });
    // one authenticated CUPS poll of the claimed gateway (not configured yet: 404)
    const poll = await s.request('/update-info', {
      headers: { authorization: `Bearer ${gw1.token0}`, 'content-type': 'application/json' },
      raw: JSON.stringify({ router: gw1.id6, cupsUri: '', tcUri: '', cupsCredCrc: 0, tcCredCrc: 0 }),
    });
    expect(poll.status).toBe(404);
    const m = await s.request('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = m.text;
    expect(sample(text, 'gwjs_owner_api_items_total', 'operation="claim",result="ok"')).toBe(1);
    expect(sample(text, 'gwjs_owner_api_items_total', 'operation="claim",result="bad_claim"')).toBe(1);
    expect(sample(text, 'gwjs_claim_failures_total')).toBe(1);
    expect(sample(text, 'gwjs_claim_lockouts_total')).toBe(0);
    expect(sample(text, 'gwjs_http_requests_total', 'route="/api/v1/gateway/claim",status="200"')).toBe(2);
    expect(sample(text, 'gwjs_cups_request_duration_seconds_count')).toBe(1);
    const cups = text.split('\n').filter((l) => l.startsWith('gwjs_cups_requests_total{'));
    expect(cups, text).toHaveLength(1);
    expect(Number(cups[0]!.split(' ')[1])).toBe(1);
    expect(
      sample(text, 'gwjs_store_transaction_duration_seconds_count', 'durability="full"'),
    ).toBeGreaterThanOrEqual(2);
    expect(text).toContain('gwjs_process_cpu_seconds_total');
  });
});
