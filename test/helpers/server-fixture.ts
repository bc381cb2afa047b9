/**
 * A real join server for HTTP tests: a station created through the CLI's composition root
 * (`openStation` with `init`) on a temp directory, the SPEC §2 vector batch imported, two owners
 * with API keys, and the HTTPS server on 127.0.0.1 (port chosen free up front, so the core's own
 * CUPS URI is the URL the test talks to). Plus a small HTTPS JSON client that trusts only the CA.
 */
import type { TransportLimits } from '../../src-main/adapters/http/transport';
import { request as httpsRequest, Agent } from 'node:https';
import { hexToBytes } from '../../src-shared/bytes';
import { startServer, type RateLimits, type RunningServer } from '../../src-main/adapters/http/server';
import type { CoreConfigInput } from '../../src-main/core/config';
import { freePort } from '../../src-main/cli/free-port';
import { openStation, stationReadiness, writeSettings, type Station } from '../../src-main/compose/station';
import { OWNER_SCOPES } from '../../src-main/cli/commands/owner';
import { BATCH_RANGE, KDF_VECTORS } from './core-fixture';
import { fixtureStoreKind, freshStoreLocation, type StoreKind } from './test-store';
import { makeTempDir } from './tmp-dir';

export { BATCH_RANGE, KDF_VECTORS, OUTSIDE_ID } from './core-fixture';

/** An HTTPS answer. */
export interface HttpAnswer {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  json: unknown;
}

/** Options of one {@link TestServer.request}. */
export interface RequestOptions {
  method?: string;
  /** API key for `Authorization: Bearer …` */
  key?: string;
  headers?: Record<string, string>;
  /** raw body (sent as is); otherwise `body` is JSON-encoded */
  raw?: string | Buffer;
  body?: unknown;
}

/** An owner and its API key. */
export interface TestOwner {
  id6: string;
  apiKey: string;
}

/** What {@link startTestServer} returns. */
export interface TestServer {
  url: string;
  port: number;
  caPem: string;
  dir: string;
  station: Station;
  server: RunningServer;
  adminKey: string;
  ownerA: TestOwner;
  ownerB: TestOwner;
  request(path: string, options?: RequestOptions): Promise<HttpAnswer>;
  /** POST JSON to `/api/v1/gateway/<op>` with `key` */
  api(op: string, key: string, body: unknown): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  coreConfig?: CoreConfigInput;
  rateLimits?: Partial<RateLimits> | false;
  /** TLS handshake timeout and connection cap of the server */
  transport?: Partial<TransportLimits>;
  /** the store adapter (default: `$GWJS_TEST_STORE`, else sql.js) */
  store?: StoreKind;
  /** put the HSM on this PKCS#11 token (test/helpers/softhsm.ts) instead of the software keystore */
  pkcs11?: { module: string; label: string; pin: string };
}

/** Starts the fixture (see the module comment). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = makeTempDir('server', { until: 'exit' });
  const port = await freePort();
  const kind = options.store ?? fixtureStoreKind();
  const db = kind === 'pg' ? freshStoreLocation('pg').url : undefined;
  const station = await openStation({
    db,
    dataDir: dir,
    passphrase: 'test passphrase',
    scryptN: 2 ** 10,
    ...(options.pkcs11 !== undefined ? { pin: options.pkcs11.pin } : {}),
    init: {
      publicHosts: ['127.0.0.1'],
      port,
      ...(options.pkcs11 !== undefined
        ? { hsm: { backend: 'pkcs11', module: options.pkcs11.module, tokenLabel: options.pkcs11.label } }
        : {}),
    },
    ...(options.coreConfig !== undefined ? { coreConfig: options.coreConfig } : {}),
  });
  const ctx = station.cliContext;
  const { apiKey: adminKey } = await station.core.access.createApiKey(ctx, null, ['admin'], 'test admin');
  await writeSettings(dir, station.settings);
  const brk = hexToBytes(KDF_VECTORS.brkHex);
  await station.core.batches.import(ctx, { ...BATCH_RANGE, flavor: 'test' }, brk);
  const owner = async (id: string): Promise<TestOwner> => {
    const row = await station.core.access.createOwner(ctx, id, `owner ${id}`);
    const { apiKey } = await station.core.access.createApiKey(ctx, row.id, OWNER_SCOPES, 'test');
    return { id6: row.id, apiKey };
  };
  const ownerA = await owner('a::1');
  const ownerB = await owner('b::2');
  const server = await startServer({
    core: station.core,
    tls: { certPem: station.tls.certPem, keyPem: station.tls.keyPem, caCertPem: station.tls.caCertPem },
    host: '127.0.0.1',
    port,
    ...(options.rateLimits !== undefined ? { rateLimits: options.rateLimits } : {}),
    ops: { readiness: stationReadiness(station), store: station.store },
    ...(options.transport !== undefined ? { transport: options.transport } : {}),
  });
  const agent = new Agent({ ca: station.tls.caCertPem, keepAlive: true });

  const request = (path: string, o: RequestOptions = {}): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const payload =
        o.raw !== undefined
          ? Buffer.from(o.raw)
          : o.body !== undefined
            ? Buffer.from(JSON.stringify(o.body))
            : undefined;
      const headers: Record<string, string> = {
        ...(payload !== undefined && o.raw === undefined ? { 'content-type': 'application/json' } : {}),
        ...(o.key !== undefined ? { authorization: `Bearer ${o.key}` } : {}),
        ...(payload !== undefined ? { 'content-length': String(payload.length) } : {}),
        ...o.headers,
      };
      const req = httpsRequest(
        `${server.url}${path}`,
        { method: o.method ?? (payload !== undefined ? 'POST' : 'GET'), agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({
              status: res.statusCode ?? 0,
              reason: res.statusMessage ?? '',
              headers: res.headers,
              text,
              json,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  return {
    url: server.url,
    port,
    caPem: station.tls.caCertPem,
    dir,
    station,
    server,
    adminKey,
    ownerA,
    ownerB,
    request,
    api: (op, key, body) => request(`/api/v1/gateway/${op}`, { key, body }),
    close: async () => {
      agent.destroy();
      try {
        await server.close();
      } finally {
        await station.close();
      }
    },
  };
}
