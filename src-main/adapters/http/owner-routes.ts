/**
 * Owner API door (SPEC §4): `POST /api/v1/gateway/{claim,setup,delete,add,info,list,rotate}`,
 * the change feed `POST /api/v1/gateway/changes` and the `Idempotency-Key` header (docs/sync.md),
 * `POST /api/v1/firmware/{upload,list,delete}`, and the certificate and station-key endpoints of
 * `credential-routes.ts`.
 * Per request: per-address rate limit → Bearer authentication (before the body is read) → per-key
 * rate limit → JSON body (≤ 16 MiB) → whole-request validation with the shared zod schemas → one
 * core call → the core's per-item answers in request order. Ownership and scope checks are the
 * core's (403); this door adds no business rule.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core, Principal, RequestContext } from '../../core/api';
import { DomainError, type ErrorBody } from '../../../src-shared/errors';
import {
  FIRMWARE_OPERATIONS,
  GATEWAY_OPERATIONS,
  MAX_BODY_BYTES,
  MAX_FIRMWARE_BODY_BYTES,
  parseFirmwareRequest,
  parseOwnerRequest,
  type FirmwareOperation,
  type FirmwareRequests,
  type GatewayOperation,
  type OwnerRequests,
} from '../../../src-shared/owner-api';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN } from '../../../src-shared/sync-api';
import { parseApiBody } from '../../../src-shared/credential-api';
import { CLAIM_UNLOCK_PATH, ClaimUnlockRequestSchema } from '../../../src-shared/lockout-api';
import { registerCredentialRoutes } from './credential-routes';
import { registerSyncRoutes } from './sync-routes';
import { addItems, claimItems, gatewayIds, setupItems } from './owner-requests';
import type { RateLimiter } from '../../core/rate-limit';

/** What the Owner API door needs. */
export interface OwnerRoutesOptions {
  core: Core;
  /** per client address, checked before authentication; undefined = unlimited */
  perAddress?: RateLimiter | undefined;
  /** per API key, checked after authentication; undefined = unlimited */
  perKey?: RateLimiter | undefined;
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

/** Calls the core for one validated request. */
async function dispatch<Op extends GatewayOperation>(
  core: Core,
  op: Op,
  ctx: RequestContext,
  value: OwnerRequests[Op],
): Promise<unknown> {
  const r = value as OwnerRequests[GatewayOperation];
  switch (op) {
    case 'claim':
      return core.owner.claim(ctx, r.ownerid, claimItems(r as OwnerRequests['claim']));
    case 'setup':
      return core.owner.setup(ctx, r.ownerid, setupItems(r as OwnerRequests['setup']));
    case 'delete':
      return core.owner.delete(ctx, r.ownerid, gatewayIds(r as OwnerRequests['delete']));
    case 'add':
      return core.owner.add(ctx, r.ownerid, addItems(r as OwnerRequests['add']));
    case 'info':
      return core.owner.info(ctx, r.ownerid, gatewayIds(r as OwnerRequests['info']));
    case 'rotate':
      return core.owner.rotate(ctx, r.ownerid, gatewayIds(r as OwnerRequests['rotate']));
    case 'list': {
      const l = r as OwnerRequests['list'];
      return core.owner.list(ctx, l.ownerid, { after: l.after, limit: l.limit });
    }
  }
  throw new DomainError('not_found', `operation: unknown "${String(op)}"`);
}

const fromBase64 = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** Calls the firmware catalogue for one validated request (SPEC §4.2 "Firmware"). */
async function dispatchFirmware(
  core: Core,
  op: FirmwareOperation,
  ctx: RequestContext,
  value: FirmwareRequests[FirmwareOperation],
): Promise<unknown> {
  switch (op) {
    case 'upload': {
      const r = value as FirmwareRequests['upload'];
      return core.firmware.upload(ctx, r.ownerid, {
        image: fromBase64(r.firmware),
        version: r.version,
        signatures: r.signatures.map((sig) => ({
          key: fromBase64(sig.key),
          signature: fromBase64(sig.signature),
        })),
        signWithStationKey: r.stationSign,
      });
    }
    case 'list':
      return { firmware: await core.firmware.list(ctx, value.ownerid) };
    case 'delete':
      return core.firmware.delete(ctx, value.ownerid, (value as FirmwareRequests['delete']).fwcrc);
  }
  throw new DomainError('not_found', `operation: unknown "${String(op)}"`);
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

  /** One endpoint: authenticated principal → whole-request validation → one core call. */
  const endpoint = <T>(
    path: string,
    bodyLimit: number,
    parse: (body: unknown) => { ok: true; value: T } | { ok: false; error: ErrorBody },
    call: (ctx: RequestContext, value: T) => Promise<unknown>,
  ) =>
    app.post(path, { bodyLimit }, async (req, reply) => {
      const principal = principals.get(req);
      if (principal === undefined) throw new DomainError('unauthorized', 'authorization: missing');
      const parsed = parse(req.body);
      if (!parsed.ok) return reply.code(400).send(parsed.error);
      const ctx: RequestContext = {
        principal,
        address: req.socket.remoteAddress,
        idempotencyKey: idempotencyKeyOf(req),
      };
      return reply.send(await call(ctx, parsed.value));
    });

  for (const op of GATEWAY_OPERATIONS) {
    endpoint(
      `/api/v1/gateway/${op}`,
      MAX_BODY_BYTES,
      (body) => parseOwnerRequest(op, body),
      (ctx, value) => dispatch(core, op, ctx, value),
    );
  }
  for (const op of FIRMWARE_OPERATIONS) {
    endpoint(
      `/api/v1/firmware/${op}`,
      op === 'upload' ? MAX_FIRMWARE_BODY_BYTES : MAX_BODY_BYTES,
      (body) => parseFirmwareRequest(op, body),
      (ctx, value) => dispatchFirmware(core, op, ctx, value),
    );
  }
  registerCredentialRoutes(core, endpoint);
  endpoint(
    CLAIM_UNLOCK_PATH,
    MAX_BODY_BYTES,
    (body) => parseApiBody(ClaimUnlockRequestSchema, body),
    (ctx, value) => core.owner.unlockClaims(ctx, value.gateway, value.ownerid ?? null),
  );
  registerSyncRoutes(core, endpoint);
}
