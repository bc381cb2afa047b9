/**
 * A `gwjs serve`-like server for bridge tests: the real core (core fixture: store, HSM, batch with
 * the SPEC §2 vector gateways, owners a::1 and b::2), the station UI services, the real HTTPS
 * server (E's `startServer`) on 127.0.0.1 port 0 with a local-CA certificate, and the HTTP bridge
 * plus a small renderer folder mounted. `request()` speaks HTTPS trusting only that CA.
 */
import { request as httpsRequest } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src-main/adapters/http/server';
import { ensureServerTls } from '../../src-main/adapters/tls/local-ca';
import { createStationUi, type StationUi, type StationUiDeps } from '../../src-main/compose/station-ui';
import { createCoreFixture, type CoreFixture } from './core-fixture';
import { makeTempDir } from './tmp-dir';

/** An HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** parsed JSON body, or undefined */
  json: unknown;
}

/** A running bridge server. */
export interface BridgeServer {
  url: string;
  host: string;
  caPem: string;
  fx: CoreFixture;
  ui: StationUi;
  server: RunningServer;
  request(
    method: string,
    path: string,
    options?: {
      headers?: Record<string, string>;
      body?: string | undefined;
      /** source address of the connection (any 127.x.y.z on Linux loopback) */
      localAddress?: string | undefined;
    },
  ): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/** Index page of the fake renderer. */
export const FAKE_INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="./assets/app-1.js"></script></body></html>';

/** Options of {@link startBridgeServer}. */
export interface BridgeServerOptions {
  /** bridge requests per address (default: the product's; tests of other things keep it) */
  bridgeRateLimit?: StationUiDeps['bridgeRateLimit'];
  operators?: StationUiDeps['operators'];
}

/** Starts the server (call in beforeAll; `close()` in afterAll). */
export async function startBridgeServer(options: BridgeServerOptions = {}): Promise<BridgeServer> {
  const fx = await createCoreFixture();
  const tlsDir = makeTempDir('bridge-tls', { until: 'exit' });
  const tls = await ensureServerTls(tlsDir, { publicHosts: [] });
  const rendererDir = makeTempDir('bridge-renderer', { until: 'exit' });
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), FAKE_INDEX);
  writeFileSync(join(rendererDir, 'assets', 'app-1.js'), 'console.log("app");\n');
  const ui = createStationUi({
    core: fx.core,
    store: fx.store,
    hsm: fx.hsm,
    tls: { fingerprint256: tls.fingerprint256, caFingerprint256: tls.caFingerprint256 },
    bridgeRateLimit: options.bridgeRateLimit,
    operators: options.operators,
  });
  const server = await startServer({
    core: fx.core,
    tls: { certPem: tls.certPem, keyPem: tls.keyPem, caCertPem: tls.caCertPem },
    host: '127.0.0.1',
    port: 0,
    extend: ui.extendServer(rendererDir),
  });
  ui.setServerUrls([server.url]);
  const host = `127.0.0.1:${server.port}`;
  const request: BridgeServer['request'] = (method, path, req = {}) =>
    new Promise((resolve, reject) => {
      const outgoing = httpsRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method,
          path,
          ca: tls.caCertPem,
          ...(req.localAddress !== undefined ? { localAddress: req.localAddress } : {}),
          headers: {
            ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}),
            ...req.headers,
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
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  return {
    url: server.url,
    host,
    caPem: tls.caCertPem,
    fx,
    ui,
    server,
    request,
    async close() {
      await server.close();
      await fx.close();
    },
  };
}

/** Headers of a well-formed bridge call from the UI (same origin, JSON, anti-CSRF header). */
export function uiHeaders(server: BridgeServer, cookie?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-gwjs-bridge': '1',
    origin: `https://${server.host}`,
    'sec-fetch-site': 'same-origin',
    ...(cookie ? { cookie } : {}),
  };
}

/** The session cookie pair (`name=value`) of a Set-Cookie answer, or undefined. */
export function sessionCookieOf(answer: HttpAnswer): string | undefined {
  const set = answer.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return first?.split(';')[0];
}
