import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import QRCode from 'qrcode';
import { DomainError } from '../../src-shared/errors';
import { crockford32 } from '../../src-shared/pin';
import { encodeQrPayload, parseScannedCode } from '../../src-shared/qr-payload';

const u64 = fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn });
const pinArb = fc.uint8Array({ minLength: 5, maxLength: 5 }).map(crockford32);

describe('encodeQrPayload', () => {
  it('writes the example of SPEC §6', () => {
    expect(encodeQrPayload(0x000000fffe000abcn, '6CVHEQSA')).toBe('GWJS:1:000000FFFE000ABC:6CVHEQSA');
  });

  it('uses only the QR alphanumeric character set, so the QR encodes in alphanumeric mode', () => {
    fc.assert(
      fc.property(u64, pinArb, (id, pin) => {
        expect(encodeQrPayload(id, pin)).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
      }),
    );
    const qr = QRCode.create(encodeQrPayload(0x58a0cbfffe800102n, 'S07VYTHR'), { errorCorrectionLevel: 'M' });
    expect(qr.segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
  });

  it.each(['6cvheqsa', '6CVH-EQSA', '6CVHEQS', 'UCVHEQSA', ''])('refuses the non-canonical PIN %j', (pin) => {
    expect(() => encodeQrPayload(1n, pin)).toThrow(DomainError);
  });
});

describe('parseScannedCode', () => {
  it('reads back every payload it encodes', () => {
    fc.assert(
      fc.property(u64, pinArb, (id, pin) => {
        expect(parseScannedCode(encodeQrPayload(id, pin))).toEqual({ kind: 'gwjs', id, pin });
      }),
    );
  });

  it('tolerates scanner whitespace, lowercase and typed-PIN look-alikes', () => {
    expect(parseScannedCode(' gwjs:1:000000fffe000abc:6cvh-eqsa\r\n')).toEqual({
      kind: 'gwjs',
      id: 0x000000fffe000abcn,
      pin: '6CVHEQSA',
    });
    expect(parseScannedCode('GWJS:1:58A0CBFFFE800102:SO7VYTHR')).toMatchObject({ pin: 'S07VYTHR' });
  });

  it('recognizes a TTIGPRO1 code and explains it carries a TTN claim token', () => {
    const r = parseScannedCode('https://ttig.pro/c/58A0CBFFFE801234/aBc123XyZ');
    expect(r).toMatchObject({ kind: 'ttig', id: 0x58a0cbfffe801234n, token: 'aBc123XyZ' });
    if (r.kind !== 'ttig') throw new Error('unreachable');
    expect(r.explanation).toContain('58a0:cbff:fe80:1234');
    expect(r.explanation).toContain('58-A0-CB-FF-FE-80-12-34');
    expect(r.explanation).toMatch(/not a GWJS claim PIN/);
    expect(parseScannedCode('HTTPS://TTIG.PRO/C/58A0CBFFFE801234/ABC123\n')).toMatchObject({
      kind: 'ttig',
      token: 'ABC123',
    });
    expect(parseScannedCode('http://ttig.pro/c/58a0cbfffe801234/tok/')).toMatchObject({
      kind: 'ttig',
      token: 'tok',
    });
  });

  it.each<[string, string, RegExp]>([
    ['empty', '   ', /empty/],
    ['a newer GWJS format', 'GWJS:2:000000FFFE000ABC:6CVHEQSA', /format "2"; this station reads format 1/],
    ['a damaged GWJS code (short EUI)', 'GWJS:1:000000FFFE000AB:6CVHEQSA', /damaged/],
    ['a damaged GWJS code (bad PIN)', 'GWJS:1:000000FFFE000ABC:6CVHEQSU', /damaged/],
    ['a damaged GWJS code (extra field)', 'GWJS:1:000000FFFE000ABC:6CVHEQSA:X', /damaged/],
    ['a TTIG code with a short EUI', 'https://ttig.pro/c/58A0CBFFFE8012/abc', /link to "ttig.pro"/],
    ['a TTIG code without token', 'https://ttig.pro/c/58A0CBFFFE801234/', /link to "ttig.pro"/],
    [
      'a bare EUI (the Code 128 barcode)',
      '000000FFFE000ABC',
      /only a gateway identifier \(00-00-00-FF-FE-00-0A-BC\)/,
    ],
    ['a MAC', 'B8:27:EB:12:34:56', /only a gateway MAC \(B8-27-EB-FF-FE-12-34-56\)/],
    ['an end-device code', 'LW:D0:1122334455667788:AABBCCDDEEFF0011:AABB1122', /end-device/],
    ['another link', 'https://example.com/x?y=1', /link to "example.com"/],
    ['Wi-Fi credentials', 'WIFI:S:net;T:WPA;P:secret;;', /not a gateway claim code/],
  ])('explains %s', (_why, text, msg) => {
    const r = parseScannedCode(text);
    expect(r.kind).toBe('unknown');
    if (r.kind !== 'unknown') throw new Error('unreachable');
    expect(r.explanation).toMatch(msg);
  });

  it('keeps explanations short for huge input', () => {
    const r = parseScannedCode('x'.repeat(100_000));
    expect(r.kind === 'unknown' && r.explanation.length < 200).toBe(true);
  });
});
