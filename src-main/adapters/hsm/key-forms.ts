/**
 * Public-key and signature forms shared by the HSM backends: RSA SubjectPublicKeyInfo ⇄ modulus and
 * exponent (what a PKCS#11 token stores), its fingerprint, the EC point of a P-256 key as the 64-byte
 * `sig-N.key` form (SPEC §3.4), and a raw `r ‖ s` ECDSA signature as DER.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** SubjectPublicKeyInfo DER of the RSA key (`modulus`, `exponent`: big-endian unsigned). */
export function rsaSpkiOf(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const key = createPublicKey({
    key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) },
    format: 'jwk',
  });
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/**
 * Modulus, exponent and size of an RSA SubjectPublicKeyInfo DER.
 * @throws DomainError('invalid_request') for anything but an RSA public key of 2048–8192 bits.
 */
export function rsaPartsOf(
  spki: Uint8Array,
  field = 'transportKey',
): { modulus: Buffer; exponent: Buffer; bits: number } {
  let jwk: { kty?: string; n?: string; e?: string };
  try {
    jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  } catch {
    throw new DomainError('invalid_request', `${field}: not a public key (SubjectPublicKeyInfo DER)`, {
      field,
    });
  }
  if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined) {
    throw new DomainError('invalid_request', `${field}: not an RSA public key`, { field });
  }
  const modulus = Buffer.from(jwk.n, 'base64url');
  const bits = modulus.length * 8;
  if (bits < 2048 || bits > 8192) {
    throw new DomainError('invalid_request', `${field}: RSA key of ${bits} bits, need 2048–8192`, { field });
  }
  return { modulus, exponent: Buffer.from(jwk.e, 'base64url'), bits };
}

/** Lowercase hex SHA-256 of a public key's SubjectPublicKeyInfo DER: the fingerprint operators compare. */
export function fingerprintOf(spki: Uint8Array): string {
  return createHash('sha256').update(spki).digest('hex');
}

/**
 * The 64 bytes X ‖ Y of a P-256 point from a PKCS#11 `CKA_EC_POINT` (a DER OCTET STRING around the
 * uncompressed point `04 ‖ X ‖ Y`, or that point bare).
 * @throws DomainError('hsm_error') for another form.
 */
export function stationKeyFromEcPoint(ecPoint: Uint8Array): Uint8Array {
  let p = ecPoint;
  if (p.length === 67 && p[0] === 0x04 && p[1] === 0x41) p = p.subarray(2);
  if (p.length !== 65 || p[0] !== 0x04) {
    throw new DomainError('hsm_error', `pkcs11: unexpected EC point of ${ecPoint.length} bytes`);
  }
  return new Uint8Array(p.subarray(1));
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw `r ‖ s` ECDSA signature (PKCS#11 CKM_ECDSA form). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new DomainError('hsm_error', `pkcs11: ECDSA signature of ${raw.length} bytes`);
  }
  const half = raw.length / 2;
  const int = (b: Uint8Array): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i += 1;
    const v = Buffer.from(b.subarray(i));
    return (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v;
  };
  const r = int(raw.subarray(0, half));
  const s = int(raw.subarray(half));
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
}
