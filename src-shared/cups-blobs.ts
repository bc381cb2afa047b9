/**
 * CUPS credential blobs (SPEC §3.3): `trust ‖ cert ‖ key`, DER only, exactly as the station's
 * `sys_credComplete` (sys.c) splits them, and their CRC. Every builder validates what the station
 * would silently drop — a blob it drops keeps its old CRC and the server would resend it forever.
 * Re-exported by `cups-wire.ts`; import from there.
 */

import { ascii, concatBytes } from './bytes';
import { crc32 } from './crc32';
import { DomainError } from './errors';

/** CRC-32 of the empty credential set, 12 zero bytes: 0x7BD5C66F (SPEC §3.3). */
export const EMPTY_CRED_CRC = 2077607535;

/** Largest credential segment the response format carries (u16 length, SPEC §3.2). */
export const MAX_CRED_BYTES = 0xffff;

const ZERO4 = new Uint8Array(4);

/** CRC the station reports for a credential set: crc32 of the blob, or of 12 zero bytes when none. */
export function credBlobCrc(blob: Uint8Array | null | undefined): number {
  return blob === null || blob === undefined || blob.length === 0 ? EMPTY_CRED_CRC : crc32(blob);
}

/**
 * Length of the DER element at `offset` as the station reads it (`asn1_seqlen`): a short form, or
 * any long form taken as two length bytes. Only short and `82 HH LL` forms are read correctly.
 */
function stationSeqLen(b: Uint8Array, offset: number): number {
  const l = b[offset + 1] ?? 0;
  if (l & 0x80) return (((b[offset + 2] ?? 0) << 8) | (b[offset + 3] ?? 0)) + 4;
  return l + 2;
}

/** Length of the DER element at `offset` by the real rules, or -1 when malformed/truncated. */
function derLen(b: Uint8Array, offset: number): number {
  const l = b[offset + 1];
  if (l === undefined) return -1;
  if (l < 0x80) return l + 2;
  const n = l & 0x7f;
  if (n === 0 || n > 3 || offset + 2 + n > b.length) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[offset + 2 + i]!;
  return len + 2 + n;
}

/**
 * Checks that `der` is exactly one DER SEQUENCE whose length the station reads correctly: short
 * form or `30 82 HH LL`. A PKCS#8 P-256 key (`30 81 87 …`) fails here — convert it to SEC1.
 * @throws DomainError('invalid_credential', `${field}: …`, {field}).
 */
export function checkStationDer(der: Uint8Array, field: string): void {
  const fail = (why: string) => {
    throw new DomainError('invalid_credential', `${field}: ${why}`, { field });
  };
  if (der.length === 0) fail('is empty');
  if (der[0] !== 0x30)
    fail(`is not DER (first byte 0x${der[0]!.toString(16).padStart(2, '0')}, expected 0x30)`);
  const real = derLen(der, 0);
  if (real !== der.length) fail(`is not exactly one DER element (${der.length} bytes, element says ${real})`);
  if (stationSeqLen(der, 0) !== real) {
    fail(
      `uses a DER length form the station misreads (30 ${der[1]!.toString(16)} …); ` +
        'EC keys must be SEC1 (30 77 …), not PKCS#8',
    );
  }
}

/** Longest Authorization header text (bytes incl. CRLFs); the station's CUPS request buffer is 8 KB. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

const HEADER_LINE = /^[A-Za-z0-9_-]+: [\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/;

/**
 * The one rule for the header text a token-mode station sends verbatim in its HTTP request (SPEC
 * §3.3) — used by setup validation and by every blob builder, so a header accepted at setup never
 * fails when CUPS answers. One or more `Name: value` lines (name `[A-Za-z0-9_-]+`, colon and space,
 * printable ASCII value that is not blank), each ending CRLF; a missing final CRLF is added, nothing
 * else is changed. Rejected: bare CR or LF (the station would split its request there), empty lines
 * (one ends the HTTP headers), control and non-ASCII characters, a first byte `0` (the station
 * would read 0x30 as a DER key) and text longer than {@link MAX_AUTHORIZATION_LENGTH}.
 * Messages never quote the text (it holds a secret).
 * @returns the normalized header text, e.g. `"Authorization: Bearer abc\r\n"`.
 * @throws DomainError('invalid_credential', `${field}: …`, {field}).
 */
export function normalizeAuthHeader(input: unknown, field = 'key'): string {
  const fail = (why: string): never => {
    throw new DomainError('invalid_credential', `${field}: ${why}`, { field });
  };
  if (typeof input !== 'string') {
    return fail(
      `must be a string, got ${input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input}`,
    );
  }
  if (input.length === 0) fail('is empty');
  const text = input.endsWith('\r\n') ? input : `${input}\r\n`;
  if (text.length > MAX_AUTHORIZATION_LENGTH) {
    fail(`is ${text.length} characters, more than ${MAX_AUTHORIZATION_LENGTH}`);
  }
  const lines = text.slice(0, -2).split('\r\n');
  lines.forEach((line, i) => {
    const where = lines.length > 1 ? `line ${i + 1} ` : '';
    if (line.length === 0) fail(`${where}is empty (an empty line ends the HTTP headers)`);
    for (let j = 0; j < line.length; j++) {
      const c = line.charCodeAt(j);
      if (c === 0x0a || c === 0x0d) fail(`${where}contains a bare CR or LF; end each line with CRLF`);
      if (c < 0x20 || c === 0x7f) fail(`${where}contains a control character at position ${j}`);
      if (c > 0x7e) fail(`${where}contains a non-ASCII character at position ${j}`);
    }
    if (!HEADER_LINE.test(line)) {
      fail(`${where}is not a header line "Name: value" (name [A-Za-z0-9_-]+, then colon and space)`);
    }
  });
  if (text.startsWith('0')) {
    fail('must not start with "0": the station would read the byte 0x30 as a DER key');
  }
  return text;
}

function checkTotal(blob: Uint8Array, field: string): Uint8Array {
  if (blob.length > MAX_CRED_BYTES) {
    throw new DomainError(
      'invalid_credential',
      `${field}: credential blob is ${blob.length} bytes, CUPS carries at most ${MAX_CRED_BYTES}`,
      { field },
    );
  }
  return blob;
}

/** Server authentication only: `trust ‖ 00000000 ‖ 00000000` (SPEC §3.3). @throws DomainError. */
export function serverAuthBlob(trustDer: Uint8Array): Uint8Array {
  checkStationDer(trustDer, 'trust');
  return checkTotal(concatBytes(trustDer, ZERO4, ZERO4), 'trust');
}

/**
 * Token authentication: `trust ‖ 00000000 ‖ header text` (SPEC §3.3); the text is normalized by
 * {@link normalizeAuthHeader} (CRLF added when missing) and runs to the end of the blob.
 * @throws DomainError('invalid_credential').
 */
export function tokenBlob(trustDer: Uint8Array, headerText: string): Uint8Array {
  checkStationDer(trustDer, 'trust');
  const text = ascii(normalizeAuthHeader(headerText, 'key'));
  return checkTotal(concatBytes(trustDer, ZERO4, text), 'key');
}

/**
 * TLS client certificate authentication: `trust ‖ cert ‖ key`, each one DER element (key SEC1 or
 * PKCS#1, SPEC §3.3). Whether cert and key match is checked by the caller with a crypto library.
 * @throws DomainError('invalid_credential').
 */
export function certBlob(trustDer: Uint8Array, certDer: Uint8Array, keyDer: Uint8Array): Uint8Array {
  checkStationDer(trustDer, 'trust');
  checkStationDer(certDer, 'crt');
  checkStationDer(keyDer, 'key');
  return checkTotal(concatBytes(trustDer, certDer, keyDer), 'crt');
}

/** The parts of a credential blob (views into it); `cert`/`key` empty when absent, `token` set in token mode. */
export interface CredBlobParts {
  trust: Uint8Array;
  cert: Uint8Array;
  key: Uint8Array;
  token?: string;
}

/**
 * Splits a blob the way the station does (`sys_credComplete`): trust SEQUENCE, then a cert
 * SEQUENCE or 4 zero bytes, then a key SEQUENCE, a zero byte (no key) or token text to the end.
 * Stricter than the station: trailing bytes after a key, or parts it would misread, are errors.
 * @throws Error describing why the station would reject (or misread) the blob.
 */
export function parseCredBlob(blob: Uint8Array): CredBlobParts {
  const sub = (from: number, len: number) => blob.subarray(from, from + len);
  const element = (at: number, what: string): Uint8Array => {
    const len = stationSeqLen(blob, at);
    if (at + len > blob.length || derLen(blob, at) !== len)
      throw new Error(`credential blob: bad ${what} DER`);
    return sub(at, len);
  };
  if (blob[0] !== 0x30) throw new Error('credential blob: trust must come first (0x30)');
  const trust = element(0, 'trust');
  let at = trust.length;
  let cert: Uint8Array = new Uint8Array(0);
  if (blob[at] === 0x30) {
    cert = element(at, 'cert');
    at += cert.length;
  } else if (
    blob.length >= at + 4 &&
    blob[at] === 0 &&
    blob[at + 1] === 0 &&
    blob[at + 2] === 0 &&
    blob[at + 3] === 0
  ) {
    at += 4;
  } else {
    throw new Error('credential blob: expected a cert SEQUENCE or 00000000 after the trust');
  }
  let key: Uint8Array = new Uint8Array(0);
  let token: string | undefined;
  if (blob[at] === 0x30) {
    key = element(at, 'key');
    at += key.length;
  } else if (blob[at] === 0) {
    if (blob.length !== at + 4 || blob.some((x, i) => i >= at && x !== 0)) {
      throw new Error('credential blob: expected 00000000 as the absent key');
    }
    at += 4;
  } else if (at < blob.length && cert.length === 0) {
    key = sub(at, blob.length - at);
    token = '';
    for (const c of key) token += String.fromCharCode(c);
    at = blob.length;
  } else {
    throw new Error('credential blob: missing key');
  }
  if (at !== blob.length) throw new Error(`credential blob: ${blob.length - at} trailing bytes`);
  return token === undefined ? { trust, cert, key } : { trust, cert, key, token };
}
