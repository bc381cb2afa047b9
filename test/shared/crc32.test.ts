import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import { crc32, crc32Parts } from '../../src-shared/crc32';
import { ascii, concatBytes, hexToBytes } from '../../src-shared/bytes';

interface CupsVectors {
  crc32: { hex: string; crc: number }[];
  firmware: { imageHex: string; sigKeyHex: string; keyCrc: number; fwcrc: number };
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/cups.json', import.meta.url), 'utf8'),
) as CupsVectors;

/** zlib.crc32 exists from Node 20.15 / 22.2; older runtimes fall back to the bitwise reference. */
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Bit-at-a-time reference straight from the definition (SPEC §3.3). */
function referenceCrc32(data: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32', () => {
  it('gives 2077607535 (0x7BD5C66F) for the empty credential set of 12 zero bytes', () => {
    expect(crc32(new Uint8Array(12))).toBe(2077607535);
    expect(crc32(new Uint8Array(12))).toBe(0x7bd5c66f);
  });

  it('gives 0x8BFEFA38 for the 29-byte token blob of SPEC §3.3', () => {
    const blob = hexToBytes('300302010100000000417574686f72697a6174696f6e3a206162630d0a');
    expect(blob).toHaveLength(29);
    expect(crc32(blob)).toBe(0x8bfefa38);
  });

  it('matches every CRC vector of vectors/cups.json', () => {
    for (const v of vectors.crc32) expect(crc32(hexToBytes(v.hex))).toBe(v.crc);
    expect(crc32(hexToBytes(vectors.firmware.sigKeyHex))).toBe(vectors.firmware.keyCrc);
    expect(crc32(hexToBytes(vectors.firmware.imageHex))).toBe(vectors.firmware.fwcrc);
  });

  it('knows the classic check value and the empty input', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new Uint8Array(0), 1234)).toBe(1234);
  });

  it('returns an unsigned 32-bit integer', () => {
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    const high = crc32(hexToBytes('300302010100000000417574686f72697a6174696f6e3a206162630d0a'));
    expect(high).toBeGreaterThan(2 ** 31);
    expect(Number.isInteger(high) && high < 2 ** 32).toBe(true);
  });

  it('agrees with the bitwise reference and node:zlib on any input, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(40), (data, skip) => {
        const view = data.subarray(Math.min(skip, data.length));
        const want = referenceCrc32(view);
        expect(crc32(view)).toBe(want);
        if (zlibCrc32) expect(zlibCrc32(view)).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  it('continues from a seed: crc32(b, crc32(a)) equals crc32(a ‖ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        const whole = crc32(concatBytes(a, b));
        expect(crc32(b, crc32(a))).toBe(whole);
        expect(crc32Parts([a, b])).toBe(whole);
        if (zlibCrc32) expect(zlibCrc32(b, zlibCrc32(a))).toBe(whole);
      }),
    );
  });

  it('hashes 16 MiB in one call', () => {
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const t0 = performance.now();
    const c = crc32(big);
    const ms = performance.now() - t0;
    if (zlibCrc32) expect(c).toBe(zlibCrc32(big));
    console.log(`crc32 of 16 MiB: ${ms.toFixed(0)} ms`);
  });
});
