/**
 * The two files of the key ceremony (docs/twin-hsm.md "Files"): `transport.pub` (the receiving
 * HSM's RSA public key and its fingerprint) and `batch-B.wrapped` (a batch root key wrapped to it,
 * with the batch range, KCV, algorithm and sender, authenticated by an HMAC under the wrapped key
 * itself — computed inside both HSMs, so only a holder of that root key can make a file that
 * verifies, and any edit of the range, KCV or wrapped bytes is caught).
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import type { OaepHash } from '../ports';

/** `format` of a transport public key file. */
export const TRANSPORT_FORMAT = 'gwjs-transport-key';
/** `format` of a wrapped root key file. */
export const WRAPPED_FORMAT = 'gwjs-wrapped-root-key';
/** Domain label of the file MAC: HMAC(BRK, label ‖ 0x00 ‖ canonical JSON of the file without `mac`). */
const WRAP_MAC_LABEL = 'GWJS-WRAP-v1';

/** transport.pub */
export interface TransportKeyFile {
  format: typeof TRANSPORT_FORMAT;
  version: 1;
  algorithm: 'RSA-OAEP';
  oaepHash: OaepHash;
  /** Base64 SubjectPublicKeyInfo DER */
  publicKey: string;
  /** lowercase hex SHA-256 of the SPKI DER */
  fingerprint: string;
  label: string;
  /** the receiving station (SHA-256 of its CA certificate, hex) and its HSM kind */
  station: string;
  hsm: string;
  createdAt: string;
}

/** batch-B.wrapped */
export interface WrappedKeyFile {
  format: typeof WRAPPED_FORMAT;
  version: 1;
  batch: { id: string; first: string; last: string; flavor: string | null; cupsUri: string | null };
  kcv: string;
  algorithm: 'RSA-OAEP-SHA1' | 'RSA-OAEP-SHA256';
  /** fingerprint of the transport key it is wrapped to */
  transportKey: string;
  sender: { station: string; hsm: string };
  createdAt: string;
  /** Base64 RSA-OAEP ciphertext of the 32-byte root key */
  wrappedKey: string;
  /** Base64 HMAC-SHA256 under the root key, see {@link WRAP_MAC_LABEL} */
  mac: string;
}

/** Lowercase hex SHA-256 of some bytes or text (file fingerprints in the transcript). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level: the canonical form hashed and MACed here. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The bytes the file MAC covers. */
export function wrapMacInput(file: Omit<WrappedKeyFile, 'mac'> | WrappedKeyFile): Uint8Array {
  const { mac: _mac, ...rest } = file as WrappedKeyFile;
  void _mac;
  return new Uint8Array(Buffer.from(`${WRAP_MAC_LABEL}\u0000${canonicalJson(rest)}`, 'utf8'));
}

const tampered = (why: string) =>
  new DomainError('ceremony_tampered', `wrapped key file: ${why}`, { field: 'file' });
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses transport.pub and checks that its fingerprint is the one of its key.
 * @throws DomainError('invalid_request') naming what is wrong.
 */
export function parseTransportFile(text: string): TransportKeyFile & { spki: Uint8Array } {
  const bad = (why: string) =>
    new DomainError('invalid_request', `transport key file: ${why}`, { field: 'transportKey' });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObj(v) || v.format !== TRANSPORT_FORMAT || v.version !== 1)
    throw bad(`not a ${TRANSPORT_FORMAT} v1 file`);
  if (v.algorithm !== 'RSA-OAEP' || (v.oaepHash !== 'sha1' && v.oaepHash !== 'sha256')) {
    throw bad('algorithm must be RSA-OAEP with sha1 or sha256');
  }
  if (typeof v.publicKey !== 'string' || !B64.test(v.publicKey)) throw bad('publicKey must be Base64');
  const spki = new Uint8Array(Buffer.from(v.publicKey, 'base64'));
  const fingerprint = sha256Hex(spki);
  if (v.fingerprint !== fingerprint) {
    throw bad(
      `the fingerprint ${JSON.stringify(v.fingerprint)} is not the key's (${fingerprint}): the file was changed`,
    );
  }
  for (const f of ['label', 'station', 'hsm', 'createdAt'] as const) {
    if (typeof v[f] !== 'string') throw bad(`${f} must be a string`);
  }
  return { ...(v as unknown as TransportKeyFile), spki };
}

/**
 * Parses batch-B.wrapped (shape only; the MAC and KCV are checked inside the HSM at import).
 * @throws DomainError('ceremony_tampered') for anything malformed.
 */
export function parseWrappedFile(text: string): WrappedKeyFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw tampered('not JSON');
  }
  if (!isObj(v) || v.format !== WRAPPED_FORMAT || v.version !== 1)
    throw tampered(`not a ${WRAPPED_FORMAT} v1 file`);
  const b = v.batch;
  if (
    !isObj(b) ||
    typeof b.id !== 'string' ||
    typeof b.first !== 'string' ||
    typeof b.last !== 'string' ||
    !(b.flavor === null || typeof b.flavor === 'string') ||
    !(b.cupsUri === null || typeof b.cupsUri === 'string')
  ) {
    throw tampered('batch must be {id, first, last, flavor, cupsUri}');
  }
  if (typeof v.kcv !== 'string' || !/^[0-9A-F]{6}$/.test(v.kcv))
    throw tampered('kcv must be 6 uppercase hex');
  if (v.algorithm !== 'RSA-OAEP-SHA1' && v.algorithm !== 'RSA-OAEP-SHA256')
    throw tampered('unknown algorithm');
  if (typeof v.transportKey !== 'string' || !/^[0-9a-f]{64}$/.test(v.transportKey)) {
    throw tampered('transportKey must be a SHA-256 fingerprint');
  }
  const sender = v.sender;
  if (!isObj(sender) || typeof sender.station !== 'string' || typeof sender.hsm !== 'string') {
    throw tampered('sender must be {station, hsm}');
  }
  if (typeof v.createdAt !== 'string') throw tampered('createdAt must be a string');
  for (const f of ['wrappedKey', 'mac'] as const) {
    if (typeof v[f] !== 'string' || !B64.test(v[f])) throw tampered(`${f} must be Base64`);
  }
  return v as unknown as WrappedKeyFile;
}

/** The OAEP hash an algorithm name stands for. */
export function oaepHashOf(algorithm: WrappedKeyFile['algorithm']): OaepHash {
  return algorithm === 'RSA-OAEP-SHA1' ? 'sha1' : 'sha256';
}

/** The algorithm name of an OAEP hash. */
export function algorithmOf(hash: OaepHash): WrappedKeyFile['algorithm'] {
  return hash === 'sha1' ? 'RSA-OAEP-SHA1' : 'RSA-OAEP-SHA256';
}
