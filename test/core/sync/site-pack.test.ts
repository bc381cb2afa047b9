/**
 * Site packs between two real instances on 127.0.0.1 (docs/sync.md "Site packs"): the remote's
 * `gateway/site-pack` endpoint (scoped to the caller's owner, verifiers instead of tokens), the
 * station — which holds no batch root key — fetching and storing it, and local CUPS serving the
 * pack's desired state to a gateway it authenticates against the verifiers. Afterwards no file of
 * the station's data directory and no log line holds the root key, a claim PIN, a token or the
 * private key of a client certificate the remote issued for a packed gateway (the pack carries its
 * fingerprint only).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToBase64, bytesToHex, hexToBytes, utf8 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import { decodeUpdateInfoResponse, tokenBlob, type UpdateInfoRequest } from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import type { CupsAuth } from '../../../src-main/core/api';
import { sha256 } from '../../../src-main/core/digest';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { DESKTOP_CALLER } from '../../../src-main/bridge/caller';
import { createSyncHandlers } from '../../../src-main/bridge/sync-handlers';
import { collectingLogger, startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const LNS = 'wss://lns.example.com:443';
const EMPTY_CRC = 2077607535;

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

function report(router: string, over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest {
  return {
    router: parseId(router).id,
    cupsUri: null,
    tcUri: null,
    cupsCredCrc: EMPTY_CRC,
    tcCredCrc: EMPTY_CRC,
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: null,
    keys: [],
    ...over,
  };
}
const bearer = (token: string): CupsAuth => ({ secure: true, authorization: `Bearer ${token}` });

/** Every file below `dir`, recursively. */
function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesOf(p) : [p];
  });
}

/** A remote with gw1 (set up, LNS token credentials) and gw2 (claimed, not set up) of owner a::1. */
async function prepare(p: SyncPair) {
  const { remote } = p;
  const key = remote.ownerA.apiKey;
  const caDer = new Uint8Array(new X509Certificate(remote.caPem).raw);
  expect(
    (
      await remote.api('claim', key, {
        ownerid: p.owner,
        gateways: [
          { gateway: gw1.eui, claim: gw1.pin },
          { gateway: gw2.eui, claim: gw2.pin },
        ],
      })
    ).json,
  ).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
  expect(
    (
      await remote.api('setup', key, {
        ownerid: p.owner,
        gateway: gw1.eui,
        lnsUri: LNS,
        lnsTrust: bytesToBase64(caDer),
        lnsKey: bytesToBase64(utf8('Authorization: Bearer lns-secret')),
      })
    ).json,
  ).toEqual([{ gateway: gw1.id6 }]);
  return { caDer, lnsBlob: tokenBlob(caDer, 'Authorization: Bearer lns-secret\r\n') };
}

describe('site packs', () => {
  it('the remote packs desired state and token verifiers, scoped to the caller’s owner', async () => {
    const p = (pair = await startSyncPair({ twin: false }));
    const { remote } = p;
    const { caDer, lnsBlob } = await prepare(p);
    const a = await remote.api('site-pack', remote.ownerA.apiKey, {
      ownerid: p.owner,
      gateways: [gw1.eui, gw2.id6, '::1', 'not-an-id'],
    });
    expect(a.status).toBe(200);
    const pack = a.json as {
      gateways: {
        gateway: string;
        verifiers: { sha256: string; generation: number }[];
        desired: unknown;
        certificates: string[];
      }[];
      skipped: { gateway: string; code: string }[];
      cupsTrust: string;
      clientCas: string[];
    };
    expect(pack).toMatchObject({ version: 3, ownerid: p.owner, cupsTrust: bytesToBase64(caDer) });
    // the CA the remote's doors verify client certificates against; no gateway has one recorded yet
    expect(pack.clientCas.map((pem) => new X509Certificate(pem).fingerprint256)).toEqual([
      new X509Certificate(remote.caPem).fingerprint256,
    ]);
    expect(pack.gateways.map((g) => g.certificates)).toEqual([[], []]);
    expect(pack.gateways.map((g) => g.gateway)).toEqual([gw1.id6, gw2.id6]);
    // SHA-256 of the tokens of g and g + 1 (SPEC §2 vectors), never the tokens
    expect(pack.gateways[0]!.verifiers).toEqual([
      { kind: 'token', generation: 0, sha256: bytesToHex(sha256(gw1.token0)) },
      { kind: 'token', generation: 1, sha256: bytesToHex(sha256(gw1.token1)) },
    ]);
    expect(pack.gateways[0]!.desired).toEqual({
      cupsUri: remote.station.cupsUri,
      cupsCred: null,
      cupsCredFromToken: true,
      lnsUri: LNS,
      lnsCred: bytesToBase64(lnsBlob),
    });
    expect(pack.gateways[1]!.desired).toBeNull();
    expect(pack.skipped).toEqual([
      { gateway: 'not-an-id', code: 'invalid_id', error: expect.stringContaining('gateways[3]') },
      { gateway: '::1', code: 'not_found', error: `gateway ::1 is not a gateway of owner ${p.owner}` },
    ]);
    for (const secret of [gw1.token0, gw1.token1, gw2.token0, gw1.pin, gw2.pin, KDF_VECTORS.brkHex])
      expect(a.text).not.toContain(secret);

    // another owner's key sees none of a::1's gateways; a read-only key may not pack
    const other = await remote.api('site-pack', remote.ownerB.apiKey, { ownerid: remote.ownerB.id6 });
    expect(other.json).toMatchObject({ gateways: [], skipped: [] });
    expect((await remote.api('site-pack', remote.ownerB.apiKey, { ownerid: p.owner })).status).toBe(403);
    const readKey = await remote.station.core.access.createApiKey(remote.station.cliContext, p.owner, [
      'read',
    ]);
    const refused = await remote.api('site-pack', readKey.apiKey, { ownerid: p.owner });
    expect(refused).toMatchObject({ status: 403, json: { code: 'forbidden' } });
    expect(refused.text).toContain('setup');
    const bad = await remote.api('site-pack', remote.ownerA.apiKey, { ownerid: p.owner, gateways: 'all' });
    expect(bad).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    expect(bad.text).toContain('gateways');
    // audited on the remote
    const audit = await remote.station.core.audit.list(remote.station.cliContext, {
      action: 'sync.site_pack',
    });
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it('a station without the root key serves CUPS from the pack and leaks no secret', async () => {
    const logs: string[] = [];
    const p = (pair = await startSyncPair({ twin: false, logger: collectingLogger(logs) }));
    const { station, remote } = p;
    const { caDer, lnsBlob } = await prepare(p);
    expect(await station.core.batches.list(station.cliContext)).toEqual([]);
    // a client certificate for gw1 (certificate mode): its fingerprint is packed, never its key
    const issued = await remote.post('/api/v1/certificate/issue', remote.adminKey, { gateway: gw1.eui });
    expect(issued.status, issued.text).toBe(200);
    const cert = issued.json as { key: string; fingerprint: string };
    const clientKeyDer = Buffer.from(
      createPrivateKey(cert.key).export({ type: 'sec1', format: 'der' }) as Buffer,
    );
    const clientKeyPkcs8 = Buffer.from(
      createPrivateKey(cert.key).export({ type: 'pkcs8', format: 'der' }) as Buffer,
    );
    const clientKeyPemBody = cert.key.split('\n').slice(1, -2).join('');
    const packed = await remote.api('site-pack', remote.ownerA.apiKey, { ownerid: p.owner });
    expect(packed.text).toContain(cert.fingerprint);
    for (const k of [clientKeyPemBody, clientKeyDer.toString('base64'), clientKeyPkcs8.toString('base64')])
      expect(packed.text).not.toContain(k);

    await station.core.sync.syncNow(station.cliContext);
    // the picker offers the owner's gateways at the remote (the mirror); only gw1 is chosen first
    const picker = createSyncHandlers(station.core);
    const chosen = await picker['sync:sitePackChoose'](DESKTOP_CALLER, { gateways: [gw1.id6] });
    expect(chosen.status).toMatchObject({ selection: [gw1.id6], gateways: 1 });
    expect(chosen.candidates).toEqual([
      { gateway: gw1.id6, packed: true, configured: true },
      { gateway: gw2.id6, packed: false, configured: false },
    ]);
    const status = await station.core.sync.fetchSitePack(station.cliContext, null);
    expect(status).toMatchObject({
      present: true,
      ownerId: p.owner,
      selection: null,
      gateways: 2,
      hasCupsTrust: true,
    });
    expect(station.core.sync.sitePack.entry(gw1.hex)?.certificates).toEqual(new Set([cert.fingerprint]));
    const items = await station.core.sync.sitePackGateways();
    expect(items.map((i) => [i.gateway, i.configured, i.lnsUri, i.hasLnsCred, i.verifiers])).toEqual([
      [gw1.id6, true, LNS, true, 2],
      [gw2.id6, false, null, false, 2],
    ]);

    const cups = station.core.cups;
    // the bootstrap poll: remote's CUPS URI + the remote's trust with the presented token, LNS parts
    const first = await cups.updateInfo(report(gw1.id6), bearer(gw1.token0), '127.0.0.9');
    expect(first.status).toBe(200);
    const body = decodeUpdateInfoResponse((first as { body: Uint8Array }).body);
    const cupsCred = tokenBlob(caDer, cupsKeyFileContent(gw1.token0));
    expect(body.cupsUri).toBe(remote.station.cupsUri);
    expect(body.tcUri).toBe(LNS);
    expect(body.cupsCred).toEqual(cupsCred);
    expect(body.tcCred).toEqual(lnsBlob);
    // holding all of it: 14 zero bytes
    const held = report(gw1.id6, {
      cupsUri: remote.station.cupsUri,
      tcUri: LNS,
      cupsCredCrc: crc32(cupsCred),
      tcCredCrc: crc32(lnsBlob),
    });
    expect(await cups.updateInfo(held, bearer(gw1.token0), '127.0.0.9')).toEqual({
      status: 200,
      body: new Uint8Array(14),
      outcome: 'in_sync',
    });
    // wrong token, no token, a certificate, plain HTTP, an unknown gateway
    expect(await cups.updateInfo(report(gw1.id6), bearer(gw2.token0), '127.0.0.9')).toMatchObject({
      status: 401,
    });
    expect(await cups.updateInfo(report(gw1.id6), { secure: true }, '127.0.0.9')).toMatchObject({
      status: 401,
    });
    expect(
      await cups.updateInfo(
        report(gw1.id6),
        { secure: true, clientCertificate: new Uint8Array([0x30]) },
        '127.0.0.9',
      ),
    ).toMatchObject({ status: 403 });
    const plain = await cups.updateInfo(report(gw1.id6), { secure: false }, '127.0.0.9');
    expect(decodeUpdateInfoResponse((plain as { body: Uint8Array }).body)).toEqual({
      cupsUri: remote.station.cupsUri,
      tcUri: LNS,
    });
    expect(await cups.updateInfo(report('::1'), { secure: false }, '127.0.0.9')).toMatchObject({
      status: 404,
    });
    expect(await cups.updateInfo(report('::1'), bearer(gw1.token0), '127.0.0.9')).toMatchObject({
      status: 401,
    });
    // packed but never set up: 404 "not configured", like the normal door
    expect(await cups.updateInfo(report(gw2.id6), bearer(gw2.token0), '127.0.0.9')).toMatchObject({
      status: 404,
      reason: 'not configured',
    });

    // generation g + 1 is accepted and recorded; g is refused from then on
    const next = await cups.updateInfo(held, bearer(gw1.token1), '127.0.0.9');
    expect(next.status).toBe(200);
    expect(decodeUpdateInfoResponse((next as { body: Uint8Array }).body).cupsCred).toEqual(
      tokenBlob(caDer, cupsKeyFileContent(gw1.token1)),
    );
    expect((await station.core.sync.sitePackGateways())[0]).toMatchObject({ seenGeneration: 1 });
    expect(await cups.updateInfo(held, bearer(gw1.token0), '127.0.0.9')).toMatchObject({ status: 401 });
    const retired = await station.core.audit.list(station.cliContext, {
      action: 'token.retire',
      target: gw1.id6,
    });
    expect(retired[0]!.detail).toMatchObject({ generation: 1, via: 'site pack' });

    // survives a restart (stored, not only in memory)
    await station.close();
    const again = await p.reopenStation();
    expect(await again.core.cups.updateInfo(held, bearer(gw1.token0), '127.0.0.9')).toMatchObject({
      status: 401,
    });
    expect((await again.core.cups.updateInfo(held, bearer(gw1.token1), '127.0.0.9')).status).toBe(200);
    await again.close();

    // no root key, PIN, token or client private key anywhere in the station's data directory
    // (store, journal, keystore, logs): the key's PEM body (Base64 of its SEC1 DER) and its DER forms
    const secrets = [
      gw1.token0,
      gw1.token1,
      gw2.token0,
      gw1.pin,
      gw2.pin,
      KDF_VECTORS.brkHex,
      clientKeyPemBody,
      clientKeyDer.toString('base64'),
    ];
    expect(clientKeyPemBody.length).toBeGreaterThan(100);
    const brk = Buffer.from(hexToBytes(KDF_VECTORS.brkHex));
    const files = filesOf(p.stationDir);
    expect(files.some((f) => f.endsWith('station.db'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      const text = bytes.toString('latin1');
      for (const s of secrets) expect({ f, found: text.includes(s) }).toEqual({ f, found: false });
      expect({ f, brk: bytes.includes(brk) }).toEqual({ f, brk: false });
      expect({ f, key: bytes.includes(clientKeyDer) || bytes.includes(clientKeyPkcs8) }).toEqual({
        f,
        key: false,
      });
    }
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) for (const s of secrets) expect(line).not.toContain(s);
  });
});
