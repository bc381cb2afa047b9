/**
 * Endpoint URIs a Basics Station accepts (SPEC §3.1, §3.2, §4.2): CUPS `http(s)://host:port`, LNS
 * `ws(s)://host:port`. The station (`uri_checkHostPortUri` in net.c) demands the port, refuses any
 * path — even a lone `/` — and keeps the URI in a 128-byte buffer with its NUL, so < 128 chars.
 * We are stricter than the station where it would only fail later: no userinfo, query or fragment,
 * printable ASCII only, and a host that is a DNS name, an IPv4 address or a bracketed IPv6 literal.
 */

import { DomainError } from './errors';

/** Which side a URI configures: the CUPS server or the LNS (traffic) server. */
export type EndpointKind = 'cups' | 'lns';

/** A validated endpoint URI. `uri` is the input unchanged; `host` has no IPv6 brackets. */
interface EndpointUri {
  uri: string;
  scheme: 'http' | 'https' | 'ws' | 'wss';
  host: string;
  port: number;
  secure: boolean;
}

/** Longest URI the station stores (SPEC §3.2: "< 128 chars"). */
export const MAX_URI_LENGTH = 127;

const SCHEMES: Record<EndpointKind, readonly [plain: 'http' | 'ws', tls: 'https' | 'wss']> = {
  cups: ['http', 'https'],
  lns: ['ws', 'wss'],
};

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DEC_OCTET = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const PORT = /^[1-9][0-9]{0,4}$/;

function quote(s: string): string {
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 48)}…` : s);
}

/** Dotted-quad IPv4, decimal octets without leading zeros. */
function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => DEC_OCTET.test(p));
}

/** IPv6 text form (RFC 4291 §2.2) without a zone id, optionally ending in an IPv4 address. */
function isIpv6(s: string): boolean {
  let text = s;
  let extra = 0;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    if (!isIpv4(text.slice(lastColon + 1))) return false;
    text = `${text.slice(0, lastColon + 1)}0`;
    extra = 1;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string | undefined) => (h === undefined || h === '' ? [] : h.split(':'));
  const all = [...groups(halves[0]), ...groups(halves[1])];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  // an embedded IPv4 address stands for two groups
  const n = all.length + extra;
  return halves.length === 2 ? n <= 7 : n === 8;
}

/** DNS name (RFC 1123 labels) or IPv4; a name whose last label is numeric must be an IPv4 address. */
function isHostName(s: string): boolean {
  if (s.length > 253) return false;
  const labels = s.split('.');
  if (!labels.every((l) => LABEL.test(l))) return false;
  return /^[0-9]+$/.test(labels[labels.length - 1]!) ? isIpv4(s) : true;
}

/** Parses, or returns the reason (which quotes the input) the URI is unacceptable. */
function analyse(input: string, kind: EndpointKind): EndpointUri | string {
  const [plain, tls] = SCHEMES[kind];
  const shape = `${plain}(s)://host:port`;
  const q = quote(input);
  if (input.length === 0) return `empty, expected ${shape}`;
  if (input.length > MAX_URI_LENGTH) {
    return `${q} is ${input.length} characters long; the station accepts at most ${MAX_URI_LENGTH}`;
  }
  if (!/^[\x21-\x7e]*$/.test(input)) return `${q} contains spaces, control or non-ASCII characters`;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(input);
  const scheme = m?.[1]?.toLowerCase();
  if (m === null || (scheme !== plain && scheme !== tls)) return `${q} is not a ${shape} URI`;
  const rest = m[2]!;
  if (rest.includes('@')) return `${q} must not contain user information (@)`;
  let host: string;
  let after: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return `${q} has an unterminated IPv6 literal`;
    host = rest.slice(1, close);
    if (!isIpv6(host)) return `${q} has an invalid IPv6 address`;
    after = rest.slice(close + 1);
  } else {
    const end = rest.search(/[:/?#]/);
    host = end < 0 ? rest : rest.slice(0, end);
    after = end < 0 ? '' : rest.slice(end);
    if (host === '') return `${q} has no host`;
    if (!isHostName(host)) return `${q} has an invalid host name ${quote(host)}`;
  }
  const pm = /^:([^/?#]*)(.*)$/.exec(after);
  if (pm === null) {
    return after === '' || /^[/?#]/.test(after)
      ? `${q} needs an explicit port (${shape})`
      : `${q} is not a ${shape} URI`;
  }
  const portText = pm[1]!;
  const tail = pm[2]!;
  if (tail !== '') {
    const what = tail.startsWith('?') ? 'a query' : tail.startsWith('#') ? 'a fragment' : 'a path';
    return `${q} must not have ${what} after the port (the station appends its own path)`;
  }
  const port = Number(portText);
  if (!PORT.test(portText) || port > 65535) return `${q} has an invalid port ${quote(portText)} (1–65535)`;
  const s = scheme as EndpointUri['scheme'];
  return { uri: input, scheme: s, host, port, secure: s === tls };
}

/**
 * Validates a station endpoint URI: `cups` → `http(s)://host:port`, `lns` → `ws(s)://host:port`
 * (scheme in any case, as the station compares it case-insensitively), port 1–65535 mandatory,
 * nothing after the port, < 128 printable ASCII characters; IPv6 literals in brackets.
 * @throws DomainError('invalid_uri', `${field}: …`, {field}) quoting the input.
 */
export function parseEndpointUri(input: unknown, kind: EndpointKind, field: string): EndpointUri {
  if (typeof input !== 'string') {
    const got = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
    throw new DomainError('invalid_uri', `${field}: expected a URI string, got ${got}`, { field });
  }
  const r = analyse(input, kind);
  if (typeof r === 'string') throw new DomainError('invalid_uri', `${field}: ${r}`, { field });
  return r;
}

/**
 * The problem with a station endpoint URI, or `undefined` when it is acceptable; same rules as
 * {@link parseEndpointUri}, for schema refinements that add the field name themselves.
 */
export function checkServiceUri(input: string, kind: EndpointKind): string | undefined {
  const r = analyse(input, kind);
  return typeof r === 'string' ? r : undefined;
}

/**
 * True when `uri`'s host is this machine only (`localhost`, `127.0.0.0/8`, `::1`): a bundle that
 * carries such a CUPS URI sends the gateway to itself, never to this station (docs/station-ui.md
 * "Reachable by gateways"). Unparsable input is not loopback.
 */
export function isLoopbackUri(uri: string): boolean {
  let host: string;
  try {
    host = new URL(uri).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1'
  );
}

/** `https://host:port`, an IPv6 address in brackets (as a URL writes it). */
export function httpsUrl(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
