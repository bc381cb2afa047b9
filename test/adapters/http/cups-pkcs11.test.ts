/**
 * A real HTTPS CUPS poll (the station-like client) against a join server whose HSM is a SoftHSM2
 * token (docs/twin-hsm.md): it authenticates; pulling the token (every session closed from outside,
 * or the module finalized) fails closed — 503, never 500, even with cached token digests — and
 * unlocking with the PIN recovers without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireModule, releaseModule } from '../../../src-main/adapters/hsm/pkcs11-module';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import { KDF_VECTORS, startTestServer, type TestServer } from '../../helpers/server-fixture';
import { makeToken, type TestToken } from '../../helpers/softhsm';
import { StationClient } from '../../helpers/station-client';

const { gw1 } = KDF_VECTORS;
let token: TestToken;
let t: TestServer;

beforeAll(async () => {
  token = makeToken('cups');
  t = await startTestServer({ pkcs11: { module: token.module, label: token.label, pin: token.pin } });
});
afterAll(async () => {
  await t?.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CUPS with a PKCS#11-backed join server', () => {
  it('authenticates over HTTPS, fails closed when the token is pulled, recovers on unlock', async () => {
    const hsm = t.station.hsm as Pkcs11Hsm;
    expect(hsm).toBeInstanceOf(Pkcs11Hsm);
    expect((await hsm.status()).kind).toBe('pkcs11');
    const claim = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw1.id6,
      claim: gw1.pin,
    });
    expect(claim.json).toEqual([{ gateway: gw1.id6 }]);
    const setup = await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw1.id6,
      lnsUri: 'ws://lns.example.com:1887',
    });
    expect(setup.json).toEqual([{ gateway: gw1.id6 }]);
    const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw1.id6, {
      cupsUri: t.station.cupsUri,
      trustPem: t.caPem,
    });
    expect(bundle.files['cups.key']).toBe(`Authorization: Bearer ${gw1.token0}\r\n`); // SPEC §2 vector, HMAC on the token
    const st = StationClient.fromFiles(bundle.files);
    const first = await st.sync();
    expect(first.response.status).toBe(200);
    const inSync = await st.request();
    expect([inSync.status, inSync.body.length]).toEqual([200, 14]);

    for (const pull of ['close sessions', 'finalize'] as const) {
      const m = acquireModule(token.module);
      if (pull === 'finalize') m.C_Finalize();
      else {
        const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
        m.C_CloseAllSessions(slot);
      }
      releaseModule(token.module);
      await pause(250); // the session probe runs at most every 200 ms
      const refused = await st.request();
      expect(refused.status, pull).toBe(503);
      expect((await hsm.status()).tokenRemoved).toBe(true);
      // the UI's unlock with the PIN brings it back, same process
      await hsm.unlock(token.pin);
      const again = await st.request();
      expect([again.status, again.body.length], pull).toEqual([200, 14]);
    }
  });
});
