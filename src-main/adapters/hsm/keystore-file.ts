/**
 * The software HSM's keystore file (DESIGN §4), version 1: JSON, mode 0600, replaced atomically.
 * ```
 * { format: "gwjs-software-keystore", version: 1, cipher: "aes-256-gcm",
 *   kdf: { name: "scrypt", N, r, p, salt },                  // salt: Base64, 32 bytes
 *   verifier: { nonce, ciphertext, tag },                     // seals VERIFIER_TEXT, AAD "verifier"
 *   keys: [{ handle, label, kcv, createdAt, nonce, ciphertext, tag }],   // AAD = handle
 *   signingKeys: [{ handle, label, algorithm: "ecdsa-p256", publicKey, createdAt,
 *                   nonce, ciphertext, tag }],        // optional; sealed PKCS#8 DER, AAD = handle
 *   transportKeys: [{ handle, label, algorithm: "rsa-oaep", oaepHash, spki, fingerprint, createdAt,
 *                   nonce, ciphertext, tag }],        // optional; sealed PKCS#8 DER, AAD = handle
 *   secrets: [{ name, nonce, ciphertext, tag }] }    // optional; AAD = "secret:" + name
 * ```
 * A root key record may carry `exportable: false` (received in a key ceremony, or sealed:
 * docs/twin-hsm.md); absent means exportable, as for every key of files written before.
 * `secrets` holds small named values sealed like the keys (the remote link's API key, docs/sync.md).
 * `signingKeys` (firmware update signing, SPEC §3.4) is optional so files written before it existed
 * still open; `publicKey` is Base64 of the station's 64-byte `sig-N.key` form.
 * Every sealed value is AES-256-GCM (96-bit nonce, 128-bit tag) under the 32-byte scrypt output.
 */
import {
  type KeyObject,
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  scrypt,
} from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import { writeFileAtomic } from '../atomic-file';

/** The `format` tag of a keystore file. */
export const KEYSTORE_FORMAT = 'gwjs-software-keystore';
/** Default scrypt cost N = 2^15 (≈ 32 MiB, ≈ 0.1 s here); r = 8, p = 1. */
export const DEFAULT_SCRYPT_N = 2 ** 15;
/** Plaintext sealed as the passphrase verifier. */
export const VERIFIER_TEXT = 'GWJS-KEYSTORE-VERIFIER-v1';
/** AAD of the verifier (key records use their handle). */
export const VERIFIER_AAD = 'verifier';

const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** One sealed value: AES-256-GCM nonce, ciphertext and tag, each Base64. */
interface SealedJson {
  nonce: string;
  ciphertext: string;
  tag: string;
}

/** One stored root key: public metadata plus the sealed 32 bytes. */
export interface KeyRecordJson extends SealedJson {
  handle: string;
  label: string;
  kcv: string;
  createdAt: string;
  /** false: the key may not be wrapped out (ceremony import, sealed); absent = exportable */
  exportable?: false;
}

/** One stored ceremony transport key: its RSA public key and the sealed PKCS#8 DER private key. */
export interface TransportKeyRecordJson extends SealedJson {
  handle: string;
  label: string;
  algorithm: 'rsa-oaep';
  oaepHash: 'sha1' | 'sha256';
  /** Base64 of the SubjectPublicKeyInfo DER */
  spki: string;
  /** lowercase hex SHA-256 of the SPKI DER */
  fingerprint: string;
  createdAt: string;
}

/** One stored update-signing key: public metadata plus the sealed PKCS#8 DER private key. */
export interface SigningKeyRecordJson extends SealedJson {
  handle: string;
  label: string;
  algorithm: 'ecdsa-p256';
  /** Base64 of the 64-byte X ‖ Y public point */
  publicKey: string;
  createdAt: string;
}

/** scrypt cost parameters and salt (Base64). */
interface ScryptParams {
  N: number;
  r: number;
  p: number;
  salt: string;
}

/** The whole keystore file. */
export interface KeystoreJson {
  format: typeof KEYSTORE_FORMAT;
  version: 1;
  cipher: 'aes-256-gcm';
  kdf: { name: 'scrypt' } & ScryptParams;
  verifier: SealedJson;
  keys: KeyRecordJson[];
  signingKeys?: SigningKeyRecordJson[];
  transportKeys?: TransportKeyRecordJson[];
  secrets?: SecretRecordJson[];
}

/** One sealed named secret (docs/sync.md: the remote link's API key). */
interface SecretRecordJson extends SealedJson {
  name: string;
}

/** Fresh scrypt parameters (new random 32-byte salt) with cost `n`, r = 8, p = 1. */
export function newScryptParams(n: number): ScryptParams {
  return { N: n, r: SCRYPT_R, p: SCRYPT_P, salt: randomBytes(SALT_BYTES).toString('base64') };
}

/**
 * Derives the 32-byte wrapping key from a passphrase (UTF-8 of its NFC form) with scrypt, off the
 * event loop. The derived bytes are zeroed once wrapped in a KeyObject.
 */
export function deriveWrapKey(passphrase: string, params: ScryptParams): Promise<KeyObject> {
  const salt = Buffer.from(params.salt, 'base64');
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(
      secret,
      salt,
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, derived) => {
        secret.fill(0);
        if (err) {
          reject(new DomainError('hsm_error', `keystore: scrypt failed (${err.message})`));
          return;
        }
        const key = createSecretKey(derived);
        derived.fill(0);
        resolve(key);
      },
    );
  });
}

/** Seals `plain` under `key` with AES-256-GCM, a fresh random 96-bit nonce and `aad`. */
export function seal(key: KeyObject, plain: Uint8Array, aad: string): SealedJson {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/**
 * Opens a sealed value; the caller zeroes the result.
 * @throws DomainError('hsm_error') when authentication fails (wrong key, tampered data or AAD).
 */
export function unseal(key: KeyObject, sealed: SealedJson, aad: string, what: string): Buffer {
  let head: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    head = decipher.update(Buffer.from(sealed.ciphertext, 'base64'));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    head?.fill(0);
    throw new DomainError('hsm_error', `keystore: ${what} failed authentication`);
  }
}

/** Writes the keystore atomically (temp file 0600 + fsync + rename + directory fsync). */
export async function writeKeystore(file: string, store: KeystoreJson): Promise<void> {
  try {
    await writeFileAtomic(file, `${JSON.stringify(store, null, 1)}\n`, 0o600);
  } catch (e) {
    throw new DomainError('hsm_error', `keystore ${JSON.stringify(file)}: cannot write (${errnoOf(e)})`);
  }
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Validates a keystore file's shape; bounds scrypt so a tampered file cannot exhaust memory.
 * @throws DomainError('hsm_error') naming the problem.
 */
export function parseKeystore(text: string, file: string): KeystoreJson {
  const bad = (why: string): DomainError =>
    new DomainError('hsm_error', `keystore ${JSON.stringify(file)} is not valid: ${why}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(v) || v.format !== KEYSTORE_FORMAT) throw bad('unknown format');
  if (v.version !== 1) throw bad(`unsupported version ${JSON.stringify(v.version)}`);
  if (v.cipher !== 'aes-256-gcm') throw bad('unsupported cipher');
  const kdf = v.kdf;
  if (!isObject(kdf) || kdf.name !== 'scrypt') throw bad('unsupported kdf');
  const { N, r, p, salt } = kdf;
  if (typeof N !== 'number' || typeof r !== 'number' || typeof p !== 'number' || !isB64(salt)) {
    throw bad('bad scrypt parameters');
  }
  try {
    checkScryptN(N, 'kdf.N');
  } catch {
    throw bad(`scrypt N ${N} out of range`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw bad('scrypt r/p out of range');
  }
  if (!isSealed(v.verifier)) throw bad('bad verifier');
  if (!Array.isArray(v.keys)) throw bad('keys is not an array');
  const keys: KeyRecordJson[] = [];
  const seen = new Set<string>();
  for (const k of v.keys as unknown[]) {
    if (
      !isSealed(k) ||
      typeof k.handle !== 'string' ||
      typeof k.label !== 'string' ||
      typeof k.kcv !== 'string' ||
      typeof k.createdAt !== 'string'
    ) {
      throw bad('bad key record');
    }
    if (seen.has(k.handle)) throw bad(`duplicate handle ${JSON.stringify(k.handle)}`);
    seen.add(k.handle);
    keys.push({
      handle: k.handle,
      label: k.label,
      kcv: k.kcv,
      createdAt: k.createdAt,
      nonce: k.nonce,
      ciphertext: k.ciphertext,
      tag: k.tag,
      ...(k.exportable === false ? { exportable: false as const } : {}),
    });
  }
  const signingKeys: SigningKeyRecordJson[] = [];
  if (v.signingKeys !== undefined) {
    if (!Array.isArray(v.signingKeys)) throw bad('signingKeys is not an array');
    for (const k of v.signingKeys as unknown[]) {
      if (
        !isSealed(k) ||
        typeof k.handle !== 'string' ||
        typeof k.label !== 'string' ||
        k.algorithm !== 'ecdsa-p256' ||
        !isB64(k.publicKey) ||
        typeof k.createdAt !== 'string'
      ) {
        throw bad('bad signing key record');
      }
      if (seen.has(k.handle)) throw bad(`duplicate handle ${JSON.stringify(k.handle)}`);
      seen.add(k.handle);
      signingKeys.push({
        handle: k.handle,
        label: k.label,
        algorithm: 'ecdsa-p256',
        publicKey: k.publicKey,
        createdAt: k.createdAt,
        nonce: k.nonce,
        ciphertext: k.ciphertext,
        tag: k.tag,
      });
    }
  }
  const transportKeys: TransportKeyRecordJson[] = [];
  if (v.transportKeys !== undefined) {
    if (!Array.isArray(v.transportKeys)) throw bad('transportKeys is not an array');
    for (const k of v.transportKeys as unknown[]) {
      if (
        !isSealed(k) ||
        typeof k.handle !== 'string' ||
        typeof k.label !== 'string' ||
        k.algorithm !== 'rsa-oaep' ||
        (k.oaepHash !== 'sha1' && k.oaepHash !== 'sha256') ||
        !isB64(k.spki) ||
        typeof k.fingerprint !== 'string' ||
        typeof k.createdAt !== 'string'
      ) {
        throw bad('bad transport key record');
      }
      if (seen.has(k.handle)) throw bad(`duplicate handle ${JSON.stringify(k.handle)}`);
      seen.add(k.handle);
      transportKeys.push({
        handle: k.handle,
        label: k.label,
        algorithm: 'rsa-oaep',
        oaepHash: k.oaepHash,
        spki: k.spki,
        fingerprint: k.fingerprint,
        createdAt: k.createdAt,
        nonce: k.nonce,
        ciphertext: k.ciphertext,
        tag: k.tag,
      });
    }
  }
  const secrets: SecretRecordJson[] = [];
  if (v.secrets !== undefined) {
    if (!Array.isArray(v.secrets)) throw bad('secrets is not an array');
    for (const k of v.secrets as unknown[]) {
      if (!isSealed(k) || typeof k.name !== 'string') throw bad('bad secret record');
      secrets.push({ name: k.name, nonce: k.nonce, ciphertext: k.ciphertext, tag: k.tag });
    }
  }
  return {
    format: KEYSTORE_FORMAT,
    version: 1,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N, r, p, salt: salt as string },
    verifier: { nonce: v.verifier.nonce, ciphertext: v.verifier.ciphertext, tag: v.verifier.tag },
    keys,
    ...(signingKeys.length > 0 ? { signingKeys } : {}),
    ...(transportKeys.length > 0 ? { transportKeys } : {}),
    ...(secrets.length > 0 ? { secrets } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isB64 = (v: unknown): v is string => typeof v === 'string' && B64.test(v);
const isSealed = (v: unknown): v is Record<string, unknown> & SealedJson =>
  isObject(v) && isB64(v.nonce) && isB64(v.ciphertext) && isB64(v.tag);

/** @throws DomainError(invalid_request) unless `n` is a power of two from 2^10 to 2^20. */
export function checkScryptN(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 2 ** 10 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw new DomainError('invalid_request', `${field}: must be a power of two from 2^10 to 2^20, got ${n}`);
  }
}

/** A file-system error's code (`ENOENT`, …) or message, for error texts. */
export const errnoOf = (e: unknown): string =>
  (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.message : String(e));
