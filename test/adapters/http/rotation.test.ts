/**
 * CUPS token rotation over real HTTPS (SPEC §2): `POST /api/v1/gateway/rotate` (single, bulk)
 * starts g → g + 1; the station gets the g + 1 cups.key through CUPS while g keeps working; g is
 * refused only once the station used g + 1; a station that never picks up g + 1 is never locked out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';
import { StationClient } from '../../helpers/station-client';

const { gw1, gw2 } = KDF_VECTORS;
const text = (b: Uint8Array | null) => (b === null ? '' : Buffer.from(b).toString('latin1'));

let t: RestartableServer;

beforeAll(async () => {
  t = await startRestartableServer();
  for (const gw of [gw1, gw2]) {
    await t.api('claim', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw.id6, claim: gw.pin });
    await t.api('setup', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw.id6,
      lnsUri: 'ws://lns.example.com:1887',
    });
  }
});
afterAll(async () => t?.close());

async function station(gateway: string): Promise<StationClient> {
  const bundle = await t.station.core.factory.personalize(t.station.cliContext, gateway, {
    cupsUri: t.station.cupsUri,
    trustPem: t.caPem,
  });
  return StationClient.fromFiles(bundle.files);
}

type Rotation = { state: string; generation: number; target: number; history: Record<string, unknown>[] };
async function rotation(gateway: string): Promise<Rotation> {
  const r = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway });
  return (r.json as { info: { rotation: Rotation } }[])[0]!.info.rotation;
}

async function lastContact(gateway: string): Promise<Record<string, unknown>> {
  const r = await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway });
  return (r.json as { info: { lastContact: Record<string, unknown> } }[])[0]!.info.lastContact;
}

describe('POST /api/v1/gateway/rotate', () => {
  it('runs a full cycle g → g + 1: the old token works until the station used the new one, then 401', async () => {
    const st = await station(gw1.id6);
    expect(text(st.cups.key)).toBe(`Authorization: Bearer ${gw1.token0}\r\n`);
    expect((await st.sync()).response.status).toBe(200); // PEM trust → the DER set is pushed once
    expect((await st.request()).body).toEqual(new Uint8Array(14));
    // a second copy of the g credentials, as the station keeps in cups-bak.*
    const bak = new StationClient({ router: gw1.id6, cups: { ...st.cups } });

    const r = await t.api('rotate', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.eui });
    expect(r).toMatchObject({ status: 200, json: [{ gateway: gw1.id6 }] });
    expect(await rotation(gw1.id6)).toMatchObject({ state: 'in_flight', generation: 0, target: 1 });

    expect((await bak.request()).status).toBe(200); // g still accepted
    const got = await st.sync();
    expect(got.update?.cupsCred).toBeDefined();
    expect(text(st.cups.key)).toBe(`Authorization: Bearer ${gw1.token1}\r\n`);
    expect((await bak.request()).status).toBe(200); // not converged yet: g still accepted
    // info says which generation the last contact used: the backup copy still holds g
    expect(await lastContact(gw1.id6)).toMatchObject({ credential: 'token', tokenGeneration: 0 });

    expect((await st.request()).body).toEqual(new Uint8Array(14)); // authenticates with g + 1
    expect(await lastContact(gw1.id6)).toMatchObject({ credential: 'token', tokenGeneration: 1 });
    expect(await rotation(gw1.id6)).toMatchObject({
      state: 'idle',
      generation: 1,
      target: 1,
      history: [{ from: 0, to: 1, completedHow: 'auth', startedBy: expect.stringMatching(/^api-key:/) }],
    });
    const refused = await bak.request();
    expect(refused.status).toBe(401);
    expect((await st.request()).status).toBe(200);
    expect(
      await t.station.core.audit.list(t.station.cliContext, { target: gw1.id6, action: 'token.retire' }),
    ).toHaveLength(1);
  });

  it('never locks out a station that does not pick up g + 1 (bulk request, per-item answers)', async () => {
    const st = await station(gw2.id6);
    await st.sync();
    const r = await t.api('rotate', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateways: [gw2.id6, 'b827:ebff:fe12:3456', '::', gw2.eui],
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      { gateway: gw2.id6 },
      { gateway: 'b827:ebff:fe12:3456', code: 'not_found', error: expect.any(String) },
      { gateway: '::', code: 'invalid_id', error: expect.stringMatching(/^gateway: "::"/) },
      { gateway: gw2.id6, code: 'duplicate_in_request', error: expect.any(String) },
    ]);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(24 * 3600_000);
      const a = await st.request(); // never adopts the g + 1 cups.key it is sent
      expect(a.status).toBe(200);
    }
    expect(text(st.cups.key)).toContain(gw2.token0);
    expect((await rotation(gw2.id6)).state).toBe('in_flight');
    // another owner may not rotate it
    const other = await t.api('rotate', t.ownerB.apiKey, { ownerid: t.ownerB.id6, gateway: gw2.id6 });
    expect((other.json as { code: string }[])[0]?.code).toBe('not_found');
  });
});
