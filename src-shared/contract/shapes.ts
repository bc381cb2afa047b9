/**
 * Answer shapes shared by the Owner API, the IPC channels and the core (SPEC §4.2): the per-item
 * result, `info` of a gateway, and the rows of owners, API keys, batches and the audit log. Each
 * is one zod schema; its type is `z.output` of it, so the core's return types and the documents
 * (OpenAPI, channel map) cannot drift apart.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors';
import { ScopeSchema } from './values';

/** A stable snake_case error code (`src-shared/errors.ts`). */
const ErrorCodeSchema = z.enum(ERROR_CODES).describe('stable snake_case error code');

/** Whole-request failure (`{error, code}`); `error` names the field. */
export const ErrorBodySchema = z
  .object({ error: z.string(), code: ErrorCodeSchema })
  .describe('whole-request failure; `error` names the field');

/** One answer per request item, in request order; `error`/`code` only on failure (SPEC §4.2). */
export const ItemResultSchema = z
  .object({
    gateway: z.string().describe('canonical ID6 when the id parsed, else the input as given'),
    error: z.string().optional(),
    code: ErrorCodeSchema.optional(),
    pending: z
      .literal(true)
      .optional()
      .describe(
        'a station’s offline claim: recorded, the PIN is verified by the remote when it is pushed (docs/sync.md)',
      ),
  })
  .describe('one answer per request item, in request order; `error`/`code` only on failure');
/** One answer item (SPEC §4.2): `{gateway}` on success, plus `error` and `code` on failure. */
export type ItemResult = z.output<typeof ItemResultSchema>;
/** The answer of claim / setup / delete / add / rotate. */
export const ItemResultsSchema = z.array(ItemResultSchema);

/** Which credentials of one side (CUPS or LNS) are set — secrets masked. */
const CredentialSummarySchema = z.object({
  uri: z.string().nullable(),
  mode: z.enum(['none', 'server-auth', 'token', 'client-cert']),
  trustSet: z.boolean(),
  certSet: z.boolean(),
  keySet: z.boolean(),
  crc: z.number().int().nullable().describe('CRC-32 of the blob CUPS sends (SPEC §3.3)'),
});
/** Which credentials of one side are set. */
export type CredentialSummary = z.output<typeof CredentialSummarySchema>;

/** The last CUPS contact of a gateway (SPEC §3.6 "Record per gateway"). */
const CupsContactSchema = z.object({
  at: z.string(),
  address: z.string().nullable(),
  outcome: z.string(),
  station: z.string().nullable(),
  model: z.string().nullable(),
  package: z.string().nullable(),
  cupsCredCrc: z.number().int().nullable(),
  tcCredCrc: z.number().int().nullable(),
  keys: z.array(z.number().int()),
  credential: z
    .enum(['token', 'added_token', 'certificate'])
    .nullable()
    .optional()
    .describe('what the contact authenticated with; null = unauthenticated (plain HTTP) or not recorded'),
  tokenGeneration: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe(
      'token generation of a token contact: an older one than the current means a fallback set (docs/rotation.md)',
    ),
});
/** The last CUPS contact of a gateway (as the core records it: `credential`, `tokenGeneration` always set). */
export type CupsContact = Omit<z.output<typeof CupsContactSchema>, 'credential' | 'tokenGeneration'> & {
  credential: 'token' | 'added_token' | 'certificate' | null;
  tokenGeneration: number | null;
};

/** One rotation g → g + 1 of a gateway's CUPS token (SPEC §2 "rotation without lock-out"). */
const RotationRecordSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  startedAt: z.string(),
  startedBy: z
    .string()
    .describe('audit actor that started it (api-key:…, cli:cli), or gateway for a self-rotation'),
  completedAt: z.string().nullable(),
  completedHow: z
    .enum(['auth', 'crc'])
    .nullable()
    .describe('auth: the gateway authenticated with g + 1; crc: it reported the new cupsCred CRC'),
});
/** One rotation of a gateway's CUPS token. */
export type RotationRecord = z.output<typeof RotationRecordSchema>;

/** The rotation part of `info`. */
const RotationViewSchema = z.object({
  state: z.enum(['idle', 'in_flight']).describe('in_flight: g and g + 1 are both accepted'),
  generation: z.number().int().describe('the accepted generation g'),
  target: z.number().int().describe('generation of the cups.key CUPS delivers'),
  history: z.array(RotationRecordSchema).describe('newest first'),
});
/** The rotation part of `info`. */
export type RotationView = z.output<typeof RotationViewSchema>;

/** `info` of one gateway (SPEC §4.2), no secrets. */
export const GatewayInfoSchema = z.object({
  gateway: z.string(),
  eui: z.string(),
  owner: z.string().nullable(),
  origin: z.enum(['batch', 'added']),
  batch: z.string().nullable(),
  claimed: z.boolean(),
  claimedAt: z.string().nullable(),
  setup: z
    .object({ cups: CredentialSummarySchema, lns: CredentialSummarySchema, updatedAt: z.string().nullable() })
    .nullable(),
  tokenGeneration: z.number().int(),
  rotation: RotationViewSchema.nullable().describe(
    'CUPS token rotation (SPEC §2); null for an added gateway',
  ),
  firmware: z
    .object({
      fwcrc: z.number().int(),
      fwafter: z.string().nullable(),
      state: z.enum(['pending', 'not_yet_due', 'no_matching_key', 'sent', 'done', 'unknown_firmware']),
      detail: z.string().describe('why, in one sentence'),
      sentAt: z.string().nullable(),
      keyCrc: z.number().int().nullable().describe('CRC of the sig-N.key whose signature is (or was) sent'),
      packageBefore: z.string().nullable().describe('package reported when the update was sent'),
      packageAfter: z.string().nullable().describe('package reported since (state done)'),
    })
    .nullable(),
  lastContact: CupsContactSchema.nullable(),
  factory: z
    .object({
      event: z.string().describe('the latest step a factory station reported (personalized … blocked)'),
      state: z.string().describe('the unit’s state after it'),
      at: z.string(),
      station: z.string(),
      operator: z.string(),
      personalizedAt: z.string(),
      printedAt: z.string().nullable(),
      verifiedAt: z.string().nullable(),
      blockedAt: z.string().nullable(),
      records: z.number().int().describe('records received for the gateway'),
    })
    .optional()
    .describe(
      'what factory stations reported of the gateway (docs/sync.md "Factory records"); absent: nothing',
    ),
});
/** `info` of one gateway, secrets masked. */
export type GatewayInfo = z.output<typeof GatewayInfoSchema>;

/** One `info` answer item: an item result with the gateway's info on success. */
const InfoResultSchema = ItemResultSchema.extend({ info: GatewayInfoSchema.optional() });
/** One `info` answer item. */
export type InfoResult = z.output<typeof InfoResultSchema>;
/** The answer of `info`. */
export const InfoResultsSchema = z.array(InfoResultSchema);

/** An owner (SPEC §4.1). */
export const OwnerRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
});
/** An owner. */
export type OwnerRow = z.output<typeof OwnerRowSchema>;

/** An API key as listed: hashed, never the key itself (SPEC §4.1). */
export const ApiKeySummarySchema = z.object({
  id: z.string(),
  ownerId: z.string().nullable(),
  scopes: z.array(ScopeSchema),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  label: z.string().nullable(),
});
/** An API key as listed. */
export type ApiKeySummary = z.output<typeof ApiKeySummarySchema>;

/** A batch: an EUI range sharing one root key (SPEC §2). */
export const BatchRowSchema = z.object({
  id: z.string(),
  firstEui: z.string(),
  lastEui: z.string(),
  kcv: z.string(),
  flavor: z.string().nullable(),
  cupsUri: z.string().nullable(),
  kdf: z.literal('GWJS-v1'),
  createdAt: z.string(),
});
/** A batch. */
export type BatchRow = z.output<typeof BatchRowSchema>;

/** An audit log entry: who, what, when, from where. */
export const AuditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  address: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
/** An audit log entry. */
export type AuditEntry = z.output<typeof AuditEntrySchema>;
