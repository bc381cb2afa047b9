/**
 * Owner API door (SPEC §4): `POST /api/v1/gateway/{claim,setup,delete,add,info,list,rotate}`,
 * `POST /api/v1/firmware/{upload,list,delete,station-key}` `POST /api/v1/certificate/{issue,list,revoke}`,
 * the change feed `POST /api/v1/gateway/changes` and the `Idempotency-Key` header (docs/sync.md).
 * Every endpoint is one entry of `OWNER_API` (`src-shared/owner-api.ts`) and of the typed handler
 * table of `owner-handlers.ts`; no switch, no per-route code.
 * Per request: per-address rate limit → Bearer authentication (before the body is read) → per-key
 * rate limit → JSON body (≤ 16 MiB) → whole-request validation with the declaration's wire form
 * → one core call (which checks each item and answers per item, in request order) → in
 * development, the answer checked against the declared response schema. Ownership and scope
 * checks are the core's (403); this door adds no business rule.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core, Principal, RequestContext } from '../../core/api';
import { answerMismatch, validateAnswersByDefault } from '../../../src-shared/contract/issues';
import { DomainError } from '../../../src-shared/errors';
import {
  MAX_BODY_BYTES,
  OWNER_API,
  OWNER_API_PATHS,
  parseOwnerCall,
  type OwnerApiHandlers,
  type OwnerApiPath,
} from '../../../src-shared/owner-api';
import { ownerApiHandlers } from './owner-handlers';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '../../../src-shared/sync-api';
import type { RateLimiter } from '../../core/rate-limit';

/** What the Owner API door needs. */
interface OwnerRoutesOptions {
  core: Core;
  /** per client address, checked before authentication; undefined = unlimited */
  perAddress?: RateLimiter | undefined;
  /** per API key, checked after authentication; undefined = unlimited */
  perKey?: RateLimiter | undefined;
  /**
   * Check every answer against its declared response schema before sending it; a mismatch is a
   * 500 (and logged), so a drifting answer fails loudly. Default: {@link validateAnswersByDefault}.
   */
  validateAnswers?: boolean | undefined;
}

/**
 * @throws Error (a 500) when `answer` does not match the declared response schema of `path`, an
 *   undeclared field included (`answerMismatch`).
 */
function checkAnswer(path: OwnerApiPath, answer: unknown): void {
  const why = answerMismatch(OWNER_API[path].response, answer);
  if (why !== undefined) throw new Error(`answer of /api/v1/${path} does not match its schema: ${why}`);
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Extracts the API key from `Authorization: Bearer <key>`. */
function bearerOf(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw new DomainError(
      'unauthorized',
      'authorization: missing (expected "Authorization: Bearer <api key>")',
    );
  }
  const m = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!m) throw new DomainError('unauthorized', 'authorization: expected "Bearer <api key>"');
  return m[1]!;
}

/**
 * The request's `Idempotency-Key` (docs/sync.md), if any.
 * @throws DomainError('invalid_request') naming the header for a malformed or repeated one.
 */
function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const v = req.headers[IDEMPOTENCY_HEADER];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(v)) {
    throw new DomainError(
      'invalid_request',
      'Idempotency-Key: expected one value of 1–128 characters A-Z a-z 0-9 . _ : ~ + / = -',
      { field: 'Idempotency-Key' },
    );
  }
  return v;
}

function sendRateLimited(reply: FastifyReply, retryAfter: number, what: string): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(retryAfter))
    .send({ error: `${what}: too many requests, retry after ${retryAfter} s`, code: 'rate_limited' });
}

function parseJsonBody(
  _req: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
) {
  if (body.trim() === '') {
    done(new DomainError('invalid_json', 'body: empty, expected a JSON object'));
    return;
  }
  try {
    done(null, JSON.parse(body));
  } catch (e) {
    const detail = e instanceof Error ? e.message.slice(0, 120) : 'parse error';
    done(new DomainError('invalid_json', `body: not valid JSON (${detail})`));
  }
}

/** Registers the Owner API routes on a fastify scope of their own (own JSON parser, own hooks). */
export async function ownerRoutes(app: FastifyInstance, opts: OwnerRoutesOptions): Promise<void> {
  const { core, perAddress, perKey } = opts;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    parseJsonBody,
  );

  app.addHook('onRequest', async (req, reply) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = perAddress?.take(address) ?? 0;
    if (wait > 0) return sendRateLimited(reply, wait, 'address');
    const principal = await core.access.authenticate(bearerOf(req.headers.authorization));
    const keyWait = perKey?.take(principal.id) ?? 0;
    if (keyWait > 0) return sendRateLimited(reply, keyWait, 'api key');
    principals.set(req, principal);
    return undefined;
  });

  const handlers = ownerApiHandlers(core);
  const validate = opts.validateAnswers ?? validateAnswersByDefault(process.env);
  for (const path of OWNER_API_PATHS) {
    const handler = handlers[path] as OwnerApiHandlers<RequestContext>[OwnerApiPath];
    const op = OWNER_API[path];
    const bodyLimit = (op.kind === 'plain' ? op.bodyLimit : undefined) ?? MAX_BODY_BYTES;
    app.post(`/api/v1/${path}`, { bodyLimit }, async (req, reply) => {
      const principal = principals.get(req);
      if (principal === undefined) throw new DomainError('unauthorized', 'authorization: missing');
      const parsed = parseOwnerCall(path, req.body);
      if (!parsed.ok) return reply.code(400).send(parsed.error);
      const ctx: RequestContext = {
        principal,
        address: req.socket.remoteAddress,
        idempotencyKey: idempotencyKeyOf(req),
      };
      const answer = await handler(ctx, parsed.value as never);
      if (validate) checkAnswer(path, answer);
      return reply.send(answer);
    });
  }
}
