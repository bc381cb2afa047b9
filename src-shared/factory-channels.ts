/**
 * The factory line's part of the renderer ↔ main contract (docs/factory-line.md): batches with
 * their line settings and counters, the line workflow (scan → personalize → print → verify), unit
 * history, pre-generation jobs and manifest export. Spread into `CHANNELS` of `ipc.ts`, so the
 * preload allow-list, the HTTP bridge and the typed `call()` see these channels like every other.
 *
 * Runs anywhere (main, preload, renderer): imports only zod and `channel.ts`.
 */
import { z } from 'zod';
import {
  ADMIN_ONLY as ADMIN,
  FACTORY_ROLES as FACTORY,
  channel,
  emptyRequest as empty,
  idInput,
} from './channel';

/** Unit states (docs/factory-line.md): bundle written → label sent → QR verified, or blocked. */
export const UNIT_STATES = ['personalized', 'printed', 'verified', 'blocked'] as const;
/** One unit state. */
export type UnitState = (typeof UNIT_STATES)[number];

/** Units of a batch per state; `personalized` counts every unit with a bundle. */
export const factoryCountsSchema = z.object({
  personalized: z.number(),
  printed: z.number(),
  verified: z.number(),
  blocked: z.number(),
});
/** Units of a batch per state. */
export type FactoryCounts = z.infer<typeof factoryCountsSchema>;

/** A batch as the factory screens see it: the batch row, its line settings and counters. */
export const factoryBatchSchema = z.object({
  id: z.string(),
  /** ID6 */
  firstEui: z.string(),
  lastEui: z.string(),
  /** EUI-64 (dashed) of the range ends, for people */
  firstEui64: z.string(),
  lastEui64: z.string(),
  /** gateways in the range, decimal (a range may exceed 2^53) */
  size: z.string(),
  kcv: z.string(),
  flavor: z.string().nullable(),
  model: z.string().nullable(),
  /** the CUPS URI bundles carry (batch setting, else the batch row's, else the station's) */
  cupsUri: z.string().nullable(),
  /** true when the batch has its own trust; else the station's CA goes into bundles */
  ownTrust: z.boolean(),
  /** SHA-256 fingerprint of the trust certificate bundles carry (`AB:CD:…`), null when none */
  trustFingerprint: z.string().nullable(),
  createdAt: z.string(),
  counts: factoryCountsSchema,
});
/** A batch as the factory screens see it. */
export type FactoryBatch = z.infer<typeof factoryBatchSchema>;

/** How the line prints labels. */
export const printerSettingsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('tcp9100'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(9100),
  }),
  z.object({ kind: z.literal('usb') }),
]);
/** How the line prints labels. */
export type PrinterSettings = z.infer<typeof printerSettingsSchema>;

/** A command run after each bundle is written (line-specific flashing): gets the bundle path. */
export const hookSettingsSchema = z.object({
  /** executable (absolute path or on PATH); run without a shell */
  command: z.string().min(1).max(4096),
  /** arguments; `{bundle}`, `{eui}` and `{zip}` are replaced, else the bundle path is appended */
  args: z.array(z.string().max(4096)).max(64).default([]),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});
/** Post-write hook settings. */
export type HookSettings = z.infer<typeof hookSettingsSchema>;

/** Line settings of one station (admin-only: the hook runs a command on the station). */
export const lineSettingsSchema = z.object({
  /** bundles go to `<outDir>/<16-hex EUI>/`, labels of pre-generation to `<outDir>/labels/` */
  outDir: z.string().min(1).max(4096),
  /** also write `<outDir>/<16-hex EUI>.zip` */
  zip: z.boolean().default(false),
  hook: hookSettingsSchema.nullable().default(null),
  printer: printerSettingsSchema.default({ kind: 'none' }),
  /** label template name (resources/labels) */
  template: z.string().min(1).max(64).default('default-50x30'),
});
/** Line settings of one station. */
export type LineSettings = z.infer<typeof lineSettingsSchema>;
/** Line settings as a caller may give them (defaults applied on parse). */
export type LineSettingsInput = z.input<typeof lineSettingsSchema>;

/** A label template the station has (resources/labels or the operator's folder), for the picker. */
export const labelTemplateSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  widthMm: z.number(),
  heightMm: z.number(),
  dpi: z.number(),
});
/** A label template the station has. */
export type LabelTemplateSummary = z.infer<typeof labelTemplateSummarySchema>;

/** One personalized unit. */
export const unitSchema = z.object({
  /** ID6 */
  gateway: z.string(),
  /** EUI-64, dashed */
  eui: z.string(),
  /** the MAC the EUI came from, when the operator scanned one */
  mac: z.string().nullable(),
  batch: z.string(),
  state: z.enum(UNIT_STATES),
  personalizedAt: z.string(),
  personalizedBy: z.string(),
  station: z.string(),
  personalizeCount: z.number(),
  repersonalizeReason: z.string().nullable(),
  jobId: z.string().nullable(),
  bundlePath: z.string().nullable(),
  printedAt: z.string().nullable(),
  printCount: z.number(),
  verifiedAt: z.string().nullable(),
  verifiedBy: z.string().nullable(),
  blockedAt: z.string().nullable(),
  blockedReason: z.string().nullable(),
});
/** One personalized unit. */
export type UnitView = z.infer<typeof unitSchema>;

/** One step in a unit's history. */
export const unitEventSchema = z.object({
  id: z.number(),
  gateway: z.string(),
  batch: z.string(),
  at: z.string(),
  actor: z.string(),
  station: z.string(),
  /** personalized, repersonalized, hook_failed, printed, print_failed, reprinted, verified, mismatch */
  event: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
/** One step in a unit's history. */
export type UnitEvent = z.infer<typeof unitEventSchema>;

/** Outcome of the post-write hook. */
export const hookResultSchema = z.object({
  ok: z.boolean(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  /** stdout + stderr, truncated */
  output: z.string(),
  elapsedMs: z.number(),
});
/** Outcome of the post-write hook. */
export type HookResult = z.infer<typeof hookResultSchema>;

/** Outcome of sending a label to the printer. */
export const printOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('printed'), bytes: z.number(), printer: z.string() }),
  z.object({ status: z.literal('skipped'), message: z.string() }),
  z.object({ status: z.literal('failed'), code: z.string(), message: z.string() }),
]);
/** Outcome of sending a label to the printer. */
export type PrintOutcome = z.infer<typeof printOutcomeSchema>;

/** What one scan on the line did. */
export const scanResultSchema = z.object({
  unit: unitSchema,
  bundle: z.object({ path: z.string(), zipPath: z.string().nullable() }),
  hook: hookResultSchema.nullable(),
  print: printOutcomeSchema,
  /** PNG preview of the label (Base64), for the operator's screen */
  labelPng: z.string().nullable(),
  counts: factoryCountsSchema,
});
/** What one scan on the line did. */
export type ScanResult = z.infer<typeof scanResultSchema>;

/** What a verification scan decided. */
export const verifyResultSchema = z.object({
  outcome: z.enum(['verified', 'mismatch']),
  /** a sentence for the operator */
  message: z.string(),
  unit: unitSchema,
  counts: factoryCountsSchema,
});
/** What a verification scan decided. */
export type VerifyResult = z.infer<typeof verifyResultSchema>;

/**
 * Where a station's line stands (docs/factory-line.md "The line"), kept in the store so a reload or
 * a second screen resumes: the unit waiting for its verification scan, or the blocked unit until
 * the operator sets it aside.
 */
export const linePositionSchema = z.object({
  batchId: z.string(),
  step: z.enum(['verify', 'blocked']),
  unit: unitSchema,
  /** why the unit's label has not printed (its last print failure), null when it printed or none failed */
  printFailed: z.string().nullable(),
});
/** Where a station's line stands. */
export type LinePosition = z.infer<typeof linePositionSchema>;

/** Job states; `interrupted` = stored as running but no runner in this process (crash, restart). */
export const JOB_STATES = ['running', 'cancelled', 'failed', 'done', 'interrupted'] as const;
/** One job state. */
export type JobState = (typeof JOB_STATES)[number];

/** A pre-generation job. */
export const jobSchema = z.object({
  id: z.string(),
  batch: z.string(),
  /** ID6 of the range and of the cursor (next EUI to write; null when done) */
  first: z.string(),
  last: z.string(),
  next: z.string().nullable(),
  total: z.number(),
  done: z.number(),
  state: z.enum(JOB_STATES),
  outDir: z.string(),
  zip: z.boolean(),
  labels: z.boolean(),
  template: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  /** units per second over the last seconds of this run, null when not running */
  ratePerSecond: z.number().nullable(),
  /** estimated seconds to finish, null when unknown */
  etaSeconds: z.number().nullable(),
});
/** A pre-generation job. */
export type JobView = z.infer<typeof jobSchema>;

/** Plaintext formats of an owner manifest. */
export const MANIFEST_FORMATS = ['csv', 'json'] as const;

/** The factory channels (spread into `CHANNELS`). */
export const FACTORY_CHANNELS = {
  'factory:batches': channel(
    empty,
    z.array(factoryBatchSchema),
    FACTORY,
    'batches with line settings and counts',
  ),
  'factory:createBatch': channel(
    z.object({
      /** first and last gateway: any id form, a MAC-48 becomes an EUI-64 (SPEC §1.2) */
      first: idInput,
      last: idInput,
      flavor: z.string().min(1).max(64).optional(),
      model: z.string().min(1).max(100).optional(),
      cupsUri: z.string().max(127).optional(),
      /** PEM certificate(s) gateways trust for the CUPS URI; absent = the station's CA */
      trustPem: z.string().max(200_000).optional(),
    }),
    factoryBatchSchema,
    FACTORY,
    'new batch (root key generated in the HSM) with its bundle settings',
  ),
  'factory:configureBatch': channel(
    z.object({
      batchId: z.string().min(1).max(64),
      model: z.string().max(100).nullable().optional(),
      cupsUri: z.string().max(127).nullable().optional(),
      trustPem: z.string().max(200_000).nullable().optional(),
    }),
    factoryBatchSchema,
    FACTORY,
    'change what bundles of a batch carry (model, CUPS URI, trust)',
  ),
  'factory:lineSettings': channel(
    empty,
    z.object({ station: z.string(), settings: lineSettingsSchema.nullable() }),
    FACTORY,
    'this station’s line settings',
  ),
  'factory:saveLineSettings': channel(
    lineSettingsSchema,
    z.object({ station: z.string(), settings: lineSettingsSchema }),
    ADMIN,
    'set output folder, zip, post-write hook, printer and template',
  ),
  'factory:labelTemplates': channel(
    empty,
    z.array(labelTemplateSummarySchema),
    FACTORY,
    'the label templates line settings may name',
  ),
  'factory:scan': channel(
    z.object({
      batchId: z.string().min(1).max(64),
      /** what the scanner typed: EUI-64, MAC-48, ID6, 16 hex or a GWJS label QR */
      input: z.string().min(1).max(200),
      /** required to personalize a unit again; audited */
      reason: z.string().trim().min(3).max(500).optional(),
    }),
    scanResultSchema,
    FACTORY,
    'personalize the scanned gateway: derive, write the bundle, run the hook, print the label',
  ),
  'factory:print': channel(
    z.object({ gateway: idInput, reason: z.string().trim().min(3).max(500).optional() }),
    z.object({ unit: unitSchema, print: printOutcomeSchema, counts: factoryCountsSchema }),
    FACTORY,
    'print a unit’s label again (a reprint of a printed label needs a reason; logged)',
  ),
  'factory:verify': channel(
    z.object({ gateway: idInput, scanned: z.string().min(1).max(400) }),
    verifyResultSchema,
    FACTORY,
    'check the scanned label QR against the HSM-derived PIN; a mismatch blocks the unit',
  ),
  'factory:linePosition': channel(
    empty,
    z.object({ position: linePositionSchema.nullable() }),
    FACTORY,
    'the unit this station’s line works on (verify or blocked), null when it waits for a scan',
  ),
  'factory:leaveUnit': channel(
    z.object({ gateway: idInput }),
    z.object({ position: linePositionSchema.nullable() }),
    FACTORY,
    'take the unit off this station’s line (back to scan; a blocked unit stays blocked)',
  ),
  'factory:history': channel(
    z.object({ batchId: z.string().min(1).max(64), limit: z.number().int().min(1).max(500).optional() }),
    z.object({ counts: factoryCountsSchema, events: z.array(unitEventSchema) }),
    FACTORY,
    'latest line events of a batch, newest first',
  ),
  'factory:unit': channel(
    z.object({ gateway: idInput }),
    z.object({ unit: unitSchema.nullable(), events: z.array(unitEventSchema) }),
    FACTORY,
    'one unit and its history',
  ),
  'factory:startJob': channel(
    z.object({
      batchId: z.string().min(1).max(64),
      /** range start (default: the batch's first EUI after every personalized unit and job) */
      first: idInput.optional(),
      count: z.number().int().min(1).max(1_000_000),
      zip: z.boolean().default(false),
      labels: z.boolean().default(true),
    }),
    jobSchema,
    FACTORY,
    'pre-generate a range into bundles and ZPL labels (to the line’s output folder)',
  ),
  'factory:jobs': channel(
    z.object({ batchId: z.string().max(64).optional() }),
    z.array(jobSchema),
    FACTORY,
    'pre-generation jobs, newest first',
  ),
  'factory:cancelJob': channel(
    z.object({ id: z.string().min(1).max(64) }),
    jobSchema,
    FACTORY,
    'stop a job after the unit in progress (resumable)',
  ),
  'factory:resumeJob': channel(
    z.object({ id: z.string().min(1).max(64) }),
    jobSchema,
    FACTORY,
    'continue a cancelled, failed or interrupted job after its last durable unit',
  ),
  'factory:exportManifest': channel(
    z.object({
      batchId: z.string().min(1).max(64),
      /** a selection; absent = every unit of the batch in `states` */
      gateways: z.array(idInput).min(1).max(100_000).optional(),
      states: z.array(z.enum(UNIT_STATES)).min(1).optional(),
      format: z.enum(MANIFEST_FORMATS),
      /** the owner's P-256 public key, PEM (SPKI) */
      ownerPublicKey: z.string().min(1).max(10_000),
    }),
    z.object({ fileName: z.string(), text: z.string(), count: z.number(), kid: z.string() }),
    FACTORY,
    'EUIs and PINs encrypted to the owner’s public key',
  ),
} as const;
