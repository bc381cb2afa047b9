/**
 * The sync namespace of the renderer ↔ main contract (docs/sync.md): the site-pack picker (what
 * the pack holds, choose the gateways and fetch it), the outbox and its conflicts (both versions,
 * re-apply / drop / adopt the remote's) and the offline claims (pending, verified, rejected with
 * the remote's message). No channel carries a blob, a verifier, a token or a PIN back to the UI.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ALL_ROLES as ALL, INSTALLERS, channel, emptyRequest as empty, idInput } from '../channel';
import { MAX_ITEMS } from '../contract/values';

/** The stored site pack as a whole. */
export const sitePackStatusSchema = z.object({
  present: z.boolean(),
  ownerId: z.string().nullable(),
  /** chosen gateways (ID6); null = every gateway of the owner */
  selection: z.array(z.string()).nullable(),
  /** the remote's time of the pack; null before a first fetch */
  createdAt: z.string().nullable(),
  fetchedAt: z.string().nullable(),
  remoteCupsUri: z.string().nullable(),
  hasCupsTrust: z.boolean(),
  gateways: z.number().int(),
});
/** The stored site pack as a whole. */
export type SitePackStatusView = z.infer<typeof sitePackStatusSchema>;

/** One packed gateway (no blob, no verifier). */
export const sitePackItemSchema = z.object({
  gateway: z.string(),
  origin: z.enum(['batch', 'added']),
  tokenGeneration: z.number().int(),
  tokenTarget: z.number().int(),
  /** how many token verifiers the pack holds (2 while g and g + 1 are accepted) */
  verifiers: z.number().int(),
  /** set up at the remote (else CUPS answers 404 "not configured") */
  configured: z.boolean(),
  cupsUri: z.string().nullable(),
  lnsUri: z.string().nullable(),
  hasCupsCred: z.boolean(),
  hasLnsCred: z.boolean(),
  setupAt: z.string().nullable(),
  /** the token generation the gateway last authenticated with at this station's CUPS */
  seenGeneration: z.number().int().nullable(),
  seenAt: z.string().nullable(),
});
/** One packed gateway. */
export type SitePackItemView = z.infer<typeof sitePackItemSchema>;

const sitePackView = z.object({ status: sitePackStatusSchema, gateways: z.array(sitePackItemSchema) });

/** States of an outbox entry (docs/sync.md "Conflicts"). */
export const OUTBOX_STATE_NAMES = ['pending', 'sent', 'rejected', 'conflict', 'dropped', 'adopted'] as const;

/** One outbox entry (claim PINs blanked once answered). */
export const outboxEntrySchema = z.object({
  seq: z.number().int(),
  opId: z.string(),
  operation: z.enum(['claim', 'setup', 'delete', 'add', 'rotate']),
  ownerHex: z.string(),
  items: z.array(z.unknown()),
  baseSeq: z.record(z.string(), z.number()),
  state: z.enum(OUTBOX_STATE_NAMES),
  createdAt: z.string(),
  attempts: z.number().int(),
  answeredAt: z.string().nullable(),
  /** the remote's answer: item results, or a whole-request error `{status, error, code}` */
  answer: z.unknown(),
  /** the remote's version where it conflicts */
  remote: z.unknown(),
});
/** One outbox entry. */
export type OutboxEntryView = z.infer<typeof outboxEntrySchema>;

/** One offline claim (docs/sync.md "Offline claims"). */
export const offlineClaimSchema = z.object({
  gateway: z.string(),
  ownerId: z.string(),
  opId: z.string(),
  state: z.enum(['pending', 'verified', 'rejected', 'conflict']),
  /** the remote's message when it refused the claim */
  message: z.string().nullable(),
  createdAt: z.string(),
  answeredAt: z.string().nullable(),
});
/** One offline claim. */
export type OfflineClaimView = z.infer<typeof offlineClaimSchema>;

/** The sync channels (spread into `CHANNELS`). */
export const SYNC_CHANNELS = {
  'sync:sitePack': channel(empty, sitePackView, ALL, 'site pack: what it holds, per gateway (no secrets)'),
  'sync:sitePackChoose': channel(
    z.object({
      /** the gateways to pack (any id form); null = every gateway of the owner */
      gateways: z.array(idInput).max(MAX_ITEMS).nullable(),
    }),
    sitePackView,
    INSTALLERS,
    'choose the site pack’s gateways and fetch it from the remote (offline: kept for the next round)',
  ),
  'sync:outbox': channel(
    z.object({
      states: z.array(z.enum(OUTBOX_STATE_NAMES)).max(6).optional(),
      afterSeq: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    z.array(outboxEntrySchema),
    ALL,
    'outbox entries in order (conflicts carry the remote’s version)',
  ),
  'sync:resolve': channel(
    z.object({
      seq: z.number().int().min(1),
      action: z.enum(['reapply', 'drop', 'adopt']),
      /** claims being re-applied: the PIN per gateway (ID6 as in the entry) */
      pins: z.record(z.string(), z.string().max(20)).optional(),
    }),
    outboxEntrySchema,
    INSTALLERS,
    'resolve a rejected or conflicting operation: re-apply, drop, or adopt the remote’s version',
  ),
  'sync:claims': channel(empty, z.array(offlineClaimSchema), ALL, 'offline claims and what the remote said'),
} as const;
