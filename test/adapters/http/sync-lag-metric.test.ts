/**
 * The sync lag gauges of `/metrics` (docs/sync.md "Sync lag") on a real station linked to a real
 * remote, read over HTTPS: `gwjs_sync_lag_seconds` grows with the age of the oldest operation not
 * yet pushed and drops to 0 once the remote answered it; `gwjs_sync_pull_age_seconds` is -1 before
 * the first pull and then counts the seconds since the last successful one.
 */
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src-main/adapters/http/server';
import type { TestClock } from '../../helpers/core-fixture';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

let pair: SyncPair | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await pair?.close();
  pair = undefined;
});

function get(url: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of the unlabelled sample `name` (undefined when absent). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('sync lag on /metrics', () => {
  it('moves with the oldest unpushed operation and the last successful pull', async () => {
    pair = await startSyncPair();
    const { station } = pair;
    const clock = station.clock as TestClock;
    server = await startServer({
      core: station.core,
      tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
    });
    const scrape = async () => {
      const m = await get(`${server!.url}/metrics`, station.tls.caCertPem);
      expect(m.status).toBe(200);
      return {
        lag: sample(m.text, 'gwjs_sync_lag_seconds'),
        pullAge: sample(m.text, 'gwjs_sync_pull_age_seconds'),
      };
    };
    expect(await scrape()).toEqual({ lag: 0, pullAge: -1 });

    // a local claim of the linked owner waits in the outbox: its age is the lag
    const ctx = station.cliContext;
    const { gw1 } = KDF_VECTORS;
    const [claimed] = await station.core.owner.claim(ctx, pair.owner, [{ gateway: gw1.id6, claim: gw1.pin }]);
    expect(claimed!.code).toBeUndefined();
    expect((await station.core.sync.status()).counts.pending).toBe(1);
    clock.advance(90_000);
    expect((await scrape()).lag).toBe(90);
    clock.advance(30_500);
    expect((await scrape()).lag).toBe(120.5);

    // one round pushes it (the remote applies the claim) and pulls: no lag, pulled just now
    await station.core.sync.syncNow(ctx);
    expect((await station.core.sync.status()).counts).toMatchObject({ pending: 0, sent: 1 });
    expect(await scrape()).toEqual({ lag: 0, pullAge: 0 });
    clock.advance(45_000);
    expect(await scrape()).toEqual({ lag: 0, pullAge: 45 });
    await station.core.sync.pull(ctx);
    expect((await scrape()).pullAge).toBe(0);
  });
});
