/**
 * Firmware update signatures as a LoRa Basics Station checks them (SPEC §3.4, `sys.c`
 * `checkUpdate`): ECDSA on P-256 over the SHA-512 digest of the whole update, DER-encoded
 * (70–72 bytes, at most 128), verified against `sig-N.key` files that hold the 64 raw bytes X ‖ Y
 * of the public point. `keys[i]` in a request is the CRC-32 of such a file.
 *
 * Public keys are accepted in every form an operator has at hand and normalized to that 64-byte
 * form: the raw 64 bytes, an uncompressed point (`04 ‖ X ‖ Y`), DER SubjectPublicKeyInfo, or PEM
 * (`PUBLIC KEY`, or a `CERTIFICATE` whose key is used).
 */
import { X509Certificate, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { crc32 } from '../../../src-shared/crc32';
import { DomainError } from '../../../src-shared/errors';
import { MAX_SIGNATURE_BYTES } from '../../../src-shared/cups-wire';

/** Size of a station `sig-N.key` file: X ‖ Y of a P-256 point. */
export const STATION_KEY_BYTES = 64;
/** Digest the station signs and verifies with (SPEC §3.4). */
export const UPDATE_DIGEST = 'sha512';

/** A signing public key in the station's form. */
interface StationPublicKey {
  /** the 64-byte `sig-N.key` content */
  raw: Uint8Array;
  /** CRC-32 of `raw`: what a station lists in `keys` */
  keyCrc: number;
  key: KeyObject;
}

const invalid = (field: string, why: string): DomainError =>
  new DomainError('invalid_credential', `${field}: ${why}`, { field });

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** The 64-byte `sig-N.key` form of an EC P-256 public (or private) key. @throws DomainError. */
export function stationKeyOf(key: KeyObject, field = 'key'): Uint8Array {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const what =
      key.asymmetricKeyType === 'ec'
        ? `EC curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
        : `${key.asymmetricKeyType ?? 'unknown'} key`;
    throw invalid(field, `is a ${what}; station update keys are ECDSA P-256`);
  }
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  const x = Buffer.from(String(jwk.x), 'base64url');
  const y = Buffer.from(String(jwk.y), 'base64url');
  if (x.length !== 32 || y.length !== 32) throw invalid(field, 'has a malformed P-256 point');
  return new Uint8Array(Buffer.concat([x, y]));
}

/**
 * The public key of a 64-byte `sig-N.key` (X ‖ Y).
 * @throws DomainError('invalid_credential') when the bytes are no point on P-256.
 */
export function publicKeyFromStationKey(raw: Uint8Array, field = 'key'): KeyObject {
  if (raw.length !== STATION_KEY_BYTES) {
    throw invalid(field, `a sig-N.key holds ${STATION_KEY_BYTES} bytes, got ${raw.length}`);
  }
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(0, 32)), y: b64url(raw.subarray(32)) },
      format: 'jwk',
    });
  } catch {
    throw invalid(field, 'the 64 bytes X ‖ Y are not a point on P-256');
  }
}

function fromPem(text: string, field: string): KeyObject {
  if (/-----BEGIN CERTIFICATE-----/.test(text)) {
    try {
      return new X509Certificate(text).publicKey;
    } catch {
      throw invalid(field, 'holds a CERTIFICATE block that does not parse');
    }
  }
  if (/-----BEGIN (?:EC )?PRIVATE KEY-----/.test(text)) {
    throw invalid(field, 'is a private key; give the public key (openssl ec -pubout)');
  }
  try {
    return createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw invalid(field, 'holds no PEM PUBLIC KEY block that parses');
  }
}

/**
 * Parses an update-signing public key given as bytes: 64 raw bytes (`sig-N.key`), 65 bytes
 * `04 ‖ X ‖ Y`, DER SubjectPublicKeyInfo, or PEM text (`PUBLIC KEY` or `CERTIFICATE`).
 * @throws DomainError('invalid_credential', `${field}: …`) naming what was wrong.
 */
export function parseStationPublicKey(input: Uint8Array, field = 'key'): StationPublicKey {
  let key: KeyObject;
  if (input.length === STATION_KEY_BYTES) {
    key = publicKeyFromStationKey(input, field);
  } else if (input.length === STATION_KEY_BYTES + 1 && input[0] === 0x04) {
    key = publicKeyFromStationKey(input.subarray(1), field);
  } else if (input[0] === 0x30) {
    try {
      key = createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
    } catch {
      throw invalid(field, `is ${input.length} bytes of DER that are no SubjectPublicKeyInfo`);
    }
  } else {
    const text = Buffer.from(input).toString('latin1');
    if (!text.includes('-----BEGIN ')) {
      throw invalid(
        field,
        `is ${input.length} bytes: expected a 64-byte sig-N.key (X ‖ Y), a DER or a PEM public key`,
      );
    }
    key = fromPem(text, field);
  }
  const raw = stationKeyOf(key, field);
  return { raw, keyCrc: crc32(raw), key: publicKeyFromStationKey(raw, field) };
}

/** Reads one DER length at `at`; returns [length, header bytes] or undefined when malformed. */
function derLength(b: Uint8Array, at: number): [number, number] | undefined {
  const l = b[at];
  if (l === undefined) return undefined;
  if (l < 0x80) return [l, 1];
  if (l === 0x81 && b[at + 1] !== undefined && b[at + 1]! >= 0x80) return [b[at + 1]!, 2];
  return undefined;
}

/**
 * Checks the shape of a DER ECDSA signature: `SEQUENCE { INTEGER r, INTEGER s }`, nothing after
 * it, at most {@link MAX_SIGNATURE_BYTES} bytes (the station's limit, SPEC §3.4).
 * @throws DomainError('invalid_credential', `${field}: …`)
 */
export function checkSignatureDer(sig: Uint8Array, field = 'signature'): void {
  if (sig.length === 0) throw invalid(field, 'is empty');
  if (sig.length > MAX_SIGNATURE_BYTES) {
    throw invalid(field, `is ${sig.length} bytes; the station takes at most ${MAX_SIGNATURE_BYTES}`);
  }
  const notDer = () =>
    invalid(field, 'is not a DER ECDSA signature (SEQUENCE of two INTEGERs, as openssl dgst -sign makes)');
  if (sig[0] !== 0x30) throw notDer();
  const seq = derLength(sig, 1);
  if (seq === undefined || 1 + seq[1] + seq[0] !== sig.length) throw notDer();
  let at = 1 + seq[1];
  for (let i = 0; i < 2; i++) {
    if (sig[at] !== 0x02) throw notDer();
    const len = derLength(sig, at + 1);
    if (len === undefined || len[0] === 0) throw notDer();
    at += 1 + len[1] + len[0];
  }
  if (at !== sig.length) throw notDer();
}

/**
 * True when `sig` (DER) is a valid ECDSA P-256 / SHA-512 signature of `image` under `key` — the
 * check the station makes before running an update (SPEC §3.4).
 */
export function verifyUpdateSignature(image: Uint8Array, sig: Uint8Array, key: KeyObject): boolean {
  try {
    return verify(UPDATE_DIGEST, image, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}
