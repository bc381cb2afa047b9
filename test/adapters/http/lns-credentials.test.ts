/**
 * Every credential variant CUPS delivers (SPEC §3.3), checked by a station-like client over real
 * HTTPS: the blob splits the way the station splits it, holds DER only (SEC1 for EC, PKCS#1 for
 * RSA, whatever form the owner uploaded), its CRC converges so the next answer is 14 zero bytes;
 * and the redirect to an owner's own CUPS, which the station then reaches with the given token.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../../src-shared/crc32';
import { parseCredBlob } from '../../../src-shared/cups-wire';
import { issueCertificate, loadOrCreateCa } from '../../../src-main/adapters/tls/local-ca';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';
import { StationClient } from '../../helpers/station-client';
import { makeTempDir } from '../../helpers/tmp-dir';

const { gw1 } = KDF_VECTORS;
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

let t: RestartableServer;
let caDer: Uint8Array;
let ec: { certPem: string; keyPem: string };
let rsa: { certPem: string; keyPem: string };

beforeAll(async () => {
  t = await startRestartableServer();
  caDer = new Uint8Array(new X509Certificate(t.caPem).raw);
  const { ca } = await loadOrCreateCa(makeTempDir('lns-ca', { until: 'exit' }));
  ec = await issueCertificate(ca, { commonName: 'lns client', sans: [], usage: 'client', days: 5 });
  const dir = makeTempDir('lns-rsa', { until: 'exit' });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-subj',
      '/CN=lns rsa client',
      '-days',
      '2',
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  rsa = {
    certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
  };
  await t.api('claim', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6, claim: gw1.pin });
});
afterAll(async () => t?.close());

async function station(): Promise<StationClient> {
  const bundle = await t.station.core.factory.personalize(t.station.cliContext, gw1.id6, {
    cupsUri: t.station.cupsUri,
    trustPem: t.caPem,
  });
  return StationClient.fromFiles(bundle.files);
}

async function setup(fields: Record<string, unknown>): Promise<void> {
  const r = await t.api('setup', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6, ...fields });
  expect(r.json, r.text).toEqual([{ gateway: gw1.id6 }]);
}

/** One CUPS session, then checks the blob delivered and that the next answer is "nothing changed". */
async function deliveredLnsBlob(st: StationClient): Promise<ReturnType<typeof parseCredBlob>> {
  const first = await st.sync();
  expect(first.response.status).toBe(200);
  const blob = first.update?.tcCred;
  if (blob === undefined) throw new Error('no tcCred delivered');
  expect(st.tcCredCrc).toBe(crc32(blob)); // the station's own CRC of the files it wrote
  expect((await st.request()).body).toEqual(new Uint8Array(14));
  return parseCredBlob(blob);
}

describe('LNS credentials delivered by CUPS', () => {
  it('server authentication only: trust ‖ 00000000 ‖ 00000000', async () => {
    await setup({ lnsUri: 'wss://lns.example.com:443', lnsTrust: b64(caDer), lnsKey: null, lnsCrt: null });
    const st = await station();
    const p = await deliveredLnsBlob(st);
    expect(p.trust).toEqual(caDer);
    expect(p.cert).toHaveLength(0);
    expect(p.key).toHaveLength(0);
    expect(st.tc.uri).toBe('wss://lns.example.com:443');
  });

  it('token: trust ‖ 00000000 ‖ the Authorization header with CRLF added', async () => {
    await setup({
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: b64(t.caPem),
      lnsKey: b64('Authorization: Bearer lns-token'),
    });
    const p = await deliveredLnsBlob(await station());
    expect(p.trust).toEqual(caDer); // PEM given, DER delivered
    expect(p.token).toBe('Authorization: Bearer lns-token\r\n');
  });

  it('client certificate with an EC key given as PKCS#8 PEM: the blob carries the SEC1 key (30 77)', async () => {
    await setup({ lnsTrust: b64(caDer), lnsCrt: b64(ec.certPem), lnsKey: b64(ec.keyPem) });
    const p = await deliveredLnsBlob(await station());
    const cert = new X509Certificate(p.cert);
    expect(cert.raw).toEqual(new X509Certificate(ec.certPem).raw);
    expect([p.key[0], p.key[1]]).toEqual([0x30, 0x77]);
    expect(
      cert.checkPrivateKey(createPrivateKey({ key: Buffer.from(p.key), format: 'der', type: 'sec1' })),
    ).toBe(true);
  });

  it('client certificate with an RSA key given as PKCS#8 PEM: the blob carries PKCS#1', async () => {
    await setup({ lnsTrust: b64(caDer), lnsCrt: b64(rsa.certPem), lnsKey: b64(rsa.keyPem) });
    const p = await deliveredLnsBlob(await station());
    const key = createPrivateKey({ key: Buffer.from(p.key), format: 'der', type: 'pkcs1' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(new X509Certificate(p.cert).checkPrivateKey(key)).toBe(true);
    expect([p.key[0], p.key[1]]).toEqual([0x30, 0x82]);
  });

  it('plain ws://: the URI only, never a credential segment', async () => {
    await setup({ lnsUri: 'ws://lns.example.com:1887' });
    const st = await station();
    const first = await st.sync();
    expect(first.update?.tcUri).toBe('ws://lns.example.com:1887');
    expect(first.update?.tcCred).toBeUndefined();
    expect((await st.request()).body).toEqual(new Uint8Array(14));
  });
});

describe('redirect to an owner’s own CUPS', () => {
  let owner: Server;
  let port: number;
  const seen: { path: string | undefined; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    const { ca } = await loadOrCreateCa(makeTempDir('owner-cups', { until: 'exit' }));
    const tls = await issueCertificate(ca, {
      commonName: '127.0.0.1',
      sans: ['127.0.0.1'],
      usage: 'server',
      days: 5,
    });
    owner = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      req.resume();
      req.on('end', () =>
        res
          .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '14' })
          .end(Buffer.alloc(14)),
      );
    });
    await new Promise<void>((resolve) => owner.listen(0, '127.0.0.1', resolve));
    port = (owner.address() as { port: number }).port;
    await setup({
      cupsUri: `https://127.0.0.1:${port}`,
      cupsTrust: b64(ca.certPem),
      cupsKey: b64('Authorization: Bearer owner-cups-token'),
      lnsUri: 'ws://lns.example.com:1887',
    });
  });
  afterAll(async () => new Promise<void>((resolve) => owner.close(() => resolve())));

  it('sends the owner’s CUPS URI and credentials; the station then talks to that CUPS with its token', async () => {
    const st = await station();
    const first = await st.sync();
    expect(first.response.status).toBe(200);
    expect(first.update?.cupsUri).toBe(`https://127.0.0.1:${port}`);
    expect(parseCredBlob(first.update!.cupsCred!).token).toBe('Authorization: Bearer owner-cups-token\r\n');
    expect(st.cups.uri).toBe(`https://127.0.0.1:${port}`);
    const next = await st.request(); // to the owner's CUPS, trusting only the owner's CA
    expect(next.status).toBe(200);
    expect(seen).toEqual([{ path: '/update-info', authorization: 'Bearer owner-cups-token' }]);
    // rotation makes no sense there: this server does not deliver that gateway's cups.key
    const rot = await t.api('rotate', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6 });
    expect((rot.json as { code: string }[])[0]?.code).toBe('invalid_request');
  });
});
