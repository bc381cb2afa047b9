import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { DomainError } from '../../src-shared/errors';
import { hexToBytes } from '../../src-shared/bytes';
import {
  CROCKFORD_ALPHABET,
  constantTimeEqual,
  crockford32,
  formatPin,
  isCanonicalPin,
  normalizePin,
} from '../../src-shared/pin';

/** GMK → PIN vectors of SPEC §2 (also in shared/vectors/kdf.json, which another module owns). */
const PIN_VECTORS = [
  {
    gmk: 'd08b2147c0a27bbfd93494b3251a1eb203c6b6af80d3a6eeb033f0341b058f80',
    pin: '6CVHEQSA',
    display: '6CVH-EQSA',
  },
  {
    gmk: 'e4d0b53edcee2e2213ed483e1f4e800d0e7e7f62f0f20581cbb8be19fa0fd2a0',
    pin: 'S07VYTHR',
    display: 'S07V-YTHR',
  },
];

function catchError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

/** Reference: bit string, 5 bits at a time. */
function referenceCrockford(b: Uint8Array): string {
  const bits = [...b].map((x) => x.toString(2).padStart(8, '0')).join('');
  return bits
    .match(/.{5}/g)!
    .map((g) => CROCKFORD_ALPHABET[parseInt(g, 2)])
    .join('');
}

describe('crockford32', () => {
  it('derives the PINs of SPEC §2 from HMAC(GMK, "GWJS-PIN-v1")[0..5]', () => {
    for (const v of PIN_VECTORS) {
      const mac = createHmac('sha256', hexToBytes(v.gmk)).update('GWJS-PIN-v1').digest();
      const pin = crockford32(new Uint8Array(mac.subarray(0, 5)));
      expect(pin).toBe(v.pin);
      expect(formatPin(pin)).toBe(v.display);
    }
  });

  it('maps the extremes', () => {
    expect(crockford32(new Uint8Array(5))).toBe('00000000');
    expect(crockford32(new Uint8Array([255, 255, 255, 255, 255]))).toBe('ZZZZZZZZ');
    expect(crockford32(new Uint8Array([0, 0, 0, 0, 1]))).toBe('00000001');
    expect(crockford32(new Uint8Array([0x80, 0, 0, 0, 0]))).toBe('G0000000');
  });

  it('agrees with a bitwise reference and always yields a canonical PIN', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (b) => {
        const pin = crockford32(b);
        expect(pin).toBe(referenceCrockford(b));
        expect(isCanonicalPin(pin)).toBe(true);
        expect(normalizePin(formatPin(pin))).toBe(pin);
      }),
    );
  });

  it.each([0, 4, 6])('rejects %i bytes', (n) => {
    expect(() => crockford32(new Uint8Array(n))).toThrow(RangeError);
  });
});

describe('formatPin', () => {
  it('prints XXXX-XXXX', () => {
    expect(formatPin('6CVHEQSA')).toBe('6CVH-EQSA');
  });

  it.each(['6cvheqsa', '6CVH-EQSA', '6CVHEQS', 'UCVHEQSA', '6CVHEQSAA'])(
    'rejects the non-canonical %j',
    (s) => {
      const e = catchError(() => formatPin(s));
      expect(e.code).toBe('bad_claim');
      expect(e.message).toBe(`pin: ${JSON.stringify(s)} is not a canonical 8-symbol PIN`);
    },
  );
});

describe('normalizePin', () => {
  it.each([
    ['6CVH-EQSA', '6CVHEQSA'],
    ['6cvh-eqsa', '6CVHEQSA'],
    ['6cvh eqsa', '6CVHEQSA'],
    ['  6C VH-EQ SA\t', '6CVHEQSA'],
    ['6-C-V-H-E-Q-S-A', '6CVHEQSA'],
    ['SO7V-YTHR', 'S07VYTHR'],
    ['so7v-ythr', 'S07VYTHR'],
    ['IiLl-oO00', '11110000'],
    ['6CVH\u00a0EQSA', '6CVHEQSA'],
  ])('reads %j as %s', (input, want) => {
    expect(normalizePin(input)).toBe(want);
  });

  it.each([
    ['U', '6CVH-EQSU'],
    ['u', '6cvh-eqsu'],
    ['punctuation', '6CVH.EQSA'],
    ['underscore', '6CVH_EQSA'],
    ['non-ASCII', '6CVH-EQSÄ'],
    ['a fullwidth digit', '６CVH-EQSA'],
  ])('rejects %s with bad_claim naming the field and the character', (_why, input) => {
    const e = catchError(() => normalizePin(input, 'gateways[3].claim'));
    expect(e.code).toBe('bad_claim');
    expect(e.message).toMatch(/^gateways\[3\]\.claim: /);
    expect(e.message).not.toContain(input);
    expect(e.message).toMatch(/contains ".*", which is not used/);
    expect(e.attributes).toMatchObject({ field: 'gateways[3].claim' });
  });

  it.each(['', '----', '6CVH-EQS', '6CVH-EQSAA', '6CVHEQSA6CVHEQSA'])(
    'rejects the wrong length of %j',
    (input) => {
      const e = catchError(() => normalizePin(input));
      expect(e.code).toBe('bad_claim');
      expect(e.message).toMatch(/^claim: .*8/);
    },
  );

  it('rejects absurdly long input without echoing it', () => {
    const e = catchError(() => normalizePin('A'.repeat(10_000)));
    expect(e.code).toBe('bad_claim');
    expect(e.message.length).toBeLessThan(100);
  });

  it('rejects a non-string', () => {
    const e = catchError(() => normalizePin(12345678 as unknown as string));
    expect(e.code).toBe('bad_claim');
    expect(e.message).toMatch(/^claim: /);
  });
});

describe('constantTimeEqual', () => {
  it('tells equal from different strings', () => {
    expect(constantTimeEqual('6CVHEQSA', '6CVHEQSA')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('6CVHEQSA', '6CVHEQSB')).toBe(false);
    expect(constantTimeEqual('6CVHEQSA', '6CVHEQS')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual('a\u0000', 'a')).toBe(false);
    expect(constantTimeEqual('a', 'a\u0000')).toBe(false);
  });

  it('agrees with === on any pair', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });
});
