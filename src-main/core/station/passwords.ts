/**
 * Operator password hashing: scrypt (RFC 7914) with N = 2^15, r = 8, p = 1, a 16-byte random salt
 * and a 32-byte output, stored as `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`. Verification
 * recomputes with the stored parameters and compares in constant time, so parameters can grow later
 * without invalidating old hashes.
 */
import { scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Uint8Array, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, keylen, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

const options = (logN: number, r: number, p: number): ScryptOptions => ({
  N: 2 ** logN,
  r,
  p,
  // 128 · N · r bytes of memory, plus headroom
  maxmem: 256 * 2 ** logN * r,
});

/** Hashes `password` with a fresh 16-byte `salt` (from the Random port). */
export async function hashPassword(password: string, salt: Uint8Array): Promise<string> {
  if (salt.length < 16) throw new RangeError('salt: at least 16 bytes');
  const key = await scrypt(password, salt, KEY_BYTES, options(LOG_N, R, P));
  return ['scrypt', LOG_N, R, P, Buffer.from(salt).toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a malformed or foreign hash string. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![logN, r, p].every((v) => Number.isInteger(v) && v > 0) || logN > 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (salt.length < 16 || expected.length < 16) return false;
  const key = await scrypt(password, salt, expected.length, options(logN, r, p));
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verifying against it costs as much as a real one (no user enumeration). */
export const DUMMY_HASH = `scrypt$${LOG_N}$${R}$${P}$${Buffer.alloc(16, 7).toString('base64')}$${Buffer.alloc(KEY_BYTES, 9).toString('base64')}`;
