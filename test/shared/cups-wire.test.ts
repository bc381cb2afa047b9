import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes, utf8 } from '../../src-shared/bytes';
import { crc32 } from '../../src-shared/crc32';
import { DomainError } from '../../src-shared/errors';
import {
  EMPTY_CRED_CRC,
  type UpdateInfoRequest,
  type UpdateInfoResponse,
  decodeUpdateInfoResponse,
  encodeUpdateInfoRequest,
  encodeUpdateInfoResponse,
  parseUpdateInfoBody,
  parseUpdateInfoRequest,
  tokenBlob,
} from '../../src-shared/cups-wire';

interface CupsVectors {
  crc32: { hex: string; crc: number }[];
  responses: { name: string; fields: { tcUri?: string; tcCred?: string }; hex: string }[];
  firmware: {
    imageHex: string;
    sigKeyHex: string;
    keyCrc: number;
    signatureDerHex: string;
    fwcrc: number;
    responseHex: string;
  };
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/cups.json', import.meta.url), 'utf8'),
) as CupsVectors;

const TOKEN_BLOB_HEX = '300302010100000000417574686f72697a6174696f6e3a206162630d0a';
const EXAMPLE_68 =
  '00 19 7773733a2f2f6c6e732e6578616d706c652e636f6d3a343433 0000 1d00 ' +
  '300302010100000000417574686f72697a6174696f6e3a206162630d0a 00000000 00000000';

function catchDomain(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('encodeUpdateInfoResponse', () => {
  it('answers "in sync" with exactly 14 zero bytes', () => {
    expect(encodeUpdateInfoResponse({})).toEqual(new Uint8Array(14));
    expect(encodeUpdateInfoResponse({ cupsUri: undefined, update: undefined })).toEqual(new Uint8Array(14));
  });

  it('produces the 68-byte example of SPEC §3.2 byte for byte', () => {
    const tcCred = tokenBlob(hexToBytes('3003020101'), 'Authorization: abc');
    expect(bytesToHex(tcCred)).toBe(TOKEN_BLOB_HEX);
    const bytes = encodeUpdateInfoResponse({ tcUri: 'wss://lns.example.com:443', tcCred });
    expect(bytes).toHaveLength(68);
    expect(bytesToHex(bytes)).toBe(EXAMPLE_68.replace(/ /g, ''));
  });

  it.each(vectors.responses.map((r) => [r.name, r] as const))('matches the vector "%s"', (_name, v) => {
    const fields: UpdateInfoResponse = {};
    if (v.fields.tcUri !== undefined) fields.tcUri = v.fields.tcUri;
    if (v.fields.tcCred !== undefined) fields.tcCred = hexToBytes(v.fields.tcCred);
    expect(bytesToHex(encodeUpdateInfoResponse(fields))).toBe(v.hex);
    expect(decodeUpdateInfoResponse(hexToBytes(v.hex))).toEqual(fields);
  });

  it('lays out a signed firmware update as in vectors/cups.json (sigLen = sig + 4, keyCRC, sig, updLen, update)', () => {
    const fw = vectors.firmware;
    const sig = hexToBytes(fw.signatureDerHex);
    const update = hexToBytes(fw.imageHex);
    const bytes = encodeUpdateInfoResponse({ signature: { keyCrc: fw.keyCrc, sig }, update });
    expect(bytesToHex(bytes)).toBe(fw.responseHex);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(6, true)).toBe(sig.length + 4);
    expect(view.getUint32(10, true)).toBe(fw.keyCrc);
    expect(bytes.subarray(14, 14 + sig.length)).toEqual(sig);
    expect(view.getUint32(14 + sig.length, true)).toBe(update.length);
    expect(bytes.subarray(18 + sig.length)).toEqual(update);
  });

  it('carries a signature that verifies with the vector key (ECDSA P-256 over SHA-512, SPEC §3.4)', () => {
    const fw = vectors.firmware;
    const raw = hexToBytes(fw.sigKeyHex);
    expect(raw).toHaveLength(64);
    expect(crc32(raw)).toBe(fw.keyCrc);
    expect(crc32(hexToBytes(fw.imageHex))).toBe(fw.fwcrc);
    const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(0, 32)), y: b64url(raw.subarray(32)) },
      format: 'jwk',
    });
    const decoded = decodeUpdateInfoResponse(hexToBytes(fw.responseHex));
    expect(decoded.signature?.keyCrc).toBe(fw.keyCrc);
    expect(verify('sha512', decoded.update!, key, decoded.signature!.sig)).toBe(true);
    const tampered = decoded.update!.slice();
    tampered[0] = tampered[0]! ^ 1;
    expect(verify('sha512', tampered, key, decoded.signature!.sig)).toBe(false);
  });

  it('sends an update without a signature with sigLen 0 and no keyCRC', () => {
    const bytes = encodeUpdateInfoResponse({ update: new Uint8Array([0xaa]) });
    expect(bytesToHex(bytes)).toBe('0000000000000000000001000000aa');
  });

  it('writes u16/u32 lengths little-endian', () => {
    const cupsCred = new Uint8Array(0x0102).fill(7);
    const bytes = encodeUpdateInfoResponse({ cupsUri: 'https://a:1', cupsCred });
    expect(bytes[0]).toBe(11);
    expect([bytes[1 + 11 + 1], bytes[1 + 11 + 2]]).toEqual([0x02, 0x01]);
    expect(bytes).toHaveLength(1 + 11 + 1 + 2 + 0x102 + 2 + 4 + 4);
  });

  it.each<[string, UpdateInfoResponse, RegExp]>([
    ['an empty URI', { cupsUri: '' }, /cupsUri: length 0/],
    ['a 128-char URI', { tcUri: `wss://${'a'.repeat(120)}:1` }, /tcUri: length 128/],
    ['a non-ASCII URI', { tcUri: 'wss://é:1' }, /ASCII/],
    ['a NUL in a URI', { cupsUri: 'https://a\u0000:1' }, /NUL/],
    ['an empty credential', { tcCred: new Uint8Array(0) }, /tcCred: length 0/],
    ['a 65536-byte credential', { cupsCred: new Uint8Array(65536) }, /cupsCred: length 65536/],
    ['an empty update', { update: new Uint8Array(0) }, /update: empty/],
    [
      'an empty signature',
      { signature: { keyCrc: 1, sig: new Uint8Array(0) }, update: utf8('x') },
      /signature/,
    ],
    [
      'a 129-byte signature',
      { signature: { keyCrc: 1, sig: new Uint8Array(129) }, update: utf8('x') },
      /129/,
    ],
    ['a bad keyCrc', { signature: { keyCrc: -1, sig: new Uint8Array(70) }, update: utf8('x') }, /keyCrc/],
    [
      'a signature without update',
      { signature: { keyCrc: 1, sig: new Uint8Array(70) } },
      /without an update/,
    ],
  ])('refuses %s', (_why, r, msg) => {
    expect(() => encodeUpdateInfoResponse(r)).toThrow(msg);
  });

  it('accepts the limits themselves: 127-char URIs, 65535-byte credentials, 128-byte signatures', () => {
    const r: UpdateInfoResponse = {
      cupsUri: `https://${'a'.repeat(115)}:443`,
      tcUri: `wss://${'b'.repeat(117)}:443`,
      cupsCred: new Uint8Array(65535).fill(1),
      tcCred: new Uint8Array(65535).fill(2),
      signature: { keyCrc: 0xffffffff, sig: new Uint8Array(128).fill(3) },
      update: new Uint8Array(5).fill(4),
    };
    expect(r.cupsUri).toHaveLength(127);
    expect(r.tcUri).toHaveLength(127);
    expect(decodeUpdateInfoResponse(encodeUpdateInfoResponse(r))).toEqual(r);
  });
});

const asciiUri = fc.string({
  minLength: 1,
  maxLength: 127,
  unit: fc.integer({ min: 1, max: 127 }).map((c) => String.fromCharCode(c)),
});
const responseArb: fc.Arbitrary<UpdateInfoResponse> = fc
  .record(
    {
      cupsUri: asciiUri,
      tcUri: asciiUri,
      cupsCred: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      tcCred: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      signature: fc.record({
        keyCrc: fc.integer({ min: 0, max: 0xffffffff }),
        sig: fc.uint8Array({ minLength: 1, maxLength: 128 }),
      }),
      update: fc.uint8Array({ minLength: 1, maxLength: 300 }),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    if (r.signature !== undefined && r.update === undefined) delete r.signature;
    return r;
  });

describe('decodeUpdateInfoResponse', () => {
  it('inverts the encoder for every combination of fields', () => {
    fc.assert(
      fc.property(responseArb, (r) => {
        expect(decodeUpdateInfoResponse(encodeUpdateInfoResponse(r))).toEqual(r);
      }),
      { numRuns: 400 },
    );
  });

  it('covers all 2^6 field combinations explicitly', () => {
    const all: Required<UpdateInfoResponse> = {
      cupsUri: 'https://c:1',
      tcUri: 'wss://t:2',
      cupsCred: utf8('cc'),
      tcCred: utf8('tcred'),
      signature: { keyCrc: 0x12345678, sig: new Uint8Array(71).fill(9) },
      update: utf8('#!/bin/sh\n'),
    };
    const keys = Object.keys(all) as (keyof UpdateInfoResponse)[];
    for (let mask = 0; mask < 64; mask++) {
      const r: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        if (mask & (1 << i)) r[k] = all[k];
      });
      if (r.signature !== undefined && r.update === undefined) {
        expect(() => encodeUpdateInfoResponse(r as UpdateInfoResponse)).toThrow(/without an update/);
        continue;
      }
      const bytes = encodeUpdateInfoResponse(r as UpdateInfoResponse);
      expect(decodeUpdateInfoResponse(bytes)).toEqual(r);
    }
  });

  it('rejects every truncation and any trailing byte', () => {
    fc.assert(
      fc.property(responseArb, fc.nat(), (r, cut) => {
        const bytes = encodeUpdateInfoResponse(r);
        const n = cut % bytes.length;
        expect(() => decodeUpdateInfoResponse(bytes.subarray(0, n))).toThrow(/truncated/);
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expect(() => decodeUpdateInfoResponse(longer)).toThrow(/trailing/);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts a signature without an update (legal on the wire)', () => {
    const hex = '000000000000' + '05000000' + '00000001' + 'aa' + '00000000';
    expect(decodeUpdateInfoResponse(hexToBytes(hex))).toEqual({
      signature: { keyCrc: 0x01000000, sig: new Uint8Array([0xaa]) },
    });
  });

  it.each([
    ['sigLen 4 (empty signature)', '00000000000004000000' + '00000000' + '00000000'],
    ['sigLen 1', '000000000000010000000000000000000000'],
    ['sigLen over 132', '00000000000085000000' + '00'.repeat(4 + 129) + '00000000'],
    ['a 128-char URI', '80' + '61'.repeat(128) + '00000000000000000000000000'],
    ['a NUL in a URI', '0100' + '00000000000000000000000000'],
    ['a non-ASCII URI', '01ff' + '00000000000000000000000000'],
  ])('rejects %s', (_why, hex) => {
    expect(() => decodeUpdateInfoResponse(hexToBytes(hex))).toThrow(Error);
  });

  it('returns copies, not views into the input', () => {
    const bytes = encodeUpdateInfoResponse({ update: utf8('abc') });
    const d = decodeUpdateInfoResponse(bytes);
    bytes[bytes.length - 1] = 0;
    expect(d.update).toEqual(utf8('abc'));
  });
});

const STATION_206 =
  '{"router":"ab16:cff1:f151:9835","cupsUri":"https://ABCDEFGHIJKLMN.cups.lorawan.us-west-2.amazonaws.com:443",' +
  '"tcUri":null,"cupsCredCrc":1514754260,"tcCredCrc":2077607535,"station":"2.0.6(corecell/std) 2022-10-15 09:32:27",' +
  '"model":"corecell","package":"2.0.4","keys":[]}';

describe('parseUpdateInfoBody', () => {
  it('reads a real 2.0.6 station request', () => {
    expect(parseUpdateInfoBody(utf8(STATION_206))).toEqual({
      router: 0xab16cff1f1519835n,
      cupsUri: 'https://ABCDEFGHIJKLMN.cups.lorawan.us-west-2.amazonaws.com:443',
      tcUri: null,
      cupsCredCrc: 1514754260,
      tcCredCrc: 2077607535,
      station: '2.0.6(corecell/std) 2022-10-15 09:32:27',
      model: 'corecell',
      package: '2.0.4',
      keys: [],
    });
  });

  it('reads a 2.0.0 request with "" for an absent URI and a signing key', () => {
    const body =
      '{\n  "router": "58a0:cbff:fe80:19",\n  "cupsUri": "https://mh.sm.tc:7000",\n  "tcUri": "",\n' +
      '  "cupsCredCrc": 1398343300,\n  "tcCredCrc": 0,\n  "station": "2.0.0(minihub/debug) 2018-12-06 09:30:35",\n' +
      '  "model": "minihub",\n  "package": "2.0.0",\n  "keys": [\n    392840017\n  ]\n}';
    const r = parseUpdateInfoBody(body);
    expect(r.router).toBe(0x58a0cbfffe800019n);
    expect(r.tcUri).toBeNull();
    expect(r.tcCredCrc).toBe(0);
    expect(r.keys).toEqual([392840017]);
  });

  it('reads a bootstrapping station (cups-boot: null URIs, empty-set CRCs)', () => {
    const r = parseUpdateInfoBody(
      `{"router":"::1","cupsUri":null,"tcUri":null,"cupsCredCrc":${EMPTY_CRED_CRC},"tcCredCrc":${EMPTY_CRED_CRC},` +
        '"station":"2.0.6","model":"linux","package":null,"keys":[]}',
    );
    expect(r).toMatchObject({ router: 1n, cupsUri: null, tcUri: null, package: null });
  });

  it('fills defaults for optional fields and ignores unknown ones', () => {
    expect(
      parseUpdateInfoBody('{"router":"1::","cupsCredCrc":0,"tcCredCrc":4294967295,"extra":[1]}'),
    ).toEqual({
      router: 0x0001000000000000n,
      cupsUri: null,
      tcUri: null,
      cupsCredCrc: 0,
      tcCredCrc: 4294967295,
      station: '',
      model: '',
      package: null,
      keys: [],
    });
  });

  it.each([
    ['', /not JSON/],
    ['{', /not JSON/],
    ['{"router":"::1",}', /not JSON/],
    ['router=::1', /not JSON/],
  ])('answers invalid_json for %j', (body, msg) => {
    const e = catchDomain(() => parseUpdateInfoBody(utf8(body)));
    expect(e.code).toBe('invalid_json');
    expect(e.message).toMatch(/^body: /);
    expect(e.message).toMatch(msg);
  });

  it('answers invalid_json for bytes that are not UTF-8', () => {
    const e = catchDomain(() => parseUpdateInfoBody(new Uint8Array([0x7b, 0xff, 0x7d])));
    expect(e.code).toBe('invalid_json');
  });

  it('answers body_too_large above 99 999 bytes', () => {
    expect(catchDomain(() => parseUpdateInfoBody(new Uint8Array(100_000))).code).toBe('body_too_large');
  });
});

describe('parseUpdateInfoRequest', () => {
  const good = JSON.parse(STATION_206) as Record<string, unknown>;
  const withField = (field: string, value: unknown) => ({ ...good, [field]: value });
  const without = (field: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== field));

  it.each<[string, unknown, string, string]>([
    ['a non-object body', [], 'body', 'invalid_request'],
    ['a null body', null, 'body', 'invalid_request'],
    ['a string body', '"x"', 'body', 'invalid_request'],
    ['a missing router', without('router'), 'router', 'invalid_request'],
    ['a numeric router', withField('router', 1), 'router', 'invalid_request'],
    ['an unparsable router', withField('router', '1:::2'), 'router', 'invalid_id'],
    ['a numeric cupsUri', withField('cupsUri', 5), 'cupsUri', 'invalid_request'],
    ['an object tcUri', withField('tcUri', {}), 'tcUri', 'invalid_request'],
    ['a missing cupsCredCrc', without('cupsCredCrc'), 'cupsCredCrc', 'invalid_request'],
    ['a missing tcCredCrc', without('tcCredCrc'), 'tcCredCrc', 'invalid_request'],
    ['a string CRC', withField('cupsCredCrc', '1514754260'), 'cupsCredCrc', 'invalid_request'],
    ['a negative CRC', withField('tcCredCrc', -1), 'tcCredCrc', 'invalid_request'],
    ['a CRC ≥ 2^32', withField('tcCredCrc', 4294967296), 'tcCredCrc', 'invalid_request'],
    ['a fractional CRC', withField('cupsCredCrc', 1.5), 'cupsCredCrc', 'invalid_request'],
    ['a null CRC', withField('cupsCredCrc', null), 'cupsCredCrc', 'invalid_request'],
    ['a numeric station', withField('station', 206), 'station', 'invalid_request'],
    ['an array model', withField('model', ['x']), 'model', 'invalid_request'],
    ['a numeric package', withField('package', 2), 'package', 'invalid_request'],
    ['a keys object', withField('keys', { 0: 1 }), 'keys', 'invalid_request'],
    ['a string key', withField('keys', [1, '2']), 'keys[1]', 'invalid_request'],
    ['a negative key', withField('keys', [-5]), 'keys[0]', 'invalid_request'],
    ['too many keys', withField('keys', new Array(1025).fill(1)), 'keys', 'invalid_request'],
    ['a huge station string', withField('station', 'x'.repeat(5000)), 'station', 'invalid_request'],
  ])('rejects %s naming the field', (_why, body, field, code) => {
    const e = catchDomain(() => parseUpdateInfoRequest(body));
    expect(e.code).toBe(code);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(e.attributes).toMatchObject({ field });
    expect(e.message.length).toBeLessThan(200);
  });

  it('accepts a router in any id form of SPEC §1.2', () => {
    expect(parseUpdateInfoRequest(withField('router', 'AB-16-CF-F1-F1-51-98-35')).router).toBe(
      0xab16cff1f1519835n,
    );
  });
});

describe('encodeUpdateInfoRequest', () => {
  it('writes the fields in the station order with the router as ID6', () => {
    const req = parseUpdateInfoBody(STATION_206);
    expect(encodeUpdateInfoRequest(req)).toBe(STATION_206);
  });

  it('round-trips through parseUpdateInfoBody', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    const text = fc.string({ minLength: 1, maxLength: 40 });
    const arb: fc.Arbitrary<UpdateInfoRequest> = fc.record({
      router: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
      cupsUri: fc.option(text, { nil: null }),
      tcUri: fc.option(text, { nil: null }),
      cupsCredCrc: u32,
      tcCredCrc: u32,
      station: fc.string({ maxLength: 40 }),
      model: fc.string({ maxLength: 40 }),
      package: fc.option(text, { nil: null }),
      keys: fc.array(u32, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(arb, (req) => {
        expect(parseUpdateInfoBody(utf8(encodeUpdateInfoRequest(req)))).toEqual(req);
      }),
    );
  });
});
