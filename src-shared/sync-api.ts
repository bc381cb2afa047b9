/**
 * Sync contract (docs/sync.md): the `Idempotency-Key` header every Owner API write accepts, and the
 * change feed `POST /api/v1/gateway/changes {ownerid, after?, limit?}` → `{changes, next, more}`.
 * Zod schemas shared by the remote's door and the station's client, so both sides validate the same
 * shapes.
 */
import { z } from 'zod';
import { ALL_ROLES } from './channel';
import { plainOperation } from './contract/operation';
import { OwnerIdSchema } from './contract/values';

/** The request header a write carries its operation id in (docs/sync.md "Idempotency"). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** An accepted Idempotency-Key: 1–128 characters of `A-Z a-z 0-9 . _ : ~ + / = -`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:~+/=-]{1,128}$/;

/** Most entries one change-feed page may ask for. */
export const MAX_CHANGES_LIMIT = 10_000;

/** Path of the change feed. */
export const CHANGES_PATH = '/api/v1/gateway/changes';

const ChangesRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  after: z.string().optional().describe('cursor: the previous page’s `next` ("" or absent = from the start)'),
  limit: z.number().int().min(1).max(MAX_CHANGES_LIMIT).optional().describe('page size (default 1000)'),
});

/** One gateway's state in the feed (no secret: CRCs stand for the credentials). */
export const GatewayChangeStateSchema = z.object({
  origin: z.enum(['batch', 'added']),
  claimedAt: z.string().nullable(),
  tokenGeneration: z.number().int(),
  tokenTarget: z.number().int(),
  setup: z
    .object({
      cupsUri: z.string().nullable(),
      cupsCrc: z.number().int().nullable(),
      lnsUri: z.string().nullable(),
      lnsCrc: z.number().int().nullable(),
      fwcrc: z.number().int().nullable(),
      fwafter: z.string().nullable(),
      updatedAt: z.string(),
    })
    .nullable(),
});

const GatewayChangeSchema = z.object({
  seq: z.string().describe('position in the owner’s feed'),
  gateway: z.string().describe('ID6'),
  kind: z.string().describe('the operation of the latest change: claim, setup, delete, add, rotate'),
  opId: z.string().nullable().describe('Idempotency-Key of that operation, when it had one'),
  at: z.string(),
  state: GatewayChangeStateSchema.nullable().describe('null: the owner no longer holds the gateway'),
});
export type GatewayChangeWire = z.infer<typeof GatewayChangeSchema>;

export const ChangesResponseSchema = z.object({
  changes: z.array(GatewayChangeSchema),
  next: z.string().describe('cursor to pass as `after` next time (store it after applying the page)'),
  more: z.boolean().describe('true when another page follows at once'),
});

/** `gateway/changes`: the owner's change feed after a cursor (scope `read`; docs/sync.md "Pull"). */
export const CHANGES = plainOperation({
  request: ChangesRequestSchema,
  response: ChangesResponseSchema,
  scope: 'read',
  roles: ALL_ROLES,
  summary:
    'The owner’s change feed after a cursor: each changed gateway once, with its state now (docs/sync.md)',
});
