import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytesToBase64, bytesToHex, hexToBytes, utf8 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  EMPTY_CRED_CRC,
  decodeUpdateInfoResponse,
  serverAuthBlob,
  tokenBlob,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth, SetupItem } from '../../../src-main/core/api';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import {
  createCoreFixture,
  KDF_VECTORS,
  OUTSIDE_ID,
  SERVER_CUPS_URI,
  testPki,
  type CoreFixture,
  type CoreFixtureOptions,
} from '../../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;
const LNS = 'wss://lns.example.com:443';
const ADDRESS = '198.51.100.7';

function report(over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest {
  return {
    router: parseId(gw1.id6).id,
    cupsUri: SERVER_CUPS_URI,
    tcUri: null,
    cupsCredCrc: EMPTY_CRED_CRC,
    tcCredCrc: EMPTY_CRED_CRC,
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: '1.0.0',
    keys: [],
    ...over,
  };
}

const bearer = (token: string): CupsAuth => ({ secure: true, authorization: `Bearer ${token}` });

function body(answer: CupsAnswer): Uint8Array {
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status} ${answer.reason}`);
  return answer.body;
}

describe('cups.updateInfo', () => {
  let f: CoreFixture;
  let lnsBlob: Uint8Array;
  let serverCred: (token: string) => Uint8Array;

  async function start(options: CoreFixtureOptions = {}, setup: Partial<SetupItem> | null = {}) {
    f = await createCoreFixture(options);
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    lnsBlob = tokenBlob(f.pki.caDer, 'Authorization: Bearer lns-secret\r\n');
    serverCred = (token) => tokenBlob(f.pki.caDer, cupsKeyFileContent(token));
    if (setup !== null) {
      const r = await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
        {
          gateway: gw1.id6,
          lnsUri: LNS,
          lnsTrust: bytesToBase64(f.pki.caDer),
          lnsKey: bytesToBase64(utf8('Authorization: Bearer lns-secret')),
          ...setup,
        },
      ]);
      expect(r).toEqual([{ gateway: gw1.id6 }]);
    }
  }
  afterEach(async () => f.close());

  /** What a station reports once it holds the desired state. */
  const inSync = (token: string = gw1.token0) =>
    report({ tcUri: LNS, cupsCredCrc: crc32(serverCred(token)), tcCredCrc: crc32(lnsBlob) });

  describe('authentication (SPEC §3.1, §3.6)', () => {
    beforeEach(async () => start());

    it('answers 401 without a credential over TLS, and for a wrong or malformed token', async () => {
      for (const auth of [
        { secure: true },
        bearer('A'.repeat(43)),
        bearer(gw1.token0.slice(1)),
        { secure: true, authorization: `Basic ${gw1.token0}` },
      ] satisfies CupsAuth[]) {
        expect(await f.core.cups.updateInfo(report(), auth, ADDRESS)).toMatchObject({
          status: 401,
          outcome: 'unauthorized',
        });
      }
    });

    it('answers 403 to a client certificate that names no gateway', async () => {
      const answer = await f.core.cups.updateInfo(
        report(),
        { secure: true, clientCertificate: f.pki.client.certDer },
        ADDRESS,
      );
      expect(answer).toMatchObject({ status: 403, outcome: 'cert_refused' });
    });

    it('answers 401 for a router outside every batch that was never added', async () => {
      const answer = await f.core.cups.updateInfo(
        report({ router: parseId(OUTSIDE_ID).id }),
        bearer(gw1.token0),
        ADDRESS,
      );
      expect(answer.status).toBe(401);
    });

    it('accepts generation g and g + 1; authenticating with g + 1 retires g', async () => {
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).status).toBe(200);
      const next = await f.core.cups.updateInfo(
        report({ tcUri: LNS, tcCredCrc: crc32(lnsBlob) }),
        bearer(gw1.token1),
        ADDRESS,
      );
      // the desired cupsCred now carries generation 1
      expect(decodeUpdateInfoResponse(body(next)).cupsCred).toEqual(serverCred(gw1.token1));
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).status).toBe(401);
      expect(body(await f.core.cups.updateInfo(inSync(gw1.token1), bearer(gw1.token1), ADDRESS))).toEqual(
        new Uint8Array(14),
      );
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.tokenGeneration).toBe(1);
      const [retired] = await f.core.audit.list(f.admin, { target: gw1.id6, action: 'token.retire' });
      expect(retired).toMatchObject({
        actor: 'system:cups',
        address: ADDRESS,
        detail: { retired: 0, current: 1 },
      });
    });
  });

  describe('answers (SPEC §3.6)', () => {
    it('answers 404 "not configured" for an authenticated gateway that is not claimed or not set up', async () => {
      await start({}, null);
      const claimedNoSetup = await f.core.cups.updateInfo(report(), bearer(gw1.token0), ADDRESS);
      expect(claimedNoSetup).toMatchObject({
        status: 404,
        reason: 'not configured',
        outcome: 'not_configured',
      });
      const unclaimed = await f.core.cups.updateInfo(
        report({ router: parseId(KDF_VECTORS.gw2.id6).id }),
        bearer(KDF_VECTORS.gw2.token0),
        ADDRESS,
      );
      expect(unclaimed.status).toBe(404);
    });

    it('sends the factory-provisioned station the DER credential sets and the LNS URI, then 14 zero bytes', async () => {
      await start();
      // a factory station reports the CRC of its PEM trust + key files
      const pemCrc = crc32(utf8(`${f.pki.caPem}\0\0\0\0${cupsKeyFileContent(gw1.token0)}`));
      const first = await f.core.cups.updateInfo(
        report({ cupsCredCrc: pemCrc }),
        bearer(gw1.token0),
        ADDRESS,
      );
      expect(first).toMatchObject({ status: 200, outcome: 'updated' });
      expect(decodeUpdateInfoResponse(body(first))).toEqual({
        tcUri: LNS,
        cupsCred: serverCred(gw1.token0),
        tcCred: lnsBlob,
      });
      const second = await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      expect(second).toMatchObject({ status: 200, outcome: 'in_sync' });
      expect(body(second)).toEqual(new Uint8Array(14));
    });

    it('redirects a gateway whose setup names another CUPS, with that CUPS’s credentials', async () => {
      const { caDer } = await testPki();
      await start({}, { cupsUri: 'https://cups.example.net:443', cupsTrust: bytesToBase64(caDer) });
      const r = decodeUpdateInfoResponse(
        body(await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)),
      );
      expect(r).toEqual({ cupsUri: 'https://cups.example.net:443', cupsCred: serverAuthBlob(f.pki.caDer) });
    });

    it('never sends a credential segment for a ws LNS', async () => {
      await start({}, { lnsUri: 'ws://lns.example.com:80' });
      const r = decodeUpdateInfoResponse(
        body(
          await f.core.cups.updateInfo(
            report({ cupsCredCrc: crc32(serverCred(gw1.token0)), tcCredCrc: 12345 }),
            bearer(gw1.token0),
            ADDRESS,
          ),
        ),
      );
      expect(r).toEqual({ tcUri: 'ws://lns.example.com:80' });
    });

    it('answers a plain-HTTP (unauthenticated) request with URIs only and records it as unauthenticated', async () => {
      await start();
      const answer = await f.core.cups.updateInfo(
        report({ cupsUri: 'http://js.example.com:6040' }),
        { secure: false },
        ADDRESS,
      );
      expect(decodeUpdateInfoResponse(body(answer))).toEqual({ cupsUri: SERVER_CUPS_URI, tcUri: LNS });
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.lastContact?.outcome).toBe('updated (unauthenticated)');
      expect(f.core.metrics().cups).toMatchObject({ updated: 1, unauthenticated: 1 });
      const unknown = await f.core.cups.updateInfo(
        report({ router: parseId(OUTSIDE_ID).id }),
        { secure: false },
        ADDRESS,
      );
      expect(unknown.status).toBe(404);
    });

    it('authenticates an added gateway by the hash of its token and sends it no server-issued cupsCred', async () => {
      await start({}, null);
      await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [
        { gateway: OUTSIDE_ID, flavorid: 'ttig', token: 'Bearer own-token' },
      ]);
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
        { gateway: OUTSIDE_ID, lnsUri: 'ws://lns.example.com:80' },
      ]);
      const router = parseId(OUTSIDE_ID).id;
      const wrong = await f.core.cups.updateInfo(
        report({ router }),
        { secure: true, authorization: 'Bearer other' },
        ADDRESS,
      );
      expect(wrong.status).toBe(401);
      const ok = await f.core.cups.updateInfo(
        report({ router, tcUri: 'ws://lns.example.com:80', cupsCredCrc: 42 }),
        { secure: true, authorization: 'Bearer own-token' },
        ADDRESS,
      );
      expect(body(ok)).toEqual(new Uint8Array(14));
    });

    it('records the last contact with what the station reported', async () => {
      await start();
      f.clock.advance(5000);
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.lastContact).toEqual({
        at: '2030-01-01T00:00:05.000Z',
        address: ADDRESS,
        outcome: 'in_sync',
        station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
        model: 'corecell',
        package: '1.0.0',
        cupsCredCrc: crc32(serverCred(gw1.token0)),
        tcCredCrc: crc32(lnsBlob),
        keys: [],
        credential: 'token',
        tokenGeneration: 0,
      });
    });

    it('forgets a deleted gateway: the next poll is not configured', async () => {
      await start();
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).status).toBe(200);
      await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).status).toBe(404);
    });
  });

  describe('rotation (SPEC §2)', () => {
    it('delivers cups.key of g + 1 with the old token, then retires g', async () => {
      await start();
      await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      const r = decodeUpdateInfoResponse(
        body(await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)),
      );
      expect(r).toEqual({ cupsCred: serverCred(gw1.token1) });
      expect(body(await f.core.cups.updateInfo(inSync(gw1.token1), bearer(gw1.token1), ADDRESS))).toEqual(
        new Uint8Array(14),
      );
      expect((await f.core.cups.updateInfo(inSync(gw1.token1), bearer(gw1.token0), ADDRESS)).status).toBe(
        401,
      );
    });
  });

  describe('firmware (SPEC §3.4)', () => {
    const fw = {
      image:
        '23212f62696e2f73680a6563686f20322e302e30203e2076657273696f6e2e7478740a726d202d66202f746d702f7570646174652e62696e0a',
      sigKey:
        '22e4732a8153afab59aa63157f3b05347d706324dbe89cca3f8710b2b2aab34588333b14ff5510ed5be9124ca053bc416ca5ec3e2cae6c95b269b4907032d6a4',
      keyCrc: 1656565141,
      signature:
        '3046022100a3a9561c2f9f7d3355b18257e2eda778663478b9aff02822797252b4a09f9bd9022100bdecb7f0164d39afc9ae1897d3153c774db2d62bfe17c1f92596d567c3a37267',
      fwcrc: 1821931632,
      response:
        '0000000000004c000000952dbd623046022100a3a9561c2f9f7d3355b18257e2eda778663478b9aff02822797252b4a09f9bd9022100bdecb7f0164d39afc9ae1897d3153c774db2d62bfe17c1f92596d567c3a372673900000023212f62696e2f73680a6563686f20322e302e30203e2076657273696f6e2e7478740a726d202d66202f746d702f7570646174652e62696e0a',
    };

    beforeEach(async () => {
      await start({}, null);
      await f.store.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO firmware (fwcrc, owner_id, version, image, created_at) VALUES (?, NULL, ?, ?, ?)',
          [fw.fwcrc, '2.0.0', hexToBytes(fw.image), 'x'],
        );
        await tx.run(
          'INSERT INTO firmware_signatures (fwcrc, key_crc, sig_key, signature) VALUES (?, ?, ?, ?)',
          [fw.fwcrc, fw.keyCrc, hexToBytes(fw.sigKey), hexToBytes(fw.signature)],
        );
      });
    });

    const synced = (keys: number[]) => report({ cupsCredCrc: crc32(serverCred(gw1.token0)), keys });

    it('sends a due update once, signed for a reported key — the SPEC vector answer', async () => {
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
        { gateway: gw1.id6, fwcrc: fw.fwcrc, fwafter: '2030-01-01T01:00:00Z' },
      ]);
      expect(body(await f.core.cups.updateInfo(synced([fw.keyCrc]), bearer(gw1.token0), ADDRESS))).toEqual(
        new Uint8Array(14),
      );
      f.clock.advance(3_600_000);
      const answer = await f.core.cups.updateInfo(synced([7, fw.keyCrc]), bearer(gw1.token0), ADDRESS);
      expect(answer.outcome).toBe('updated');
      expect(bytesToHex(body(answer))).toBe(fw.response);
      expect(body(await f.core.cups.updateInfo(synced([fw.keyCrc]), bearer(gw1.token0), ADDRESS))).toEqual(
        new Uint8Array(14),
      );
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.firmware).toMatchObject({ state: 'sent', sentAt: '2030-01-01T01:00:00.000Z' });
      expect(await f.core.audit.list(f.admin, { target: gw1.id6, action: 'firmware.sent' })).toHaveLength(1);
    });

    it('withholds the update when no reported key verifies a signature, and says so in info', async () => {
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: fw.fwcrc }]);
      expect(body(await f.core.cups.updateInfo(synced([1, 2]), bearer(gw1.token0), ADDRESS))).toEqual(
        new Uint8Array(14),
      );
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.firmware?.state).toBe('no_matching_key');
      expect(f.core.metrics().cups.firmware_no_matching_key).toBe(1);
    });

    it('never sends firmware to an unauthenticated request', async () => {
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: fw.fwcrc }]);
      const answer = await f.core.cups.updateInfo(synced([fw.keyCrc]), { secure: false }, ADDRESS);
      expect(body(answer)).toEqual(new Uint8Array(14));
    });
  });

  describe('hot path: cached gateway state and contact log', () => {
    /** The contact row as the store holds it, or undefined. */
    const storedContact = () =>
      f.store.read((tx) =>
        tx.get<{ at: string; package: string | null; outcome: string }>(
          'SELECT at, package, outcome FROM cups_contacts WHERE eui = ?',
          [gw1.hex],
        ),
      );
    /** Waits (real time) until `probe` holds, at most 2 s. */
    async function until(probe: () => Promise<boolean>): Promise<void> {
      const end = Date.now() + 2000;
      while (!(await probe())) {
        if (Date.now() > end) throw new Error('condition not met within 2 s');
        await new Promise((r) => setTimeout(r, 5));
      }
    }

    it('answers an in-sync poll of a cached gateway without touching the store, and info still shows it', async () => {
      await start();
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).outcome).toBe('in_sync');
      const reads = vi.spyOn(f.store, 'read');
      const writes = vi.spyOn(f.store, 'transaction');
      for (let i = 0; i < 20; i++) {
        f.clock.advance(1000);
        expect(body(await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS))).toEqual(
          new Uint8Array(14),
        );
      }
      expect(reads).not.toHaveBeenCalled();
      expect(writes).not.toHaveBeenCalled();
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.lastContact).toMatchObject({ at: '2030-01-01T00:00:20.000Z', outcome: 'in_sync' });
      expect(f.core.metrics().cups).toMatchObject({ in_sync: 21 });
    });

    it('sees every Owner API change at the next poll (setup, rotate, delete, claim, add)', async () => {
      await start();
      const poll = (token: string = gw1.token0) =>
        f.core.cups.updateInfo(inSync(token), bearer(token), ADDRESS);
      expect((await poll()).outcome).toBe('in_sync');
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
        { gateway: gw1.id6, lnsUri: 'wss://lns2.example.com:443' },
      ]);
      expect(decodeUpdateInfoResponse(body(await poll()))).toEqual({ tcUri: 'wss://lns2.example.com:443' });
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, lnsUri: LNS }]);
      expect((await poll()).outcome).toBe('in_sync');
      await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(decodeUpdateInfoResponse(body(await poll()))).toEqual({ cupsCred: serverCred(gw1.token1) });
      expect((await poll(gw1.token1)).outcome).toBe('in_sync'); // retires g
      expect((await poll()).status).toBe(401);
      await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(await poll(gw1.token1)).toMatchObject({ status: 404, outcome: 'not_configured' });
      await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
      expect((await poll(gw1.token1)).status).toBe(404); // claimed, not set up
      await f.core.owner.setup(f.ownerB.ctx, f.ownerB.id6, [
        { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80' },
      ]);
      expect(decodeUpdateInfoResponse(body(await poll(gw1.token1)))).toEqual({
        tcUri: 'ws://lns.example.com:80',
      });

      // an unknown router is cached as such; add makes it known at the next poll
      const added = parseId(OUTSIDE_ID).id;
      const auth = { secure: true, authorization: 'Bearer own-token' };
      expect((await f.core.cups.updateInfo(report({ router: added }), auth, ADDRESS)).status).toBe(401);
      await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [
        { gateway: OUTSIDE_ID, flavorid: 'x', token: 'Bearer own-token' },
      ]);
      expect((await f.core.cups.updateInfo(report({ router: added }), auth, ADDRESS)).status).toBe(404);
    });

    it('writes a changed contact at the next tick and a time-only change at most once per flush interval', async () => {
      await start({ config: { cupsContacts: { tickMs: 5, flushIntervalMs: 60_000 } } });
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      await until(async () => (await storedContact())?.at === '2030-01-01T00:00:00.000Z');

      f.clock.advance(30_000); // only the time differs, and the stored one is 30 s old: not yet
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      await new Promise((r) => setTimeout(r, 50));
      expect((await storedContact())?.at).toBe('2030-01-01T00:00:00.000Z');
      const [info] = await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
      expect(info?.info?.lastContact?.at).toBe('2030-01-01T00:00:30.000Z');

      f.clock.advance(30_000); // the stored time is now 60 s old: the pending contact is due
      await until(async () => (await storedContact())?.at === '2030-01-01T00:00:30.000Z');

      f.clock.advance(1000); // something besides the time changed: written at once
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), '203.0.113.9');
      f.clock.advance(1000);
      await f.core.cups.updateInfo({ ...inSync(), package: '1.0.1' }, bearer(gw1.token0), '203.0.113.9');
      await until(async () => (await storedContact())?.package === '1.0.1');
      expect(await storedContact()).toEqual({
        at: '2030-01-01T00:01:02.000Z',
        package: '1.0.1',
        outcome: 'in_sync',
      });
    });

    it('writes pending contacts when the core closes, and a delete is never undone by one', async () => {
      await start({ config: { cupsContacts: { tickMs: 3_600_000 } } });
      const gw2 = KDF_VECTORS.gw2;
      await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      await f.core.cups.updateInfo(report({ router: parseId(gw2.id6).id }), bearer(gw2.token0), ADDRESS);
      expect(f.core.cups.contacts.pending).toBe(2);
      await f.core.owner.delete(f.ownerA.ctx, f.ownerA.id6, [gw2.id6]);
      expect(f.core.cups.contacts.pending).toBe(1);
      await f.close();
      const store = await f.reopenStore();
      try {
        const rows = await store.read((tx) => tx.all('SELECT eui, outcome FROM cups_contacts ORDER BY eui'));
        expect(rows).toEqual([{ eui: gw1.hex, outcome: 'in_sync' }]);
      } finally {
        await store.close();
      }
    });

    it('refuses polls once the core is closed', async () => {
      await start();
      await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS);
      await f.close();
      await expect(f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).rejects.toThrow(/closed/);
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After beyond the per-router and per-address budgets', async () => {
      await start({
        config: {
          cupsRateLimit: {
            perRouter: { burst: 2, ratePerSecond: 0.5 },
            failuresPerAddress: { burst: 4, ratePerSecond: 1 },
          },
        },
      });
      const ask = (address: string, router: string = gw1.id6) =>
        f.core.cups.updateInfo(report({ router: parseId(router).id }), bearer(gw1.token0), address);
      expect((await ask('a')).status).toBe(200);
      expect((await ask('a')).status).toBe(200);
      expect(await ask('a')).toMatchObject({ status: 429, outcome: 'rate_limited', retryAfter: 2 });
      f.clock.advance(2000);
      expect((await ask('b')).status).toBe(200);
      expect((await ask('c', '0:ff:fe00:1')).status).toBe(401);
      expect((await ask('c', '0:ff:fe00:2')).status).toBe(401);
      expect((await ask('c', '0:ff:fe00:3')).status).toBe(401);
      expect((await ask('c', '0:ff:fe00:4')).status).toBe(401);
      expect(await ask('c', '0:ff:fe00:5')).toMatchObject({ status: 429, retryAfter: 1 });
      expect(f.core.metrics().cups).toMatchObject({ rate_limited: 2, unauthorized: 4 });
      expect(f.core.cups.badRequest('router: missing', 'c')).toMatchObject({ status: 429 });
      expect(f.core.cups.badRequest('router: missing', 'd')).toMatchObject({
        status: 400,
        outcome: 'bad_request',
      });
    });

    it('never throttles a valid credential for anyone else’s failures, even from the same address', async () => {
      await start({ config: { cupsRateLimit: { failuresPerAddress: { burst: 3, ratePerSecond: 0.01 } } } });
      const noCredential: CupsAuth = { secure: true };
      const wrongToken = bearer('x'.repeat(43));
      const answers: number[] = [];
      for (let i = 0; i < 25; i++) {
        answers.push(
          (await f.core.cups.updateInfo(inSync(), i % 2 ? wrongToken : noCredential, ADDRESS)).status,
        );
      }
      expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
      expect(new Set(answers.slice(3))).toEqual(new Set([429]));
      // plain HTTP naming the router: its own per-router bucket (20), never the authenticated one
      for (let i = 0; i < 25; i++) await f.core.cups.updateInfo(inSync(), { secure: false }, ADDRESS);
      expect((await f.core.cups.updateInfo(inSync(), { secure: false }, ADDRESS)).status).toBe(429);
      for (let i = 0; i < 20; i++) {
        expect(await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).toMatchObject({
          status: 200,
          outcome: 'in_sync',
        });
      }
      // the authenticated budget is the gateway's own: its 21st poll in a row is throttled
      expect((await f.core.cups.updateInfo(inSync(), bearer(gw1.token0), ADDRESS)).status).toBe(429);
    });
  });
});

describe('cups.updateInfo cost', () => {
  it('answers a steady-state in-sync poll in well under a millisecond of CPU', async () => {
    const f = await createCoreFixture({
      config: {
        cupsRateLimit: {
          perRouter: { burst: 1e9, ratePerSecond: 1e9 },
          failuresPerAddress: { burst: 1e9, ratePerSecond: 1e9 },
        },
      },
    });
    try {
      await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
      await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
        {
          gateway: gw1.id6,
          lnsUri: LNS,
          lnsTrust: bytesToBase64(f.pki.caDer),
          lnsKey: bytesToBase64(utf8('Authorization: Bearer l')),
        },
      ]);
      const req = report({
        tcUri: LNS,
        cupsCredCrc: crc32(tokenBlob(f.pki.caDer, cupsKeyFileContent(gw1.token0))),
        tcCredCrc: crc32(tokenBlob(f.pki.caDer, 'Authorization: Bearer l\r\n')),
      });
      const poll = () => f.core.cups.updateInfo(req, bearer(gw1.token0), ADDRESS);
      for (let i = 0; i < 500; i++) expect((await poll()).outcome).toBe('in_sync');
      const n = 2000;
      const cpu = process.cpuUsage();
      for (let i = 0; i < n; i++) await poll();
      const used = process.cpuUsage(cpu);
      const micros = (used.user + used.system) / n;
      console.log(`in-sync CUPS poll: ${micros.toFixed(0)} µs CPU`);
      expect(micros).toBeLessThan(5000);
    } finally {
      await f.close();
    }
  });
});
