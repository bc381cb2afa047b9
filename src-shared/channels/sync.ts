/**
 * The sync namespace of the renderer ↔ main contract (docs/sync.md "Screens"): the remote link
 * (admins set it; the API key goes in and never comes back), a round now, the outbox, the conflict
 * view and resolving an operation; the site-pack picker (what the pack holds, choose the gateways
 * and fetch it) and the offline claims with the remote's verdict. Shapes: `contract/sync-views.ts`,
 * `contract/site-pack-views.ts`.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import {
  ADMIN_ONLY as ADMIN,
  ALL_ROLES as ALL,
  INSTALLERS as INSTALL,
  channel,
  emptyRequest as empty,
  idInput,
} from '../channel';
import {
  OUTBOX_STATES,
  OperationVersionsSchema,
  OutboxEntryViewSchema,
  RESOLUTIONS,
  SyncStatusSchema,
} from '../contract/sync-views';
import { OfflineClaimSchema, SitePackViewSchema } from '../contract/site-pack-views';
import { MAX_ITEMS } from '../contract/values';
import { ownerIdInput } from './gateways';

const seq = z.number().int().min(1);

/** The sync channels (spread into `CHANNELS`). */
export const SYNC_CHANNELS = {
  'sync:status': channel(
    empty,
    SyncStatusSchema,
    INSTALL,
    'the remote link: URL, pinned CA, online, outbox counts',
  ),
  'sync:link': channel(
    z.object({
      url: z.string().min(1).max(200),
      /** the remote's CA certificate (its `<data>/tls/ca.pem`): the only trust of the link; absent = keep the pinned one */
      caPem: z.string().min(1).max(20_000).optional(),
      /** SHA-256 the CA must have (hex, `:` and case ignored), as the remote's `gwjs init` printed it */
      caFingerprint: z.string().max(200).optional(),
      /**
       * the owner this station works for; null = a factory link: no owner, it pushes factory
       * records only, with a factory or admin key (docs/sync.md "Factory records")
       */
      ownerId: ownerIdInput.nullable(),
      /**
       * the API key on the remote (the owner's; a factory or admin key for a factory link): sealed
       * in the HSM, never answered back; absent = keep the sealed one (same owner, and the URL's
       * origin unchanged or `keepApiKey`)
       */
      apiKey: z.string().min(1).max(500).optional(),
      /** confirms sending the sealed key to a URL of another origin (docs/sync.md "Editing the link") */
      keepApiKey: z.boolean().optional(),
    }),
    SyncStatusSchema,
    ADMIN,
    'link the station to a remote join server, or edit its link (the key is sealed in the HSM; kept on a same-origin edit)',
  ),
  'sync:now': channel(
    empty,
    SyncStatusSchema.extend({
      /** why this round stopped (link down, refused key …); null when it went through */
      roundError: z.string().nullable(),
    }),
    INSTALL,
    'one sync round now (pull, push, pull); a failed round answers the status with its error',
  ),
  'sync:outbox': channel(
    z.object({
      states: z.array(z.enum(OUTBOX_STATES)).min(1).optional(),
      /** entries after this seq (paging) */
      afterSeq: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    z.object({ entries: z.array(OutboxEntryViewSchema), more: z.boolean() }),
    INSTALL,
    'outbox entries in push order, by state (secrets held back)',
  ),
  'sync:versions': channel(
    z.object({ seq }),
    OperationVersionsSchema,
    INSTALL,
    'conflict view: this station’s and the remote’s version of each gateway of an operation',
  ),
  'sync:resolve': channel(
    z.object({
      seq,
      action: z.enum(RESOLUTIONS),
      /** re-applying a claim needs the PIN again, by gateway as the operation names it */
      pins: z.record(z.string().max(64), z.string().max(64)).optional(),
    }),
    OutboxEntryViewSchema,
    INSTALL,
    'resolve a rejected or conflicting operation: re-apply, drop or adopt the remote’s (audited)',
  ),
  'sync:sitePack': channel(
    empty,
    SitePackViewSchema,
    ALL,
    'site pack: what it holds, per gateway (no blob, verifier or token)',
  ),
  'sync:sitePackChoose': channel(
    z.object({
      /** the gateways to pack (any id form); null = every gateway of the owner */
      gateways: z.array(idInput).max(MAX_ITEMS).nullable(),
    }),
    SitePackViewSchema,
    INSTALL,
    'choose the site pack’s gateways and fetch it from the remote at once',
  ),
  'sync:claims': channel(
    empty,
    z.array(OfflineClaimSchema),
    ALL,
    'offline claims: pending, verified, or rejected with the remote’s message',
  ),
  'sync:unlink': channel(
    empty,
    z.object({ ok: z.literal(true) }),
    ADMIN,
    'remove the remote link (the outbox stays)',
  ),
} as const;
