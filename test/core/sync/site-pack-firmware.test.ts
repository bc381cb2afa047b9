/**
 * Firmware from the site pack (docs/sync.md "Firmware from the pack", SPEC §3.4), two real
 * instances on 127.0.0.1 and Basics-Station-like clients over HTTPS: the remote delivers gw2's
 * update itself (the reference answer); the station — no root key — fetches the pack (the image
 * once, by SHA-256), the uplink is cut, and its LAN door delivers gw1's update byte-identical to
 * the remote's, once, and not gw2's (the pack says the remote sent it). Back online the delivery
 * is pushed and the remote does not send it again. A new fwafter re-arms the delivery: nothing
 * before it, then once with a matching key only; the image is dropped when no setup names it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8 } from '../../../src-shared/bytes';
import { decodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import { LanDoor } from '../../../src-main/compose/lan-door';
import { sha256 } from '../../../src-main/core/digest';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import { KDF_VECTORS, type TestClock } from '../../helpers/core-fixture';
import { StationClient } from '../../helpers/station-client';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';
import { throughUplink, type Uplink } from '../../helpers/uplink';

const V = (
  JSON.parse(readFileSync(new URL('../../vectors/cups.json', import.meta.url), 'utf8')) as {
    firmware: { imageHex: string; sigKeyHex: string; signatureDerHex: string; keyCrc: number; fwcrc: number };
  }
).firmware;
const image = hexToBytes(V.imageHex);
const signature = hexToBytes(V.signatureDerHex);
const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const LNS = 'ws://lns.example.com:1887';

let pair: SyncPair | undefined;
let uplink: Uplink | undefined;
let door: LanDoor | undefined;
afterEach(async () => {
  await door?.close();
  await uplink?.down();
  await pair?.close();
  pair = door = uplink = undefined;
});

/** A gateway installed from a bundle pointing at `cupsUri`, holding sig-0.key of the vectors. */
function client(router: string, cupsUri: string, trustPem: string, token: string, keys = [V.keyCrc]) {
  return new StationClient({
    router,
    cups: { uri: cupsUri, trust: utf8(trustPem), key: utf8(cupsKeyFileContent(token)) },
    keys,
    package: '1.0.0',
  });
}

/** The update part of an answer (SPEC §3.2: sigLen, keyCRC, sig, updLen, upd — the last bytes). */
function updateTail(body: Uint8Array): Buffer {
  const r = decodeUpdateInfoResponse(body);
  if (r.update === undefined || r.signature === undefined) throw new Error('no update in the answer');
  return Buffer.from(body.subarray(body.length - (12 + r.signature.sig.length + r.update.length)));
}

describe('firmware from the site pack', () => {
  it('is delivered offline once, as the remote would, and not again by the remote', async () => {
    const p = (pair = await startSyncPair({
      twin: false,
      linkUrl: throughUplink((u) => (uplink = u)),
    }));
    const { station, remote } = p;
    const ctx = station.cliContext;
    const key = remote.ownerA.apiKey;

    // the remote: gw1 and gw2 set up with the same signed image, due at once
    await remote.api('claim', key, {
      ownerid: p.owner,
      gateways: [
        { gateway: gw1.eui, claim: gw1.pin },
        { gateway: gw2.eui, claim: gw2.pin },
      ],
    });
    await remote.station.core.firmware.upload(remote.station.cliContext, p.owner, {
      image,
      signatures: [{ key: hexToBytes(V.sigKeyHex), signature }],
    });
    expect(
      (
        await remote.api('setup', key, {
          ownerid: p.owner,
          gateways: [gw1.eui, gw2.eui].map((gateway) => ({ gateway, lnsUri: LNS, fwcrc: V.fwcrc })),
        })
      ).json,
    ).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
    // gw2 gets its update from the remote itself: the reference answer
    const r2 = client(gw2.id6, remote.station.cupsUri!, remote.caPem, gw2.token0);
    const reference = await r2.request();
    expect(reference.status).toBe(200);
    expect(decodeUpdateInfoResponse(reference.body)).toMatchObject({
      update: image,
      signature: { keyCrc: V.keyCrc, sig: signature },
    });

    // the station fetches the pack: one image for the two gateways, gw2's delivery already made
    await station.core.sync.syncNow(ctx);
    expect(await station.core.sync.fetchSitePack(ctx, null)).toMatchObject({ gateways: 2 });
    const digest = bytesToHex(sha256(image));
    expect(await station.core.sync.sitePack.images()).toEqual([
      { sha256: digest, fwcrc: V.fwcrc, size: image.length },
    ]);
    door = new LanDoor({ dataDir: p.stationDir, core: station.core });
    const lan = (await door.set('127.0.0.1', 0)).active!;

    // offline: gw1 bootstraps at the LAN door and gets the update, byte for byte as the remote sends it
    await uplink!.down();
    const g1 = client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0);
    const first = await g1.request();
    expect(first.status).toBe(200);
    expect(decodeUpdateInfoResponse(first.body)).toMatchObject({
      cupsUri: remote.station.cupsUri,
      tcUri: LNS,
      update: image,
      signature: { keyCrc: V.keyCrc, sig: signature },
    });
    expect(updateTail(first.body)).toEqual(updateTail(reference.body));
    // once: the next session at the LAN door carries no update; gw2 (sent by the remote) gets none
    const again = await client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0).request();
    expect(again.status).toBe(200);
    expect(decodeUpdateInfoResponse(again.body).update).toBeUndefined();
    const g2 = await client(gw2.id6, lan.cupsUri, station.tls.caCertPem, gw2.token0).request();
    expect(g2.status).toBe(200);
    expect(decodeUpdateInfoResponse(g2.body).update).toBeUndefined();
    const sentHere = await station.core.audit.list(ctx, { action: 'firmware.sent', target: gw1.id6 });
    expect(sentHere.map((a) => a.detail)).toEqual([
      { fwcrc: V.fwcrc, keyCrc: V.keyCrc, size: image.length, package: '1.0.0', via: 'site pack' },
    ]);
    const queued = await station.core.sync.outbox.list({ states: ['pending'] });
    expect(queued.map((e) => [e.operation, e.items])).toEqual([
      [
        'firmware-sent',
        [
          {
            gateway: gw1.id6,
            fwcrc: V.fwcrc,
            fwafter: null,
            sentAt: sentHere[0]!.at,
            keyCrc: V.keyCrc,
            package: '1.0.0',
          },
        ],
      ],
    ]);

    // back online: the delivery is pushed; the remote records it and does not send the update again
    await uplink!.up();
    expect(await station.core.sync.syncNow(ctx)).toMatchObject({ counts: { pending: 0, sent: 1 } });
    const info = await remote.api('info', key, { ownerid: p.owner, gateway: gw1.eui });
    expect(info.json).toMatchObject([
      { gateway: gw1.id6, info: { firmware: { state: 'sent', sentAt: sentHere[0]!.at, keyCrc: V.keyCrc } } },
    ]);
    const atRemote = await client(gw1.id6, remote.station.cupsUri!, remote.caPem, gw1.token0).request();
    expect(atRemote.status).toBe(200);
    expect(decodeUpdateInfoResponse(atRemote.body).update).toBeUndefined();
    const remoteAudit = await remote.station.core.audit.list(remote.station.cliContext, {
      action: 'firmware.sent',
      target: gw1.id6,
    });
    expect(remoteAudit.map((a) => a.detail)).toEqual([
      expect.objectContaining({ fwcrc: V.fwcrc, keyCrc: V.keyCrc, via: 'site pack' }),
    ]);
    // the round refreshed the pack: both deliveries are the remote's now; the image is fetched once
    const items = await station.core.sync.sitePackGateways();
    expect(items.map((i) => [i.gateway, i.firmware])).toEqual([
      [gw1.id6, { fwcrc: V.fwcrc, fwAfter: null, state: 'sent' }],
      [gw2.id6, { fwcrc: V.fwcrc, fwAfter: null, state: 'sent' }],
    ]);
    const withHeld = await remote.api('site-pack', key, { ownerid: p.owner, haveFirmware: [digest] });
    expect((withHeld.json as { firmware: unknown[] }).firmware).toEqual([
      {
        sha256: digest,
        fwcrc: V.fwcrc,
        size: image.length,
        image: null,
        signatures: [{ keyCrc: V.keyCrc, signature: Buffer.from(signature).toString('base64') }],
      },
    ]);

    // a new fwafter re-arms gw1's delivery: nothing before it, then once, with a matching key only
    const fwafter = new Date(remote.clock.now() + 3_600_000).toISOString();
    await remote.api('setup', key, { ownerid: p.owner, gateway: gw1.eui, fwcrc: V.fwcrc, fwafter });
    await station.core.sync.fetchSitePack(ctx);
    await uplink!.down();
    const early = await client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0).request();
    expect(decodeUpdateInfoResponse(early.body).update).toBeUndefined();
    (station.clock as TestClock).advance(3_600_000);
    const wrongKey = client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0, [0x11111111]);
    expect(decodeUpdateInfoResponse((await wrongKey.request()).body).update).toBeUndefined();
    const due = await client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0).request();
    expect(decodeUpdateInfoResponse(due.body).update).toEqual(image);
    const late = await client(gw1.id6, lan.cupsUri, station.tls.caCertPem, gw1.token0).request();
    expect(decodeUpdateInfoResponse(late.body).update).toBeUndefined();

    // pushed; once no setup names the image, the next pack drops it
    await uplink!.up();
    expect(await station.core.sync.syncNow(ctx)).toMatchObject({ counts: { pending: 0, sent: 2 } });
    expect(
      (
        await remote.api('setup', key, {
          ownerid: p.owner,
          gateways: [gw1.eui, gw2.eui].map((gateway) => ({ gateway, fwcrc: null })),
        })
      ).json,
    ).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
    await station.core.sync.fetchSitePack(ctx);
    expect(await station.core.sync.sitePack.images()).toEqual([]);

    // the endpoint itself: a report for a setup that names no firmware any more is a conflict
    // (nothing recorded); a malformed item is answered naming its field
    const item = {
      gateway: gw2.eui,
      fwcrc: V.fwcrc,
      fwafter: null,
      sentAt: '2030-01-01T00:00:00Z',
      keyCrc: 1,
    };
    const stale = await remote.api('firmware-sent', key, {
      ownerid: p.owner,
      gateways: [{ ...item, package: null }],
    });
    expect(stale.json).toMatchObject([{ gateway: gw2.id6, code: 'conflict' }]);
    const bad = await remote.api('firmware-sent', key, {
      ownerid: p.owner,
      gateways: [{ ...item, package: null, sentAt: 'yesterday' }],
    });
    expect(bad.json).toMatchObject([
      { code: 'invalid_request', error: expect.stringContaining('gateways[0].sentAt') },
    ]);
  });
});
