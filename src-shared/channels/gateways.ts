/**
 * The gateways namespace of the renderer ↔ main contract: the gateways table, the Owner API
 * operations as channels (derived from their one declaration in `contract/gateway-ops.ts`:
 * answer schema, roles, summary, item schema), setup templates and the reachability check.
 *
 * Items travel unchecked and are checked per item by the core, as on the Owner API's slow path,
 * so one bad item answers for itself (SPEC §4.2 "partial success").
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { UNIT_STATES } from '../factory-channels';
import { ADMIN_ONLY as ADMIN, ALL_ROLES as ALL, INSTALLERS as INSTALL, channel } from '../channel';
import { ADD, CLAIM, DELETE, INFO, SETUP } from '../contract/gateway-ops';
import { deferredItems, type ItemOperation } from '../contract/operation';
import { GatewayInfoSchema } from '../contract/shapes';
import { SECRET_SETUP_FIELDS, SetupFieldsSchema } from '../contract/values';

/** Owner id (ID6 or any accepted form); parsed by the core. */
export const ownerIdInput = z.string().min(1).max(64);

/**
 * The channel of an item operation: `{ownerId, <key>: [item, …]}` (1 to 10 000 items), the
 * operation's answer, roles and summary. `key` is `items` for object items, `gateways` for ids.
 */
function itemChannel<
  Op extends ItemOperation,
  K extends 'items' | 'gateways',
  X extends z.ZodRawShape = Record<never, never>,
>(op: Op, key: K, extra?: X) {
  const shape = { ownerId: ownerIdInput, [key]: deferredItems(op.item, 1), ...extra } as {
    ownerId: typeof ownerIdInput;
  } & { [P in K]: ReturnType<typeof deferredItems<Op['item']>> } & X;
  return channel(z.object(shape), op.response as Op['response'], op.roles, op.summary);
}

/** `info` of one gateway as the UI sees it: exactly what `POST /api/v1/gateway/info` answers. */
export type GatewayInfoView = z.infer<typeof GatewayInfoSchema>;

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
  /** its factory unit's state (docs/factory-line.md), null when it never went through the line */
  unit: z.enum(UNIT_STATES).nullable().optional(),
});
/** One row of the gateways table. */
export type GatewayRow = z.infer<typeof gatewayRowSchema>;

/** A query of the gateways table: filters and the page wanted. */
const gatewayQuerySchema = z.object({
  /** owner in any id form; null/absent = every owned gateway */
  ownerId: ownerIdInput.nullable().optional(),
  /** any id form (exact) or a hex prefix of the EUI */
  search: z.string().max(64).optional(),
  state: z.enum(GATEWAY_STATES).optional(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(1000),
});
/** A query of the gateways table. */
export type GatewayQuery = z.infer<typeof gatewayQuerySchema>;

/** A page of the gateways table. */
const gatewayPageSchema = z.object({
  total: z.number(),
  offset: z.number(),
  rows: z.array(gatewayRowSchema),
  /** time spent in the store, ms */
  elapsedMs: z.number(),
});
/** A page of the gateways table. */
export type GatewayPage = z.infer<typeof gatewayPageSchema>;

/**
 * A saved setup template (per owner): the mixed-form fields installers apply to many gateways.
 * `fields` never carries the secret fields; `secrets` names those the template holds (the UI shows
 * them as "set"). `gateways:setup` with `templateId` applies the stored fields, secrets included.
 */
export const setupTemplateSchema = z.object({
  id: z.string(),
  ownerId: z.string(),
  name: z.string(),
  fields: SetupFieldsSchema,
  secrets: z.array(z.enum(SECRET_SETUP_FIELDS)),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A saved setup template. */
export type SetupTemplate = z.infer<typeof setupTemplateSchema>;

/** Result of a reachability check: a TLS handshake against the given trust (Setup screen). */
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

const ok = z.object({ ok: z.literal(true) });

/** The gateways channels (spread into `CHANNELS`). */
export const GATEWAY_CHANNELS = {
  'gateways:query': channel(
    gatewayQuerySchema,
    gatewayPageSchema,
    ALL,
    'one page of the gateways table, filtered server-side',
  ),
  'gateways:info': itemChannel(INFO, 'gateways'),
  'gateways:claim': itemChannel(CLAIM, 'items'),
  'gateways:setup': itemChannel(SETUP, 'items', {
    /** a saved template of this owner: its fields (secrets included) apply first */
    templateId: z.string().min(1).max(64).optional(),
    /** fields applied to every item unless the item overrides them (the mixed form); override the template */
    common: z.custom<z.input<typeof SetupFieldsSchema>>(() => true).optional(),
  }),
  'gateways:delete': itemChannel(DELETE, 'gateways'),
  'gateways:transfer': channel(
    z.object({
      /** the current owner */
      ownerId: ownerIdInput,
      gateway: z.string().min(1).max(64),
      /** the new owner */
      to: ownerIdInput,
      /** the gateway's claim PIN (from its label) */
      claim: z.string().min(1).max(64),
    }),
    z.object({ gateway: z.string(), from: z.string(), to: z.string() }),
    INSTALL,
    'move one gateway to another owner in one step: PIN checked first, nothing changes on failure',
  ),
  'gateways:add': itemChannel(ADD, 'items'),

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
      fields: SetupFieldsSchema,
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
} as const;
