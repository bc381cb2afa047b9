/**
 * Offline claims and adopting the remote's setup, between two real instances on 127.0.0.1
 * (docs/sync.md "Offline claims", "Conflicts"): a station without the batch root key records a
 * claim as pending — it cannot check the PIN — and the remote verifies it when it is pushed; a
 * wrong PIN comes back rejected with the remote's message. A setup conflict resolved with "adopt"
 * makes the station's setup the remote's again, blobs included, also with the link down (from the
 * site pack the loop refreshed).
 */
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToBase64, utf8 } from '../../../src-shared/bytes';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const LNS = 'ws://lns.example.com:1887';
let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** Every file below `dir`, recursively. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesOf(p) : [p];
  });
}

describe('offline claims', () => {
  it('are pending until the remote verifies the PIN; a wrong one is rejected with the remote’s message', async () => {
    const p = (pair = await startSyncPair({ twin: false }));
    const { station, remote } = p;
    const ctx = station.cliContext;
    expect(await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }])).toEqual([
      { gateway: gw1.id6, pending: true },
    ]);
    // served locally only from a site pack, but owned here: a setup can be made offline
    expect(await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: LNS }])).toEqual([
      { gateway: gw1.id6 },
    ]);
    // the station cannot tell a wrong PIN: pending too
    expect(await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: 'AAAA-AAAA' }])).toEqual([
      { gateway: gw2.id6, pending: true },
    ]);
    expect((await station.core.sync.claims()).map((c) => [c.gateway, c.state])).toEqual([
      [gw1.id6, 'pending'],
      [gw2.id6, 'pending'],
    ]);
    const audit = await station.core.audit.list(ctx, { action: 'claim.pending' });
    expect(audit.map((a) => a.target).sort()).toEqual([gw1.id6, gw2.id6].sort());

    const status = await station.core.sync.syncNow(ctx);
    expect(status.counts).toMatchObject({ pending: 0, sent: 2, rejected: 1 });
    const claims = await station.core.sync.claims();
    expect(claims.find((c) => c.gateway === gw1.id6)).toMatchObject({ state: 'verified', message: null });
    expect(claims.find((c) => c.gateway === gw2.id6)).toMatchObject({
      state: 'rejected',
      message: `gateway ${gw2.id6} was not claimed: wrong claim PIN`,
    });
    const [rejected] = await station.core.sync.entries({ states: ['rejected'] });
    expect(rejected!.answer).toEqual([
      { gateway: gw2.id6, code: 'bad_claim', error: `gateway ${gw2.id6} was not claimed: wrong claim PIN` },
    ]);
    // PINs are blanked once answered
    for (const e of await station.core.sync.entries({}))
      if (e.operation === 'claim') expect(e.items).toEqual([expect.objectContaining({ claim: '' })]);
    // the remote applied the verified claim and the setup made after it, and nothing of gw2
    const info = await remote.api('info', remote.ownerA.apiKey, {
      ownerid: p.owner,
      gateways: [gw1.eui, gw2.eui],
    });
    expect(info.json).toMatchObject([
      { gateway: gw1.id6, info: { owner: p.owner, setup: { lns: { uri: LNS } } } },
      { gateway: gw2.id6, code: 'not_found' },
    ]);
    // answered, the PINs leave no trace in the station's data directory (store, journal) once closed
    await station.close();
    for (const f of filesOf(p.stationDir)) {
      const text = readFileSync(f).toString('latin1');
      expect({ f, found: text.includes(gw1.pin) || text.includes('AAAA-AAAA') }).toEqual({ f, found: false });
    }
  });

  it('a station holding the root key checks the PIN itself (no pending claim)', async () => {
    const p = (pair = await startSyncPair());
    const ctx = p.station.cliContext;
    expect(
      await p.station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: 'AAAA-AAAA' }]),
    ).toEqual([
      { gateway: gw2.id6, code: 'bad_claim', error: `gateway ${gw2.id6} was not claimed: wrong claim PIN` },
    ]);
    expect(await p.station.core.sync.claims()).toEqual([]);
  });
});

describe('adopting the remote’s setup', () => {
  it('restores the remote’s URIs and credentials, online and from the site pack with the link down', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [
      { gateway: gw1.eui, claim: gw1.pin },
      { gateway: gw2.eui, claim: gw2.pin },
    ]);
    await station.core.sync.syncNow(ctx);
    await station.core.sync.fetchSitePack(ctx, null);
    // the remote sets up both gateways (LNS with token credentials); the station, meanwhile, too
    const caDer = bytesToBase64(new Uint8Array(new X509Certificate(remote.caPem).raw));
    const remoteLns = 'wss://remote.example.com:443';
    expect(
      (
        await remote.api('setup', remote.ownerA.apiKey, {
          ownerid: p.owner,
          lnsUri: remoteLns,
          lnsTrust: caDer,
          lnsKey: bytesToBase64(utf8('Authorization: Bearer remote-lns')),
          gateways: [{ gateway: gw1.eui }, { gateway: gw2.eui }],
        })
      ).json,
    ).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
    await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: LNS }]);
    await station.core.owner.setup(ctx, p.owner, [{ gateway: gw2.eui, lnsUri: LNS }]);
    const round = await station.core.sync.syncNow(ctx);
    expect(round.counts).toMatchObject({ pending: 0, conflict: 2 });
    const remoteInfo = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui });
    const remoteLnsSide = (remoteInfo.json as { info: { setup: { lns: unknown } } }[])[0]!.info.setup.lns;
    expect(remoteLnsSide).toMatchObject({ uri: remoteLns, mode: 'token' });
    const localLns = async (gw: string) =>
      ((await station.core.owner.info(ctx, p.owner, [gw]))[0] as { info: { setup: { lns: unknown } } }).info
        .setup.lns;
    expect(await localLns(gw1.eui)).toMatchObject({ uri: LNS });

    const [c1, c2] = await station.core.sync.entries({ states: ['conflict'] });
    // online: the blobs come from a pack fetched for the gateway now
    expect((await station.core.sync.resolve(ctx, c1!.seq, 'adopt')).state).toBe('adopted');
    expect(await localLns(gw1.eui)).toEqual(remoteLnsSide);
    // link down: from the pack the round refreshed after it pulled the remote's setup
    await remote.server.close();
    expect((await station.core.sync.resolve(ctx, c2!.seq, 'adopt')).state).toBe('adopted');
    expect(await localLns(gw2.eui)).toEqual(remoteLnsSide);
    // adopting queued nothing
    expect((await station.core.sync.status()).counts).toMatchObject({ pending: 0, adopted: 2 });
  });
});
