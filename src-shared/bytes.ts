/**
 * Byte helpers for the contract layer: hex, Base64, concatenation and fixed-width integers.
 * Runs anywhere (Node, browser, Electron renderer): no `Buffer`, no `node:*`, only `Uint8Array`
 * and `TextEncoder`. Every decoder is strict and throws a plain `Error` on malformed input; callers
 * at a door wrap that into a {@link DomainError} naming their field.
 */

const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';
const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Reverse lookup: char code → 6-bit value, -1 for a character outside the alphabet. */
function reverseTable(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const B64_STD_REV = reverseTable(B64_STD);
const B64_URL_REV = reverseTable(B64_URL);
const HEX_REV = reverseTable('0123456789abcdef');
for (let i = 0; i < 6; i++) HEX_REV['A'.charCodeAt(0) + i] = 10 + i;

/** Shortens a quoted input for an error message so a megabyte of garbage stays readable. */
function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/**
 * Decodes hex text (either case, even length, nothing else — no `0x`, no spaces) into new bytes.
 * @throws Error on an odd length or a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`hex ${quote(hex)} has an odd length`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(hex.charCodeAt(2 * i));
    const lo = hexValue(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new Error(`hex ${quote(hex)} contains a non-hex character`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const hexValue = (c: number): number => (c < 128 ? (HEX_REV[c] ?? -1) : -1);

/** Encodes bytes as hex, lowercase unless `upper`. */
export function bytesToHex(b: Uint8Array, upper = false): string {
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  let s = '';
  for (const x of b) s += digits[x >> 4]! + digits[x & 15]!;
  return s;
}

/**
 * Decodes standard Base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`). Padding `=` is optional, but
 * when present the text length must be a multiple of 4. Rejects whitespace, URL-safe characters,
 * a length ≡ 1 (mod 4), misplaced `=` and non-zero trailing bits (so every byte string has exactly
 * one accepted encoding besides the unpadded variant).
 * @throws Error naming the problem.
 */
export function base64ToBytes(s: string): Uint8Array {
  return decodeBase64(s, B64_STD_REV, 'Base64');
}

/** Decodes Base64url (RFC 4648 §5, `-` and `_`), padding optional; same strictness as {@link base64ToBytes}. */
export function base64UrlToBytes(s: string): Uint8Array {
  return decodeBase64(s, B64_URL_REV, 'Base64url');
}

function decodeBase64(s: string, rev: Int8Array, what: string): Uint8Array {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) {
    if (end % 4 !== 0) throw new Error(`${what} ${quote(s)} has padding but a length not a multiple of 4`);
    end--;
    if (s.charCodeAt(end - 1) === 61) end--;
  }
  const rem = end % 4;
  if (rem === 1) throw new Error(`${what} ${quote(s)} has an impossible length`);
  const out = new Uint8Array(Math.floor(end / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (rev[c] ?? -1) : -1;
    if (v < 0) throw new Error(`${what} ${quote(s)} contains an invalid character at position ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new Error(`${what} ${quote(s)} has non-zero trailing bits`);
  return out;
}

function encodeBase64(b: Uint8Array, alphabet: string, pad: boolean): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
}

/** Encodes bytes as standard, padded Base64. */
export function bytesToBase64(b: Uint8Array): string {
  return encodeBase64(b, B64_STD, true);
}

/** Encodes bytes as Base64url without padding (SPEC §2: the CUPS token form). */
export function base64UrlNoPad(b: Uint8Array): string {
  return encodeBase64(b, B64_URL, false);
}

/** Concatenates byte arrays into one new array (inputs are not retained). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function checkU32(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError(`${n} is not an unsigned 32-bit integer`);
}

/** 4 bytes, big-endian, of an unsigned 32-bit integer (SPEC §2 `u32be(g)`). @throws RangeError. */
export function u32be(n: number): Uint8Array {
  checkU32(n);
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** 4 bytes, little-endian, of an unsigned 32-bit integer (SPEC §3.2 lengths). @throws RangeError. */
export function u32le(n: number): Uint8Array {
  checkU32(n);
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * ASCII bytes of a string (SPEC §2 labels, §3.2 URIs, §3.3 token text).
 * @throws Error when a character is outside U+0000–U+007F.
 */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new Error(`${quote(s)} contains a non-ASCII character at position ${i}`);
    out[i] = c;
  }
  return out;
}

/** True when two byte arrays hold the same bytes (not constant-time; for tests and non-secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
