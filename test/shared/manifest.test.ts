import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64UrlNoPad, base64UrlToBytes } from '../../src-shared/bytes';
import {
  encodeManifestPlaintext,
  manifestKeyId,
  openManifest,
  parseManifestPlaintext,
  privateKeyPkcs8FromPem,
  publicKeySpkiFromPem,
  readManifestHeader,
  sealManifest,
  type ManifestEntry,
} from '../../src-shared/manifest';
import { makeTempDir } from '../helpers/tmp-dir';

const GATEWAYS: ManifestEntry[] = [
  { eui: '000000FFFE000ABC', id6: '0:ff:fe00:abc', pin: '6CVHEQSA' },
  { eui: '58A0CBFFFE800102', id6: '58a0:cbff:fe80:102', pin: 'S07VYTHR' },
];

/** An owner key pair made by openssl: PKCS#8 and SEC1 private PEMs, SPKI public PEM. */
function opensslKeys(curve = 'prime256v1'): { pkcs8: string; sec1: string; spki: string } {
  const dir = makeTempDir('manifest-keys');
  const sec1 = join(dir, 'sec1.pem');
  execFileSync('openssl', ['ecparam', '-name', curve, '-genkey', '-noout', '-out', sec1]);
  const pkcs8 = execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', sec1], { encoding: 'utf8' });
  const spki = execFileSync('openssl', ['ec', '-in', sec1, '-pubout'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { pkcs8, sec1: readFileSync(sec1, 'utf8'), spki };
}

async function seal(spkiPem: string, format: 'csv' | 'json' = 'csv'): Promise<string> {
  return sealManifest({
    gateways: GATEWAYS,
    format,
    batch: 'b1',
    createdAt: '2030-01-01T00:00:00.000Z',
    recipientSpki: publicKeySpkiFromPem(spkiPem),
  });
}

/** Re-encodes the protected header with `change` applied (what a tamperer would do). */
function withHeader(file: string, change: (h: Record<string, unknown>) => void): string {
  const doc = JSON.parse(file) as { protected: string };
  const header = JSON.parse(new TextDecoder().decode(base64UrlToBytes(doc.protected))) as Record<
    string,
    unknown
  >;
  change(header);
  doc.protected = base64UrlNoPad(new TextEncoder().encode(JSON.stringify(header)));
  return JSON.stringify(doc);
}

describe('manifest (gwjs-manifest v1)', () => {
  const owner = opensslKeys();
  const stranger = opensslKeys();

  it('opens with the owner private key (PKCS#8 or SEC1 PEM from openssl), CSV and JSON', async () => {
    for (const format of ['csv', 'json'] as const) {
      const file = await seal(owner.spki, format);
      for (const pem of [owner.pkcs8, owner.sec1]) {
        const opened = await openManifest(file, privateKeyPkcs8FromPem(pem));
        expect(opened.gateways).toEqual(GATEWAYS);
        expect(opened.header).toMatchObject({
          count: 2,
          batch: 'b1',
          cty: format === 'csv' ? 'text/csv' : 'application/json',
        });
      }
    }
  });

  it('names the recipient key and does not show the PINs to anyone else', async () => {
    const file = await seal(owner.spki);
    const { header } = readManifestHeader(file);
    expect(header.kid).toBe(await manifestKeyId(publicKeySpkiFromPem(owner.spki)));
    for (const g of GATEWAYS) {
      expect(file).not.toContain(g.pin);
      expect(file).not.toContain(g.eui);
    }
    await expect(openManifest(file, privateKeyPkcs8FromPem(stranger.pkcs8))).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringContaining(`encrypted for the key ${header.kid}`),
    });
    // two exports of the same list differ (fresh ephemeral key and IV)
    expect(await seal(owner.spki)).not.toBe(file);
  });

  it('detects tampering with the content, the header or the recipient', async () => {
    const file = await seal(owner.spki);
    const key = privateKeyPkcs8FromPem(owner.pkcs8);
    const doc = JSON.parse(file) as { ciphertext: string };
    const ct = base64UrlToBytes(doc.ciphertext);
    for (const at of [0, ct.length >> 1, ct.length - 1]) {
      const bad = new Uint8Array(ct);
      bad[at]! ^= 0x01;
      const tampered = JSON.stringify({ ...doc, ciphertext: base64UrlNoPad(bad) });
      await expect(openManifest(tampered, key)).rejects.toMatchObject({
        code: 'invalid_credential',
        message: expect.stringContaining('authentication failed'),
      });
    }
    for (const change of [
      (h: Record<string, unknown>) => (h.count = 1),
      (h: Record<string, unknown>) => (h.batch = 'b2'),
      (h: Record<string, unknown>) => (h.createdAt = '2031-01-01T00:00:00.000Z'),
    ]) {
      await expect(openManifest(withHeader(file, change), key)).rejects.toMatchObject({
        code: 'invalid_credential',
      });
    }
    await expect(
      openManifest(
        withHeader(file, (h) => (h.kid = 'x')),
        key,
      ),
    ).rejects.toMatchObject({
      code: 'invalid_credential',
    });
    const truncated = JSON.stringify({ ...doc, ciphertext: base64UrlNoPad(ct.subarray(0, ct.length - 4)) });
    await expect(openManifest(truncated, key)).rejects.toMatchObject({ code: 'invalid_credential' });
  });

  it('explains files and keys it cannot use', async () => {
    const key = privateKeyPkcs8FromPem(owner.pkcs8);
    await expect(openManifest('not json', key)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(openManifest('{"format":"other"}', key)).rejects.toMatchObject({
      message: expect.stringContaining('not a manifest file'),
    });
    const p384 = opensslKeys('secp384r1');
    await expect(seal(p384.spki)).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('P-256'),
    });
    await expect(
      openManifest(await seal(owner.spki), privateKeyPkcs8FromPem(p384.pkcs8)),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(() => privateKeyPkcs8FromPem(owner.spki)).toThrow(/PRIVATE KEY/);
  });

  it('round-trips the plaintext forms and rejects damaged rows', () => {
    const csv = encodeManifestPlaintext(GATEWAYS, 'csv', 'b1');
    expect(csv).toBe(
      'eui,id6,pin\r\n000000FFFE000ABC,0:ff:fe00:abc,6CVHEQSA\r\n58A0CBFFFE800102,58a0:cbff:fe80:102,S07VYTHR\r\n',
    );
    expect(parseManifestPlaintext(csv, 'text/csv')).toEqual(GATEWAYS);
    expect(
      parseManifestPlaintext(encodeManifestPlaintext(GATEWAYS, 'json', 'b1'), 'application/json'),
    ).toEqual(GATEWAYS);
    expect(() =>
      parseManifestPlaintext('eui,id6,pin\r\n000000FFFE000ABC,x,6CVHEQSU\r\n', 'text/csv'),
    ).toThrow(/CSV line 2/);
    expect(() => parseManifestPlaintext('pin,eui\r\n', 'text/csv')).toThrow(/header/);
  });
});
