/**
 * What the Sync screen sees of a station's sync (docs/sync.md "Screens"): the link's status, the
 * outbox entries with their secrets held back, and both versions of an operation's gateways for the
 * conflict view. The core's types derive from these schemas, so the screens, the channels and the
 * core cannot drift apart. No API key, claim PIN, token or private key ever appears here.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { GatewayChangeStateSchema } from '../sync-api';
import { FactoryRecordResultSchema } from './factory-records';
import { ItemResultsSchema } from './shapes';

/** States of an outbox entry (docs/sync.md "Conflicts"); dropped and adopted are resolved ones. */
export const OUTBOX_STATES = ['pending', 'sent', 'rejected', 'conflict', 'dropped', 'adopted'] as const;
/** One outbox state. */
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * What a station queues: the owner operations, factory personalization records (`factory`,
 * docs/sync.md "Factory records") and firmware deliveries made from the site pack
 * (`firmware-sent`, docs/sync.md "Firmware from the pack").
 */
const SYNC_OPERATIONS = ['claim', 'setup', 'delete', 'add', 'rotate', 'factory', 'firmware-sent'] as const;

/** How an installer resolves a rejected or conflicting operation (docs/sync.md "Conflicts"). */
export const RESOLUTIONS = ['reapply', 'drop', 'adopt'] as const;
/** One resolution. */
export type Resolution = (typeof RESOLUTIONS)[number];

/** The station's sync status (`gwjs sync status`, the Sync screen). */
export const SyncStatusSchema = z.object({
  linked: z.boolean(),
  url: z.string().nullable(),
  /** the owner the station works for, ID6 */
  ownerId: z.string().nullable(),
  /** SHA-256 of the pinned CA certificate, 64 lowercase hex */
  caFingerprint: z.string().nullable(),
  /** whether the last round reached the remote; null before the first round */
  online: z.boolean().nullable(),
  /** the loop runs (gwjs serve / desktop) */
  looping: z.boolean(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  failures: z.number().int(),
  cursor: z.string().nullable(),
  counts: z.record(z.enum(OUTBOX_STATES), z.number().int()),
  traffic: z.object({ requests: z.number(), bytesOut: z.number(), bytesIn: z.number() }),
});
/** The station's sync status. */
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

/** A plain value of a request item as the screens show it. */
const ItemValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The request fields whose values are secrets: shown as "held", never sent to the screens. */
export const SECRET_ITEM_FIELDS = ['claim', 'token', 'cupsKey', 'lnsKey'] as const;

/** One request item of a queued operation, its secrets held back. */
const OutboxItemViewSchema = z.object({
  /** the gateway as the operation names it */
  gateway: z.string(),
  /** the item's other fields (setup fields, add's flavor …), secrets left out */
  fields: z.record(z.string(), ItemValueSchema),
  /** secret fields the item still holds (e.g. `claim` until the claim is answered) */
  secrets: z.array(z.enum(SECRET_ITEM_FIELDS)),
});
/** One request item of a queued operation. */
export type OutboxItemView = z.infer<typeof OutboxItemViewSchema>;

/** The remote's refusal of a whole request (or the station's own conflict finding, status 0). */
const WholeAnswerSchema = z.object({ status: z.number().int(), error: z.string(), code: z.string() });

/** One outbox entry as the screens see it. */
export const OutboxEntryViewSchema = z.object({
  seq: z.number().int(),
  opId: z.string(),
  operation: z.enum(SYNC_OPERATIONS),
  /** ID6; null for factory records queued on a factory link (no owner) */
  ownerId: z.string().nullable(),
  items: z.array(OutboxItemViewSchema),
  state: z.enum(OUTBOX_STATES),
  createdAt: z.string(),
  attempts: z.number().int(),
  answeredAt: z.string().nullable(),
  /**
   * the remote's answer: per item (per record, with its `recordId`, for a `factory` operation:
   * first, so a record's answer keeps its fields), or a whole-request error
   */
  answer: z.union([z.array(FactoryRecordResultSchema), ItemResultsSchema, WholeAnswerSchema]).nullable(),
});
/** One outbox entry as the screens see it. */
export type OutboxEntryView = z.infer<typeof OutboxEntryViewSchema>;

/** One gateway of an operation, this station's state and the remote's side by side. */
const GatewayVersionsSchema = z.object({
  /** ID6 */
  gateway: z.string(),
  /** this station's state for the operation's owner; null = the owner does not hold it here */
  local: GatewayChangeStateSchema.nullable(),
  /** the remote's state from the mirror; null = the owner does not hold it there (or unknown) */
  remote: GatewayChangeStateSchema.nullable(),
  /** whether the mirror has the gateway (false: the remote's side is only its answer) */
  remoteKnown: z.boolean(),
  /** the remote's latest change of the gateway (mirror), when known */
  remoteChange: z.object({ kind: z.string(), at: z.string() }).nullable(),
  /** the remote's refusal of this gateway's item (or of the whole request), if any */
  answer: z.object({ code: z.string(), error: z.string() }).nullable(),
});
/** One gateway of an operation, both versions. */
export type GatewayVersions = z.infer<typeof GatewayVersionsSchema>;

/** The conflict view of one operation. */
export const OperationVersionsSchema = z.object({
  entry: OutboxEntryViewSchema,
  gateways: z.array(GatewayVersionsSchema),
});
/** The conflict view of one operation. */
export type OperationVersions = z.infer<typeof OperationVersionsSchema>;
