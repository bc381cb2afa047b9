/**
 * The renderer ↔ main contract (docs/architecture.md, "The contract"): every call the UI makes, in
 * Electron over IPC (`window.station.invoke`) or in a browser over the HTTP bridge
 * (`POST /bridge/<channel>`), is one channel of {@link CHANNELS}: a `namespace:verb` name, a zod
 * schema for its single request argument, a zod schema for its answer, and the operator roles
 * allowed to call it. Answers travel in the {@link Envelope}. Ids are strings in any form of
 * SPEC §1.2 (the core parses them per item); answers echo canonical ID6.
 *
 * Runs anywhere (main, preload, renderer): imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './errors';
import {
  ADMIN_ONLY as ADMIN,
  ALL_ROLES as ALL,
  FACTORY_ROLES as FACTORY,
  INSTALLERS as INSTALL,
  ROLES,
  channel,
  emptyRequest as empty,
  idInput,
  type Role,
} from './channel';
import { FACTORY_CHANNELS } from './factory-channels';
import { GatewayInfoSchema } from './owner-api';

export { ROLES, type Role } from './channel';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** An error code as it crosses the boundary. */
export const errorCodeSchema = z.enum(ERROR_CODES);

/** Owner id (ID6 or any accepted form). */
const ownerIdInput = z.string().min(1).max(64);
/** Items of one bulk call; the renderer chunks longer lists (SPEC §4.2 allows up to 10 000). */
const MAX_ITEMS = 10_000;

const scopeSchema = z.enum(['claim', 'setup', 'delete', 'add', 'read', 'firmware', 'admin']);

/** One answer item (SPEC §4.2). */
export const itemResultSchema = z.object({
  gateway: z.string(),
  error: z.string().optional(),
  code: errorCodeSchema.optional(),
});
/** One answer item (SPEC §4.2). */
export type ItemResultView = z.infer<typeof itemResultSchema>;
const itemResults = z.array(itemResultSchema);

/** Setup fields (SPEC §4.2): absent = keep, null = clear; keys/certs/trust are Base64 (DER or PEM). */
export const setupFieldsSchema = z.object({
  cupsUri: z.string().max(127).nullable().optional(),
  cupsKey: z.string().nullable().optional(),
  cupsCrt: z.string().nullable().optional(),
  cupsTrust: z.string().nullable().optional(),
  lnsUri: z.string().max(127).nullable().optional(),
  lnsKey: z.string().nullable().optional(),
  lnsCrt: z.string().nullable().optional(),
  lnsTrust: z.string().nullable().optional(),
  fwcrc: z.union([z.number().int().nonnegative(), z.string()]).nullable().optional(),
  fwafter: z.string().nullable().optional(),
});
/** Setup fields as the UI sends them. */
export type SetupFieldsInput = z.infer<typeof setupFieldsSchema>;

/**
 * `info` of one gateway, secrets masked (SPEC §4.2): the Owner API's own answer schema, so the UI
 * sees exactly what `POST /api/v1/gateway/info` answers (rotation state and history, firmware
 * state with its one-sentence detail, last contact).
 */
export const gatewayInfoSchema = GatewayInfoSchema;
/** `info` of one gateway as the UI sees it. */
export type GatewayInfoView = z.infer<typeof gatewayInfoSchema>;

/** State filter of the gateways table. */
export const GATEWAY_STATES = ['any', 'unconfigured', 'configured', 'never_seen', 'failing'] as const;
/** State filter of the gateways table: setup present or not, CUPS contact seen, last contact failed. */
export type GatewayState = (typeof GATEWAY_STATES)[number];

/** One row of the gateways table (a page of a server-side filtered query). */
export const gatewayRowSchema = z.object({
  gateway: z.string(),
  eui: z.string(),
  owner: z.string().nullable(),
  origin: z.enum(['batch', 'added']),
  claimedAt: z.string().nullable(),
  configured: z.boolean(),
  lastContactAt: z.string().nullable(),
  lastOutcome: z.string().nullable(),
});
/** One row of the gateways table. */
export type GatewayRow = z.infer<typeof gatewayRowSchema>;

const ownerRowSchema = z.object({ id: z.string(), name: z.string().nullable(), createdAt: z.string() });
const apiKeySummarySchema = z.object({
  id: z.string(),
  ownerId: z.string().nullable(),
  scopes: z.array(scopeSchema),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  label: z.string().nullable(),
});
const batchRowSchema = z.object({
  id: z.string(),
  firstEui: z.string(),
  lastEui: z.string(),
  kcv: z.string(),
  flavor: z.string().nullable(),
  cupsUri: z.string().nullable(),
  kdf: z.literal('GWJS-v1'),
  createdAt: z.string(),
});
const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  address: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

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
  keyCount: z.number(),
  /** token label or keystore path */
  detail: z.string(),
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
    gateways: z.number(),
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

/** Setup fields that hold secrets (private keys, tokens): stored in templates, never sent back to the UI. */
export const SECRET_SETUP_FIELDS = ['cupsKey', 'lnsKey'] as const;

/**
 * A saved setup template (per owner): the mixed-form fields installers apply to many gateways.
 * `fields` never carries the secret fields; `secrets` names those the template holds (the UI shows
 * them as "set"). `gateways:setup` with `templateId` applies the stored fields, secrets included.
 */
export const setupTemplateSchema = z.object({
  id: z.string(),
  ownerId: z.string(),
  name: z.string(),
  fields: setupFieldsSchema,
  secrets: z.array(z.enum(SECRET_SETUP_FIELDS)),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A saved setup template. */
export type SetupTemplate = z.infer<typeof setupTemplateSchema>;

/** Result of a reachability check: a TLS handshake against the given trust (the Setup screen). */
export const reachabilitySchema = z.object({
  ok: z.boolean(),
  /** stable reason: `ok`, `invalid_uri`, `dns`, `refused`, `timeout`, `untrusted`, `hostname`, `tls`, `plain` */
  reason: z.string(),
  /** human explanation (what failed, for which host:port) */
  message: z.string(),
  /** subject / issuer / fingerprint of the certificate the server showed, when a handshake happened */
  peer: z
    .object({ subject: z.string(), issuer: z.string(), fingerprint: z.string(), validTo: z.string() })
    .nullable(),
  elapsedMs: z.number(),
});
/** Result of a reachability check. */
export type Reachability = z.infer<typeof reachabilitySchema>;

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

const ok = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// The channel map
// ---------------------------------------------------------------------------------------------

/**
 * Every renderer ↔ main call. Names are `namespace:verb`; one argument in, one promise out.
 * `roles` gates the HTTP bridge (and IPC, where the desktop user is `admin`).
 */
export const CHANNELS = {
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

  'gateways:query': channel(
    z.object({
      ownerId: ownerIdInput.nullable().optional(),
      /** any id form (exact) or a hex prefix of the EUI */
      search: z.string().max(64).optional(),
      state: z.enum(GATEWAY_STATES).optional(),
      offset: z.number().int().nonnegative(),
      limit: z.number().int().min(1).max(1000),
    }),
    z.object({
      total: z.number(),
      offset: z.number(),
      rows: z.array(gatewayRowSchema),
      elapsedMs: z.number(),
    }),
    ALL,
    'one page of the gateways table, filtered server-side',
  ),
  'gateways:info': channel(
    z.object({ ownerId: ownerIdInput, gateways: z.array(idInput).min(1).max(MAX_ITEMS) }),
    z.array(itemResultSchema.extend({ info: gatewayInfoSchema.optional() })),
    ALL,
    'info per gateway (SPEC §4.2)',
  ),
  'gateways:claim': channel(
    z.object({
      ownerId: ownerIdInput,
      items: z
        .array(z.object({ gateway: idInput, claim: z.string().min(1).max(64) }))
        .min(1)
        .max(MAX_ITEMS),
    }),
    itemResults,
    INSTALL,
    'claim gateways with their PINs (SPEC §4.2)',
  ),
  'gateways:setup': channel(
    z.object({
      ownerId: ownerIdInput,
      /** a saved template of this owner: its fields (secrets included) apply first */
      templateId: z.string().min(1).max(64).optional(),
      /** fields applied to every item unless the item overrides them (the mixed form); override the template */
      common: setupFieldsSchema.optional(),
      items: z
        .array(setupFieldsSchema.extend({ gateway: idInput }))
        .min(1)
        .max(MAX_ITEMS),
    }),
    itemResults,
    INSTALL,
    'set CUPS/LNS endpoints and credentials (SPEC §4.2)',
  ),
  'gateways:delete': channel(
    z.object({ ownerId: ownerIdInput, gateways: z.array(idInput).min(1).max(MAX_ITEMS) }),
    itemResults,
    INSTALL,
    'un-claim gateways (ownership transfer starts here)',
  ),
  'gateways:transfer': channel(
    z.object({
      /** the current owner */
      ownerId: ownerIdInput,
      gateway: idInput,
      /** the new owner */
      to: ownerIdInput,
      /** the gateway's claim PIN (from its label) */
      claim: z.string().min(1).max(64),
    }),
    z.object({ gateway: z.string(), from: z.string(), to: z.string() }),
    INSTALL,
    'move one gateway to another owner in one step: PIN checked first, nothing changes on failure',
  ),
  'gateways:add': channel(
    z.object({
      ownerId: ownerIdInput,
      items: z
        .array(z.object({ gateway: idInput, flavorid: z.string().min(1), token: z.string().min(1) }))
        .min(1)
        .max(MAX_ITEMS),
    }),
    itemResults,
    INSTALL,
    'add gateways outside every batch (SPEC §4.2)',
  ),

  'templates:list': channel(
    z.object({ ownerId: ownerIdInput }),
    z.array(setupTemplateSchema),
    INSTALL,
    'setup templates of an owner',
  ),
  'templates:save': channel(
    z.object({
      ownerId: ownerIdInput,
      /** absent = create; present = replace that template */
      id: z.string().optional(),
      name: z.string().trim().min(1).max(100),
      /** on replace, a secret field left out keeps its stored value (the UI never sees it); null clears it */
      fields: setupFieldsSchema,
    }),
    setupTemplateSchema,
    ADMIN,
    'create or replace a setup template',
  ),
  'templates:delete': channel(
    z.object({ ownerId: ownerIdInput, id: z.string() }),
    ok,
    ADMIN,
    'delete a setup template',
  ),
  'setup:checkReachability': channel(
    z.object({
      /** `https://host:port` or `wss://host:port` */
      uri: z.string().min(1).max(200),
      /** Base64 of the trust (PEM or DER certificate(s)); absent = system roots */
      trust: z.string().max(1_000_000).optional(),
      timeoutMs: z.number().int().min(100).max(30_000).optional(),
    }),
    reachabilitySchema,
    INSTALL,
    'TLS handshake against the given trust before saving a setup',
  ),

  'owners:list': channel(empty, z.array(ownerRowSchema), ALL, 'all owners'),
  'owners:create': channel(
    z.object({ id: ownerIdInput, name: z.string().max(200).optional() }),
    ownerRowSchema,
    ADMIN,
    'create an owner',
  ),
  'apiKeys:list': channel(
    z.object({ ownerId: ownerIdInput.optional() }),
    z.array(apiKeySummarySchema),
    ADMIN,
    'API keys (hashed; never the key itself)',
  ),
  'apiKeys:create': channel(
    z.object({
      ownerId: ownerIdInput.nullable(),
      scopes: z.array(scopeSchema).min(1),
      label: z.string().max(200).optional(),
    }),
    z.object({ apiKey: z.string(), summary: apiKeySummarySchema }),
    ADMIN,
    'create an API key; the plaintext is shown once',
  ),
  'apiKeys:revoke': channel(z.object({ id: z.string().min(1) }), ok, ADMIN, 'revoke an API key'),

  'batches:list': channel(empty, z.array(batchRowSchema), FACTORY, 'batches (EUI ranges with a root key)'),
  'batches:create': channel(
    z.object({
      first: idInput,
      last: idInput,
      flavor: z.string().max(100).optional(),
      cupsUri: z.string().max(127).optional(),
    }),
    batchRowSchema,
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
    z.array(auditEntrySchema),
    ALL,
    'audit log, newest first, filterable',
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

  // the factory line (docs/factory-line.md): batches, line workflow, pre-generation, manifests
  ...FACTORY_CHANNELS,
} as const;

/** Every channel name. */
export type Channel = keyof typeof CHANNELS;
/** The channel names, for allow-lists. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

/** What a caller passes to a channel (before parsing: optional fields may be omitted). */
export type RequestOf<C extends Channel> = z.input<(typeof CHANNELS)[C]['request']>;
/** What a handler receives after parsing. */
export type ParsedRequestOf<C extends Channel> = z.output<(typeof CHANNELS)[C]['request']>;
/** What a channel answers. */
export type ResponseOf<C extends Channel> = z.output<(typeof CHANNELS)[C]['response']>;

/** True when `name` is a channel of the map (the preload's allow-list check). */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CHANNELS, name);
}

/** True when `role` may call `channel`. */
export function roleAllows(role: Role, name: Channel): boolean {
  return CHANNELS[name].roles.includes(role);
}

/** Channels a role may call. */
export function channelsFor(role: Role): Channel[] {
  return CHANNEL_NAMES.filter((c) => roleAllows(role, c));
}

// ---------------------------------------------------------------------------------------------
// Envelope and events
// ---------------------------------------------------------------------------------------------

/** A failure as it crosses the boundary: stable code + human message (CONVENTIONS "Errors"). */
export interface EnvelopeError {
  code: ErrorCode;
  message: string;
}

/** Every answer: `{ok: true, value}` or `{ok: false, error: {code, message}}`. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: EnvelopeError };

/** Schema of the failure side of the envelope (used to parse untrusted answers). */
export const envelopeErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});

/** Events main pushes to the renderer (IPC: `window.station.on`; HTTP: polled). */
export const EVENTS = {
  /** new CUPS contacts */
  'station:activity': z.array(activityItemSchema),
} as const;
/** Event names. */
export type EventName = keyof typeof EVENTS;
/** Payload of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;
/** True when `name` is an event of the map. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/** The IPC channel name Electron uses for a bridge call (one ipcMain handler serves all channels). */
export const IPC_INVOKE = 'gwjs:invoke';
/** The IPC channel name for pushed events. */
export const IPC_EVENT = 'gwjs:event';

/** Header the HTTP bridge requires on every call (CSRF: a cross-site form cannot set it). */
export const BRIDGE_HEADER = 'x-gwjs-bridge';

/**
 * What the preload exposes as `window.station` (the whole surface of main the renderer sees).
 * One argument in, one promise out (CONVENTIONS, after VS Code).
 */
export interface StationBridge {
  invoke(channel: string, request: unknown): Promise<Envelope<unknown>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// HTTP-bridge-only endpoints (no session needed; not channels)
// ---------------------------------------------------------------------------------------------

/** `POST /bridge/login`: starts an operator session (sets the session cookie). */
export const loginRequestSchema = z.object({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
/** `POST /bridge/setup`: first run — the one-time setup password printed by `gwjs serve` creates the first admin. */
export const firstRunRequestSchema = z.object({
  setupPassword: z.string().min(1).max(200),
  name: operatorNameSchema,
  password: passwordSchema,
});
/** `GET /bridge/state`: whether first-run setup is pending and whether this browser has a session. */
export const bridgeStateSchema = z.object({
  setupRequired: z.boolean(),
  session: sessionInfoSchema.nullable(),
});
/** Bridge state as the login screen sees it. */
export type BridgeState = z.infer<typeof bridgeStateSchema>;
