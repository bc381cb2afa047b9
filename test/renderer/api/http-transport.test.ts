import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeCallError,
  bridgeState,
  call,
  firstRunSetup,
  login,
  logout,
  onSessionLost,
  setTransport,
  subscribe,
  tryCall,
} from '../../../src-renderer/api';
import { createHttpTransport } from '../../../src-renderer/api/http-transport';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startBridgeServer, type BridgeServer } from '../../helpers/bridge-server';

/**
 * `fetch` as a same-origin browser page would do it: trusts the test CA, keeps cookies, and sends
 * the Origin and Sec-Fetch-Site headers a browser adds.
 */
function browserFetch(server: BridgeServer): typeof fetch {
  let cookie: string | undefined;
  return ((input: string, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input);
      const headers: Record<string, string> = {
        ...(init.headers as Record<string, string>),
        origin: url.origin,
        'sec-fetch-site': 'same-origin',
        ...(cookie ? { cookie } : {}),
      };
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers, ca: server.caPem }, (res) => {
        const set = res.headers['set-cookie']?.[0];
        if (set) cookie = set.includes('Max-Age=0') ? undefined : set.split(';')[0];
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
      });
      req.on('error', reject);
      req.end(init.body as string | undefined);
    })) as typeof fetch;
}

describe('renderer api over the HTTP bridge', () => {
  let s: BridgeServer;
  let lost = 0;

  beforeAll(async () => {
    s = await startBridgeServer();
    const options = { baseUrl: s.url, fetch: browserFetch(s), pollMs: 50, onUnauthorized: () => void lost++ };
    setTransport(createHttpTransport(options), options);
  });
  afterAll(async () => {
    setTransport(undefined);
    await s.close();
  });

  it('walks first run, calls, session loss and login like the app does', async () => {
    const off = onSessionLost(() => void lost++);
    expect(await bridgeState()).toEqual({ setupRequired: true, session: null });
    const denied = await tryCall('station:status', {});
    expect(denied).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(lost).toBeGreaterThan(0);

    const setupPassword = (await s.ui.firstRunPassword())!;
    const session = await firstRunSetup(setupPassword, 'root', 'admin-password-1');
    expect(session).toMatchObject({ transport: 'http', operator: { name: 'root', role: 'admin' } });
    expect(await bridgeState()).toMatchObject({
      setupRequired: false,
      session: { operator: { name: 'root' } },
    });

    const claimed = await call('gateways:claim', {
      ownerId: 'a::1',
      items: [{ gateway: KDF_VECTORS.gw1.eui, claim: KDF_VECTORS.gw1.pin }],
    });
    expect(claimed).toEqual([{ gateway: KDF_VECTORS.gw1.id6 }]);
    // the answer is parsed with the Owner API's info schema: rotation survives the contract
    const [info] = await call('gateways:info', { ownerId: 'a::1', gateways: [KDF_VECTORS.gw1.id6] });
    expect(info?.info).toMatchObject({
      gateway: KDF_VECTORS.gw1.id6,
      rotation: { state: 'idle', generation: 0, history: [] },
      firmware: null,
    });
    const page = await call('gateways:query', { ownerId: 'a::1', offset: 0, limit: 50 });
    expect(page.rows.map((r) => r.gateway)).toEqual([KDF_VECTORS.gw1.id6]);
    await expect(call('owners:create', { id: 'a::1' })).rejects.toMatchObject({
      name: 'BridgeCallError',
      code: 'already_exists',
      channel: 'owners:create',
    });
    await expect(call('owners:create', { id: 'a::1' })).rejects.toBeInstanceOf(BridgeCallError);

    await logout();
    expect(await bridgeState()).toEqual({ setupRequired: false, session: null });
    await expect(login('root', 'wrong-password')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await login('root', 'admin-password-1')).toMatchObject({ operator: { name: 'root' } });
    off();
  });

  it('delivers new CUPS contacts to subscribers by polling', async () => {
    const got: string[] = [];
    const off = subscribe('station:activity', (items) => got.push(...items.map((i) => i.gateway)));
    await new Promise((r) => setTimeout(r, 200));
    await s.fx.store.transaction((tx) =>
      tx.run('INSERT INTO cups_contacts (eui, at, outcome, keys) VALUES (?, ?, ?, ?)', [
        KDF_VECTORS.gw1.hex,
        new Date().toISOString(),
        'ok',
        '[]',
      ]),
    );
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    off();
    expect(got).toEqual([KDF_VECTORS.gw1.id6]);
  });

  it('turns an unreachable station into an envelope, never a throw', async () => {
    const t = createHttpTransport({ baseUrl: 'https://127.0.0.1:1', fetch: browserFetch(s) });
    expect(await t.invoke('station:status', {})).toMatchObject({
      ok: false,
      error: { code: 'station_unreachable' },
    });
  });
});
