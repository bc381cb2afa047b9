/**
 * Credential inputs of `setup` (SPEC §4.2), validated and converted at setup time into exactly the
 * bytes a CUPS credential blob carries (SPEC §3.3), so CUPS never sends a blob the station drops.
 *
 * What the station (Basics Station 2.0.6, `sys_credComplete` + mbedTLS) accepts, and therefore
 * what this module enforces:
 * - Trust and certificate: one X.509 certificate as DER. The station splits a blob by the DER
 *   length of each element and reads only the short form (`30 xx`) or the two-byte long form
 *   (`30 82 hh ll`); `30 81 xx` is mis-read. Every element is checked for that framing.
 * - Private key: EC as SEC1 (P-256 → `30 77 …`; P-384 → a 64-byte SEC1 without the optional public
 *   key, because the full form needs `30 81 a4`), RSA (2048–4096 bits) as PKCS#1. Unencrypted only.
 * - Token: `Name: value` header lines, each ending CRLF, sent verbatim in the HTTP request — one
 *   rule for setup and blob building, `normalizeAuthHeader` in `src-shared/cups-blobs.ts`.
 *
 * Error messages never quote private-key or token content.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { base64ToBytes, base64UrlToBytes, bytesToBase64 } from '../../src-shared/bytes';
import { MAX_CRED_BYTES } from '../../src-shared/cups-wire';
import { DomainError } from '../../src-shared/errors';

/** A private key converted for the station (SPEC §3.3). */
interface StationPrivateKey {
  /** SEC1 DER for `ec`, PKCS#1 DER for `rsa` */
  der: Uint8Array;
  type: 'ec' | 'rsa';
}

/** Longest credential input accepted (characters); a blob must fit a u16 length anyway. */
const MAX_CREDENTIAL_INPUT_LENGTH = 120_000;
/** EC curves the station can use for a client key (Node names). */
const SUPPORTED_EC_CURVES: readonly string[] = ['prime256v1', 'secp384r1'];
/** RSA modulus sizes accepted for a client key, in bits. */
const RSA_MODULUS_RANGE = { min: 2048, max: 4096 } as const;

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
};

/** SEC1 parts of a P-384 key without the public key: `30 3e 02 01 01 04 30 ‹d› a0 07 ‹secp384r1 OID›`. */
const P384_SEC1_HEAD = Uint8Array.of(0x30, 0x3e, 0x02, 0x01, 0x01, 0x04, 0x30);
const P384_SEC1_TAIL = Uint8Array.of(0xa0, 0x07, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22);

const invalid = (field: string, why: string): DomainError =>
  new DomainError('invalid_credential', `${field}: ${why}`, { field });

const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** One PEM block: its label (`CERTIFICATE`, `EC PRIVATE KEY`, …), RFC 1421 headers and DER body. */
interface PemBlock {
  label: string;
  headers: string[];
  der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

function parsePemBlocks(text: string, field: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const [, label = '', body = '', endLabel = ''] = m;
    if (label !== endLabel) throw invalid(field, `PEM block "BEGIN ${label}" ends with "END ${endLabel}"`);
    const headers: string[] = [];
    let b64 = '';
    for (const line of body.split(/\r?\n/)) {
      if (line.includes(':')) headers.push(line.trim());
      else b64 += line.replace(/\s+/g, '');
    }
    let der: Uint8Array;
    try {
      der = base64ToBytes(b64);
    } catch {
      throw invalid(field, `PEM block "${label}" has a body that is not Base64`);
    }
    blocks.push({ label, headers, der });
  }
  const begins = text.split('-----BEGIN ').length - 1;
  if (begins !== blocks.length) throw invalid(field, 'PEM text has a BEGIN line without a matching END line');
  return blocks;
}

/**
 * DER of the first PEM block (with `label` when given, e.g. `CERTIFICATE`).
 * @throws DomainError('invalid_credential', 'pem: …') when there is no such block.
 */
export function pemToDer(pem: string, label?: string): Uint8Array {
  const block = parsePemBlocks(pem, 'pem').find((b) => label === undefined || b.label === label);
  if (block === undefined) throw invalid('pem', `no ${label ?? 'PEM'} block found`);
  return block.der;
}

/** PEM text of `der` under `label` (`CERTIFICATE`, `EC PRIVATE KEY`, …): 64-column Base64, LF endings. */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = bytesToBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Input as given at the Owner API: DER bytes (from Base64) or PEM text (raw or Base64 of it). */
type DecodedInput = { kind: 'der'; der: Uint8Array } | { kind: 'pem'; text: string };

function decodeInput(input: unknown, field: string, secret: boolean): DecodedInput {
  if (typeof input !== 'string') throw invalid(field, `must be a string, got ${typeOf(input)}`);
  const text = input.trim();
  if (text.length === 0) throw invalid(field, 'is empty');
  if (text.length > MAX_CREDENTIAL_INPUT_LENGTH) {
    throw invalid(field, `is ${text.length} characters, more than ${MAX_CREDENTIAL_INPUT_LENGTH}`);
  }
  if (text.includes('-----BEGIN ')) return { kind: 'pem', text };
  const compact = text.replace(/\s+/g, '');
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(compact);
  } catch {
    try {
      bytes = base64UrlToBytes(compact);
    } catch {
      throw invalid(field, `is neither Base64 nor PEM${secret ? '' : `: ${quote(text)}`}`);
    }
  }
  if (bytes[0] === 0x30) return { kind: 'der', der: bytes };
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (decoded.includes('-----BEGIN ')) return { kind: 'pem', text: decoded };
  throw invalid(field, 'Base64 decodes to neither DER (must start with 0x30) nor PEM text');
}

/**
 * Checks the framing the station's blob splitter understands (SPEC §3.3, `asn1_seqlen` in sys.c):
 * a SEQUENCE with a short length or a `82 hh ll` long length, covering exactly `der.length` bytes.
 */
function checkStationFraming(der: Uint8Array, field: string, what: string): void {
  if (der.length < 2 || der[0] !== 0x30) throw invalid(field, `${what} is not a DER SEQUENCE`);
  const b1 = der[1]!;
  let total: number;
  if (b1 < 0x80) total = b1 + 2;
  else if (b1 === 0x82 && der.length >= 4) total = ((der[2]! << 8) | der[3]!) + 4;
  else if (b1 === 0x81) {
    throw invalid(
      field,
      `${what} uses the DER length form 30 81 xx (${der.length} bytes), which the station mis-reads`,
    );
  } else throw invalid(field, `${what} has an unsupported DER length form`);
  if (total !== der.length) {
    throw invalid(field, `${what} DER length says ${total} bytes but ${der.length} were given`);
  }
}

/**
 * A certificate input (`cupsTrust`, `cupsCrt`, `lnsTrust`, `lnsCrt`; SPEC §4.2): Base64 of DER,
 * Base64 of PEM text, or raw PEM text → the DER of exactly one X.509 certificate, framed so the
 * station can split the blob (SPEC §3.3).
 * @throws DomainError('invalid_credential', `${field}: …`)
 */
export function parseCertificateInput(input: unknown, field: string): Uint8Array {
  const decoded = decodeInput(input, field, false);
  let der: Uint8Array;
  if (decoded.kind === 'der') der = decoded.der;
  else {
    const certs = parsePemBlocks(decoded.text, field).filter((b) => b.label === 'CERTIFICATE');
    if (certs.length === 0) throw invalid(field, 'PEM text holds no CERTIFICATE block');
    if (certs.length > 1) {
      throw invalid(field, `PEM text holds ${certs.length} certificates; the station takes exactly one`);
    }
    der = certs[0]!.der;
  }
  checkStationFraming(der, field, 'certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw invalid(field, 'is not an X.509 certificate');
  }
  if (cert.raw.length !== der.length) throw invalid(field, 'has bytes after the certificate');
  return new Uint8Array(der);
}

/**
 * A private key input (`cupsKey`/`lnsKey` when a certificate is set; SPEC §4.2): Base64 of DER
 * (PKCS#8, SEC1 or PKCS#1), Base64 of PEM, or raw PEM → the station's form (SPEC §3.3): EC P-256 or
 * P-384 as SEC1, RSA 2048–4096 as PKCS#1. Encrypted keys, other curves and other algorithms
 * (Ed25519, RSA-PSS, DSA…) are rejected.
 * @throws DomainError('invalid_credential', `${field}: …`) — never quoting key material.
 */
export function parsePrivateKeyInput(input: unknown, field: string): StationPrivateKey {
  const decoded = decodeInput(input, field, true);
  let key: KeyObject;
  if (decoded.kind === 'der') key = keyFromDer(decoded.der, field);
  else {
    const blocks = parsePemBlocks(decoded.text, field);
    if (
      blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY' || b.headers.some((h) => /ENCRYPTED/i.test(h)))
    ) {
      throw invalid(field, 'is an encrypted private key; supply it unencrypted');
    }
    const keys = blocks.filter((b) => /^(?:|EC |RSA )PRIVATE KEY$/.test(b.label));
    if (keys.length !== 1) {
      throw invalid(
        field,
        keys.length === 0 ? 'PEM text holds no private key' : 'PEM text holds several private keys',
      );
    }
    key = keyFromDer(keys[0]!.der, field, keys[0]!.label);
  }
  return toStationKey(key, field);
}

/** Tries the DER encodings a private key comes in (PKCS#8 first, then SEC1, then PKCS#1). */
function keyFromDer(der: Uint8Array, field: string, pemLabel?: string): KeyObject {
  const buf = Buffer.from(der);
  const types: ('pkcs8' | 'sec1' | 'pkcs1')[] =
    pemLabel === 'EC PRIVATE KEY'
      ? ['sec1']
      : pemLabel === 'RSA PRIVATE KEY'
        ? ['pkcs1']
        : ['pkcs8', 'sec1', 'pkcs1'];
  for (const type of types) {
    try {
      return createPrivateKey({ key: buf, format: 'der', type });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_MISSING_PASSPHRASE') {
        throw invalid(field, 'is an encrypted private key; supply it unencrypted');
      }
    }
  }
  throw invalid(field, 'is not a private key (expected PKCS#8, SEC1 or PKCS#1)');
}

function toStationKey(key: KeyObject, field: string): StationPrivateKey {
  if (key.type !== 'private') throw invalid(field, 'is not a private key');
  const algo = key.asymmetricKeyType;
  if (algo === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    if (!SUPPORTED_EC_CURVES.includes(curve)) {
      throw invalid(field, `EC curve ${CURVE_NAMES[curve] ?? curve} is not supported; use P-256 or P-384`);
    }
    let der: Uint8Array;
    if (curve === 'secp384r1') {
      const d = Buffer.from(String(key.export({ format: 'jwk' }).d), 'base64url');
      if (d.length !== 48) throw invalid(field, 'P-384 private scalar has a wrong length');
      der = new Uint8Array(Buffer.concat([P384_SEC1_HEAD, d, P384_SEC1_TAIL]));
      d.fill(0);
    } else {
      der = new Uint8Array(key.export({ type: 'sec1', format: 'der' }));
    }
    checkStationFraming(der, field, 'private key');
    return { der, type: 'ec' };
  }
  if (algo === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MODULUS_RANGE.min || bits > RSA_MODULUS_RANGE.max) {
      throw invalid(
        field,
        `RSA key of ${bits} bits; use ${RSA_MODULUS_RANGE.min}–${RSA_MODULUS_RANGE.max} bits`,
      );
    }
    const der = new Uint8Array(key.export({ type: 'pkcs1', format: 'der' }));
    checkStationFraming(der, field, 'private key');
    return { der, type: 'rsa' };
  }
  const names: Record<string, string> = {
    ed25519: 'Ed25519',
    ed448: 'Ed448',
    'rsa-pss': 'RSA-PSS',
    dsa: 'DSA',
  };
  throw invalid(
    field,
    `${names[algo ?? ''] ?? algo ?? 'this'} keys are not supported by the station; use EC P-256/P-384 or RSA`,
  );
}

/**
 * Checks that a station-form private key (SEC1 or PKCS#1 DER, as returned by
 * {@link parsePrivateKeyInput}) belongs to a certificate. `field` names the key field
 * (`cupsKey`/`lnsKey`); the message names the certificate field as `…Crt`.
 * @throws DomainError('invalid_credential', 'cupsKey does not match cupsCrt')
 */
export function assertKeyMatchesCertificate(certDer: Uint8Array, keyDer: Uint8Array, field: string): void {
  const certField = field.endsWith('Key') ? `${field.slice(0, -3)}Crt` : 'the certificate';
  let certSpki: Buffer;
  try {
    certSpki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    throw invalid(certField, 'is not an X.509 certificate');
  }
  const key = keyFromDer(keyDer, field);
  const keySpki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!keySpki.equals(certSpki)) {
    throw new DomainError('invalid_credential', `${field} does not match ${certField}`, { field });
  }
}

/**
 * Checks that a credential set fits one blob (SPEC §3.2, §3.3): trust ‖ (cert or 4 zero bytes) ‖
 * (key, token or 4 zero bytes) must be at most {@link MAX_CRED_BYTES} bytes.
 * @throws DomainError('invalid_credential', `${field}: …`)
 */
export function assertCredentialBlobFits(
  field: string,
  parts: { trust: Uint8Array; cert?: Uint8Array | undefined; key?: Uint8Array | string | undefined },
): void {
  const keyLength = parts.key === undefined ? 4 : parts.key.length;
  const total = parts.trust.length + (parts.cert?.length ?? 4) + keyLength;
  if (total > MAX_CRED_BYTES) {
    throw invalid(field, `credential blob would be ${total} bytes, more than ${MAX_CRED_BYTES}`);
  }
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
