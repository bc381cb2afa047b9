/**
 * The join server's HTTPS door (DESIGN §1): one node:https server with the local CA's server
 * certificate. CUPS `POST /update-info` (SPEC §3) goes straight to the plain CUPS door
 * (`cups-door.ts`, the hot path); every other request goes to one fastify 5 instance serving the
 * Owner API (SPEC §4), the OpenAPI document, `/healthz`, `/readyz` and `/metrics` (ops-routes.ts). Client certificates are requested but not required
 * (`requestCert: true, rejectUnauthorized: false`) so CUPS can later authenticate stations by
 * certificate; the core decides what a presented certificate is worth.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer } from 'node:https';
import type { Core } from '../../core/api';
import type { Logger } from '../../core/ports';
import { MAX_BODY_BYTES } from '../../../src-shared/owner-api';
import { createCupsDoor, isCupsRequest } from './cups-door';
import { toHttpFailure } from './http-errors';
import {
  answerClientError,
  applyTransportLimits,
  resolveTransportLimits,
  tlsServerOptions,
  type TransportLimits,
} from './transport';
import { buildOpenApiDocument } from './openapi';
import { OpsMetrics, opsRoutes, type ReadinessChecks } from './ops-routes';
import { ownerRoutes } from './owner-routes';
import type { MeasuredStore } from '../store/measured-store';
import type { RateLimitRule } from '../../core/config';
import { RateLimiter } from '../../core/rate-limit';

/**
 * Owner API rate limits (SPEC §4.2 → 429 + Retry-After); `false` switches one family off. CUPS
 * limits (per router and per address, SPEC §3.6) are the core's (`CoreConfig.cupsRateLimit`).
 */
export interface RateLimits {
  /** per client address, before authentication (slows API-key guessing) */
  ownerPerAddress: RateLimitRule | false;
  /** per API key; a bulk request of 10 000 items counts once */
  ownerPerKey: RateLimitRule | false;
}

/** Defaults: generous for scripts, tight enough to stop a runaway loop. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  ownerPerAddress: { ratePerSecond: 50, burst: 100 },
  ownerPerKey: { ratePerSecond: 20, burst: 40 },
};

/** Options of {@link startServer}. */
export interface ServerOptions {
  core: Core;
  /**
   * PEM server certificate (chain) and key; client certificates (SPEC §3.1 certificate mode) are
   * verified against `caCertPem` (the station's CA) and `clientCaPems` (more CAs the operator trusts
   * for gateway certificates)
   */
  tls: {
    certPem: string;
    keyPem: string;
    caCertPem?: string | undefined;
    clientCaPems?: readonly string[] | undefined;
  };
  /** default 127.0.0.1 */
  host?: string | undefined;
  /** default 0 (any free port) */
  port?: number | undefined;
  /** host name for `url` (e.g. a public name in the certificate); default: the bound address */
  publicHost?: string | undefined;
  logger?: Logger | undefined;
  /** `false` disables the Owner API rate limits; partial objects override the defaults */
  rateLimits?: Partial<RateLimits> | false | undefined;
  /** clock for the rate limiter, milliseconds */
  now?: (() => number) | undefined;
  /** `/readyz` checks (default: none, always ready) and the store whose transactions `/metrics` times */
  ops?: { readiness?: ReadinessChecks | undefined; store?: MeasuredStore | undefined } | undefined;
  /** TLS handshake timeout and connection cap (docs/cups.md "Connections"); defaults fill the gaps */
  transport?: Partial<TransportLimits> | undefined;
  /** mounts more routes before listening (the HTTP bridge and renderer: `createStationUi().extendServer()`) */
  extend?: ((app: FastifyInstance) => Promise<void>) | undefined;
}

/** A listening server. */
export interface RunningServer {
  /** `https://host:port` */
  url: string;
  port: number;
  host: string;
  /** the fastify instance (for inject-style tools; routes are fixed after start) */
  app: FastifyInstance;
  /** Stops accepting, closes idle keep-alive connections, waits for in-flight requests. */
  close(): Promise<void>;
}

function limiter(rule: RateLimitRule | false | undefined, now: () => number): RateLimiter | undefined {
  return rule ? new RateLimiter(rule, now) : undefined;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Builds the fastify app without listening (used by {@link startServer}). */
export async function buildApp(options: ServerOptions): Promise<FastifyInstance> {
  const { core, logger, tls } = options;
  const now = options.now ?? Date.now;
  const limits: RateLimits | undefined =
    options.rateLimits === false ? undefined : { ...DEFAULT_RATE_LIMITS, ...(options.rateLimits ?? {}) };

  const metrics = new OpsMetrics(core);
  const door = createCupsDoor({ core, logger });
  const cupsDoor: typeof door = (req, res) => {
    const started = performance.now();
    res.once('finish', () => metrics.cupsSeconds.observe((performance.now() - started) / 1000));
    door(req, res);
  };
  const unobserve = options.ops?.store?.onTransaction((seconds, durability) =>
    metrics.storeSeconds.observe({ durability }, seconds),
  );
  const transport = resolveTransportLimits(options.transport);
  let closing = false; // while closing, fastify answers everything (503, Connection: close)
  const app = Fastify({
    serverFactory: (fastifyHandler) => {
      const server = createServer(
        {
          cert: tls.certPem,
          key: tls.keyPem,
          ...(tls.caCertPem !== undefined || (tls.clientCaPems?.length ?? 0) > 0
            ? { ca: [...(tls.caCertPem !== undefined ? [tls.caCertPem] : []), ...(tls.clientCaPems ?? [])] }
            : {}),
          requestCert: true,
          rejectUnauthorized: false,
          ...tlsServerOptions(transport),
        },
        (req, res) => (!closing && isCupsRequest(req) ? cupsDoor(req, res) : fastifyHandler(req, res)),
      );
      server.keepAliveTimeout = 30_000;
      server.requestTimeout = 60_000;
      applyTransportLimits(server, transport, logger);
      return server;
    },
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // parser errors before any route (bad Content-Length, NUL in a header) get the envelope too
    clientErrorHandler: answerClientError,
  });

  app.addHook('preClose', (done) => {
    closing = true;
    unobserve?.();
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    const f = toHttpFailure(err, logger, { bodyBytes: req.routeOptions.bodyLimit ?? MAX_BODY_BYTES });
    if (f.status === 413) reply.header('connection', 'close');
    return reply.code(f.status).send(f.body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .send({ error: `path: no endpoint ${req.method} ${req.url.split('?')[0]}`, code: 'not_found' }),
  );

  let openapi: Record<string, unknown> | undefined;
  app.get('/api/v1/openapi.json', async () => (openapi ??= buildOpenApiDocument()));
  // degraded (503) while the store refuses writes, e.g. a full disk (docs/security.md "Disk full")
  app.get('/healthz', async (_req, reply) => {
    const store = core.storeHealth();
    if (store.state === 'ok') return { status: 'ok' };
    return reply.code(503).send({ status: 'degraded', store });
  });
  opsRoutes(app, metrics, options.ops?.readiness ?? {});

  await app.register(ownerRoutes, {
    core,
    perAddress: limits ? limiter(limits.ownerPerAddress, now) : undefined,
    perKey: limits ? limiter(limits.ownerPerKey, now) : undefined,
  });
  if (options.extend) await options.extend(app);
  return app;
}

/** Starts the HTTPS server and resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = await buildApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : (options.port ?? 0);
  const shownHost = options.publicHost ?? (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);
  let closing: Promise<void> | undefined;
  return {
    url: `https://${urlHost(shownHost)}:${port}`,
    port,
    host,
    app,
    close: () => (closing ??= app.close()),
  };
}
