/**
 * The session, station, HSM and operators namespaces of the renderer ↔ main contract: who the UI
 * talks as, the dashboard status and activity feed, unlocking the HSM, operator accounts.
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ADMIN_ONLY as ADMIN, ALL_ROLES as ALL, ROLES, channel, emptyRequest as empty } from '../channel';
import { ownerIdInput } from './gateways';

/**
 * One live CUPS activity item (dashboard feed). Contacts are unique by `(at, gateway)`; the feed is
 * polled with the `cursor` of the previous answer.
 */
export const activityItemSchema = z.object({
  gateway: z.string(),
  at: z.string(),
  outcome: z.string(),
  address: z.string().nullable(),
  station: z.string().nullable(),
  model: z.string().nullable(),
});
/** One live CUPS activity item. */
export type ActivityItem = z.infer<typeof activityItemSchema>;

/** What the UI may know of the HSM: its kind, whether it is locked, how many root keys — never key material. */
export const hsmStatusSchema = z.object({
  kind: z.enum(['software', 'pkcs11']),
  locked: z.boolean(),
  /** number of root keys held */
  keyCount: z.number(),
  /** token label or keystore path — never key material */
  detail: z.string(),
  /** PKCS#11 only: the token went away (pulled, session lost); locked until unlocked again with its PIN */
  tokenRemoved: z.boolean().optional(),
});
/** HSM state as the UI sees it. */
export type HsmStatusView = z.infer<typeof hsmStatusSchema>;

/** Dashboard status (the Dashboard screen). */
export const stationStatusSchema = z.object({
  version: z.string(),
  /** base URLs the HTTPS server listens on (CUPS, Owner API, UI) */
  urls: z.array(z.string()),
  /** SHA-256 fingerprint of the server's TLS certificate, `AB:CD:…`; null when not serving */
  tlsFingerprint: z.string().nullable(),
  /** SHA-256 fingerprint of the station's CA certificate (what gateways trust); null when unknown */
  caFingerprint: z.string().nullable(),
  hsm: hsmStatusSchema,
  counters: z.object({
    /** gateway rows: claimed, added, or batch gateways whose token generation is kept after a delete */
    gateways: z.number(),
    /** factory units with a bundle (line and pre-generation, docs/factory-line.md), claimed or not */
    personalized: z.number(),
    claimed: z.number(),
    configured: z.number(),
    owners: z.number(),
    cups: z.record(z.string(), z.number()),
    ownerApi: z.record(z.string(), z.number()),
  }),
  recentContacts: z.array(activityItemSchema),
  /** sync with a remote join server (docs/sync.md); absent where the station has no sync service */
  sync: z
    .object({
      linked: z.boolean(),
      url: z.string().nullable(),
      online: z.boolean().nullable(),
      lastSuccessAt: z.string().nullable(),
      lastError: z.string().nullable(),
      pending: z.number(),
      rejected: z.number(),
      conflict: z.number(),
    })
    .optional(),
});
/** Dashboard status. */
export type StationStatus = z.infer<typeof stationStatusSchema>;

/** An operator account as the UI sees it (no password material). */
export const operatorSchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  /** when set, the operator acts only for this owner */
  ownerId: z.string().nullable(),
  createdAt: z.string(),
  disabled: z.boolean(),
});
/** An operator account. */
export type Operator = z.infer<typeof operatorSchema>;

/** Operator names: short, printable, no spaces. */
export const operatorNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'operator name: letters, digits and . _ @ - only');
/** Operator passwords: at least 10 characters. */
export const passwordSchema = z.string().min(10, 'password: at least 10 characters').max(1024);

/** Who the UI talks as: the logged-in operator (HTTP bridge) or the desktop user (IPC). */
export const sessionInfoSchema = z.object({
  transport: z.enum(['ipc', 'http']),
  operator: z.object({ name: z.string(), role: z.enum(ROLES), ownerId: z.string().nullable() }),
  /** channels this operator may call (the UI hides the rest) */
  channels: z.array(z.string()),
});
/** Who the UI talks as. */
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** The session, station, HSM and operator channels (spread into `CHANNELS`). */
export const STATION_CHANNELS = {
  'session:whoami': channel(empty, sessionInfoSchema, ALL, 'who am I, and what may I call'),
  'session:changePassword': channel(
    z.object({ current: z.string().min(1).max(200), password: passwordSchema }),
    z.object({ ok: z.literal(true) }),
    ALL,
    'the signed-in operator changes its own password (the current one checked first)',
  ),

  'station:status': channel(empty, stationStatusSchema, ALL, 'dashboard: URLs, TLS, HSM, counters'),
  'station:activity': channel(
    z.object({
      /** the `cursor` of the previous answer (`''`: from the start); absent = the newest `limit` */
      after: z.string().max(80).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
    z.object({ items: z.array(activityItemSchema), cursor: z.string() }),
    ALL,
    'CUPS contacts after the cursor `after` (newest last)',
  ),

  'hsm:unlock': channel(
    z.object({ passphrase: z.string().min(1).max(1024) }),
    hsmStatusSchema,
    ADMIN,
    'unlock the HSM with its keystore passphrase (never logged or audited)',
  ),
  'hsm:lock': channel(empty, hsmStatusSchema, ADMIN, 'lock the HSM: the root keys leave memory'),

  'operators:list': channel(empty, z.array(operatorSchema), ADMIN, 'operator accounts'),
  'operators:create': channel(
    z.object({
      name: operatorNameSchema,
      role: z.enum(ROLES),
      password: passwordSchema,
      ownerId: ownerIdInput.nullable().optional(),
    }),
    operatorSchema,
    ADMIN,
    'create an operator account',
  ),
  'operators:update': channel(
    z.object({
      name: operatorNameSchema,
      role: z.enum(ROLES).optional(),
      password: passwordSchema.optional(),
      ownerId: ownerIdInput.nullable().optional(),
      disabled: z.boolean().optional(),
    }),
    operatorSchema,
    ADMIN,
    'change role, owner, password, or disable (ends its sessions)',
  ),
} as const;
