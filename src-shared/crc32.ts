/**
 * CRC-32 as the Basics Station computes it (SPEC §3.3): zlib/IEEE 802.3, reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF, unsigned result. Slicing-by-8 tables (8 KiB,
 * built once) so the CUPS path, which hashes every credential blob on every request, stays cheap.
 */

const POLY = 0xedb88320;

/** T[k][n]: CRC contribution of byte n followed by k zero bytes; T[0] is the classic table. */
const TABLES: Int32Array = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/**
 * CRC-32 of `data`. `seed` is a previous result to continue from, as in zlib's `crc32(data, value)`:
 * `crc32(b, crc32(a)) === crc32(a ‖ b)`. Empty input returns `seed`.
 * @returns an unsigned 32-bit integer (0 … 2^32 − 1).
 */
export function crc32(data: Uint8Array, seed = 0): number {
  const t = TABLES;
  let c = ~seed;
  let i = 0;
  const n = data.length;
  const fast = n - (n % 8);
  for (; i < fast; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Continues a CRC over several parts without concatenating them: `crc32Parts([a, b]) === crc32(a ‖ b)`. */
export function crc32Parts(parts: readonly Uint8Array[], seed = 0): number {
  let c = seed;
  for (const p of parts) c = crc32(p, c);
  return c;
}
