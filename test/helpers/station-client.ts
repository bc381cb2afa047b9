/**
 * A test client that talks CUPS like a real LoRa Basics Station 2.0.6 (SPEC §3.1, cups.c):
 * a raw TLS (or TCP for http://) socket, `POST /update-info HTTP/1.1` with a Host header,
 * `Content-Type: application/json`, a Content-Length space-padded to 5 characters, the key file's
 * header lines verbatim in token mode (never over http://), no User-Agent/Accept/Connection headers,
 * and the body fields in the station's order. It trusts only its `cups.trust`, keeps the files of
 * its credential sets, computes the CRCs itself (SPEC §3.3) and adopts what the server sends.
 */
import { readFile, readdir } from 'node:fs/promises';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { crc32, crc32Parts } from '../../src-shared/crc32';
import {
  decodeUpdateInfoResponse,
  encodeUpdateInfoRequest,
  parseCredBlob,
  type UpdateInfoResponse,
} from '../../src-shared/cups-wire';
import { parseId } from '../../src-shared/ids';

/** One credential set's files (`cups.*`, `cups-boot.*`, `tc.*`); `null` = file absent. */
export interface CredFiles {
  uri: string | null;
  trust: Uint8Array | null;
  crt: Uint8Array | null;
  key: Uint8Array | null;
}

/** An HTTP answer as the station sees it. */
export interface StationHttpResponse {
  status: number;
  /** the reason phrase of the status line */
  reason: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Which set a request authenticates with (the body always describes the regular set). */
export type CredSetName = 'regular' | 'boot';

const ZERO4 = new Uint8Array(4);
const EMPTY: CredFiles = { uri: null, trust: null, crt: null, key: null };

/** CRC the station reports for a set: its trust, crt, key files in order, absent/empty = 00000000. */
export function credFilesCrc(f: CredFiles): number {
  const part = (b: Uint8Array | null) => (b === null || b.length === 0 ? ZERO4 : b);
  return crc32Parts([part(f.trust), part(f.crt), part(f.key)]);
}

/** A key file as mbedTLS reads it: PEM, or DER as SEC1 (EC) or PKCS#1 (RSA). */
function stationKey(key: Uint8Array): KeyObject {
  const buf = Buffer.from(key);
  if (buf.toString('latin1').includes('-----BEGIN')) return createPrivateKey(buf.toString('latin1'));
  try {
    return createPrivateKey({ key: buf, format: 'der', type: 'sec1' });
  } catch {
    return createPrivateKey({ key: buf, format: 'der', type: 'pkcs1' });
  }
}

/** PEM text of a trust file's first certificate (PEM or DER), for node:tls `ca`. */
function trustPem(trust: Uint8Array): string {
  const text = Buffer.from(trust).toString('latin1');
  if (text.includes('-----BEGIN')) return text;
  return new X509Certificate(Buffer.from(trust)).toString();
}

function splitUri(uri: string): { scheme: string; host: string; port: number; hostport: string } {
  const m = /^(https?):\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/i.exec(uri);
  if (!m) throw new Error(`station: unusable CUPS URI ${JSON.stringify(uri)}`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { scheme: m[1]!.toLowerCase(), host, port: Number(m[3]), hostport: `${m[2]}:${m[3]}` };
}

const contexts = new WeakMap<
  Uint8Array,
  { key: Uint8Array | null; crt: Uint8Array | null; ctx: SecureContext }
>();

/**
 * The TLS context of a credential set: trust only its `trust` file, and present its client
 * certificate when it has one. Cached per trust file (a station also loads its files once).
 */
function contextFor(set: CredFiles): SecureContext {
  if (set.trust === null) throw new Error('station: https without a trust file');
  const cached = contexts.get(set.trust);
  if (cached !== undefined && cached.key === set.key && cached.crt === set.crt) return cached.ctx;
  const withCert = set.crt !== null && set.crt.length > 0 && set.key !== null;
  const ctx = createSecureContext({
    ca: trustPem(set.trust),
    ...(withCert
      ? {
          cert: new X509Certificate(Buffer.from(set.crt!)).toString(),
          key: stationKey(set.key!).export({ format: 'pem', type: 'pkcs8' }) as string,
        }
      : {}),
  });
  contexts.set(set.trust, { key: set.key, crt: set.crt, ctx });
  return ctx;
}

/** Reads one HTTP/1.1 response (Content-Length framed) from a socket. */
function readResponse(socket: Socket): Promise<StationHttpResponse> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let head: { status: number; reason: string; headers: Record<string, string>; bodyAt: number } | undefined;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const tryFinish = (ended: boolean) => {
      if (head === undefined) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (ended) fail(new Error('station: connection closed before the response head'));
          return;
        }
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
        if (!m) return fail(new Error(`station: bad status line ${JSON.stringify(lines[0])}`));
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        head = { status: Number(m[1]), reason: m[2]!, headers, bodyAt: end + 4 };
      }
      const cl = head.headers['content-length'];
      const have = buf.length - head.bodyAt;
      if (cl !== undefined ? have >= Number(cl) : ended) {
        cleanup();
        const body = new Uint8Array(
          buf.subarray(head.bodyAt, cl !== undefined ? head.bodyAt + Number(cl) : buf.length),
        );
        resolve({ status: head.status, reason: head.reason, headers: head.headers, body });
      } else if (ended) {
        fail(new Error('station: connection closed in the middle of the body'));
      }
    };
    const fail = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      tryFinish(false);
    };
    const onEnd = () => tryFinish(true);
    const onError = (e: Error) => fail(e);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
  });
}

/** Options of a {@link StationClient}. */
export interface StationClientOptions {
  /** the station's routerid as it reports it (any id form; sent as ID6) */
  router: string;
  cups?: Partial<CredFiles>;
  cupsBoot?: Partial<CredFiles>;
  tc?: Partial<CredFiles>;
  station?: string;
  model?: string;
  package?: string | null;
  /** CRCs of sig-N.key files */
  keys?: number[];
}

/** A simulated Basics Station's CUPS side. Fields are public so tests can inspect and tamper. */
export class StationClient {
  router: bigint;
  cups: CredFiles;
  cupsBoot: CredFiles;
  tc: CredFiles;
  station: string;
  model: string;
  package: string | null;
  keys: number[];
  /** firmware updates received (the station would run them detached) */
  updates: Uint8Array[] = [];

  constructor(o: StationClientOptions) {
    this.router = parseId(o.router).id;
    this.cups = { ...EMPTY, ...o.cups };
    this.cupsBoot = { ...EMPTY, ...o.cupsBoot };
    this.tc = { ...EMPTY, ...o.tc };
    this.station = o.station ?? '2.0.6(corecell/std) 2022-01-20 12:00:00';
    this.model = o.model ?? 'corecell';
    this.package = o.package ?? null;
    this.keys = o.keys ?? [];
  }

  /**
   * A station installed from factory bundle files (SPEC §5): name → content, as `personalize`
   * returns them. `cups.*` and `cups-boot.*` sets; routerid from `station.conf`; `keys` from the
   * `sig-N.key` files unless `extra.keys` says otherwise.
   */
  static fromFiles(
    files: Record<string, string | Uint8Array>,
    extra: Omit<StationClientOptions, 'router'> = {},
  ): StationClient {
    const bytes = (name: string): Uint8Array | null => {
      const v = files[name];
      return v === undefined ? null : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : v;
    };
    // the station reads URIs with surrounding whitespace removed
    const text = (name: string) => {
      const b = bytes(name);
      return b === null ? null : Buffer.from(b).toString('utf8').trim();
    };
    const conf = JSON.parse(text('station.conf') ?? '{}') as { station_conf?: { routerid?: string } };
    const routerid = conf.station_conf?.routerid;
    if (routerid === undefined) throw new Error('station: station.conf has no station_conf.routerid');
    const set = (prefix: string): CredFiles => ({
      uri: text(`${prefix}.uri`),
      trust: bytes(`${prefix}.trust`),
      crt: bytes(`${prefix}.crt`),
      key: bytes(`${prefix}.key`),
    });
    // sig-0.key, sig-1.key, … (contiguous, SPEC §3.4): the station reports their CRCs in `keys`
    const keys: number[] = [];
    for (let n = 0; bytes(`sig-${n}.key`) !== null; n++) keys.push(crc32(bytes(`sig-${n}.key`)!));
    return new StationClient({
      ...(keys.length > 0 ? { keys } : {}),
      ...extra,
      router: routerid,
      cups: set('cups'),
      cupsBoot: set('cups-boot'),
    });
  }

  /** A station installed from a bundle folder written by `gwjs personalize` (SPEC §5). */
  static async fromBundle(
    dir: string,
    extra: Omit<StationClientOptions, 'router'> = {},
  ): Promise<StationClient> {
    const files: Record<string, Uint8Array> = {};
    for (const name of await readdir(dir)) files[name] = new Uint8Array(await readFile(path.join(dir, name)));
    return StationClient.fromFiles(files, extra);
  }

  /** CRC of the regular CUPS set as reported. */
  get cupsCredCrc(): number {
    return credFilesCrc(this.cups);
  }

  /** CRC of the TC set as reported. */
  get tcCredCrc(): number {
    return credFilesCrc(this.tc);
  }

  /** The JSON body in the station's field order (always the regular sets, SPEC §3.1). */
  body(): string {
    return encodeUpdateInfoRequest({
      router: this.router,
      cupsUri: this.cups.uri,
      tcUri: this.tc.uri,
      cupsCredCrc: this.cupsCredCrc,
      tcCredCrc: this.tcCredCrc,
      station: this.station,
      model: this.model,
      package: this.package,
      keys: this.keys,
    });
  }

  /** The request bytes exactly as the station writes them, authenticating with `set`. */
  requestBytes(set: CredFiles, body = this.body()): Buffer {
    const { scheme, hostport } = splitUri(set.uri ?? '');
    // token mode: the key file's header lines, verbatim, and only over TLS without a cert (SPEC §3.1)
    const tokenMode =
      scheme === 'https' &&
      set.key !== null &&
      set.key.length > 0 &&
      (set.crt === null || set.crt.length === 0);
    const auth = tokenMode ? Buffer.from(set.key!).toString('latin1') : '';
    const bodyBytes = Buffer.from(body, 'utf8');
    const head =
      'POST /update-info HTTP/1.1\r\n' +
      `Host: ${hostport}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${String(bodyBytes.length).padStart(5, ' ')}\r\n` +
      `${auth}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
  }

  /** Opens the connection the station would open for `set` (TLS trusting only `set.trust`). */
  async connect(setName: CredSetName = 'regular'): Promise<Socket> {
    const set = setName === 'boot' ? this.cupsBoot : this.cups;
    const { scheme, host, port } = splitUri(set.uri ?? '');
    if (scheme === 'http') {
      return new Promise((resolve, reject) => {
        const s = netConnect({ host, port }, () => resolve(s));
        s.once('error', reject);
      });
    }
    const secureContext = contextFor(set);
    return new Promise((resolve, reject) => {
      const s = tlsConnect(
        { host, port, secureContext, ...(isIP(host) === 0 ? { servername: host } : {}) },
        () => resolve(s),
      );
      s.once('error', reject);
    });
  }

  /**
   * One CUPS request on a new connection (as the station does), or on `socket` when given
   * (keep-alive variant for benchmarks). Does not adopt the answer.
   */
  async request(
    setName: CredSetName = 'regular',
    socket?: Socket,
    body?: string,
  ): Promise<StationHttpResponse> {
    const set = setName === 'boot' ? this.cupsBoot : this.cups;
    const s = socket ?? (await this.connect(setName));
    try {
      const answer = readResponse(s);
      s.write(this.requestBytes(set, body));
      return await answer;
    } finally {
      if (socket === undefined) s.destroy();
    }
  }

  /** Applies a 200 answer the way the station does: new URIs and credential files, firmware kept. */
  adopt(bytes: Uint8Array): UpdateInfoResponse {
    const r = decodeUpdateInfoResponse(bytes);
    if (r.cupsUri !== undefined) this.cups.uri = r.cupsUri;
    if (r.tcUri !== undefined) this.tc.uri = r.tcUri;
    if (r.cupsCred !== undefined) this.cups = { uri: this.cups.uri, ...filesOf(r.cupsCred) };
    if (r.tcCred !== undefined) this.tc = { uri: this.tc.uri, ...filesOf(r.tcCred) };
    if (r.update !== undefined) this.updates.push(r.update);
    return r;
  }

  /** request + adopt on 200 (a full CUPS session). */
  async sync(
    setName: CredSetName = 'regular',
  ): Promise<{ response: StationHttpResponse; update?: UpdateInfoResponse }> {
    const response = await this.request(setName);
    if (response.status !== 200) return { response };
    return { response, update: this.adopt(response.body) };
  }
}

/** The files a station writes from a credential blob (sys_credComplete). */
function filesOf(blob: Uint8Array): Omit<CredFiles, 'uri'> {
  const p = parseCredBlob(blob);
  const copy = (b: Uint8Array) => (b.length === 0 ? null : new Uint8Array(b));
  return {
    trust: copy(p.trust),
    crt: copy(p.cert),
    key: copy(p.key),
  };
}
