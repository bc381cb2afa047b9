/**
 * An offline day, end to end (docs/sync.md "An offline day"): two real instances on 127.0.0.1 with
 * their own data directories — the remote join server and a field station that holds **no** batch
 * root key. The remote prepares a site pack; the link is cut (a TCP forwarder in front of the
 * remote stops); a Basics-Station-like client bootstraps against the station's LAN CUPS door and
 * gets its LNS credentials; an offline claim and setup of another gateway and a claim with a wrong
 * PIN are recorded; the link comes back; the remote verifies and applies what was pushed (the
 * wrong PIN comes back rejected with the remote's message); the gateways' next polls at the remote
 * are in sync.
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToBase64, utf8 } from '../../../src-shared/bytes';
import { LanDoor } from '../../../src-main/compose/lan-door';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { StationClient } from '../../helpers/station-client';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';
import { throughUplink, type Uplink } from '../../helpers/uplink';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
/** a third gateway of the batch, claimed offline with a wrong PIN */
const GW3 = '0:ff:fe00:b00';
const LNS1 = 'wss://lns.example.com:443';
const LNS2 = 'ws://lns.example.com:1887';

let pair: SyncPair | undefined;
let uplink: Uplink | undefined;
let door: LanDoor | undefined;
afterEach(async () => {
  await door?.close();
  await uplink?.down();
  await pair?.close();
  pair = door = uplink = undefined;
});

/** A gateway installed from a bundle that points at `cupsUri` with `trustPem` and its gen-0 token. */
function bundleClient(router: string, cupsUri: string, trustPem: string, token: string): StationClient {
  return new StationClient({
    router,
    cups: {
      uri: cupsUri,
      trust: utf8(trustPem),
      key: utf8(cupsKeyFileContent(token)),
    },
  });
}

describe('an offline day', () => {
  it('serves CUPS from the site pack offline and converges with the remote afterwards', async () => {
    const p = (pair = await startSyncPair({
      twin: false,
      linkUrl: throughUplink((u) => (uplink = u)),
    }));
    const { station, remote } = p;
    const ctx = station.cliContext;
    const key = remote.ownerA.apiKey;
    const remoteCa = new Uint8Array(new X509Certificate(remote.caPem).raw);
    expect(await station.core.batches.list(ctx)).toEqual([]);

    // morning, online: the remote holds gw1, set up with LNS token credentials; the pack is fetched
    await remote.api('claim', key, { ownerid: p.owner, gateway: gw1.eui, claim: gw1.pin });
    const setup = await remote.api('setup', key, {
      ownerid: p.owner,
      gateway: gw1.eui,
      lnsUri: LNS1,
      lnsTrust: bytesToBase64(remoteCa),
      lnsKey: bytesToBase64(utf8('Authorization: Bearer lns-secret')),
    });
    expect(setup.json).toEqual([{ gateway: gw1.id6 }]);
    await station.core.sync.syncNow(ctx);
    expect(await station.core.sync.fetchSitePack(ctx, [gw1.eui])).toMatchObject({ gateways: 1 });
    door = new LanDoor({ dataDir: p.stationDir, core: station.core });
    const lan = (await door.set('127.0.0.1', 0)).active!;
    expect(lan.cupsUri).toBe(`https://127.0.0.1:${lan.port}`);

    // the uplink goes down
    await uplink!.down();
    await expect(station.core.sync.syncNow(ctx)).rejects.toThrow(/pull: /);
    expect((await station.core.sync.status()).online).toBe(false);

    // gw1 bootstraps at the station's LAN door (bundle: cups.uri + the station's CA as cups.trust)
    const g1 = bundleClient(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0);
    const first = await g1.sync();
    expect(first.response.status).toBe(200);
    expect(first.update).toMatchObject({ cupsUri: remote.station.cupsUri, tcUri: LNS1 });
    expect(g1.tc).toMatchObject({ uri: LNS1, key: utf8('Authorization: Bearer lns-secret\r\n') });
    // it now holds the remote's CUPS: URI, trust and its own token
    expect(g1.cups.uri).toBe(remote.station.cupsUri);
    expect(Buffer.from(g1.cups.trust!)).toEqual(Buffer.from(remoteCa));
    expect(g1.cupsCredCrc).toBe(
      new StationClient({
        router: gw1.id6,
        cups: { trust: remoteCa, key: utf8(cupsKeyFileContent(gw1.token0)) },
      }).cupsCredCrc,
    );

    // offline: claim and set up gw2 (pending: no root key here), and a claim with a wrong PIN
    expect(await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: gw2.pin }])).toEqual([
      { gateway: gw2.id6, pending: true },
    ]);
    expect(await station.core.owner.setup(ctx, p.owner, [{ gateway: gw2.eui, lnsUri: LNS2 }])).toEqual([
      { gateway: gw2.id6 },
    ]);
    expect(await station.core.owner.claim(ctx, p.owner, [{ gateway: GW3, claim: 'AAAA-AAAA' }])).toEqual([
      { gateway: GW3, pending: true },
    ]);
    // gw2 is not in the site pack: the LAN door does not serve it
    const g2local = bundleClient(gw2.id6, lan.cupsUri, station.tls.caCertPem, gw2.token0);
    expect((await g2local.sync()).response.status).toBe(401);
    expect((await station.core.sync.status()).counts).toMatchObject({ pending: 3 });

    // evening: the uplink is back; one round pushes everything
    await uplink!.up();
    const after = await station.core.sync.syncNow(ctx);
    expect(after).toMatchObject({ online: true, counts: { pending: 0, sent: 2, rejected: 1 } });
    const claims = await station.core.sync.claims();
    expect(claims.map((c) => [c.gateway, c.state, c.message])).toEqual([
      [GW3, 'rejected', `gateway ${GW3} was not claimed: wrong claim PIN`],
      [gw2.id6, 'verified', null],
    ]);
    const info = await remote.api('info', key, { ownerid: p.owner, gateways: [gw2.eui, GW3] });
    expect(info.json).toMatchObject([
      { gateway: gw2.id6, info: { owner: p.owner, setup: { lns: { uri: LNS2 } } } },
      { gateway: GW3, code: 'not_found' },
    ]);
    // the pack followed: gw1 only (the installer's choice), its generation as seen offline
    expect((await station.core.sync.sitePackGateways()).map((g) => [g.gateway, g.seenGeneration])).toEqual([
      [gw1.id6, 0],
    ]);

    // the gateways' next polls at the remote: gw1 (moved there by the station) is in sync at once;
    // gw2 (bundle pointing at the remote) gets the setup made offline, then is in sync
    const next1 = await g1.request();
    expect(next1.status).toBe(200);
    expect(Buffer.from(next1.body)).toEqual(Buffer.alloc(14));
    const g2 = bundleClient(gw2.id6, remote.station.cupsUri, remote.caPem, gw2.token0);
    const got = await g2.sync();
    expect(got.update).toMatchObject({ tcUri: LNS2 });
    const next2 = await g2.request();
    expect(Buffer.from(next2.body)).toEqual(Buffer.alloc(14));
  });
});
