import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertCredentialBlobFits,
  assertKeyMatchesCertificate,
  derToPem,
  parseCertificateInput,
  parsePrivateKeyInput,
  pemToDer,
} from '../../src-main/core/credentials';
import { cupsKeyFileContent } from '../../src-main/core/kdf';
import { normalizeAuthHeader } from '../../src-shared/cups-wire';
import { DomainError } from '../../src-shared/errors';
import vectors from '../vectors/kdf.json';

let dir: string;
const f = (name: string): string => path.join(dir, name);
const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const text = (name: string): string => readFileSync(f(name), 'utf8');
const bytes = (name: string): Buffer => readFileSync(f(name));
const b64 = (b: Uint8Array | string): string => Buffer.from(b).toString('base64');

/** Self-signed certificate for the key in `keyFile`, written as `<name>.crt.pem`. */
function selfSigned(keyFile: string, name: string): void {
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
    '-out',
    `${name}.crt.pem`,
  );
  openssl('x509', '-in', `${name}.crt.pem`, '-outform', 'DER', '-out', `${name}.crt.der`);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gwjs-cred-'));
  // P-256: PKCS#8 (genpkey) and SEC1 with an EC PARAMETERS block (ecparam -genkey)
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.pkcs8.pem');
  openssl('ec', '-in', 'p256.pkcs8.pem', '-outform', 'DER', '-out', 'p256.sec1.der');
  openssl(
    'pkcs8',
    '-topk8',
    '-nocrypt',
    '-in',
    'p256.pkcs8.pem',
    '-outform',
    'DER',
    '-out',
    'p256.pkcs8.der',
  );
  selfSigned('p256.pkcs8.pem', 'p256');
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'p256b.sec1.pem');
  selfSigned('p256b.sec1.pem', 'p256b');
  // P-384
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.pem');
  selfSigned('p384.pem', 'p384');
  // RSA 2048: PKCS#8 and PKCS#1 ("traditional")
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pkcs8.pem');
  openssl('rsa', '-in', 'rsa.pkcs8.pem', '-traditional', '-out', 'rsa.pkcs1.pem');
  openssl('rsa', '-in', 'rsa.pkcs8.pem', '-outform', 'DER', '-traditional', '-out', 'rsa.pkcs1.der');
  selfSigned('rsa.pkcs8.pem', 'rsa');
  // rejected kinds
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'rsa1024.pem');
  openssl('genpkey', '-algorithm', 'ED25519', '-out', 'ed25519.pem');
  selfSigned('ed25519.pem', 'ed25519');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', 'p521.pem');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', 'k256.pem');
  openssl(
    'pkcs8',
    '-topk8',
    '-in',
    'p256.pkcs8.pem',
    '-v2',
    'aes-256-cbc',
    '-passout',
    'pass:s3cret',
    '-out',
    'enc.pkcs8.pem',
  );
  openssl(
    'pkcs8',
    '-topk8',
    '-in',
    'p256.pkcs8.pem',
    '-v2',
    'aes-256-cbc',
    '-passout',
    'pass:s3cret',
    '-outform',
    'DER',
    '-out',
    'enc.pkcs8.der',
  );
  openssl('ec', '-in', 'p256.pkcs8.pem', '-aes256', '-passout', 'pass:s3cret', '-out', 'enc.legacy.pem');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectInvalid(fn: () => unknown, message: RegExp | string): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const e = caught as DomainError;
  expect(e.code).toBe('invalid_credential');
  expect(e.message).toMatch(message);
  return e;
}

describe('parseCertificateInput', () => {
  it('accepts Base64 DER, Base64 of PEM text and raw PEM text, all giving the same DER', () => {
    const der = bytes('p256.crt.der');
    const pem = text('p256.crt.pem');
    expect(Buffer.from(parseCertificateInput(b64(der), 'cupsTrust'))).toEqual(der);
    expect(Buffer.from(parseCertificateInput(b64(pem), 'cupsTrust'))).toEqual(der);
    expect(Buffer.from(parseCertificateInput(pem, 'cupsTrust'))).toEqual(der);
  });

  it('tolerates line-wrapped Base64, CRLF PEM and surrounding text', () => {
    const der = bytes('rsa.crt.der');
    const wrapped = b64(der).replace(/(.{76})/g, '$1\n');
    expect(Buffer.from(parseCertificateInput(wrapped, 'lnsTrust'))).toEqual(der);
    const crlf = `subject=CN = rsa\r\n${text('rsa.crt.pem').replace(/\n/g, '\r\n')}`;
    expect(Buffer.from(parseCertificateInput(crlf, 'lnsTrust'))).toEqual(der);
  });

  it('rejects garbage, naming the field and quoting the input', () => {
    expectInvalid(
      () => parseCertificateInput('hello world!', 'cupsTrust'),
      /^cupsTrust: is neither Base64 nor PEM: "hello world!"/,
    );
    expectInvalid(
      () => parseCertificateInput(b64('plain text'), 'cupsTrust'),
      /^cupsTrust: Base64 decodes to neither DER/,
    );
    expectInvalid(() => parseCertificateInput('', 'cupsCrt'), /^cupsCrt: is empty/);
    expectInvalid(() => parseCertificateInput(42, 'cupsCrt'), /^cupsCrt: must be a string, got number/);
    expectInvalid(() => parseCertificateInput(null, 'cupsCrt'), /got null/);
  });

  it('rejects DER that is not a certificate (a private key)', () => {
    expectInvalid(
      () => parseCertificateInput(b64(bytes('rsa.pkcs1.der')), 'cupsTrust'),
      /not an X\.509 certificate/,
    );
  });

  it('rejects PEM without a certificate, with two certificates, or with a broken END line', () => {
    expectInvalid(() => parseCertificateInput(text('p256.pkcs8.pem'), 'cupsTrust'), /no CERTIFICATE block/);
    const two = text('p256.crt.pem') + text('rsa.crt.pem');
    expectInvalid(() => parseCertificateInput(two, 'cupsTrust'), /holds 2 certificates/);
    const broken = text('p256.crt.pem').replace('-----END CERTIFICATE-----', '');
    expectInvalid(() => parseCertificateInput(broken, 'cupsTrust'), /without a matching END/);
  });

  it('rejects trailing bytes after the DER certificate', () => {
    const der = Buffer.concat([bytes('p256.crt.der'), Buffer.from([0, 0])]);
    expectInvalid(
      () => parseCertificateInput(b64(der), 'cupsTrust'),
      /DER length says \d+ bytes but \d+ were given/,
    );
  });

  it('rejects the 30 81 xx length form that the station mis-reads', () => {
    const der = Buffer.concat([Buffer.from([0x30, 0x81, 200]), Buffer.alloc(200, 0x05)]);
    expectInvalid(() => parseCertificateInput(b64(der), 'cupsTrust'), /30 81 xx .*mis-reads/);
  });
});

describe('parsePrivateKeyInput', () => {
  it('converts a PKCS#8 P-256 key (PEM, Base64 PEM, Base64 DER) to SEC1 DER 30 77', () => {
    const sec1 = bytes('p256.sec1.der');
    for (const input of [text('p256.pkcs8.pem'), b64(text('p256.pkcs8.pem')), b64(bytes('p256.pkcs8.der'))]) {
      const key = parsePrivateKeyInput(input, 'cupsKey');
      expect(key.type).toBe('ec');
      expect(Buffer.from(key.der)).toEqual(sec1);
      expect(key.der.subarray(0, 2)).toEqual(Uint8Array.of(0x30, 0x77));
    }
  });

  it('accepts SEC1 input, also with an EC PARAMETERS block before it', () => {
    const pem = text('p256b.sec1.pem');
    expect(pem).toContain('BEGIN EC PARAMETERS');
    const key = parsePrivateKeyInput(pem, 'cupsKey');
    expect(key.der).toHaveLength(121);
    expect(Buffer.from(parsePrivateKeyInput(b64(bytes('p256.sec1.der')), 'cupsKey').der)).toEqual(
      bytes('p256.sec1.der'),
    );
  });

  it('converts a P-384 key to a 64-byte SEC1 DER without the public key (short length form)', () => {
    const key = parsePrivateKeyInput(text('p384.pem'), 'lnsKey');
    expect(key.type).toBe('ec');
    expect(key.der).toHaveLength(64);
    expect(key.der.subarray(0, 2)).toEqual(Uint8Array.of(0x30, 0x3e));
    // OpenSSL reads it back and recomputes the same public key
    writeFileSync(f('p384.out.der'), key.der);
    const pub = openssl('ec', '-inform', 'DER', '-in', 'p384.out.der', '-pubout', '-outform', 'DER');
    const expected = openssl('pkey', '-in', 'p384.pem', '-pubout', '-outform', 'DER');
    expect(pub).toEqual(expected);
  });

  it('converts RSA keys (PKCS#8 or PKCS#1 input) to PKCS#1 DER', () => {
    const pkcs1 = bytes('rsa.pkcs1.der');
    for (const input of [text('rsa.pkcs8.pem'), text('rsa.pkcs1.pem'), b64(pkcs1)]) {
      const key = parsePrivateKeyInput(input, 'cupsKey');
      expect(key.type).toBe('rsa');
      expect(Buffer.from(key.der)).toEqual(pkcs1);
      expect(key.der.subarray(0, 2)).toEqual(Uint8Array.of(0x30, 0x82));
    }
  });

  it('accepts keys generated by node:crypto', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const key = parsePrivateKeyInput(b64(pkcs8), 'cupsKey');
    expect(Buffer.from(key.der)).toEqual(privateKey.export({ type: 'sec1', format: 'der' }));
  });

  it('rejects encrypted keys (PKCS#8 PEM, PKCS#8 DER, legacy PEM)', () => {
    expectInvalid(
      () => parsePrivateKeyInput(text('enc.pkcs8.pem'), 'cupsKey'),
      /^cupsKey: is an encrypted private key/,
    );
    expectInvalid(() => parsePrivateKeyInput(b64(bytes('enc.pkcs8.der')), 'cupsKey'), /encrypted/);
    expectInvalid(() => parsePrivateKeyInput(text('enc.legacy.pem'), 'cupsKey'), /encrypted/);
  });

  it('rejects Ed25519, P-521, secp256k1 and short RSA keys', () => {
    expectInvalid(
      () => parsePrivateKeyInput(text('ed25519.pem'), 'cupsKey'),
      /Ed25519 keys are not supported/,
    );
    expectInvalid(() => parsePrivateKeyInput(text('p521.pem'), 'cupsKey'), /EC curve P-521 is not supported/);
    expectInvalid(
      () => parsePrivateKeyInput(text('k256.pem'), 'cupsKey'),
      /EC curve secp256k1 is not supported/,
    );
    expectInvalid(() => parsePrivateKeyInput(text('rsa1024.pem'), 'cupsKey'), /RSA key of 1024 bits/);
  });

  it('rejects garbage, a certificate, and never quotes key material', () => {
    expectInvalid(() => parsePrivateKeyInput('not a key!', 'lnsKey'), /^lnsKey: is neither Base64 nor PEM$/);
    expectInvalid(() => parsePrivateKeyInput(text('p256.crt.pem'), 'lnsKey'), /holds no private key/);
    expectInvalid(() => parsePrivateKeyInput(b64(bytes('p256.crt.der')), 'lnsKey'), /is not a private key/);
    const corrupted = b64(Buffer.concat([Buffer.from([0x30, 0x77]), bytes('p256.sec1.der').subarray(2, 60)]));
    const e = expectInvalid(() => parsePrivateKeyInput(corrupted, 'lnsKey'), /is not a private key/);
    expect(e.message).not.toContain(corrupted.slice(0, 12));
    expectInvalid(
      () => parsePrivateKeyInput(text('p256.pkcs8.pem') + text('rsa.pkcs8.pem'), 'lnsKey'),
      /several private keys/,
    );
  });
});

describe('assertKeyMatchesCertificate', () => {
  it('accepts each key with its own certificate (P-256, P-384, RSA)', () => {
    for (const [crt, key] of [
      ['p256.crt.der', 'p256.pkcs8.pem'],
      ['p384.crt.der', 'p384.pem'],
      ['rsa.crt.der', 'rsa.pkcs8.pem'],
    ] as const) {
      const certDer = parseCertificateInput(b64(bytes(crt)), 'cupsCrt');
      const keyDer = parsePrivateKeyInput(text(key), 'cupsKey').der;
      expect(() => assertKeyMatchesCertificate(certDer, keyDer, 'cupsKey')).not.toThrow();
    }
  });

  it('rejects a key that belongs to another certificate', () => {
    const certDer = parseCertificateInput(text('p256.crt.pem'), 'cupsCrt');
    const other = parsePrivateKeyInput(text('p256b.sec1.pem'), 'cupsKey').der;
    expectInvalid(
      () => assertKeyMatchesCertificate(certDer, other, 'cupsKey'),
      /^cupsKey does not match cupsCrt$/,
    );
    const rsa = parsePrivateKeyInput(text('rsa.pkcs8.pem'), 'lnsKey').der;
    expectInvalid(
      () => assertKeyMatchesCertificate(certDer, rsa, 'lnsKey'),
      /^lnsKey does not match lnsCrt$/,
    );
  });
});

describe('pemToDer / derToPem', () => {
  it('round-trips a certificate through PEM the way openssl writes it', () => {
    const der = bytes('p256.crt.der');
    const pem = derToPem(der, 'CERTIFICATE');
    expect(pem).toBe(text('p256.crt.pem'));
    expect(Buffer.from(pemToDer(pem))).toEqual(der);
    expect(Buffer.from(pemToDer(pem, 'CERTIFICATE'))).toEqual(der);
  });

  it('finds a block by label and fails clearly when it is absent', () => {
    const pem = text('p256b.sec1.pem');
    const der = pemToDer(pem, 'EC PRIVATE KEY');
    expect(createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'sec1' }).asymmetricKeyType).toBe(
      'ec',
    );
    expectInvalid(() => pemToDer(pem, 'CERTIFICATE'), /^pem: no CERTIFICATE block found/);
  });
});

describe('token-mode key input', () => {
  it('accepts the cups.key content of the KDF vectors unchanged (the shared rule, SPEC §3.3)', () => {
    for (const v of vectors.vectors) {
      const content = cupsKeyFileContent(v.token);
      expect(normalizeAuthHeader(content, 'cupsKey')).toBe(content);
    }
  });
});

describe('assertCredentialBlobFits', () => {
  it('accepts a set up to 65535 bytes and rejects a larger one', () => {
    const trust = new Uint8Array(60_000);
    expect(() => assertCredentialBlobFits('cupsTrust', { trust, key: 'x'.repeat(5531) })).not.toThrow();
    expectInvalid(
      () =>
        assertCredentialBlobFits('cupsTrust', {
          trust,
          cert: new Uint8Array(5000),
          key: new Uint8Array(600),
        }),
      /blob would be 65600 bytes/,
    );
  });
});

describe('station framing of converted keys', () => {
  it('keeps every accepted key in a length form the station parses (30 xx or 30 82 hh ll)', () => {
    for (const name of ['p256.pkcs8.pem', 'p384.pem', 'rsa.pkcs8.pem']) {
      const der = parsePrivateKeyInput(text(name), 'cupsKey').der;
      const framed = der[1]! < 0x80 ? der[1]! + 2 : der[1] === 0x82 ? ((der[2]! << 8) | der[3]!) + 4 : -1;
      expect(framed).toBe(der.length);
      // and node still reads the converted key, deriving the same public key as the input
      const type = der.length > 200 ? 'pkcs1' : 'sec1';
      const back = createPublicKey(createPrivateKey({ key: Buffer.from(der), format: 'der', type }));
      expect(back.export({ type: 'spki', format: 'der' })).toEqual(
        createPublicKey(text(name)).export({ type: 'spki', format: 'der' }),
      );
    }
  });
});
