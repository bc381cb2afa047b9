import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ascii,
  base64ToBytes,
  base64UrlNoPad,
  base64UrlToBytes,
  bytesEqual,
  bytesToBase64,
  bytesToHex,
  concatBytes,
  hexToBytes,
  u32be,
  u32le,
  utf8,
} from '../../src-shared/bytes';

const nodeB64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('hexToBytes / bytesToHex', () => {
  it('decodes either case and encodes lowercase by default, uppercase on request', () => {
    expect([...hexToBytes('00ffAb10')]).toEqual([0, 255, 0xab, 0x10]);
    expect(bytesToHex(new Uint8Array([0, 255, 0xab, 0x10]))).toBe('00ffab10');
    expect(bytesToHex(new Uint8Array([0, 255, 0xab, 0x10]), true)).toBe('00FFAB10');
    expect(hexToBytes('')).toEqual(new Uint8Array(0));
  });

  it.each(['0', 'abc', '0x00', '00 ', ' 00', 'g0', '0g', 'zz', '00-11', 'é0'])('rejects %j', (s) => {
    expect(() => hexToBytes(s)).toThrow(Error);
  });

  it('round-trips any bytes and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const h = bytesToHex(b);
        expect(h).toBe(Buffer.from(b).toString('hex'));
        expect(bytesEqual(hexToBytes(h), b)).toBe(true);
        expect(bytesEqual(hexToBytes(h.toUpperCase()), b)).toBe(true);
      }),
    );
  });
});

describe('base64ToBytes / bytesToBase64', () => {
  it('knows the RFC 4648 §10 vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, b64] of vectors) {
      expect(bytesToBase64(utf8(plain))).toBe(b64);
      expect(new TextDecoder().decode(base64ToBytes(b64))).toBe(plain);
    }
  });

  it('accepts unpadded input', () => {
    expect([...base64ToBytes('Zg')]).toEqual([0x66]);
    expect([...base64ToBytes('Zm8')]).toEqual([0x66, 0x6f]);
  });

  it.each([
    ['a length of 1 mod 4', 'Zm9vY'],
    ['padding with a bad length', 'Zg='],
    ['padding with a bad length (3 =)', 'Z==='],
    ['too much padding', 'Zm9vYmFy===='],
    ['padding in the middle', 'Zg==Zg=='],
    ['whitespace', 'Zm9v\n'],
    ['a leading space', ' Zm9v'],
    ['URL-safe characters', 'ab-_'],
    ['non-ASCII', 'Zm9é'],
    ['non-zero trailing bits', 'Zh=='],
    ['non-zero trailing bits (2 bytes)', 'Zm9='],
    ['a lone =', '='],
    ['only padding', '===='],
  ])('rejects %s', (_why, s) => {
    expect(() => base64ToBytes(s)).toThrow(Error);
  });

  it('round-trips any bytes and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const s = bytesToBase64(b);
        expect(s).toBe(nodeB64(b));
        expect(bytesEqual(base64ToBytes(s), b)).toBe(true);
        expect(bytesEqual(base64ToBytes(s.replace(/=+$/, '')), b)).toBe(true);
      }),
    );
  });
});

describe('base64UrlNoPad / base64UrlToBytes', () => {
  it('uses - and _ and no padding, like Buffer base64url', () => {
    expect(base64UrlNoPad(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const s = base64UrlNoPad(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(bytesEqual(base64UrlToBytes(s), b)).toBe(true);
      }),
    );
  });

  it('rejects the standard alphabet characters + and /', () => {
    expect(() => base64UrlToBytes('ab+/')).toThrow(/invalid character/);
  });

  it('encodes a 32-byte MAC as 43 characters (SPEC §2 token length)', () => {
    expect(base64UrlNoPad(new Uint8Array(32))).toHaveLength(43);
  });
});

describe('concatBytes', () => {
  it('joins parts in order into a new array', () => {
    const a = new Uint8Array([1, 2]);
    const out = concatBytes(a, new Uint8Array(0), new Uint8Array([3]));
    expect([...out]).toEqual([1, 2, 3]);
    out[0] = 9;
    expect(a[0]).toBe(1);
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });
});

describe('u32be / u32le', () => {
  it('writes 4 bytes in the stated order', () => {
    expect([...u32be(0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...u32le(0x01020304)]).toEqual([4, 3, 2, 1]);
    expect([...u32be(0xffffffff)]).toEqual([255, 255, 255, 255]);
    expect([...u32be(0)]).toEqual([0, 0, 0, 0]);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])('rejects %s', (n) => {
    expect(() => u32be(n)).toThrow(RangeError);
    expect(() => u32le(n)).toThrow(RangeError);
  });
});

describe('utf8 / ascii', () => {
  it('encodes UTF-8', () => {
    expect([...utf8('é')]).toEqual([0xc3, 0xa9]);
  });

  it('encodes ASCII and rejects anything above U+007F', () => {
    expect([...ascii('GWJS-KCV-v1')]).toEqual([...utf8('GWJS-KCV-v1')]);
    expect(() => ascii('café')).toThrow(/non-ASCII/);
  });
});
