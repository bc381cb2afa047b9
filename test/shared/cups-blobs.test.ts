import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ascii, bytesToHex, concatBytes, hexToBytes } from '../../src-shared/bytes';
import { crc32 } from '../../src-shared/crc32';
import { DomainError } from '../../src-shared/errors';
import {
  EMPTY_CRED_CRC,
  MAX_AUTHORIZATION_LENGTH,
  certBlob,
  checkStationDer,
  credBlobCrc,
  normalizeAuthHeader,
  parseCredBlob,
  serverAuthBlob,
  tokenBlob,
} from '../../src-shared/cups-wire';

/** Real DER from openssl: a self-signed P-256 CA and a P-256 client cert + SEC1 key. */
let caDer: Uint8Array;
let certDer: Uint8Array;
let sec1Key: Uint8Array;
let pkcs8Key: Uint8Array;
let rsaPkcs1Key: Uint8Array;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'gwjs-blobs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    for (const name of ['ca', 'gw']) {
      ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
      ssl(
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        `/CN=${name}`,
        '-days',
        '2',
        '-outform',
        'DER',
        '-out',
        `${name}.der`,
      );
    }
    ssl('ec', '-in', 'gw.key', '-outform', 'DER', '-out', 'gw.sec1');
    caDer = new Uint8Array(readFileSync(join(dir, 'ca.der')));
    certDer = new Uint8Array(readFileSync(join(dir, 'gw.der')));
    sec1Key = new Uint8Array(readFileSync(join(dir, 'gw.sec1')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  pkcs8Key = new Uint8Array(ec.privateKey.export({ type: 'pkcs8', format: 'der' }));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  rsaPkcs1Key = new Uint8Array(rsa.privateKey.export({ type: 'pkcs1', format: 'der' }));
});

function catchDomain(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('credBlobCrc', () => {
  it('is 2077607535 for no credentials and crc32(blob) otherwise', () => {
    expect(EMPTY_CRED_CRC).toBe(crc32(new Uint8Array(12)));
    expect(credBlobCrc(undefined)).toBe(EMPTY_CRED_CRC);
    expect(credBlobCrc(null)).toBe(EMPTY_CRED_CRC);
    expect(credBlobCrc(new Uint8Array(0))).toBe(EMPTY_CRED_CRC);
    expect(credBlobCrc(hexToBytes('300302010100000000417574686f72697a6174696f6e3a206162630d0a'))).toBe(
      0x8bfefa38,
    );
  });
});

describe('tokenBlob', () => {
  it('builds trust ‖ 00000000 ‖ header CRLF, the vector of SPEC §3.3', () => {
    const blob = tokenBlob(hexToBytes('3003020101'), 'Authorization: abc');
    expect(bytesToHex(blob)).toBe('300302010100000000417574686f72697a6174696f6e3a206162630d0a');
    expect(crc32(blob)).toBe(0x8bfefa38);
    expect(tokenBlob(hexToBytes('3003020101'), 'Authorization: abc\r\n')).toEqual(blob);
  });

  it('is split by the station into trust, no cert and the token text', () => {
    const blob = tokenBlob(caDer, 'Authorization: Bearer 8u2tRbRVN57VOg0--7cEf4PV8aadaFbYevynlLE85cQ');
    const parts = parseCredBlob(blob);
    expect(parts.trust).toEqual(caDer);
    expect(parts.cert).toHaveLength(0);
    expect(parts.token).toBe('Authorization: Bearer 8u2tRbRVN57VOg0--7cEf4PV8aadaFbYevynlLE85cQ\r\n');
  });

  it('refuses a trust that is not one DER element', () => {
    expect(catchDomain(() => tokenBlob(ascii('-----BEGIN CERTIFICATE-----'), 'A: b')).message).toMatch(
      /^trust: is not DER/,
    );
    expect(catchDomain(() => tokenBlob(new Uint8Array(0), 'A: b')).message).toMatch(/^trust: is empty/);
    expect(() => tokenBlob(concatBytes(caDer, caDer), 'A: b')).toThrow(/exactly one DER element/);
  });
});

describe('serverAuthBlob', () => {
  it('builds trust ‖ 00000000 ‖ 00000000', () => {
    const blob = serverAuthBlob(caDer);
    expect(blob).toHaveLength(caDer.length + 8);
    expect(blob.subarray(caDer.length)).toEqual(new Uint8Array(8));
    expect(parseCredBlob(blob)).toEqual({ trust: caDer, cert: new Uint8Array(0), key: new Uint8Array(0) });
  });
});

describe('certBlob', () => {
  it('builds trust ‖ cert ‖ key from real DER with a SEC1 key', () => {
    expect(sec1Key[0]).toBe(0x30);
    expect(sec1Key[1]).toBe(0x77);
    const blob = certBlob(caDer, certDer, sec1Key);
    expect(blob).toEqual(concatBytes(caDer, certDer, sec1Key));
    expect(parseCredBlob(blob)).toEqual({ trust: caDer, cert: certDer, key: sec1Key });
  });

  it('accepts an RSA PKCS#1 key (30 82 form)', () => {
    expect(rsaPkcs1Key[1]).toBe(0x82);
    expect(parseCredBlob(certBlob(caDer, certDer, rsaPkcs1Key)).key).toEqual(rsaPkcs1Key);
  });

  it('refuses a PKCS#8 P-256 key, whose 30 81 length the station misreads', () => {
    expect(pkcs8Key[1]).toBe(0x81);
    const e = catchDomain(() => certBlob(caDer, certDer, pkcs8Key));
    expect(e.code).toBe('invalid_credential');
    expect(e.message).toMatch(/^key: .*SEC1/);
    expect(e.attributes).toMatchObject({ field: 'key' });
  });

  it('refuses PEM text or truncated DER for the cert', () => {
    expect(catchDomain(() => certBlob(caDer, ascii('-----BEGIN'), sec1Key)).message).toMatch(/^crt: /);
    expect(catchDomain(() => certBlob(caDer, certDer.subarray(0, 100), sec1Key)).message).toMatch(/^crt: /);
  });

  it('refuses a blob above 65535 bytes', () => {
    const big = concatBytes(hexToBytes('3082fffb'), new Uint8Array(0xfffb));
    const e = catchDomain(() => certBlob(caDer, big, sec1Key));
    expect(e.message).toMatch(/at most 65535/);
  });
});

describe('checkStationDer', () => {
  it.each([
    ['short form', '3003020101', true],
    ['82 form', '3082000400000000', true],
    ['81 form', '308103000000', false],
    ['83 form', '3083000003000000', false],
    ['a non-SEQUENCE', '0403010203', false],
    ['a length beyond the data', '300502', false],
    ['trailing bytes', '300100ff', false],
  ])('%s → %s', (_why, hex, ok) => {
    const run = () => checkStationDer(hexToBytes(hex), 'trust');
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(DomainError);
  });
});

describe('normalizeAuthHeader', () => {
  it('adds the missing trailing CRLF and keeps a present one', () => {
    expect(normalizeAuthHeader('Authorization: Bearer abc', 'cupsKey')).toBe('Authorization: Bearer abc\r\n');
    expect(normalizeAuthHeader('Authorization: abc\r\n', 'cupsKey')).toBe('Authorization: abc\r\n');
  });

  it('accepts several CRLF-ended header lines unchanged', () => {
    const h = 'Authorization: Bearer t\r\nX-Api_Key-2: v a l u e';
    expect(normalizeAuthHeader(h, 'lnsKey')).toBe(`${h}\r\n`);
  });

  it.each([
    ['bare LF', 'Authorization: a\nX: b', /bare CR or LF/],
    ['bare CR', 'Authorization: a\rX: b', /bare CR or LF/],
    ['LF-only ending', 'Authorization: a\n', /bare CR or LF/],
    ['empty line', 'Authorization: a\r\n\r\nX: b', /line 2 is empty/],
    ['double CRLF at end', 'Authorization: a\r\n\r\n', /line 2 is empty/],
    ['only CRLF', '\r\n', /is empty \(an empty line/],
    ['tab', 'Authorization:\tabc', /control character/],
    ['NUL', 'Authorization: a\u0000b', /control character/],
    ['DEL', 'Authorization: a\u007fb', /control character/],
    ['non-ASCII', 'Authorization: Bearer é', /non-ASCII/],
    ['no space after colon', 'Authorization:abc', /not a header line/],
    ['space before colon', 'Authorization : abc', /not a header line/],
    ['empty value', 'Authorization: ', /not a header line/],
    ['blank value', 'Authorization:    ', /not a header line/],
    ['bad name', 'Auth orization: abc', /not a header line/],
    ['no colon', 'Bearer abc', /not a header line/],
    ['leading 0 (read as DER by the station)', '0x: abc', /must not start with "0"/],
  ])('rejects %s, naming the field', (_name, input, msg) => {
    const e = catchDomain(() => normalizeAuthHeader(input, 'lnsKey'));
    expect(e.code).toBe('invalid_credential');
    expect(e.message).toMatch(/^lnsKey: /);
    expect(e.message).toMatch(msg);
  });

  it('rejects empty, non-string and over-long input without quoting the token', () => {
    expect(catchDomain(() => normalizeAuthHeader('', 'cupsKey')).message).toBe('cupsKey: is empty');
    expect(catchDomain(() => normalizeAuthHeader(undefined, 'cupsKey')).message).toMatch(
      /must be a string, got undefined/,
    );
    const long = `Authorization: Bearer ${'x'.repeat(MAX_AUTHORIZATION_LENGTH)}`;
    const e = catchDomain(() => normalizeAuthHeader(long, 'cupsKey'));
    expect(e.message).toMatch(/more than 4096/);
    expect(e.message).not.toContain('xxxx');
    const two = catchDomain(() =>
      normalizeAuthHeader('Authorization: Bearer ok\r\nBearer s3cr3t-token', 'cupsKey'),
    );
    expect(two.message).toMatch(/^cupsKey: line 2 is not a header line/);
    expect(two.message).not.toContain('s3cr3t');
  });

  it('leaves every valid single header line intact apart from the CRLF', () => {
    const name = fc.stringMatching(/^[A-Za-z1-9_-][A-Za-z0-9_-]{0,15}$/);
    const value = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}$/);
    fc.assert(
      fc.property(name, value, (n, v) => {
        const line = `${n}: ${v}`;
        expect(normalizeAuthHeader(line)).toBe(`${line}\r\n`);
        expect(parseCredBlob(tokenBlob(hexToBytes('3003020101'), line)).token).toBe(`${line}\r\n`);
      }),
    );
  });

  it('is the rule of setup and of the blob: accepted text always builds a blob, refused text never', () => {
    // header-like text with the characters that matter: CR, LF, tab, NUL, DEL, é, '0', ':', ' '
    const piece = fc.constantFrom(
      'A',
      'x',
      '0',
      '-',
      ':',
      ' ',
      ': ',
      '\r',
      '\n',
      '\r\n',
      '\t',
      '\u0000',
      '\u007f',
      'é',
    );
    const header = fc.array(piece, { maxLength: 24 }).map((p) => p.join(''));
    fc.assert(
      fc.property(header, (text) => {
        let accepted: string | undefined;
        try {
          accepted = normalizeAuthHeader(text, 'cupsKey');
        } catch {
          // refused at setup: the blob builder refuses it too
          expect(() => tokenBlob(hexToBytes('3003020101'), text)).toThrow(DomainError);
          return;
        }
        expect(normalizeAuthHeader(accepted, 'cupsKey')).toBe(accepted); // stored text is stable
        const blob = tokenBlob(hexToBytes('3003020101'), accepted);
        expect(parseCredBlob(blob).token).toBe(accepted);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseCredBlob', () => {
  it.each([
    ['no trust', '00000000000000000000000000'],
    ['a truncated trust', '30050201'],
    ['garbage after the trust', '3003020101ff'],
    ['a missing key marker', '300302010100000000'],
    ['a short absent-key marker', '30030201010000000000'],
    ['trailing bytes after a key', '3003020101' + '3003020101' + '3003020101' + 'ff'],
    ['a token after a cert', '3003020101' + '3003020101' + '41'],
  ])('rejects %s', (_why, hex) => {
    expect(() => parseCredBlob(hexToBytes(hex))).toThrow(/credential blob/);
  });
});
