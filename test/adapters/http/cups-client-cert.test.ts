/**
 * CUPS with TLS client certificates over real HTTPS (SPEC §3.1): a station personalized with a
 * certificate bundle (cups.crt + cups.key, no token) gets its configuration; a certificate for
 * another EUI, a revoked one and one from an untrusted CA are refused with 403; a CA the operator
 * adds (`clientCaPems`, `gwjs serve --client-ca`) is trusted; issuing is for admin keys only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../../src-shared/crc32';
import { issueCertificate, loadOrCreateCa, type LocalCa } from '../../../src-main/adapters/tls/local-ca';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startRestartableServer, type RestartableServer } from '../../helpers/restartable-server';
import { StationClient } from '../../helpers/station-client';
import { makeTempDir } from '../../helpers/tmp-dir';

const { gw1, gw2 } = KDF_VECTORS;
const LNS = 'wss://lns.example.com:443';
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

let t: RestartableServer;
let partnerCa: LocalCa;
let strangerCa: LocalCa;

beforeAll(async () => {
  partnerCa = (await loadOrCreateCa(makeTempDir('partner-ca', { until: 'exit' }))).ca;
  strangerCa = (await loadOrCreateCa(makeTempDir('stranger-ca', { until: 'exit' }))).ca;
  t = await startRestartableServer({ clientCaPems: [partnerCa.certPem] });
  const caDer = new Uint8Array(new X509Certificate(t.caPem).raw);
  for (const gw of [gw1, gw2]) {
    const claim = await t.api('claim', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw.id6,
      claim: gw.pin,
    });
    expect(claim.json).toEqual([{ gateway: gw.id6 }]);
  }
  const setup = await t.api('setup', t.ownerA.apiKey, {
    ownerid: t.ownerA.id6,
    gateways: [{ gateway: gw1.id6 }, { gateway: gw2.id6 }],
    lnsUri: LNS,
    lnsTrust: b64(caDer),
    lnsKey: b64('Authorization: Bearer lns-secret'),
  });
  expect(setup.json).toEqual([{ gateway: gw1.id6 }, { gateway: gw2.id6 }]);
});
afterAll(async () => t?.close());

/** A station personalized with a certificate bundle (no token anywhere). */
async function certStation(gateway: string): Promise<{ st: StationClient; fingerprint: string }> {
  const bundle = await t.station.core.factory.personalize(t.station.cliContext, gateway, {
    cupsUri: t.station.cupsUri,
    trustPem: t.caPem,
    auth: 'client-cert',
  });
  return { st: StationClient.fromFiles(bundle.files), fingerprint: bundle.certificateFingerprint! };
}

/** Key DER (SEC1) of an issued certificate's PKCS#8 PEM. */
const sec1 = (pem: string) => new Uint8Array(createPrivateKey(pem).export({ type: 'sec1', format: 'der' }));

describe('CUPS with a TLS client certificate', () => {
  it('gives a station with a certificate bundle its configuration, sends no Authorization header and never pushes a token', async () => {
    const { st } = await certStation(gw1.id6);
    expect(st.cups.crt).not.toBeNull();
    expect(Buffer.from(st.cups.key!).toString()).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(st.requestBytes(st.cups).toString('latin1')).not.toMatch(/authorization/i);
    const first = await st.sync();
    expect(first.response.status).toBe(200);
    expect(first.update?.tcUri).toBe(LNS);
    expect(first.update?.tcCred).toBeDefined();
    expect(first.update?.cupsCred).toBeUndefined();
    expect(crc32(first.update!.tcCred!)).toBe(st.tcCredCrc);
    const second = await st.request();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(new Uint8Array(14));
    const [info] = (await t.api('info', t.ownerA.apiKey, { ownerid: t.ownerA.id6, gateway: gw1.id6 }))
      .json as {
      info: { lastContact: { outcome: string } };
    }[];
    expect(info!.info.lastContact.outcome).toBe('in_sync');
  });

  it('refuses a certificate for another EUI with 403 and audits it', async () => {
    const { st } = await certStation(gw1.id6);
    const impostor = new StationClient({ router: gw2.id6, cups: { ...st.cups } });
    const r = await impostor.request();
    expect(r.status).toBe(403);
    expect(r.reason).toBe(`certificate is for ${gw1.id6}, not router ${gw2.id6}`);
    const audit = await t.station.core.audit.list(t.station.cliContext, {
      target: gw2.id6,
      action: 'cups.certificate_refused',
    });
    expect(audit[0]?.detail).toMatchObject({ named: [gw1.id6] });
  });

  it('refuses a revoked certificate (Owner API revoke) while another one of the gateway keeps working', async () => {
    const a = await certStation(gw2.id6);
    const b = await certStation(gw2.id6);
    expect((await a.st.request()).status).toBe(200);
    const listed = await t.post('/api/v1/certificate/list', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw2.eui,
    });
    expect(
      (listed.json as { certificates: { fingerprint: string }[] }).certificates
        .map((c) => c.fingerprint)
        .sort(),
    ).toEqual([a.fingerprint, b.fingerprint].sort());
    const other = await t.post('/api/v1/certificate/revoke', t.ownerB.apiKey, {
      ownerid: t.ownerB.id6,
      gateway: gw2.id6,
    });
    // another owner is told only that it holds no such gateway (docs/security.md "Enumeration")
    expect(other.status).toBe(404);
    expect(other.json).toMatchObject({ code: 'not_found' });
    const revoked = await t.post('/api/v1/certificate/revoke', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw2.id6,
      fingerprint: a.fingerprint.toUpperCase(),
    });
    expect(revoked.json).toEqual({ gateway: gw2.id6, revoked: [a.fingerprint] });
    const refused = await a.st.request();
    expect(refused.status).toBe(403);
    expect(refused.reason).toBe('certificate revoked');
    expect((await b.st.request()).status).toBe(200);
  });

  it('trusts certificates of an added client CA, and refuses those of a CA nobody configured', async () => {
    const partner = await issueCertificate(partnerCa, {
      commonName: `router-${gw1.id6}`,
      sans: [],
      usage: 'client',
      days: 5,
    });
    const { st } = await certStation(gw1.id6);
    const viaPartner = new StationClient({
      router: gw1.id6,
      cups: { uri: st.cups.uri, trust: st.cups.trust, crt: partner.certDer, key: sec1(partner.keyPem) },
    });
    expect((await viaPartner.request()).status).toBe(200);
    const certs = await t.post('/api/v1/certificate/list', t.ownerA.apiKey, {
      ownerid: t.ownerA.id6,
      gateway: gw1.id6,
    });
    expect(
      (certs.json as { certificates: { source: string }[] }).certificates.map((c) => c.source),
    ).toContain('seen');

    const stranger = await issueCertificate(strangerCa, {
      commonName: gw1.hex,
      sans: [],
      usage: 'client',
      days: 5,
    });
    const viaStranger = new StationClient({
      router: gw1.id6,
      cups: { uri: st.cups.uri, trust: st.cups.trust, crt: stranger.certDer, key: sec1(stranger.keyPem) },
    });
    const r = await viaStranger.request();
    expect(r.status).toBe(403);
    expect(r.reason).toMatch(/^client certificate not trusted/);
  });

  it('issues certificates through the Owner API for admin keys only', async () => {
    const denied = await t.post('/api/v1/certificate/issue', t.ownerA.apiKey, { gateway: gw1.id6 });
    expect(denied).toMatchObject({ status: 403, json: { code: 'forbidden' } });
    const r = await t.post('/api/v1/certificate/issue', t.adminKey, { gateway: gw1.eui, days: 30 });
    expect(r.status, r.text).toBe(200);
    const c = r.json as { gateway: string; eui: string; cert: string; key: string; fingerprint: string };
    expect(c).toMatchObject({ gateway: gw1.id6, eui: gw1.hex });
    expect(c.key).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const st = new StationClient({
      router: gw1.id6,
      cups: {
        uri: t.station.cupsUri,
        trust: new Uint8Array(Buffer.from(t.caPem)),
        crt: new Uint8Array(Buffer.from(c.cert)),
        key: new Uint8Array(Buffer.from(c.key)),
      },
    });
    expect((await st.request()).status).toBe(200);
  });
});
