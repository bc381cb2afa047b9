/**
 * Gateway and owner identifiers (SPEC §1): a 64-bit unsigned integer held as a `bigint`, printed in
 * the canonical ID6 form (§1.1) and parsed from ID6, EUI-64, MAC-48 or 16 plain hex digits (§1.2).
 */

import { DomainError } from './errors';

/** Largest 64-bit unsigned value. */
export const MAX_ID = 0xffff_ffff_ffff_ffffn;

/** Result of {@link parseId}: the id, and whether it was typed as a MAC-48 (FFFE inserted). */
interface ParsedId {
  id: bigint;
  fromMac: boolean;
}

const PLAIN16 = /^[0-9A-Fa-f]{16}$/;
const EUI_DASH = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}$/;
const EUI_COLON = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7}$/;
const MAC_DASH = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}$/;
const MAC_COLON = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;

/** Quotes user input for an error message; long input is cut so a message stays one line. */
function quoteInput(input: string): string {
  return JSON.stringify(input.length > 64 ? `${input.slice(0, 64)}…` : input);
}

function hexToId(hex: string): bigint {
  return BigInt(`0x${hex}`);
}

/** Value of one hex digit (char code), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

const COLON = 58;

/**
 * Parses ID6 groups (§1.2): at most one `::`, 4 groups after expansion, 1–4 hex digits each.
 * One pass over the characters, no intermediate strings: the form stations send on every poll.
 */
function parseId6(s: string): bigint | undefined {
  const n = s.length;
  const groups: number[] = [];
  /** index in `groups` where `::` stands, -1 when there is none */
  let gap = -1;
  let i = 0;
  if (n >= 2 && s.charCodeAt(0) === COLON && s.charCodeAt(1) === COLON) {
    gap = 0;
    i = 2;
  }
  while (i < n) {
    const start = i;
    let v = 0;
    let d: number;
    while (i < n && (d = hexDigit(s.charCodeAt(i))) >= 0) {
      v = v * 16 + d;
      i++;
    }
    const len = i - start;
    if (len < 1 || len > 4 || groups.length === 4) return undefined;
    groups.push(v);
    if (i === n) break;
    if (s.charCodeAt(i) !== COLON) return undefined;
    i++;
    if (i < n && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i++;
    } else if (i === n) {
      return undefined; // a trailing single ':'
    }
  }
  if (gap < 0) {
    if (groups.length !== 4) return undefined;
  } else {
    // `::` stands for at least one zero group, and bare `::` is rejected by §1.2.
    if (groups.length < 1 || groups.length > 3) return undefined;
    groups.splice(gap, 0, ...Array<number>(4 - groups.length).fill(0));
  }
  const high = groups[0]! * 0x10000 + groups[1]!;
  const low = groups[2]! * 0x10000 + groups[3]!;
  return (BigInt(high) << 32n) | BigInt(low);
}

/**
 * Parses any accepted identifier form (SPEC §1.2): ID6, EUI-64 (`-` or `:`), MAC-48 (`-` or `:`,
 * becomes EUI-64 by inserting FF FE after the OUI, no bit flip) or 16 plain hex digits. Nothing is
 * trimmed: surrounding spaces are an error.
 * @throws DomainError('invalid_id') whose message quotes the input.
 */
export function parseId(input: string): ParsedId {
  if (typeof input === 'string' && input.length <= 64) {
    // ID6 first: the form stations send. The forms are disjoint (only ID6 has 1–4-digit groups and
    // 4 of them or a `::`), so the order does not change any result.
    const id6 = parseId6(input);
    if (id6 !== undefined) return { id: id6, fromMac: false };
    if (PLAIN16.test(input)) return { id: hexToId(input), fromMac: false };
    if (EUI_DASH.test(input) || EUI_COLON.test(input)) {
      return { id: hexToId(input.replace(/[-:]/g, '')), fromMac: false };
    }
    if (MAC_DASH.test(input) || MAC_COLON.test(input)) {
      const h = input.replace(/[-:]/g, '');
      return { id: hexToId(`${h.slice(0, 6)}fffe${h.slice(6)}`), fromMac: true };
    }
  }
  throw new DomainError('invalid_id', `${quoteInput(String(input))} is not a valid ID6, EUI-64 or MAC`, {
    input,
  });
}

/**
 * Parses an identifier taken from a request field; the error message starts with the field name,
 * e.g. `gateway: "1:::2" is not a valid ID6, EUI-64 or MAC`. Non-strings are rejected too.
 * @throws DomainError('invalid_id', …, {field}).
 */
export function parseIdField(input: unknown, field: string): bigint {
  if (typeof input !== 'string') {
    const got = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
    throw new DomainError('invalid_id', `${field}: expected an ID6, EUI-64 or MAC string, got ${got}`, {
      field,
    });
  }
  try {
    return parseId(input).id;
  } catch (e) {
    if (e instanceof DomainError)
      throw new DomainError('invalid_id', `${field}: ${e.message}`, { field, input });
    throw e;
  }
}

function checkId(id: bigint): void {
  if (typeof id !== 'bigint' || id < 0n || id > MAX_ID) {
    throw new RangeError(`${String(id)} is not a 64-bit unsigned identifier`);
  }
}

/**
 * Canonical ID6 (SPEC §1.1): four lowercase 16-bit groups without leading zeros, compressed only by
 * the four rules of §1.1 (first match wins) — not the IPv6 rule.
 * @throws RangeError outside 0 … 2^64 − 1.
 */
export function formatId6(id: bigint): string {
  checkId(id);
  const g0 = Number((id >> 48n) & 0xffffn);
  const g1 = Number((id >> 32n) & 0xffffn);
  const g2 = Number((id >> 16n) & 0xffffn);
  const g3 = Number(id & 0xffffn);
  const h = (g: number) => g.toString(16);
  if (g0 === 0 && g1 === 0) return g2 === 0 ? `::${h(g3)}` : `::${h(g2)}:${h(g3)}`;
  if (g2 === 0 && g3 === 0) return g1 === 0 ? `${h(g0)}::` : `${h(g0)}:${h(g1)}::`;
  if (g1 === 0 && g2 === 0) return `${h(g0)}::${h(g3)}`;
  return `${h(g0)}:${h(g1)}:${h(g2)}:${h(g3)}`;
}

/** 16 uppercase hex digits of the id (the bundle folder name, the label barcode, the QR payload). */
export function euiHex(id: bigint): string {
  checkId(id);
  return id.toString(16).toUpperCase().padStart(16, '0');
}

/** EUI-64 for humans: 8 uppercase byte pairs joined by `-` (default) or `:`. */
export function formatEui64(id: bigint, sep: '-' | ':' = '-'): string {
  return euiHex(id).match(/../g)!.join(sep);
}

/**
 * Id from exactly 16 hex digits (either case).
 * @throws DomainError('invalid_id') on anything else.
 */
export function euiFromHex(hex16: string): bigint {
  if (typeof hex16 !== 'string' || !PLAIN16.test(hex16)) {
    throw new DomainError('invalid_id', `${quoteInput(String(hex16))} is not 16 hex digits`, {
      input: hex16,
    });
  }
  return hexToId(hex16);
}

/** The 8 bytes of the id, big-endian (SPEC §2 `EUI`). */
export function idToBytes(id: bigint): Uint8Array {
  checkId(id);
  const out = new Uint8Array(8);
  let v = id;
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Id from 8 big-endian bytes. @throws RangeError on another length. */
export function idFromBytes(b: Uint8Array): bigint {
  if (b.length !== 8) throw new RangeError(`an id is 8 bytes, got ${b.length}`);
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/**
 * The MAC-48 an EUI-64 was built from (SPEC §1.2, FF FE at bytes 3–4, no bit flip), as
 * `HH:HH:HH:HH:HH:HH` uppercase; `undefined` when bytes 3–4 are not FF FE.
 */
export function macFromEui(id: bigint): string | undefined {
  const h = euiHex(id);
  if (h.slice(6, 10) !== 'FFFE') return undefined;
  return `${h.slice(0, 6)}${h.slice(10)}`.match(/../g)!.join(':');
}

/**
 * True when the locally-administered bit (0x02 of the first byte) is set — typical of random Wi-Fi
 * MACs, suspicious as a gateway identity (SPEC §1.3 note).
 */
export function isLocallyAdministered(id: bigint): boolean {
  checkId(id);
  return ((id >> 56n) & 0x02n) !== 0n;
}

/**
 * True when a Basics Station configured with this `routerid` would report a different `router`
 * (SPEC §1.3 note): top 16 bits zero makes it treat the id as a MAC and insert FFFE, unless the
 * station's `euiprefix` is `::0`. Returns the id the station would report in that case.
 */
export function stationReportedId(id: bigint): bigint {
  checkId(id);
  if (id >> 48n !== 0n) return id;
  return ((id >> 24n) << 40n) | (0xfffen << 24n) | (id & 0xffffffn);
}
