/**
 * The HTTP bridge (DESIGN §2 headless mode): the renderer's channels at `POST /bridge/<channel>`
 * behind an operator session, plus the built renderer at `/` — a fastify plugin mounted on the
 * join server's HTTPS app by {@link registerBridge}.
 *
 * Security (docs/architecture.md, the HTTP bridge):
 * - Session: random 256-bit id in `__Host-gwjs-session` (HttpOnly, Secure, SameSite=Strict,
 *   Path=/); a login always issues a new id and ends the presented one (no fixation).
 * - CSRF: every POST needs `X-GWJS-Bridge: 1` (a cross-site form cannot send custom headers, and a
 *   cross-site fetch with one needs a CORS preflight we never grant), `Content-Type:
 *   application/json`, and — when the browser sends them — `Origin` equal to this server and
 *   `Sec-Fetch-Site: same-origin`.
 * - Logins are throttled in the store (operators service); every answer carries the strict CSP.
 * - Requests are rate-limited per client address before the session is looked up, like the Owner
 *   API (docs/security.md): 429 + Retry-After.
 * - A cookie that is not valid percent-encoding is no session (401), never an error.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isDomainError, knownErrorOf } from '../../src-shared/errors';
import {
  BRIDGE_HEADER,
  channelsFor,
  firstRunRequestSchema,
  loginRequestSchema,
  type Envelope,
  type SessionInfo,
} from '../../src-shared/ipc';
import type { RateLimitRule } from '../core/config';
import type { Logger } from '../core/ports';
import { RateLimiter } from '../core/rate-limit';
import type { NewSession, OperatorIdentity, OperatorService } from '../core/station';
import type { BridgeCaller } from './caller';
import { SECURITY_HEADERS } from './csp';
import { dispatch, failure } from './dispatch';
import type { HandlerTable } from './handlers';
import { NOT_BUILT_HTML, createRendererFileIndex } from './renderer-files';

/** Name of the session cookie (`__Host-`: Secure, Path=/, no Domain — a sibling host cannot plant it). */
export const SESSION_COOKIE = '__Host-gwjs-session';

/** Options of {@link registerBridge}. */
interface HttpBridgeOptions {
  handlers: HandlerTable;
  operators: OperatorService;
  /** the built renderer (out/renderer); missing → a page explaining how to build it */
  rendererDir?: string | undefined;
  logger?: Logger | undefined;
  /** per client address, before the session is looked up; `false` = unlimited (default {@link DEFAULT_BRIDGE_RATE_LIMIT}) */
  rateLimit?: RateLimitRule | false | undefined;
  /** clock of the rate limiter, ms */
  now?: (() => number) | undefined;
}

/**
 * Bridge requests per client address: the UI makes a few calls per screen and polls the dashboard
 * and activity feed, so this stops only a runaway loop or a flood (docs/security.md).
 */
export const DEFAULT_BRIDGE_RATE_LIMIT: RateLimitRule = { ratePerSecond: 50, burst: 200 };

/**
 * Reads one cookie from a Cookie header. A value that is not valid percent-encoding (`%`, `%zz`)
 * reads as absent: it cannot be a session id this server issued.
 */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function sessionCookie(value: string, expires: Date | 'past'): string {
  const when = expires === 'past' ? 'Max-Age=0' : `Expires=${expires.toUTCString()}`;
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; ${when}; HttpOnly; Secure; SameSite=Strict`;
}

function send<T>(reply: FastifyReply, envelope: Envelope<T>, retryAfterSeconds?: number): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (envelope.ok) return reply.code(200).send(envelope);
  const status = httpStatusOf(envelope.error.code);
  if (envelope.error.code === 'rate_limited') reply.header('retry-after', String(retryAfterSeconds ?? 900));
  return reply.code(status).send(envelope);
}

/** `retryAfterSeconds` of a DomainError (login throttling says how long), else undefined. */
function retryAfterOf(err: unknown): number | undefined {
  if (!isDomainError(err)) return undefined;
  const v = err.attributes.retryAfterSeconds;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.ceil(v) : undefined;
}

function sessionInfo(op: OperatorIdentity): SessionInfo {
  return {
    transport: 'http',
    operator: { name: op.name, role: op.role, ownerId: op.ownerId },
    channels: channelsFor(op.role),
  };
}

/** Why a state-changing request is refused as a possible cross-site request, or undefined. */
function csrfProblem(req: FastifyRequest): { status: number; message: string } | undefined {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json') {
    return {
      status: 415,
      message: `content-type: the bridge takes application/json only, got ${JSON.stringify(type)}`,
    };
  }
  if (req.headers[BRIDGE_HEADER] !== '1') {
    return {
      status: 403,
      message: `${BRIDGE_HEADER}: header missing (requests must come from the station UI)`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `https://${req.headers.host ?? ''}`) {
    return { status: 403, message: `origin: ${JSON.stringify(origin)} is not this station` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, message: `sec-fetch-site: ${JSON.stringify(site)} requests are refused` };
  }
  return undefined;
}

/** Mounts the HTTP bridge and the renderer on `app` (encapsulated: its hooks touch only its routes). */
export async function registerBridge(app: FastifyInstance, options: HttpBridgeOptions): Promise<void> {
  await app.register(async (scope) => bridgePlugin(scope, options));
}

async function bridgePlugin(app: FastifyInstance, options: HttpBridgeOptions): Promise<void> {
  const { handlers, operators, logger } = options;
  const files = options.rendererDir ? createRendererFileIndex(options.rendererDir) : undefined;
  const rule = options.rateLimit === undefined ? DEFAULT_BRIDGE_RATE_LIMIT : options.rateLimit;
  const perAddress = rule === false ? undefined : new RateLimiter(rule, options.now ?? Date.now);

  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    const wait = perAddress?.take(req.socket.remoteAddress ?? 'unknown') ?? 0;
    if (wait > 0) {
      return send(reply, failure('rate_limited', `address: too many requests, retry after ${wait} s`), wait);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const problem = csrfProblem(req);
      if (problem) {
        reply.header('cache-control', 'no-store');
        await reply
          .code(problem.status)
          .send(failure(problem.status === 415 ? 'invalid_request' : 'forbidden', problem.message));
        return reply;
      }
    }
    return undefined;
  });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as { statusCode?: number; code?: string; message?: string };
    const known = knownErrorOf(err);
    if (known !== undefined) return send(reply, failure(known.code, known.message), retryAfterOf(err));
    if (e.statusCode === 413) return send(reply, failure('body_too_large', 'body: too large'));
    if (e.statusCode !== undefined && e.statusCode < 500) {
      return send(
        reply,
        failure(
          /^FST_ERR_CTP_(INVALID|EMPTY)_JSON/.test(e.code ?? '') ? 'invalid_json' : 'invalid_request',
          `body: ${e.message ?? 'invalid'}`,
        ),
      );
    }
    logger?.error({ err: e.message }, 'bridge request failed');
    return send(reply, failure('internal', 'internal error'));
  });

  const sessionOf = async (req: FastifyRequest): Promise<OperatorIdentity | undefined> => {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    return id ? operators.resolveSession(id) : undefined;
  };

  const startSession = (reply: FastifyReply, session: NewSession) => {
    reply.header('set-cookie', sessionCookie(session.sessionId, new Date(session.expiresAt)));
    return send(reply, { ok: true, value: sessionInfo(session.operator) });
  };

  app.post('/bridge/state', async (req, reply) => {
    const op = await sessionOf(req);
    return send(reply, {
      ok: true,
      value: { setupRequired: await operators.setupRequired(), session: op ? sessionInfo(op) : null },
    });
  });

  app.post('/bridge/login', async (req, reply) => {
    const body = loginRequestSchema.safeParse(req.body);
    if (!body.success)
      return send(reply, failure('invalid_request', 'login: name and password are required'));
    const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = await operators.login(body.data.name, body.data.password, req.ip, previous);
    return startSession(reply, session);
  });

  app.post('/bridge/setup', async (req, reply) => {
    const body = firstRunRequestSchema.safeParse(req.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      return send(
        reply,
        failure('invalid_request', `setup: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`),
      );
    }
    const { setupPassword, name, password } = body.data;
    return startSession(reply, await operators.completeSetup(setupPassword, name, password, req.ip));
  });

  app.post('/bridge/logout', async (req, reply) => {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (id) await operators.logout(id);
    reply.header('set-cookie', sessionCookie('', 'past'));
    return send(reply, { ok: true, value: { ok: true } });
  });

  app.post<{ Params: { channel: string } }>('/bridge/:channel', async (req, reply) => {
    const op = await sessionOf(req);
    if (!op) return send(reply, failure('unauthorized', 'session: log in first (no valid operator session)'));
    const caller: BridgeCaller = { ...op, transport: 'http', address: req.ip };
    let retryAfter: number | undefined;
    const envelope = await dispatch(handlers, caller, req.params.channel, req.body, logger, (s) => {
      retryAfter = s;
    });
    return send(reply, envelope, retryAfter);
  });

  const serveFile = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    const built = files?.built() ?? false;
    let file = files?.get(path);
    if (!file && built && !/\.[a-z0-9]+$/i.test(path) && !/^\/(api|bridge)\//.test(path)) {
      file = files?.get('/'); // client-side routes load the app
    }
    if (!file) {
      if (path === '/' && !built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT_HTML);
      if (path === '/favicon.ico') return reply.code(204).send();
      return reply.code(404).send({ error: `path: no endpoint GET ${path}`, code: 'not_found' });
    }
    reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.type(file.contentType).send(await readFile(file.path));
  };
  app.get('/', serveFile);
  app.get('/*', serveFile);
}
