import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { DomainError } from '../../src-shared/errors';
import {
  MAX_ID,
  euiFromHex,
  euiHex,
  formatEui64,
  formatId6,
  idFromBytes,
  idToBytes,
  isLocallyAdministered,
  macFromEui,
  parseId,
  parseIdField,
  stationReportedId,
} from '../../src-shared/ids';

interface IdVectors {
  valid: [string, string, string][];
  invalid: string[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/ids.json', import.meta.url), 'utf8'),
) as IdVectors;

const u64 = fc.bigInt({ min: 0n, max: MAX_ID });

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('parseId', () => {
  it.each(vectors.valid)('parses %j as EUI %s, canonical %s (SPEC §1.3)', (input, eui, id6) => {
    const { id, fromMac } = parseId(input);
    expect(euiHex(id)).toBe(eui);
    expect(formatId6(id)).toBe(id6);
    expect(fromMac).toBe(input === '00:00:00:00:0a:bc');
  });

  it('converts a MAC-48 by inserting FF FE without a bit flip', () => {
    expect(formatEui64(parseId('b8:27:eb:12:34:56').id)).toBe('B8-27-EB-FF-FE-12-34-56');
    expect(parseId('B8-27-EB-12-34-56')).toEqual({ id: 0xb827ebfffe123456n, fromMac: true });
  });

  it('accepts 16 plain hex digits in any case', () => {
    expect(parseId('58a0CBfffe800102')).toEqual({ id: 0x58a0cbfffe800102n, fromMac: false });
  });

  it('accepts ID6 forms the canonical output never uses', () => {
    expect(parseId('1::2:3').id).toBe(0x0001_0000_0002_0003n);
    expect(parseId('::1:2:3').id).toBe(0x0000_0001_0002_0003n);
    expect(parseId('1:2:3::').id).toBe(0x0001_0002_0003_0000n);
    expect(parseId('0:0:0:0').id).toBe(0n);
    expect(parseId('0:1::').id).toBe(0x0000_0001_0000_0000n);
    expect(parseId('FFFF:ffff:FfFf:fFfF').id).toBe(MAX_ID);
  });

  const rejected = [
    ...vectors.invalid,
    // every rejection named in SPEC §1.2
    '::',
    '0x123',
    '0x0000000000000001',
    '12345',
    '18446744073709551615',
    '1:2:3',
    '1:2:3:4:5',
    '1:::2',
    '::1::',
    '01-02-03-04-05-06-07',
    '01:02:03:04:05:06:07',
    '::1 ',
    ' ::1',
    '0000000000000001 ',
    '00-00-00-FF-FE-00-0A-BC ',
    '00-00-00:FF:FE:00:0A:BC',
    '00:00-00:00:0a:bc',
    // further malformed shapes
    '',
    ':',
    ':::',
    '1:2:3:4::',
    '::1:2:3:4',
    '1::2::3',
    ':1:2:3',
    '1:2:3:',
    '1:2:3:4:',
    '12345::',
    '1:2:3:g',
    '+1::',
    '-1::',
    '000000000000000',
    '00000000000000000',
    '01-02-03-04-05-06-07-08-09',
    '001-02-03-04-05-06-07-08',
    '0-02-03-04-05-06-07-08',
    '01-02-03-04-05',
    '00:00:00:00:0a:bc:',
    '0102030405060708'.replace('8', 'g'),
    '１::',
    '1::\n',
    '1::\u0000',
    'a'.repeat(1000),
  ];

  it.each(rejected)('rejects %j with invalid_id quoting the input', (input) => {
    const e = catchError(() => parseId(input));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('invalid_id');
    const shown = input.length > 64 ? input.slice(0, 64) : input;
    expect((e as DomainError).message).toContain(JSON.stringify(shown).slice(0, -1));
  });

  it('says what it expected', () => {
    expect(() => parseId('1:::2')).toThrow('"1:::2" is not a valid ID6, EUI-64 or MAC');
  });
});

describe('parseIdField', () => {
  it('returns the id of a valid string', () => {
    expect(parseIdField('1::2', 'gateway')).toBe(0x0001_0000_0000_0002n);
  });

  it('starts the message with the field name and quotes the input', () => {
    const e = catchError(() => parseIdField('1:::2', 'gateway')) as DomainError;
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe('invalid_id');
    expect(e.message).toBe('gateway: "1:::2" is not a valid ID6, EUI-64 or MAC');
    expect(e.attributes).toMatchObject({ field: 'gateway', input: '1:::2' });
  });

  it.each([
    [1, 'number'],
    [1n, 'bigint'],
    [null, 'null'],
    [undefined, 'undefined'],
    [['::1'], 'array'],
    [{ id: '::1' }, 'object'],
    [true, 'boolean'],
  ])('rejects the non-string %s', (input, got) => {
    const e = catchError(() => parseIdField(input, 'ownerid')) as DomainError;
    expect(e.code).toBe('invalid_id');
    expect(e.message).toMatch(/^ownerid: /);
    expect(e.message).toContain(got);
    expect(e.attributes).toMatchObject({ field: 'ownerid' });
  });
});

describe('formatId6', () => {
  it('applies the rules of SPEC §1.1 in order, never the IPv6 rule', () => {
    const cases: [bigint, string][] = [
      [0n, '::0'],
      [1n, '::1'],
      [0x0000_0000_0001_0000n, '::1:0'],
      [0x0000_0000_0001_0002n, '::1:2'],
      [0x0001_0000_0000_0000n, '1::'],
      [0x0000_0001_0000_0000n, '0:1::'],
      [0x0001_0002_0000_0000n, '1:2::'],
      [0x0001_0000_0000_0002n, '1::2'],
      [0x0000_0001_0000_0001n, '0:1:0:1'],
      [0x0001_0000_0002_0000n, '1:0:2:0'],
      [0x0001_0000_0002_0003n, '1:0:2:3'],
      [0x0001_0002_0000_0003n, '1:2:0:3'],
      [0x0000_0001_0002_0003n, '0:1:2:3'],
      [0x0001_0002_0003_0000n, '1:2:3:0'],
      [0x0000_0000_0000_ffffn, '::ffff'],
      [0x0000_00ff_fe00_0abcn, '0:ff:fe00:abc'],
      [MAX_ID, 'ffff:ffff:ffff:ffff'],
    ];
    for (const [id, s] of cases) expect(formatId6(id)).toBe(s);
  });

  it.each([-1n, MAX_ID + 1n])('rejects %s as out of range', (id) => {
    expect(() => formatId6(id)).toThrow(RangeError);
  });
});

describe('round trips', () => {
  it('any u64 → formatId6 → parseId gives the same id', () => {
    fc.assert(
      fc.property(u64, (id) => {
        expect(parseId(formatId6(id))).toEqual({ id, fromMac: false });
      }),
    );
  });

  it('any u64 → formatEui64 (either separator) / euiHex → parseId gives the same id', () => {
    fc.assert(
      fc.property(u64, (id) => {
        expect(parseId(formatEui64(id)).id).toBe(id);
        expect(parseId(formatEui64(id, ':')).id).toBe(id);
        expect(parseId(euiHex(id)).id).toBe(id);
        expect(euiFromHex(euiHex(id))).toBe(id);
        expect(idFromBytes(idToBytes(id))).toBe(id);
      }),
    );
  });

  it('small and sparse ids round-trip too (zero groups are where the rules differ)', () => {
    const sparse = fc
      .tuple(...[0, 1, 2, 3].map(() => fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }))))
      .map((gs) => gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));
    fc.assert(
      fc.property(sparse, (id) => {
        const s = formatId6(id);
        expect(parseId(s).id).toBe(id);
        expect(s).toBe(s.toLowerCase());
        expect(s.split('::').length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });

  it('a MAC-48 round-trips through macFromEui', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (mac) => {
        const text = [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
        const { id, fromMac } = parseId(text);
        expect(fromMac).toBe(true);
        expect(macFromEui(id)).toBe(text.toUpperCase());
      }),
    );
  });
});

describe('formatEui64 / euiHex / euiFromHex', () => {
  it('prints uppercase with the chosen separator', () => {
    expect(formatEui64(0x58a0cbfffe800102n)).toBe('58-A0-CB-FF-FE-80-01-02');
    expect(formatEui64(0xabn, ':')).toBe('00:00:00:00:00:00:00:AB');
    expect(euiHex(0xabn)).toBe('00000000000000AB');
  });

  it.each([
    '',
    '0',
    '000000FFFE000AB',
    '000000FFFE000ABCD',
    '00-00-00-FF-FE-00-0A-BC',
    '::1',
    ' 000000FFFE000ABC',
  ])('euiFromHex rejects %j', (s) => {
    expect(() => euiFromHex(s)).toThrow(DomainError);
  });
});

describe('idToBytes / idFromBytes', () => {
  it('uses 8 bytes, big-endian', () => {
    expect([...idToBytes(0x000000fffe000abcn)]).toEqual([0, 0, 0, 0xff, 0xfe, 0, 0x0a, 0xbc]);
    expect(() => idFromBytes(new Uint8Array(7))).toThrow(RangeError);
    expect(() => idToBytes(MAX_ID + 1n)).toThrow(RangeError);
  });
});

describe('macFromEui', () => {
  it('returns the MAC when bytes 3–4 are FF FE', () => {
    expect(macFromEui(0xb827ebfffe123456n)).toBe('B8:27:EB:12:34:56');
    expect(macFromEui(0x000000fffe000abcn)).toBe('00:00:00:00:0A:BC');
  });

  it('returns undefined otherwise', () => {
    expect(macFromEui(0x58a0cbfffd800102n)).toBeUndefined();
    expect(macFromEui(0xfffe000000000000n)).toBeUndefined();
    expect(macFromEui(0n)).toBeUndefined();
  });
});

describe('isLocallyAdministered', () => {
  it('tests bit 0x02 of the first byte', () => {
    expect(isLocallyAdministered(0x02000000fffe0000n)).toBe(true);
    expect(isLocallyAdministered(0xdaa119fffe000001n)).toBe(true);
    expect(isLocallyAdministered(0xb827ebfffe123456n)).toBe(false);
    expect(isLocallyAdministered(0xfd00000000000000n)).toBe(false);
    expect(isLocallyAdministered(parseId('02:00:00:00:00:01').id)).toBe(true);
  });
});

describe('stationReportedId', () => {
  it('inserts FFFE when the top 16 bits are zero, as the station does without euiprefix ::0', () => {
    expect(formatEui64(stationReportedId(0x0000_b827_eb12_3456n))).toBe('B8-27-EB-FF-FE-12-34-56');
    expect(stationReportedId(0x58a0cbfffe800102n)).toBe(0x58a0cbfffe800102n);
    expect(formatId6(stationReportedId(1n))).toBe('0:ff:fe00:1');
  });
});
