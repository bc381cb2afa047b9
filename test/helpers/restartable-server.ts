/**
 * A join server that a test can stop and start again on the same data directory (the
 * once-only firmware delivery of SPEC §3.4 must survive a restart), with a clock the test moves (fwafter) and
 * extra client CAs (certificate-mode CUPS). The first start creates the station like
 * `server-fixture.ts` does — the SPEC §2 vector batch, owners a::1 and b::2 with API keys, an
 * admin key — and every start listens on a fresh 127.0.0.1 port over real HTTPS.
 */
import { request as httpsRequest, Agent } from 'node:https';
import { hexToBytes } from '../../src-shared/bytes';
import { startServer, type RunningServer } from '../../src-main/adapters/http/server';
import { OWNER_SCOPES } from '../../src-main/cli/commands/owner';
import { freePort } from '../../src-main/cli/free-port';
import { openStation, writeSettings, type Station } from '../../src-main/compose/station';
import { BATCH_RANGE, KDF_VECTORS, TestClock } from './core-fixture';
import { makeTempDir } from './tmp-dir';

/** An HTTPS JSON answer. */
export interface JsonAnswer {
  status: number;
  json: unknown;
  text: string;
}

/** The keys created on first start. */
export interface ServerKeys {
  adminKey: string;
  ownerA: { id6: string; apiKey: string };
  ownerB: { id6: string; apiKey: string };
}

/** One running incarnation of the server. */
export interface RestartableServer extends ServerKeys {
  dir: string;
  clock: TestClock;
  station: Station;
  server: RunningServer;
  url: string;
  caPem: string;
  /** POST JSON to `path` with Bearer `key` (and extra request headers) */
  post(path: string, key: string, body: unknown, headers?: Record<string, string>): Promise<JsonAnswer>;
  /** POST to `/api/v1/gateway/<op>` */
  api(op: string, key: string, body: unknown, headers?: Record<string, string>): Promise<JsonAnswer>;
  /** Stops the server and closes the station (checkpoint, lock released). */
  close(): Promise<void>;
  /** Closes, then opens the same data directory again on a new port; keys and clock carry over. */
  restart(): Promise<RestartableServer>;
}

/** Options of {@link startRestartableServer}. */
export interface RestartableOptions {
  /** PEM CAs whose client certificates the server accepts besides the station's own CA */
  clientCaPems?: string[];
}

async function run(
  dir: string,
  clock: TestClock,
  keys: ServerKeys | undefined,
  options: RestartableOptions,
): Promise<RestartableServer> {
  const port = await freePort();
  const station = await openStation({
    dataDir: dir,
    passphrase: 'test passphrase',
    scryptN: 2 ** 10,
    clock,
    port,
    clientCaPems: options.clientCaPems,
    ...(keys === undefined ? { init: { publicHosts: ['127.0.0.1'], port } } : {}),
  });
  if (keys === undefined) {
    const ctx = station.cliContext;
    const { apiKey: adminKey } = await station.core.access.createApiKey(ctx, null, ['admin'], 'test admin');
    await writeSettings(dir, station.settings);
    const brk = hexToBytes(KDF_VECTORS.brkHex);
    await station.core.batches.import(ctx, { ...BATCH_RANGE, flavor: 'test' }, brk);
    const owner = async (id: string) => {
      const row = await station.core.access.createOwner(ctx, id, `owner ${id}`);
      const { apiKey } = await station.core.access.createApiKey(ctx, row.id, OWNER_SCOPES, 'test');
      return { id6: row.id, apiKey };
    };
    keys = { adminKey, ownerA: await owner('a::1'), ownerB: await owner('b::2') };
  }
  const server = await startServer({
    core: station.core,
    tls: {
      certPem: station.tls.certPem,
      keyPem: station.tls.keyPem,
      caCertPem: station.tls.caCertPem,
      clientCaPems: options.clientCaPems,
    },
    host: '127.0.0.1',
    port,
    rateLimits: false,
  });
  const agent = new Agent({ ca: station.tls.caCertPem, keepAlive: false });
  const post = (
    path: string,
    key: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonAnswer> =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = httpsRequest(
        `${server.url}${path}`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            authorization: `Bearer ${key}`,
            ...headers,
          },
        },
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
            resolve({ status: res.statusCode ?? 0, json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const k = keys;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      agent.destroy();
      try {
        await server.close();
      } finally {
        await station.close();
      }
    })());
  return {
    ...k,
    dir,
    clock,
    station,
    server,
    url: server.url,
    caPem: station.tls.caCertPem,
    post,
    api: (op, key, body, headers) => post(`/api/v1/gateway/${op}`, key, body, headers),
    close,
    restart: async () => {
      await close();
      return run(dir, clock, k, options);
    },
  };
}

/** Creates a station on a fresh temp directory and starts it (see the module comment). */
export function startRestartableServer(options: RestartableOptions = {}): Promise<RestartableServer> {
  return run(makeTempDir('restartable', { until: 'exit' }), new TestClock(Date.now()), undefined, options);
}
