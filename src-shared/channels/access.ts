/**
 * The owners, API keys, batches and audit namespaces of the renderer ↔ main contract. Their rows
 * are the shared shapes of `contract/shapes.ts` (one schema each, the core's types derive from it).
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import {
  ADMIN_ONLY as ADMIN,
  ALL_ROLES as ALL,
  FACTORY_ROLES as FACTORY,
  channel,
  emptyRequest as empty,
  idInput,
} from '../channel';
import { ApiKeySummarySchema, AuditEntrySchema, BatchRowSchema, OwnerRowSchema } from '../contract/shapes';
import { ScopeSchema } from '../contract/values';
import { ownerIdInput } from './gateways';

const ok = z.object({ ok: z.literal(true) });

/** A new batch (an EUI range; its root key is generated in the HSM or imported). */
const batchInputSchema = z.object({
  /** first and last gateway, any id form */
  first: idInput,
  last: idInput,
  flavor: z.string().max(100).optional(),
  cupsUri: z.string().max(127).optional(),
});
/** A new batch. */
export type BatchInput = z.infer<typeof batchInputSchema>;

/** The owners, API keys, batches and audit channels (spread into `CHANNELS`). */
export const ACCESS_CHANNELS = {
  'owners:list': channel(empty, z.array(OwnerRowSchema), ALL, 'all owners'),
  'owners:create': channel(
    z.object({ id: ownerIdInput, name: z.string().max(200).optional() }),
    OwnerRowSchema,
    ADMIN,
    'create an owner',
  ),
  'apiKeys:list': channel(
    z.object({ ownerId: ownerIdInput.optional() }),
    z.array(ApiKeySummarySchema),
    ADMIN,
    'API keys (hashed; never the key itself)',
  ),
  'apiKeys:create': channel(
    z.object({
      ownerId: ownerIdInput.nullable(),
      scopes: z.array(ScopeSchema).min(1),
      label: z.string().max(200).optional(),
    }),
    z.object({ apiKey: z.string(), summary: ApiKeySummarySchema }),
    ADMIN,
    'create an API key; the plaintext is shown once',
  ),
  'apiKeys:revoke': channel(z.object({ id: z.string().min(1) }), ok, ADMIN, 'revoke an API key'),

  'batches:list': channel(empty, z.array(BatchRowSchema), FACTORY, 'batches (EUI ranges with a root key)'),
  'batches:create': channel(
    batchInputSchema,
    BatchRowSchema,
    FACTORY,
    'new batch: root key generated in the HSM',
  ),

  'audit:list': channel(
    z.object({
      target: z.string().max(100).optional(),
      action: z.string().max(100).optional(),
      before: z.number().int().optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    z.array(AuditEntrySchema),
    ALL,
    'audit log, newest first, filterable',
  ),
} as const;
