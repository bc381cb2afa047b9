/**
 * SHA-256 digests for stored secrets (API keys, added-gateway tokens, cached CUPS tokens) and their
 * constant-time comparison. A fast hash is right here: every hashed value is a high-entropy random
 * string, so there is nothing to brute-force that a slow KDF would protect (SPEC §4.1, §4.2 add).
 */
import { hash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of `text` (or of `bytes`), 32 new bytes (one-shot: on every CUPS poll). */
export function sha256(input: string | Uint8Array): Uint8Array {
  const d = hash('sha256', input, 'buffer');
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

/** Compares two digests in constant time; false (not an exception) when lengths differ. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
