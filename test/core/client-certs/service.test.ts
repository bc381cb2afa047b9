/**
 * Gateway client certificates (SPEC §3.1): issued by the station's CA bound to the EUI, accepted
 * by CUPS only for that router, refused (403, audited) when they name another gateway, name none,
 * are not for client auth, or are revoked; revocation by the owner or an admin.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EMPTY_CRED_CRC,
  decodeUpdateInfoResponse,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import { issueCertificate } from '../../../src-main/adapters/tls/local-ca';
import { certificateIdentity, idOfName } from '../../../src-main/core/client-certs/identity';
import {
  createCoreFixture,
  KDF_VECTORS,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../../helpers/core-fixture';

const { gw1, gw2 } = KDF_VECTORS;
const ADDRESS = '203.0.113.5';
const LNS = 'wss://lns.example.com:443';

describe('certificateIdentity', () => {
  it.each([
    ['000000FFFE000ABC', gw1.hex],
    ['000000fffe000abc', gw1.hex],
    ['router-0:ff:fe00:abc', gw1.hex],
    ['router-00-00-00-FF-FE-00-0A-BC', gw1.hex],
    ['localhost', undefined],
    ['127.0.0.1', undefined],
    ['router-', undefined],
  ])('reads %j as %s', (name, hex) => {
    const id = idOfName(name);
    expect(id === undefined ? undefined : id.toString(16).toUpperCase().padStart(16, '0')).toBe(hex);
  });
});

describe('client certificates', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, lnsUri: LNS.replace('wss', 'ws') },
    ]);
  });
  afterEach(async () => f.close());

  const report = (router: string = gw1.id6, over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest => ({
    router: parseId(router).id,
    cupsUri: SERVER_CUPS_URI,
    tcUri: null,
    cupsCredCrc: EMPTY_CRED_CRC,
    tcCredCrc: EMPTY_CRED_CRC,
    station: '2.0.6',
    model: 'corecell',
    package: null,
    keys: [],
    ...over,
  });
  const withCert = (der: Uint8Array) => ({ secure: true, clientCertificate: der });

  it('issues an EC P-256 certificate bound to the EUI (CN, DNS SAN, clientAuth) with a SEC1 key', async () => {
    await expect(f.core.clientCertificates.issue(f.ownerA.ctx, gw1.id6)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const c = await f.core.clientCertificates.issue(f.admin, gw1.eui);
    const x = new X509Certificate(c.certDer);
    expect(x.subject).toBe(`CN=${gw1.hex}`);
    expect(x.subjectAltName).toBe(`DNS:${gw1.hex.toLowerCase()}`);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.checkIssued(new X509Certificate(f.pki.caPem))).toBe(true);
    expect(c.keyDer[0]).toBe(0x30);
    expect(c.keyDer[1]).toBe(0x77); // SEC1 P-256 (SPEC §3.3), not PKCS#8
    expect(
      x.checkPrivateKey(createPrivateKey({ key: Buffer.from(c.keyDer), format: 'der', type: 'sec1' })),
    ).toBe(true);
    expect(c.keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(certificateIdentity(c.certDer)).toMatchObject({
      gateway: parseId(gw1.id6).id,
      clientAuth: true,
      fingerprint: c.fingerprint,
    });
    expect(await f.core.clientCertificates.list(f.ownerA.ctx, f.ownerA.id6, gw1.eui)).toMatchObject({
      gateway: gw1.id6,
      certificates: [{ fingerprint: c.fingerprint, gateway: gw1.id6, source: 'issued', revokedAt: null }],
    });
    await expect(f.core.clientCertificates.issue(f.admin, 'b827:ebff:fe12:3456')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('authenticates the gateway it names, and refuses it for another router (403, audited)', async () => {
    const c = await f.core.clientCertificates.issue(f.admin, gw1.id6);
    const ok = await f.core.cups.updateInfo(report(), withCert(c.certDer), ADDRESS);
    expect(ok.status).toBe(200);
    // certificate mode: no server-issued token cupsCred is pushed onto the gateway
    expect(decodeUpdateInfoResponse((ok as { body: Uint8Array }).body).cupsCred).toBeUndefined();
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw2.id6, claim: gw2.pin }]);
    const other = await f.core.cups.updateInfo(report(gw2.id6), withCert(c.certDer), ADDRESS);
    expect(other).toMatchObject({
      status: 403,
      outcome: 'cert_mismatch',
      reason: `certificate is for ${gw1.id6}, not router ${gw2.id6}`,
    });
    const [entry] = await f.core.audit.list(f.admin, { action: 'cups.certificate_refused' });
    expect(entry).toMatchObject({
      target: gw2.id6,
      address: ADDRESS,
      detail: { fingerprint: c.fingerprint, named: [gw1.id6] },
    });
    expect(f.core.metrics().cups.cert_mismatch).toBe(1);
  });

  it('refuses certificates that name no gateway, several gateways, or are not for client auth', async () => {
    const issue = (commonName: string, sans: string[], usage: 'client' | 'server') =>
      issueCertificate(f.pki.ca, { commonName, sans, usage, days: 5 }).then((c) => c.certDer);
    const cases: [Uint8Array, string][] = [
      [
        await issue('some host', ['example.com'], 'client'),
        'certificate names no gateway (CN or SAN must be the EUI)',
      ],
      [await issue(gw1.hex, [gw2.hex.toLowerCase()], 'client'), 'certificate names several gateways'],
      [await issue(gw1.hex, [], 'server'), 'certificate is not for TLS client authentication'],
    ];
    for (const [der, reason] of cases) {
      expect(await f.core.cups.updateInfo(report(), withCert(der), ADDRESS)).toMatchObject({
        status: 403,
        reason,
      });
    }
    // router-<ID6> in the CN and the EUI in a SAN both bind
    expect(
      (
        await f.core.cups.updateInfo(
          report(),
          withCert(await issue(`router-${gw1.id6}`, [], 'client')),
          ADDRESS,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await f.core.cups.updateInfo(
          report(),
          withCert(await issue('gw', [gw1.hex.toLowerCase()], 'client')),
          ADDRESS,
        )
      ).status,
    ).toBe(200);
  });

  it('records certificates issued elsewhere at first use; revocation (one or all) makes CUPS refuse them', async () => {
    const issued = await f.core.clientCertificates.issue(f.admin, gw1.id6);
    const foreign = (
      await issueCertificate(f.pki.ca, {
        commonName: `router-${gw1.id6}`,
        sans: [],
        usage: 'client',
        days: 5,
      })
    ).certDer;
    expect((await f.core.cups.updateInfo(report(), withCert(foreign), ADDRESS)).status).toBe(200);
    const listed = await f.core.clientCertificates.list(f.ownerA.ctx, f.ownerA.id6, gw1.id6);
    expect(listed.certificates.map((c) => c.source).sort()).toEqual(['issued', 'seen']);

    // another owner may not revoke; the owner revokes one by fingerprint (colon form accepted)
    await expect(f.core.clientCertificates.revoke(f.ownerB.ctx, f.ownerB.id6, gw1.id6)).rejects.toMatchObject(
      {
        code: 'not_found',
      },
    );
    const colons = issued.fingerprint.toUpperCase().match(/../g)!.join(':');
    expect(await f.core.clientCertificates.revoke(f.ownerA.ctx, f.ownerA.id6, gw1.id6, colons)).toEqual({
      gateway: gw1.id6,
      revoked: [issued.fingerprint],
    });
    expect(await f.core.cups.updateInfo(report(), withCert(issued.certDer), ADDRESS)).toMatchObject({
      status: 403,
      outcome: 'cert_revoked',
    });
    expect((await f.core.cups.updateInfo(report(), withCert(foreign), ADDRESS)).status).toBe(200);
    // all of the gateway's certificates
    const all = await f.core.clientCertificates.revoke(f.admin, null, gw1.id6);
    expect(all.revoked).toHaveLength(1);
    expect((await f.core.cups.updateInfo(report(), withCert(foreign), ADDRESS)).status).toBe(403);
    expect(await f.core.audit.list(f.admin, { action: 'certificate.revoke' })).toHaveLength(2);
  });

  it('revokes a fingerprint never seen, so the certificate is refused from its first use', async () => {
    const der = (
      await issueCertificate(f.pki.ca, { commonName: gw1.hex, sans: [], usage: 'client', days: 5 })
    ).certDer;
    const fp = certificateIdentity(der).fingerprint;
    await expect(f.core.clientCertificates.revoke(f.ownerA.ctx, f.ownerA.id6, gw1.id6)).rejects.toMatchObject(
      { code: 'not_found' },
    );
    await expect(
      f.core.clientCertificates.revoke(f.ownerA.ctx, f.ownerA.id6, gw1.id6, 'abc'),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect((await f.core.clientCertificates.revoke(f.ownerA.ctx, f.ownerA.id6, gw1.id6, fp)).revoked).toEqual(
      [fp],
    );
    expect(await f.core.cups.updateInfo(report(), withCert(der), ADDRESS)).toMatchObject({
      status: 403,
      outcome: 'cert_revoked',
    });
  });

  it('answers 403 when a presented certificate did not verify against the client CAs', async () => {
    const answer = await f.core.cups.updateInfo(
      report(),
      { secure: true, clientCertificateRejected: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      ADDRESS,
    );
    expect(answer).toMatchObject({ status: 403, outcome: 'cert_untrusted' });
  });
});
