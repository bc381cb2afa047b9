/**
 * Factory personalization records (docs/sync.md "Factory records"): a factory station tells the
 * remote — the authority, a twin holding the same batch root keys — that a gateway of a batch was
 * personalized, its label printed or verified, or the unit blocked, with the facts its line keeps
 * per unit (`core/factory-line/unit-rows.ts`). `POST /api/v1/factory/records {records: [...]}` →
 * one answer per record, in request order. It is not an owner operation: scope `factory` (or
 * `admin`), no `ownerid`. The remote refuses per record a gateway outside every batch it knows
 * (`not_found`) and a record whose batch key check value differs from its own (`kcv_mismatch`: the
 * two HSMs do not hold the same root key). Written once under the same `Idempotency-Key` rules as
 * the Owner API writes.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY } from '../channel';
import { UNIT_STATES } from '../factory-channels';
import { plainOperation } from './operation';
import { ItemResultSchema } from './shapes';
import { GatewayIdSchema, MAX_ITEMS } from './values';

/** Path of the factory-records endpoint. */
export const FACTORY_RECORDS_PATH = '/api/v1/factory/records';

/** The line steps a record reports (the unit history's event names, `blocked` for a mismatch). */
export const FACTORY_RECORD_EVENTS = [
  'personalized',
  'repersonalized',
  'printed',
  'reprinted',
  'verified',
  'blocked',
] as const;
/** One line step. */
export type FactoryRecordEvent = (typeof FACTORY_RECORD_EVENTS)[number];

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const isoTime = z.string().regex(ISO_UTC, 'expected an ISO-8601 UTC time (…Z)');
/** True when `s` holds no C0 control character nor DEL. */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}
const text = (max: number) =>
  z.string().min(1).max(max).refine(printable, 'expected printable text (no control characters)');

/** One record: the unit as the station's line holds it right after the step. */
export const FactoryRecordSchema = z.strictObject({
  recordId: z
    .string()
    .regex(/^[A-Za-z0-9._:~+/=-]{1,128}$/, 'expected 1–128 of A-Z a-z 0-9 . _ : ~ + / = -')
    .describe('stable id of this record (the station makes one per step); recorded once'),
  gateway: GatewayIdSchema,
  batch: text(128).describe('the station’s batch id'),
  kcv: z
    .string()
    .regex(/^[0-9A-F]{6}$/, 'expected 6 uppercase hex digits')
    .describe('KCV of the batch root key the station used (SPEC §2): must equal the remote’s'),
  event: z.enum(FACTORY_RECORD_EVENTS),
  at: isoTime.describe('when the step happened (the station’s clock)'),
  station: text(200).describe('the factory station (host) that made the step'),
  operator: text(200).describe('who made the step on the station'),
  state: z.enum(UNIT_STATES).describe('the unit’s state after the step'),
  fromMac: z.boolean().describe('the operator scanned a MAC-48 (the label shows it)'),
  generation: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('token generation the bundle carries (personalize steps); null otherwise'),
  personalizeCount: z.number().int().min(1),
  printCount: z.number().int().min(0),
  jobId: text(128).nullable().describe('pre-generation job that wrote the unit; null on the line'),
  reason: text(500).nullable().describe('reason of a re-personalization or a reprint'),
  personalizedAt: isoTime,
  printedAt: isoTime.nullable(),
  verifiedAt: isoTime.nullable(),
  blockedAt: isoTime.nullable(),
  blockedReason: text(500).nullable(),
});
/** One factory record as sent. */
export type FactoryRecord = z.infer<typeof FactoryRecordSchema>;

export const FactoryRecordsRequestSchema = z.strictObject({
  records: z.array(FactoryRecordSchema).min(1).max(MAX_ITEMS),
});
/** A validated factory-records request. */
export type FactoryRecordsRequest = z.infer<typeof FactoryRecordsRequestSchema>;

/** One answer per record: `{gateway, recordId}`, plus `error` and `code` when refused. */
export const FactoryRecordResultSchema = ItemResultSchema.extend({
  recordId: z.string(),
  batch: z.string().optional().describe('the remote’s batch of the gateway, when recorded'),
});
/** One record's answer. */
export type FactoryRecordResult = z.infer<typeof FactoryRecordResultSchema>;

export const FactoryRecordsResponseSchema = z.array(FactoryRecordResultSchema);

/**
 * `factory/records`: a factory station's personalization records (scope `factory`; docs/sync.md).
 * Not an owner operation: a factory key has no owner.
 */
export const FACTORY_RECORDS = plainOperation({
  request: FactoryRecordsRequestSchema,
  response: FactoryRecordsResponseSchema,
  scope: 'factory',
  roles: ADMIN_ONLY,
  summary:
    'A factory station’s personalization records: gateway X of batch B personalized, printed, verified or blocked; batch KCV checked (docs/sync.md)',
});
