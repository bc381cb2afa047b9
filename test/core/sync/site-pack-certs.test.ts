/**
 * Client certificates from the site pack (docs/sync.md "Client certificates from the pack",
 * docs/client-certs.md), two real instances on 127.0.0.1: the remote issues two client
 * certificates for gw1 (`certificate/issue`); the station — no root key — fetches the pack (their
 * fingerprints and the remote's CA, no key), the uplink is cut, and a Basics-Station-like client
 * over real TLS with one of them gets its answer from the station's LAN door. A certificate
 * revoked at the remote (pack refreshed) and one of another CA naming gw1 are refused 403, logged
 * and audited; the other certificate and token mode keep working.
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToBase64, utf8 } from '../../../src-shared/bytes';
import { decodeUpdateInfoResponse, encodeUpdateInfoResponse } from '../../../src-shared/cups-wire';
import { issueCertificate, loadOrCreateCa } from '../../../src-main/adapters/tls/local-ca';
import { LanDoor } from '../../../src-main/compose/lan-door';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { StationClient } from '../../helpers/station-client';
import { collectingLogger, startSyncPair, type SyncPair } from '../../helpers/sync-pair';
import { makeTempDir } from '../../helpers/tmp-dir';
import { throughUplink, type Uplink } from '../../helpers/uplink';

const gw1 = KDF_VECTORS.gw1;
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

interface Issued {
  cert: string;
  key: string;
  fingerprint: string;
}

/** A certificate-mode gateway: `cups.crt` + `cups.key` (SPEC §3.1), trusting the door's CA. */
function certClient(uri: string, trustPem: string, c: { cert: string; key: string }): StationClient {
  return new StationClient({
    router: gw1.id6,
    cups: { uri, trust: utf8(trustPem), crt: utf8(c.cert), key: utf8(c.key) },
  });
}

describe('client certificates from the site pack', () => {
  it('serve a certificate-mode gateway offline; revoked and foreign certificates are refused', async () => {
    const logs: string[] = [];
    const p = (pair = await startSyncPair({
      twin: false,
      logger: collectingLogger(logs),
      linkUrl: throughUplink((u) => (uplink = u)),
    }));
    const { station, remote } = p;
    const ctx = station.cliContext;
    const key = remote.ownerA.apiKey;
    const caDer = new Uint8Array(new X509Certificate(remote.caPem).raw);

    // the remote: gw1 claimed and set up, two client certificates issued for it
    await remote.api('claim', key, { ownerid: p.owner, gateways: [{ gateway: gw1.eui, claim: gw1.pin }] });
    expect(
      (await remote.api('setup', key, { ownerid: p.owner, gateway: gw1.eui, lnsUri: LNS })).json,
    ).toEqual([{ gateway: gw1.id6 }]);
    const issue = async (): Promise<Issued> => {
      const r = await remote.post('/api/v1/certificate/issue', remote.adminKey, {
        gateway: gw1.eui,
        days: 30,
      });
      expect(r.status, r.text).toBe(200);
      return r.json as Issued;
    };
    const kept = await issue();
    const revoked = await issue();
    // the reference: the remote's own CUPS accepts the certificate
    expect((await certClient(remote.station.cupsUri!, remote.caPem, kept).request()).status).toBe(200);

    // the pack: the two fingerprints and the remote's CA, no key
    await station.core.sync.syncNow(ctx);
    expect(await station.core.sync.fetchSitePack(ctx, null)).toMatchObject({ gateways: 1 });
    const stored = await station.store.read(async (tx) => ({
      gateway: await tx.get('SELECT certificates FROM sync_site_pack_gateways'),
      pack: await tx.get("SELECT client_cas FROM sync_site_pack WHERE id = 'pack'"),
    }));
    expect(JSON.parse(stored.gateway!.certificates as string)).toEqual(
      [kept.fingerprint, revoked.fingerprint].sort(),
    );
    const cas = JSON.parse(stored.pack!.client_cas as string) as string[];
    expect(cas.map((pem) => bytesToBase64(new Uint8Array(new X509Certificate(pem).raw)))).toEqual([
      bytesToBase64(caDer),
    ]);
    // the picker and `gwjs sync site-pack status` show counts, no fingerprint
    expect(await station.core.sync.sitePack.status()).toMatchObject({ clientCas: 1, gateways: 1 });
    expect((await station.core.sync.sitePackGateways()).map((g) => [g.gateway, g.certificates])).toEqual([
      [gw1.id6, 2],
    ]);
    door = new LanDoor({ dataDir: p.stationDir, core: station.core });
    const lan = (await door.set('127.0.0.1', 0)).active!;

    // offline: the gateway's CUPS session at the LAN door over TLS with its certificate
    await uplink!.down();
    const first = await certClient(lan.cupsUri, station.tls.caCertPem, kept).request();
    expect({ status: first.status, reason: first.reason }).toEqual({ status: 200, reason: 'OK' });
    // the remote's CUPS URI and the LNS; no token cupsCred is pushed onto a certificate-mode gateway
    expect(Buffer.from(first.body)).toEqual(
      Buffer.from(encodeUpdateInfoResponse({ cupsUri: remote.station.cupsUri!, tcUri: LNS })),
    );
    expect(decodeUpdateInfoResponse(first.body).cupsCred).toBeUndefined();
    expect((await certClient(lan.cupsUri, station.tls.caCertPem, revoked).request()).status).toBe(200);

    // revoked at the remote, the pack refreshed: refused offline, the other one still served
    await uplink!.up();
    const rv = await remote.post('/api/v1/certificate/revoke', key, {
      ownerid: p.owner,
      gateway: gw1.eui,
      fingerprint: revoked.fingerprint,
    });
    expect(rv.json, rv.text).toEqual({ gateway: gw1.id6, revoked: [revoked.fingerprint] });
    await station.core.sync.fetchSitePack(ctx, null);
    await uplink!.down();
    const refused = await certClient(lan.cupsUri, station.tls.caCertPem, revoked).request();
    expect({ status: refused.status, reason: refused.reason }).toEqual({
      status: 403,
      reason: 'certificate not in the site pack (revoked or unknown at the remote)',
    });
    expect((await certClient(lan.cupsUri, station.tls.caCertPem, kept).request()).status).toBe(200);

    // a certificate of another CA naming gw1, with its key held: refused
    const strangerCa = (await loadOrCreateCa(makeTempDir('stranger-ca', { until: 'exit' }))).ca;
    const stranger = await issueCertificate(strangerCa, {
      commonName: gw1.hex,
      sans: [],
      usage: 'client',
      days: 5,
    });
    const foreign = await certClient(lan.cupsUri, station.tls.caCertPem, {
      cert: stranger.certPem,
      key: stranger.keyPem,
    }).request();
    expect({ status: foreign.status, reason: foreign.reason }).toEqual({
      status: 403,
      reason: 'client certificate not issued by a CA of the site pack',
    });

    // token mode is unchanged
    const tokenMode = new StationClient({
      router: gw1.id6,
      cups: {
        uri: lan.cupsUri,
        trust: utf8(station.tls.caCertPem),
        key: utf8(cupsKeyFileContent(gw1.token0)),
      },
    });
    expect((await tokenMode.request()).status).toBe(200);

    // each refusal is audited and logged with its reason and fingerprint
    const audit = await station.core.audit.list(ctx, { action: 'cups.certificate_refused', target: gw1.id6 });
    expect(audit.map((a) => [a.detail.reason, a.detail.fingerprint, a.detail.via]).reverse()).toEqual([
      [
        'certificate not in the site pack (revoked or unknown at the remote)',
        revoked.fingerprint,
        'site pack',
      ],
      [
        'client certificate not issued by a CA of the site pack',
        new X509Certificate(stranger.certPem).fingerprint256.replace(/:/g, '').toLowerCase(),
        'site pack',
      ],
    ]);
    const warned = logs.filter((l) => l.includes('client certificate refused (site pack)'));
    expect(warned).toHaveLength(2);
    expect(warned[0]).toContain(revoked.fingerprint);
    // no private key anywhere in the logs (the pack's own scan: test/core/sync/site-pack.test.ts)
    for (const c of [kept, revoked])
      for (const line of logs) expect(line).not.toContain(c.key.split('\n')[1]!);
  });
});
