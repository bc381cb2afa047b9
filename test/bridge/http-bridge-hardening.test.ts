/**
 * The HTTP bridge under attack, over real HTTPS on loopback (docs/security.md): malformed session
 * cookies, login throttling per (address, name) and per address with growing delays, the request
 * rate limit, an owner-bound installer's dashboard, the reachability probe's limits and the HSM
 * unlock answer. Different client addresses are real source addresses (127.0.0.x on Linux loopback).
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src-main/bridge/http-bridge';
import { KDF_VECTORS } from '../helpers/core-fixture';
import { sessionCookieOf, startBridgeServer, uiHeaders, type BridgeServer } from '../helpers/bridge-server';

const ADMIN = { name: 'root', password: 'admin-password-1' };
const BOUND = { name: 'bound', password: 'bound-installer-1' };
const FREE = { name: 'free', password: 'free-installer-1' };

interface Envelope {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

describe('HTTP bridge hardening on a real HTTPS server', () => {
  let s: BridgeServer;
  let adminCookie = '';

  const call = (
    channel: string,
    body: unknown,
    cookie?: string,
    from?: string,
    raw?: string,
  ): ReturnType<BridgeServer['request']> =>
    s.request('POST', `/bridge/${channel}`, {
      headers: uiHeaders(s, cookie),
      body: raw ?? JSON.stringify(body),
      localAddress: from,
    });
  const login = async (who: { name: string; password: string }, from?: string) => {
    const answer = await call('login', who, undefined, from);
    expect(answer.status).toBe(200);
    return sessionCookieOf(answer)!;
  };

  beforeAll(async () => {
    s = await startBridgeServer({
      operators: {
        loginLimit: { max: 3, windowMs: 3600_000, perAddressMax: 6, baseDelayMs: 1000, maxDelayMs: 60_000 },
      },
    });
    const setupPassword = await s.ui.firstRunPassword();
    const setup = await call('setup', { setupPassword, ...ADMIN });
    expect(setup.status).toBe(200);
    adminCookie = sessionCookieOf(setup)!;
    for (const op of [
      { ...BOUND, role: 'installer', ownerId: 'a::1' },
      { ...FREE, role: 'installer' },
    ]) {
      expect((await call('operators:create', op, adminCookie)).status).toBe(200);
    }
  });
  afterAll(() => s.close());

  describe('malformed session cookies', () => {
    const bad = ['%', '%zz', '%E0%A4%A', 'a%', '%%%'];

    it('are no session: 401 on channels, never 500, nothing logged as an error', async () => {
      const errorsBefore = s.fx.logger.entries.filter((e) => e.level === 'error').length;
      for (const value of bad) {
        const cookie = `${SESSION_COOKIE}=${value}`;
        for (const channel of ['station:status', 'gateways:query', 'operators:list']) {
          const answer = await call(channel, {}, cookie);
          expect(answer.status, `${channel} with ${value}`).toBe(401);
          expect((answer.json as Envelope).error?.code).toBe('unauthorized');
        }
        const state = await call('state', {}, cookie);
        expect(state.status).toBe(200);
        expect((state.json as Envelope).value).toMatchObject({ session: null });
        expect((await call('logout', {}, cookie)).status).toBe(200);
        // logging in with a malformed old cookie works and replaces it
        const fresh = await call('login', FREE, cookie);
        expect(fresh.status).toBe(200);
        expect(sessionCookieOf(fresh)).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}$`));
        expect((await s.request('GET', '/', { headers: { cookie } })).status).toBe(200);
      }
      const errorsAfter = s.fx.logger.entries.filter((e) => e.level === 'error').length;
      expect(errorsAfter).toBe(errorsBefore);
    });
  });

  describe('login throttling', () => {
    it('throttles one name from one address with growing delays, never the name from elsewhere', async () => {
      const from = '127.0.0.2';
      const wrong = { name: ADMIN.name, password: 'not-the-password' };
      for (let i = 0; i < 3; i++) expect((await call('login', wrong, undefined, from)).status).toBe(401);
      // 3 free failures used: the next try from there waits 1 s, also with the right password
      const held = await call('login', ADMIN, undefined, from);
      expect(held.status).toBe(429);
      expect((held.json as Envelope).error?.code).toBe('rate_limited');
      expect(Number(held.headers['retry-after'])).toBe(1);
      // the rightful admin elsewhere, and the station itself, are not affected
      await login(ADMIN, '127.0.0.3');
      await login(ADMIN);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await call('login', wrong, undefined, from)).status).toBe(401);
      await new Promise((r) => setTimeout(r, 1100));
      // the 4th failure doubled the delay to 2 s: 1.1 s later it still holds
      const longer = await call('login', ADMIN, undefined, from);
      expect(longer.status).toBe(429);
      expect(Number(longer.headers['retry-after'])).toBe(1);
      await new Promise((r) => setTimeout(r, 1000));
      await login(ADMIN, from);
    });

    it('throttles an address trying many names, but not the same names from another address', async () => {
      const from = '127.0.0.4';
      const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
      for (const name of names) {
        expect((await call('login', { name, password: 'guess-guess' }, undefined, from)).status).toBe(401);
      }
      const held = await call('login', FREE, undefined, from);
      expect(held.status).toBe(429);
      expect(held.headers['retry-after']).toBeDefined();
      await login(FREE, '127.0.0.5');
    });

    it('does not lock the station itself by many names (loopback is counted per name only)', async () => {
      for (let i = 0; i < 8; i++) {
        expect((await call('login', { name: `ghost${i}`, password: 'guess-guess' })).status).toBe(401);
      }
      await login(FREE);
    });
  });

  it('rate-limits bridge requests per address with 429 + Retry-After', async () => {
    const limited = await startBridgeServer({ bridgeRateLimit: { ratePerSecond: 0.5, burst: 5 } });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 7; i++) {
        last = await limited.request('POST', '/bridge/state', {
          headers: uiHeaders(limited),
          body: '{}',
          localAddress: '127.0.0.6',
        });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      expect(last!.json).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const other = await limited.request('POST', '/bridge/state', {
        headers: uiHeaders(limited),
        body: '{}',
        localAddress: '127.0.0.7',
      });
      expect(other.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("shows an owner-bound installer only its owner's gateways and contacts on the dashboard", async () => {
    const { fx } = s;
    await fx.core.owner.claim(fx.ownerA.ctx, 'a::1', [
      { gateway: KDF_VECTORS.gw1.id6, claim: KDF_VECTORS.gw1.pin },
    ]);
    await fx.core.owner.claim(fx.ownerB.ctx, 'b::2', [
      { gateway: KDF_VECTORS.gw2.id6, claim: KDF_VECTORS.gw2.pin },
    ]);
    await fx.store.transaction(async (tx) => {
      for (const [hex, address] of [
        [KDF_VECTORS.gw1.hex, '198.51.100.1'],
        [KDF_VECTORS.gw2.hex, '203.0.113.99'],
      ] as const) {
        await tx.run(
          "INSERT INTO cups_contacts (eui, at, address, outcome, station, keys) VALUES (?, ?, ?, 'ok', 'station-2.0.6', '[]')",
          [hex, new Date().toISOString(), address],
        );
      }
    });
    const bound = await login(BOUND);
    const mine = (await call('station:status', {}, bound)).json as Envelope;
    expect(mine.ok).toBe(true);
    const status = mine.value as {
      counters: Record<string, unknown>;
      recentContacts: { gateway: string }[];
    };
    expect(status.recentContacts.map((c) => c.gateway)).toEqual([KDF_VECTORS.gw1.id6]);
    expect(JSON.stringify(status)).not.toContain('203.0.113.99');
    expect(status.counters).toMatchObject({ gateways: 1, claimed: 1, owners: 1, cups: {}, ownerApi: {} });
    // an operator bound to no owner still sees the whole station
    const all = (await call('station:status', {}, adminCookie)).json as Envelope;
    const allStatus = all.value as { recentContacts: { gateway: string }[]; counters: { claimed: number } };
    expect(allStatus.recentContacts.map((c) => c.gateway).sort()).toEqual(
      [KDF_VECTORS.gw1.id6, KDF_VECTORS.gw2.id6].sort(),
    );
    expect(allStatus.counters.claimed).toBe(2);
  });

  describe('setup:checkReachability', () => {
    let counting: Server;
    let countingPort = 0;
    let silent: Server;
    let silentPort = 0;
    let connections = 0;
    const held: Socket[] = [];
    const listen = (srv: Server) =>
      new Promise<number>((r) =>
        srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)),
      );

    beforeAll(async () => {
      counting = createNetServer((sock) => {
        connections++;
        sock.end();
      });
      silent = createNetServer((sock) => void held.push(sock));
      countingPort = await listen(counting);
      silentPort = await listen(silent);
    });
    afterAll(async () => {
      for (const sock of held) sock.destroy();
      await new Promise((r) => counting.close(r));
      await new Promise((r) => silent.close(r));
    });

    it('opens no connection for a plain http/ws URI (nothing to verify)', async () => {
      const cookie = await login(FREE, '127.0.0.8');
      for (const uri of [`http://127.0.0.1:${countingPort}`, `ws://127.0.0.1:${countingPort}`]) {
        const answer = (await call('setup:checkReachability', { uri }, cookie, '127.0.0.8')).json as Envelope;
        expect(answer).toMatchObject({ ok: true, value: { ok: true, reason: 'plain' } });
      }
      expect(connections).toBe(0);
    });

    it('caps the timeout at 5 s whatever the request asks', async () => {
      const cookie = await login(FREE, '127.0.0.9');
      const started = Date.now();
      const answer = await call(
        'setup:checkReachability',
        { uri: `https://127.0.0.1:${silentPort}`, timeoutMs: 30_000 },
        cookie,
        '127.0.0.9',
      );
      expect(answer.json).toMatchObject({ ok: true, value: { ok: false, reason: 'timeout' } });
      expect(Date.now() - started).toBeLessThan(8000);
      expect((answer.json as { value: { elapsedMs: number } }).value.elapsedMs).toBeLessThan(6000);
    }, 15_000);

    it('rate-limits checks per operator (429 + Retry-After)', async () => {
      const cookie = await login(BOUND, '127.0.0.10');
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 12; i++) {
        last = await call(
          'setup:checkReachability',
          { uri: 'ws://lns.example.com:80' },
          cookie,
          '127.0.0.10',
        );
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 10).every((st) => st === 200)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect(last!.json).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });
  });

  it('answers a wrong HSM passphrase with the HSM state as it is', async () => {
    const wrong = { passphrase: 'Wrong-Passphrase-42' };
    expect((await s.fx.hsm.status()).locked).toBe(false);
    const whileOpen = await call('hsm:unlock', wrong, adminCookie);
    expect(whileOpen.status).toBe(400);
    const openError = (whileOpen.json as Envelope).error!;
    expect(openError.code).toBe('invalid_request');
    expect(openError.message).toMatch(
      /^passphrase: wrong passphrase; the HSM was already unlocked and stays unlocked/,
    );
    expect(openError.message).not.toContain('locked,');
    expect((await s.fx.hsm.status()).locked).toBe(false);
    expect((await call('hsm:lock', {}, adminCookie)).status).toBe(200);
    const whileLocked = await call('hsm:unlock', wrong, adminCookie);
    expect((whileLocked.json as Envelope).error).toMatchObject({
      code: 'hsm_locked',
      message: 'passphrase: wrong passphrase, the HSM stays locked',
    });
    expect((await call('hsm:unlock', { passphrase: 'test passphrase' }, adminCookie)).status).toBe(200);
  });

  it('names a non-finite number and caps unknown-field lists in bridge answers', async () => {
    const huge = await call(
      'gateways:query',
      undefined,
      adminCookie,
      undefined,
      '{"offset":0,"limit":1e400}',
    );
    expect(huge.status).toBe(400);
    expect((huge.json as Envelope).error?.message).toBe(
      'gateways:query: limit: not a finite number (too large)',
    );
  });
});
