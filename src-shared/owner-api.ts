/**
 * The Owner API (SPEC §4): every endpoint `POST /api/v1/<path>` is one operation declared once in
 * `contract/` ({@link OWNER_API}); this module derives its wire forms and maps the wire names
 * (`ownerid`, `gateway` / `gateways`, the mixed form's top-level fields) to the one call shape of
 * every door ({@link ItemCall}) — the small adapter between the protocol's vocabulary and ours.
 *
 * Wire forms of an item operation (SPEC §4.2): single `{ownerid, gateway, …item fields}`, bulk
 * `{ownerid, gateways: [item, …]}` where an item is an object or (delete, info, rotate) a plain id,
 * and for setup the mixed form: top-level fields apply to every item unless it sets them.
 * A whole-request problem — not an object, bad `ownerid`, wrong top-level types, unknown or bad
 * top-level fields (the single form's fields are top-level), `gateway` with `gateways`, more than
 * {@link MAX_ITEMS} items — is a 400 `{error, code}` naming the field. Items of the bulk form answer
 * for themselves (SPEC §4.2 "partial success"): the whole array is parsed at once first and, when
 * every item passes, handed on marked checked; otherwise the core checks them one by one
 * (`contract/operation.ts`).
 *
 * How to add an operation: the doc comment of `contract/operation.ts` and `docs/architecture.md`
 * ("Adding an operation").
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import type { ErrorBody } from './errors';
import { UNLOCK } from './lockout-api';
import { CHANGES } from './sync-api';
import { SITE_PACK } from './contract/site-pack';
import { FACTORY_RECORDS } from './contract/factory-records';
import {
  CERTIFICATE_ISSUE,
  CERTIFICATE_LIST,
  CERTIFICATE_REVOKE,
  STATION_KEY,
} from './contract/certificate-ops';
import { FIRMWARE_DELETE, FIRMWARE_LIST, FIRMWARE_UPLOAD } from './contract/firmware-ops';
import { ADD, CLAIM, DELETE, FIRMWARE_SENT, INFO, LIST, ROTATE, SETUP } from './contract/gateway-ops';
import { parseBody, typeName, type BodyParse } from './contract/issues';
import {
  checkedItems,
  deferredItems,
  type AnswerOf,
  type CallOf,
  type ItemCall,
  type ItemOperation,
  type Operation,
} from './contract/operation';
import { MAX_ITEMS, OwnerIdSchema } from './contract/values';

export { describeIssues, formatPath } from './contract/issues';
export { MAX_BODY_BYTES, MAX_ITEMS, SETUP_FIELDS, type SetupFields } from './contract/values';

/** Every Owner API endpoint: `POST /api/v1/<key>` → its one declaration. */
export const OWNER_API = {
  'gateway/claim': CLAIM,
  'gateway/setup': SETUP,
  'gateway/delete': DELETE,
  'gateway/add': ADD,
  'gateway/info': INFO,
  'gateway/list': LIST,
  'gateway/rotate': ROTATE,
  'gateway/changes': CHANGES,
  'gateway/site-pack': SITE_PACK,
  'gateway/firmware-sent': FIRMWARE_SENT,
  'gateway/unlock': UNLOCK,
  'firmware/upload': FIRMWARE_UPLOAD,
  'firmware/list': FIRMWARE_LIST,
  'firmware/delete': FIRMWARE_DELETE,
  'firmware/station-key': STATION_KEY,
  'certificate/issue': CERTIFICATE_ISSUE,
  'certificate/list': CERTIFICATE_LIST,
  'certificate/revoke': CERTIFICATE_REVOKE,
  'factory/records': FACTORY_RECORDS,
} as const satisfies Record<string, Operation>;

/** An Owner API endpoint path below `/api/v1/`. */
export type OwnerApiPath = keyof typeof OWNER_API;
/** Every endpoint path, in SPEC §4.2 order. */
export const OWNER_API_PATHS = Object.keys(OWNER_API) as OwnerApiPath[];
/** What the handler of `P` receives. */
type OwnerApiCall<P extends OwnerApiPath> = CallOf<(typeof OWNER_API)[P]>;
/** What `P` answers (checked against the declaration's response schema in development). */
type OwnerApiAnswer<P extends OwnerApiPath> = AnswerOf<(typeof OWNER_API)[P]>;

/**
 * One handler per endpoint, typed by its declaration (the compiler checks the table is complete);
 * `Ctx` is the door's request context.
 */
export type OwnerApiHandlers<Ctx> = {
  [P in OwnerApiPath]: (ctx: Ctx, call: OwnerApiCall<P>) => Promise<OwnerApiAnswer<P>>;
};

/** One gateway operation by its SPEC §4.2 name (`/api/v1/gateway/<name>`). */
type GatewayOperation = 'claim' | 'setup' | 'delete' | 'add' | 'info' | 'list' | 'rotate';

// ---------------------------------------------------------------------------------------------
// Wire forms

/** The single form of an item operation: the item's fields (or `gateway`) beside `ownerid`. */
export function singleForm(op: ItemOperation): z.ZodObject {
  return op.item instanceof z.ZodObject
    ? op.item.extend({ ownerid: OwnerIdSchema })
    : z.strictObject({ ownerid: OwnerIdSchema, gateway: op.item });
}

/**
 * The bulk (and mixed) form: `ownerid`, `gateways` and the operation's top-level fields. `checked`
 * spells out each item's schema (the documentation and the fast path); the other form leaves the
 * items to the core.
 */
export function bulkForm(op: ItemOperation, checked: boolean): z.ZodObject {
  const items = checked ? z.array(op.item).max(MAX_ITEMS) : deferredItems(op.item);
  return z.strictObject({ ...(op.common?.shape ?? {}), ownerid: OwnerIdSchema, gateways: items });
}

const singleForms = new Map<ItemOperation, z.ZodObject>();
const bulkForms = new Map<ItemOperation, z.ZodObject>();
const checkedBulkForms = new Map<ItemOperation, z.ZodObject>();
const memo = (m: Map<ItemOperation, z.ZodObject>, op: ItemOperation, make: () => z.ZodObject) => {
  let s = m.get(op);
  if (s === undefined) m.set(op, (s = make()));
  return s;
};

/** Result of {@link parseOwnerRequest}: the wire value and whether it is the bulk form. */
type ParsedOwnerRequest =
  { ok: true; value: Record<string, unknown>; bulk: boolean } | { ok: false; error: ErrorBody };

/**
 * Validates a decoded JSON body of a gateway operation (whole-request checks only, see the module
 * comment). The form is chosen by the body: a `gateways` member means bulk (or mixed).
 */
export function parseOwnerRequest(name: GatewayOperation, body: unknown): ParsedOwnerRequest {
  const op = OWNER_API[`gateway/${name}`];
  if (op.kind === 'plain') {
    const r = parseBody(op.request, body);
    return r.ok ? { ok: true, value: r.value as Record<string, unknown>, bulk: false } : r;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: { error: `body: expected a JSON object, got ${typeName(body)}`, code: 'invalid_request' },
    };
  }
  const bulk = 'gateways' in body;
  if (bulk && 'gateway' in body) {
    return {
      ok: false,
      error: {
        error: 'gateway: not allowed together with gateways (single or bulk, not both)',
        code: 'invalid_request',
      },
    };
  }
  const items = (body as { gateways?: unknown }).gateways;
  if (Array.isArray(items) && items.length > MAX_ITEMS) {
    return {
      ok: false,
      error: {
        error: `gateways: ${items.length} items, at most ${MAX_ITEMS} per request`,
        code: 'too_many_items',
      },
    };
  }
  if (bulk) {
    // fast path: every item parses with the item schema in one pass (docs/performance.md)
    const whole = memo(checkedBulkForms, op, () => bulkForm(op, true)).safeParse(body);
    if (whole.success) {
      checkedItems(whole.data.gateways as unknown[], op.item);
      return { ok: true, value: whole.data, bulk };
    }
  }
  const schema = bulk
    ? memo(bulkForms, op, () => bulkForm(op, false))
    : memo(singleForms, op, () => singleForm(op));
  const r = parseBody(schema, body);
  return r.ok ? { ok: true, value: r.value, bulk } : r;
}

/** Maps a parsed wire value of an item operation to the call every door makes (the wire adapter). */
export function itemCallOf<Op extends ItemOperation>(
  op: Op,
  value: Record<string, unknown>,
  bulk: boolean,
): ItemCall<Op> {
  const ownerId = value.ownerid as string;
  if (!bulk) {
    if (!(op.item instanceof z.ZodObject))
      return { ownerId, items: [value.gateway as ItemCall<Op>['items'][number]] };
    const { ownerid: _ownerid, ...item } = value;
    return { ownerId, items: [item as ItemCall<Op>['items'][number]] };
  }
  const items = value.gateways as ItemCall<Op>['items'];
  if (op.common === undefined) return { ownerId, items };
  const common: Record<string, unknown> = {};
  for (const f of Object.keys(op.common.shape)) if (value[f] !== undefined) common[f] = value[f];
  return { ownerId, items, common: common as ItemCall<Op>['common'] };
}

/** Validates a decoded JSON body of `path` and maps it to the call its handler takes. */
export function parseOwnerCall<P extends OwnerApiPath>(path: P, body: unknown): BodyParse<OwnerApiCall<P>> {
  const op: Operation = OWNER_API[path];
  if (op.kind === 'plain') return parseBody(op.request, body) as BodyParse<OwnerApiCall<P>>;
  const r = parseOwnerRequest(path.slice('gateway/'.length) as GatewayOperation, body);
  if (!r.ok) return r;
  return { ok: true, value: itemCallOf(op, r.value, r.bulk) as OwnerApiCall<P> };
}
