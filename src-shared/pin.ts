/**
 * Claim PIN format (SPEC §2): 40 bits in Crockford Base32, 8 symbols, printed `XXXX-XXXX`, read
 * back forgivingly (spaces, dashes, case, O/I/L look-alikes) and compared in constant time.
 * Deriving the 5 bytes (HMAC of the GMK) is the HSM's job; this module only formats and parses.
 */

import { DomainError } from './errors';

/** Crockford Base32 alphabet (no I, L, O, U). */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Number of symbols in a claim PIN. */
const PIN_LENGTH = 8;

const CANONICAL_PIN = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/**
 * Crockford32 of exactly 5 bytes: the 40 bits, most significant first, in 8 five-bit symbols
 * (SPEC §2 `Crockford32(HMAC(GMK, "GWJS-PIN-v1")[0..5])`).
 * @throws RangeError when `bytes5` is not 5 bytes long.
 */
export function crockford32(bytes5: Uint8Array): string {
  if (bytes5.length !== 5) throw new RangeError(`crockford32 takes 5 bytes, got ${bytes5.length}`);
  // 40 bits exceed 32-bit bitwise ops but fit a double exactly.
  let v = 0;
  for (const b of bytes5) v = v * 256 + b;
  let s = '';
  for (let i = 7; i >= 0; i--) s += CROCKFORD_ALPHABET[Math.floor(v / 2 ** (5 * i)) % 32]!;
  return s;
}

/** True for a canonical 8-symbol PIN (uppercase Crockford, no separator). */
export function isCanonicalPin(pin: string): boolean {
  return CANONICAL_PIN.test(pin);
}

/**
 * Display form `XXXX-XXXX` of a canonical 8-symbol PIN.
 * @throws DomainError('bad_claim') when `pin8` is not canonical (run {@link normalizePin} on user
 * input first).
 */
export function formatPin(pin8: string): string {
  assertCanonicalPin(pin8);
  return `${pin8.slice(0, 4)}-${pin8.slice(4)}`;
}

/**
 * Asserts a canonical 8-symbol PIN (uppercase Crockford, no separator).
 * @throws DomainError('bad_claim', `${field}: …`, {field}).
 */
export function assertCanonicalPin(pin8: string, field = 'pin'): void {
  if (typeof pin8 !== 'string' || !isCanonicalPin(pin8)) {
    const shown = typeof pin8 === 'string' ? JSON.stringify(pin8.slice(0, 20)) : typeof pin8;
    throw new DomainError('bad_claim', `${field}: ${shown} is not a canonical 8-symbol PIN`, { field });
  }
}

/**
 * Canonical PIN from what a person typed (SPEC §2): drops whitespace and `-`, uppercases, maps `O`
 * to `0` and `I`/`L` to `1`; rejects `U`, any other character and a length other than 8.
 * @throws DomainError('bad_claim', …, {field}) whose message starts with the field name; it names
 * the offending character but never echoes the input (a near-miss would leak most of a PIN to logs).
 */
export function normalizePin(input: string, field = 'claim'): string {
  if (typeof input !== 'string') {
    throw new DomainError('bad_claim', `${field}: expected the claim PIN as a string`, { field });
  }
  if (input.length > 64) {
    throw new DomainError('bad_claim', `${field}: too long for a claim PIN (${input.length} characters)`, {
      field,
    });
  }
  let out = '';
  for (const ch of input) {
    if (ch === '-' || /\s/.test(ch)) continue;
    const c = ch.toUpperCase();
    if (c === 'O') out += '0';
    else if (c === 'I' || c === 'L') out += '1';
    else if (c.length === 1 && CROCKFORD_ALPHABET.includes(c)) out += c;
    else {
      throw new DomainError(
        'bad_claim',
        `${field}: contains ${JSON.stringify(ch)}, which is not used in claim PINs ` +
          `(they use 0-9 and A-Z without I, L, O, U)`,
        { field },
      );
    }
  }
  if (out.length !== PIN_LENGTH) {
    throw new DomainError(
      'bad_claim',
      `${field}: has ${out.length} PIN symbols, a claim PIN has ${PIN_LENGTH} (XXXX-XXXX)`,
      { field },
    );
  }
  return out;
}

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ
 * (SPEC §2: PINs and tokens). Pure JS, so it also runs in the renderer.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) {
    // charCodeAt past the end is NaN; `| 0` turns it into 0 without a branch.
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}
