/**
 * CUPS wire format (SPEC §3): the station's JSON `update-info` request and the binary answer.
 * Pure codec — deciding what to send is `core/cups`, HTTP is the route. Byte layout per §3.2,
 * credential blobs per §3.3 (builders in `cups-blobs.ts`, re-exported here).
 */

import { concatBytes, u32le } from './bytes';
import { DomainError } from './errors';
import { formatId6, parseIdField } from './ids';
import { MAX_URI_LENGTH } from './uri';

export {
  EMPTY_CRED_CRC,
  MAX_AUTHORIZATION_LENGTH,
  MAX_CRED_BYTES,
  certBlob,
  checkStationDer,
  credBlobCrc,
  normalizeAuthHeader,
  parseCredBlob,
  serverAuthBlob,
  tokenBlob,
} from './cups-blobs';

/** What a station reports in `POST /update-info` (SPEC §3.1), in the order it sends the fields. */
export interface UpdateInfoRequest {
  router: bigint;
  /** Content of its `cups.uri`; `null` when absent (also sent as `""` by some versions). */
  cupsUri: string | null;
  /** Content of its `tc.uri`; `null` when absent. */
  tcUri: string | null;
  cupsCredCrc: number;
  tcCredCrc: number;
  station: string;
  model: string;
  /** Content of version.txt; `null` when absent or empty. */
  package: string | null;
  /** CRC-32 of each `sig-N.key`. */
  keys: number[];
}

/** The binary answer (SPEC §3.2); an absent field means "no change". */
export interface UpdateInfoResponse {
  cupsUri?: string | undefined;
  tcUri?: string | undefined;
  cupsCred?: Uint8Array | undefined;
  tcCred?: Uint8Array | undefined;
  /** `keyCrc` = CRC-32 of the sig-N.key that verifies `sig` (DER ECDSA, ≤ 128 bytes). */
  signature?: { keyCrc: number; sig: Uint8Array } | undefined;
  update?: Uint8Array | undefined;
}

/** Largest request body the station can send (Content-Length padded to 5 digits, SPEC §3.1). */
export const MAX_UPDATE_INFO_BYTES = 99_999;
/** Longest firmware signature (SPEC §3.4). */
export const MAX_SIGNATURE_BYTES = 128;
/** Longest free-text field we keep from a request (`station`, `model`, `package`, URIs). */
const MAX_REPORTED_TEXT = 4096;
/** Most `keys` entries we accept. */
const MAX_REPORTED_KEYS = 1024;

const MAX_U32 = 0xffffffff;

// ---------------------------------------------------------------------------------------------
// Request

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A bad value for a message: short JSON for scalars, the kind for anything else. */
function show(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    const j = JSON.stringify(v);
    return j.length > 40 ? `${j.slice(0, 40)}…` : j;
  }
  return kindOf(v);
}

function bad(field: string, why: string): never {
  throw new DomainError('invalid_request', `${field}: ${why}`, { field });
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_U32;
}

function u32Field(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (v === undefined) bad(field, 'missing (an unsigned 32-bit CRC)');
  if (!isU32(v)) bad(field, `expected an unsigned 32-bit integer, got ${show(v)}`);
  return v;
}

/** A string or null; `""` and absence count as null (stations and test clients send both). */
function optionalText(body: Record<string, unknown>, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') bad(field, `expected a string or null, got ${kindOf(v)}`);
  if (v.length > MAX_REPORTED_TEXT) bad(field, `too long (${v.length} characters)`);
  return v;
}

/**
 * Validates a parsed `update-info` body (SPEC §3.1, §3.6). Required: `router` (any id form of
 * §1.2), `cupsCredCrc`, `tcCredCrc` — the decision depends on them. Tolerated for older or other
 * clients: `cupsUri`/`tcUri`/`package` absent or `""` → null; `station`/`model` absent or null →
 * `""`; `keys` absent or null → `[]`. Unknown fields are ignored.
 * @throws DomainError('invalid_request' | 'invalid_id', `<field>: …`, {field}).
 */
export function parseUpdateInfoRequest(body: unknown): UpdateInfoRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    bad('body', `expected a JSON object, got ${kindOf(body)}`);
  }
  const b = body as Record<string, unknown>;
  if (b.router === undefined) bad('router', 'missing');
  if (typeof b.router !== 'string') bad('router', `expected an ID6 string, got ${kindOf(b.router)}`);
  const router = parseIdField(b.router, 'router');
  const cupsUri = optionalText(b, 'cupsUri');
  const tcUri = optionalText(b, 'tcUri');
  const cupsCredCrc = u32Field(b, 'cupsCredCrc');
  const tcCredCrc = u32Field(b, 'tcCredCrc');
  const station = optionalText(b, 'station') ?? '';
  const model = optionalText(b, 'model') ?? '';
  const pkg = optionalText(b, 'package');
  let keys: number[] = [];
  if (b.keys !== undefined && b.keys !== null) {
    if (!Array.isArray(b.keys)) bad('keys', `expected an array of CRCs, got ${kindOf(b.keys)}`);
    if (b.keys.length > MAX_REPORTED_KEYS) bad('keys', `too many entries (${b.keys.length})`);
    keys = b.keys.map((k: unknown, i: number) =>
      isU32(k) ? k : bad(`keys[${i}]`, `expected an unsigned 32-bit integer, got ${show(k)}`),
    );
  }
  return { router, cupsUri, tcUri, cupsCredCrc, tcCredCrc, station, model, package: pkg, keys };
}

/** One decoder for every body: a non-streaming `decode` keeps no state between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes (UTF-8, fatal) and parses an `update-info` body, then validates it with
 * {@link parseUpdateInfoRequest}.
 * @throws DomainError('invalid_json') for a body that is not UTF-8 JSON; otherwise as the parser.
 */
export function parseUpdateInfoBody(raw: string | Uint8Array): UpdateInfoRequest {
  let text: string;
  if (typeof raw === 'string') {
    text = raw;
  } else {
    if (raw.length > MAX_UPDATE_INFO_BYTES) {
      throw new DomainError(
        'body_too_large',
        `body: ${raw.length} bytes, a station sends at most ${MAX_UPDATE_INFO_BYTES}`,
        {
          field: 'body',
        },
      );
    }
    try {
      text = UTF8.decode(raw);
    } catch {
      throw new DomainError('invalid_json', 'body: not valid UTF-8', { field: 'body' });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : 'parse error';
    throw new DomainError('invalid_json', `body: not JSON (${why})`, { field: 'body' });
  }
  return parseUpdateInfoRequest(parsed);
}

/** The JSON text a station would send for `req` (field order of SPEC §3.1); for test clients. */
export function encodeUpdateInfoRequest(req: UpdateInfoRequest): string {
  return JSON.stringify({
    router: formatId6(req.router),
    cupsUri: req.cupsUri,
    tcUri: req.tcUri,
    cupsCredCrc: req.cupsCredCrc,
    tcCredCrc: req.tcCredCrc,
    station: req.station,
    model: req.model,
    package: req.package,
    keys: req.keys,
  });
}

// ---------------------------------------------------------------------------------------------
// Response

function uriBytes(uri: string | undefined, field: string): Uint8Array {
  if (uri === undefined) return new Uint8Array(0);
  if (uri.length === 0 || uri.length > MAX_URI_LENGTH) {
    throw new Error(`${field}: length ${uri.length}, must be 1–${MAX_URI_LENGTH} (omit it for "no change")`);
  }
  const out = new Uint8Array(uri.length);
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c === 0 || c > 0x7f) throw new Error(`${field}: must be ASCII without NUL`);
    out[i] = c;
  }
  return out;
}

function credBytes(cred: Uint8Array | undefined, field: string): Uint8Array {
  if (cred === undefined) return new Uint8Array(0);
  if (cred.length === 0 || cred.length > 0xffff) {
    throw new Error(`${field}: length ${cred.length}, must be 1–65535 (omit it for "no change")`);
  }
  return cred;
}

const u8 = (n: number) => new Uint8Array([n]);
const u16le = (n: number) => new Uint8Array([n & 0xff, n >>> 8]);

/**
 * Encodes the answer of SPEC §3.2: `u8 cupsUriLen, cupsUri, u8 tcUriLen, tcUri, u16 cupsCredLen,
 * cupsCred, u16 tcCredLen, tcCred, u32 sigLen (= sig length + 4, 0 when none), [u32 keyCRC, sig],
 * u32 updLen, update`, all little-endian. Nothing set → 14 zero bytes.
 * @throws Error when a field breaks a station limit: URI empty, ≥ 128 chars, non-ASCII or with NUL;
 * credential empty or > 65535 bytes; signature empty or > 128 bytes, or without an update; keyCrc
 * not a u32; update empty.
 */
export function encodeUpdateInfoResponse(r: UpdateInfoResponse): Uint8Array {
  const cupsUri = uriBytes(r.cupsUri, 'cupsUri');
  const tcUri = uriBytes(r.tcUri, 'tcUri');
  const cupsCred = credBytes(r.cupsCred, 'cupsCred');
  const tcCred = credBytes(r.tcCred, 'tcCred');
  const parts = [u8(cupsUri.length), cupsUri, u8(tcUri.length), tcUri];
  parts.push(u16le(cupsCred.length), cupsCred, u16le(tcCred.length), tcCred);
  if (r.update !== undefined && r.update.length === 0)
    throw new Error('update: empty (omit it for "no update")');
  if (r.signature !== undefined) {
    const { keyCrc, sig } = r.signature;
    if (sig.length === 0 || sig.length > MAX_SIGNATURE_BYTES) {
      throw new Error(`signature: ${sig.length} bytes, must be 1–${MAX_SIGNATURE_BYTES}`);
    }
    if (!isU32(keyCrc)) throw new Error(`signature: keyCrc ${keyCrc} is not an unsigned 32-bit integer`);
    if (r.update === undefined) throw new Error('signature: sent without an update');
    parts.push(u32le(sig.length + 4), u32le(keyCrc), sig);
  } else {
    parts.push(u32le(0));
  }
  const update = r.update ?? new Uint8Array(0);
  parts.push(u32le(update.length), update);
  return concatBytes(...parts);
}

/**
 * Decodes an answer of SPEC §3.2 (for test stations). Strict: throws on truncation, trailing bytes
 * and anything {@link encodeUpdateInfoResponse} would refuse to produce, except a signature
 * without an update (legal on the wire). Returned byte arrays are copies.
 * @throws Error naming the offending field.
 */
export function decodeUpdateInfoResponse(bytes: Uint8Array): UpdateInfoResponse {
  let at = 0;
  const need = (n: number, field: string) => {
    if (at + n > bytes.length) {
      throw new Error(`${field}: truncated at byte ${at} (need ${n}, have ${bytes.length - at})`);
    }
  };
  const take = (n: number, field: string): Uint8Array => {
    need(n, field);
    const out = bytes.slice(at, at + n);
    at += n;
    return out;
  };
  const le = (n: 1 | 2 | 4, field: string): number => {
    need(n, field);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[at + i]!;
    at += n;
    return v;
  };
  const uri = (field: string): string | undefined => {
    const b = take(le(1, `${field}Len`), field);
    if (b.length === 0) return undefined;
    if (b.length > MAX_URI_LENGTH) throw new Error(`${field}: ${b.length} chars, the station takes < 128`);
    if (b.some((c) => c === 0 || c > 0x7f)) throw new Error(`${field}: not ASCII without NUL`);
    return String.fromCharCode(...b);
  };
  const out: UpdateInfoResponse = {};
  const cupsUri = uri('cupsUri');
  if (cupsUri !== undefined) out.cupsUri = cupsUri;
  const tcUri = uri('tcUri');
  if (tcUri !== undefined) out.tcUri = tcUri;
  const cupsCred = take(le(2, 'cupsCredLen'), 'cupsCred');
  if (cupsCred.length > 0) out.cupsCred = cupsCred;
  const tcCred = take(le(2, 'tcCredLen'), 'tcCred');
  if (tcCred.length > 0) out.tcCred = tcCred;
  const sigLen = le(4, 'sigLen');
  if (sigLen !== 0) {
    if (sigLen <= 4 || sigLen > MAX_SIGNATURE_BYTES + 4) {
      throw new Error(`sigLen: ${sigLen} is not 4 + a signature of 1–${MAX_SIGNATURE_BYTES} bytes`);
    }
    const keyCrc = le(4, 'keyCRC');
    out.signature = { keyCrc, sig: take(sigLen - 4, 'sig') };
  }
  const update = take(le(4, 'updLen'), 'updData');
  if (update.length > 0) out.update = update;
  if (at !== bytes.length) throw new Error(`response: ${bytes.length - at} trailing bytes after updData`);
  return out;
}
