/**
 * Owner API contract (SPEC §4): zod 4 schemas of every request body (single, bulk and — for
 * `setup` — mixed forms) and of every answer, the limits of a request, and the conversion of a
 * schema failure into the `{error, code}` envelope whose message names the field path
 * (`gateways[3].claim: expected string, got number`).
 *
 * What is checked here is the *shape* of a request and the syntax of values that need no stored
 * state: types, unknown fields, the owner id, Base64, PEM/DER framing of certificates, URI syntax
 * (§4.2: `http(s)://host:port` / `ws(s)://host:port`, no path, < 128 chars), ISO-8601 times.
 * Gateway ids stay raw strings so that a bad id is a per-item answer (`invalid_id`), not a failed
 * request; everything needing the store or the HSM (ownership, PINs, cert/key matching) is the
 * core's.
 */
import { z } from 'zod';
import { base64ToBytes } from './bytes';
import type { ErrorBody, ErrorCode } from './errors';
import { parseId } from './ids';
import { checkServiceUri } from './uri';

/** Most items one bulk request may carry (SPEC §4.2). */
export const MAX_ITEMS = 10_000;
/** Largest accepted request body, bytes (SPEC §4.2). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Most ids one `list` page may ask for (the server's configured maximum may be lower). */
export const MAX_LIST_LIMIT = 10_000;

/**
 * Owner API operations on gateways, in SPEC §4.2 order, then `rotate` (SPEC §2 token rotation,
 * single or bulk like `delete`). Path: `/api/v1/gateway/<op>`.
 */
export const GATEWAY_OPERATIONS = ['claim', 'setup', 'delete', 'add', 'info', 'list', 'rotate'] as const;
export type GatewayOperation = (typeof GATEWAY_OPERATIONS)[number];

// ---------------------------------------------------------------------------------------------
// Value schemas

/** Adds a custom issue carrying the error code the envelope should report. */
function fail(ctx: z.core.$RefinementCtx<string>, code: ErrorCode, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { code }, input: ctx.value });
}

/** Quotes user input for a message, cut so a megabyte of garbage stays one short line. */
function quote(s: string): string {
  return JSON.stringify(s.length > 48 ? `${s.slice(0, 48)}…` : s);
}

/** Owner id in any form of SPEC §1.2; a bad one fails the whole request (`invalid_id`). */
export const OwnerIdSchema = z
  .string()
  .superRefine((v, ctx) => {
    try {
      parseId(v);
    } catch {
      fail(ctx, 'invalid_id', `${quote(v)} is not a valid ID6, EUI-64 or MAC`);
    }
  })
  .describe('Owner id: ID6, EUI-64, MAC-48 or 16 hex digits (SPEC §1.2)');

/** A gateway id as given; parsed per item by the core so that a bad id is a per-item answer. */
export const GatewayIdSchema = z
  .string()
  .describe('Gateway id: ID6, EUI-64, MAC-48 or 16 hex digits (SPEC §1.2); answers echo ID6');

function decodeBase64Field(v: string, ctx: z.core.$RefinementCtx<string>): Uint8Array | undefined {
  try {
    return base64ToBytes(v);
  } catch {
    fail(ctx, 'invalid_credential', `not Base64 (standard alphabet, no line breaks): ${quote(v)}`);
    return undefined;
  }
}

const PEM_BLOCK = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----\r?\n?/;

/**
 * True when `text` is one or more well-framed PEM blocks whose bodies are Base64 of DER (first byte
 * 0x30), with nothing but whitespace around them.
 */
function isPemText(text: string): boolean {
  let rest = text.trim();
  if (rest === '') return false;
  while (rest !== '') {
    const m = PEM_BLOCK.exec(rest);
    if (!m) return false;
    try {
      const der = base64ToBytes(m[2]!.replace(/\r?\n/g, ''));
      if (der[0] !== 0x30) return false;
    } catch {
      return false;
    }
    rest = rest.slice(m[0].length).trimStart();
  }
  return true;
}

/** Base64 of a DER certificate, or of PEM text (converted by the core). */
const CertificateSchema = z
  .string()
  .superRefine((v, ctx) => {
    const bytes = decodeBase64Field(v, ctx);
    if (bytes === undefined) return;
    if (bytes.length === 0) return fail(ctx, 'invalid_credential', 'empty certificate');
    if (bytes[0] === 0x30) return;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1 << 20));
    if (text.startsWith('-----BEGIN')) {
      if (!isPemText(text)) fail(ctx, 'invalid_credential', 'malformed PEM text (BEGIN/END lines or body)');
      return;
    }
    fail(
      ctx,
      'invalid_credential',
      `neither DER (first byte 0x30) nor PEM text: decodes to bytes starting 0x${bytes[0]!.toString(16).padStart(2, '0')}`,
    );
  })
  .describe('Base64 of a DER certificate, or Base64 of PEM text');

/** Base64 of a DER (SEC1/PKCS#1/PKCS#8) private key when a certificate is set, else of an Authorization header. */
const KeySchema = z
  .string()
  .superRefine((v, ctx) => {
    const bytes = decodeBase64Field(v, ctx);
    if (bytes !== undefined && bytes.length === 0) fail(ctx, 'invalid_credential', 'empty key');
  })
  .describe(
    'Base64 of a DER private key (with a certificate) or of an HTTP header line such as ' +
      '"Authorization: Bearer …" (token mode; CRLF added if missing)',
  );

function uriSchema(kind: 'cups' | 'lns') {
  return z
    .string()
    .superRefine((v, ctx) => {
      const problem = checkServiceUri(v, kind);
      if (problem !== undefined) fail(ctx, 'invalid_uri', problem);
    })
    .describe(
      kind === 'cups'
        ? 'CUPS URI http(s)://host:port — no path, < 128 chars'
        : 'LNS URI ws(s)://host:port — no path, < 128 chars',
    );
}

const FwcrcSchema = z
  .union([
    z.number().int().min(0).max(0xffff_ffff),
    z.string().regex(/^(?:0x[0-9A-Fa-f]{1,8}|[0-9]{1,10})$/, 'expected a CRC-32: decimal or 0x-hex'),
  ])
  .describe('CRC-32 of an uploaded firmware image (number, decimal or 0x-hex string)');

const FwafterSchema = z.iso
  .datetime({ offset: true, error: 'expected an ISO-8601 date-time with zone, e.g. "2025-06-01T00:00:00Z"' })
  .describe('ISO-8601 date-time with zone after which the firmware is delivered once');

// ---------------------------------------------------------------------------------------------
// Request schemas

/** Setup fields (SPEC §4.2): absent = keep the stored value, null = clear it. */
export const SetupFieldsSchema = z.strictObject({
  cupsUri: uriSchema('cups').nullable().optional(),
  cupsKey: KeySchema.nullable().optional(),
  cupsCrt: CertificateSchema.nullable().optional(),
  cupsTrust: CertificateSchema.nullable().optional(),
  lnsUri: uriSchema('lns').nullable().optional(),
  lnsKey: KeySchema.nullable().optional(),
  lnsCrt: CertificateSchema.nullable().optional(),
  lnsTrust: CertificateSchema.nullable().optional(),
  fwcrc: FwcrcSchema.nullable().optional(),
  fwafter: FwafterSchema.nullable().optional(),
});
/** Names of the setup fields, in SPEC §4.2 order. */
export const SETUP_FIELDS = Object.keys(SetupFieldsSchema.shape) as (keyof SetupFields)[];
export type SetupFields = z.infer<typeof SetupFieldsSchema>;

const itemsOf = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_ITEMS);

export const ClaimItemSchema = z.strictObject({
  gateway: GatewayIdSchema,
  claim: z.string().describe('claim PIN (SPEC §2), e.g. "6CVH-EQSA"'),
});
export const ClaimSingleSchema = ClaimItemSchema.extend({ ownerid: OwnerIdSchema });
export const ClaimBulkSchema = z.strictObject({ ownerid: OwnerIdSchema, gateways: itemsOf(ClaimItemSchema) });

export const SetupItemSchema = SetupFieldsSchema.extend({ gateway: GatewayIdSchema });
export const SetupSingleSchema = SetupItemSchema.extend({ ownerid: OwnerIdSchema });
/** Bulk and mixed setup: a top-level field applies to every item that does not set it itself. */
export const SetupBulkSchema = SetupFieldsSchema.extend({
  ownerid: OwnerIdSchema,
  gateways: itemsOf(SetupItemSchema),
});

export const GatewayOnlySingleSchema = z.strictObject({ ownerid: OwnerIdSchema, gateway: GatewayIdSchema });
export const GatewayListBulkSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  gateways: itemsOf(GatewayIdSchema),
});

export const AddItemSchema = z.strictObject({
  gateway: GatewayIdSchema,
  flavorid: z.string().describe('gateway flavor, e.g. "ttig"'),
  token: z.string().describe('the gateway’s own CUPS token (stored hashed)'),
});
export const AddSingleSchema = AddItemSchema.extend({ ownerid: OwnerIdSchema });
export const AddBulkSchema = z.strictObject({ ownerid: OwnerIdSchema, gateways: itemsOf(AddItemSchema) });

export const ListRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  after: GatewayIdSchema.optional().describe('return ids after this one (the previous page’s `next`)'),
  limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional().describe('page size (default 100)'),
});

// ---------------------------------------------------------------------------------------------
// Firmware (SPEC §4.2 "Firmware", §3.4)

/** Firmware operations. Path: `/api/v1/firmware/<op>`. */
export const FIRMWARE_OPERATIONS = ['upload', 'list', 'delete'] as const;
export type FirmwareOperation = (typeof FIRMWARE_OPERATIONS)[number];

/** Largest firmware upload body: a 12 MiB image as Base64 (16 MiB) plus signatures and framing. */
export const MAX_FIRMWARE_BODY_BYTES = 18 * 1024 * 1024;

/** Non-empty standard Base64 (no line breaks). */
function base64Schema(what: string) {
  return z
    .string()
    .superRefine((v, ctx) => {
      const bytes = decodeBase64Field(v, ctx);
      if (bytes !== undefined && bytes.length === 0) fail(ctx, 'invalid_request', `empty ${what}`);
    })
    .describe(`Base64 of ${what}`);
}

export const FirmwareSignatureSchema = z.strictObject({
  key: base64Schema('the public key: the 64-byte sig-N.key form (X ‖ Y), or PEM/DER SubjectPublicKeyInfo'),
  signature: base64Schema('the DER ECDSA P-256 signature over the SHA-512 digest of the image'),
});
export const FirmwareUploadRequestSchema = z.strictObject({
  ownerid: OwnerIdSchema,
  firmware: base64Schema('the update image (at most 12 MiB)'),
  version: z.string().optional().describe('what version.txt says after the update'),
  signatures: z.array(FirmwareSignatureSchema).max(16),
  stationSign: z
    .boolean()
    .optional()
    .describe('admin keys only: also sign with the station’s own update-signing key (its sig-0.key)'),
});
export const FirmwareListRequestSchema = z.strictObject({ ownerid: OwnerIdSchema });
export const FirmwareDeleteRequestSchema = z.strictObject({ ownerid: OwnerIdSchema, fwcrc: FwcrcSchema });

/** Request schema of each firmware operation. */
export const FIRMWARE_REQUEST_SCHEMAS = {
  upload: FirmwareUploadRequestSchema,
  list: FirmwareListRequestSchema,
  delete: FirmwareDeleteRequestSchema,
} as const;
/** Request body type of each firmware operation. */
export type FirmwareRequests = { [K in FirmwareOperation]: z.infer<(typeof FIRMWARE_REQUEST_SCHEMAS)[K]> };

export const FirmwareUploadResponseSchema = z.object({
  fwcrc: z.number().int().describe('CRC-32 of the image: what setup.fwcrc names'),
  keys: z.array(z.number().int()).describe('CRC-32 of each sig-N.key a stored signature verifies with'),
  size: z.number().int(),
  sha256: z.string(),
  version: z.string().nullable(),
  created: z.boolean().describe('false when the image was stored already (signatures merged)'),
});
export const FirmwareListResponseSchema = z.object({
  firmware: z.array(
    z.object({
      fwcrc: z.number().int(),
      fwcrcHex: z.string(),
      version: z.string().nullable(),
      size: z.number().int(),
      sha256: z.string().nullable(),
      owner: z.string().nullable().describe('null for an image shared by the station'),
      keys: z.array(z.number().int()),
      createdAt: z.string(),
    }),
  ),
});
export const FirmwareDeleteResponseSchema = z.object({ fwcrc: z.number().int() });

/**
 * Validates a decoded JSON body of a firmware operation; failures as {@link parseOwnerRequest}.
 */
export function parseFirmwareRequest<Op extends FirmwareOperation>(
  op: Op,
  body: unknown,
): { ok: true; value: FirmwareRequests[Op] } | { ok: false; error: ErrorBody } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: { error: `body: expected a JSON object, got ${typeName(body)}`, code: 'invalid_request' },
    };
  }
  const r = FIRMWARE_REQUEST_SCHEMAS[op].safeParse(body, { reportInput: true });
  if (r.success) return { ok: true, value: r.data as FirmwareRequests[Op] };
  return { ok: false, error: describeIssues(r.error.issues) };
}

/** Single and bulk schema of each item operation; `list` has one form. */
export const ITEM_REQUEST_SCHEMAS = {
  claim: { single: ClaimSingleSchema, bulk: ClaimBulkSchema },
  setup: { single: SetupSingleSchema, bulk: SetupBulkSchema },
  delete: { single: GatewayOnlySingleSchema, bulk: GatewayListBulkSchema },
  add: { single: AddSingleSchema, bulk: AddBulkSchema },
  info: { single: GatewayOnlySingleSchema, bulk: GatewayListBulkSchema },
  rotate: { single: GatewayOnlySingleSchema, bulk: GatewayListBulkSchema },
} as const;
export type ItemOperation = keyof typeof ITEM_REQUEST_SCHEMAS;

export type ClaimRequest = z.infer<typeof ClaimSingleSchema> | z.infer<typeof ClaimBulkSchema>;
export type SetupRequest = z.infer<typeof SetupSingleSchema> | z.infer<typeof SetupBulkSchema>;
export type DeleteRequest = z.infer<typeof GatewayOnlySingleSchema> | z.infer<typeof GatewayListBulkSchema>;
export type InfoRequest = DeleteRequest;
export type RotateRequest = DeleteRequest;
export type AddRequest = z.infer<typeof AddSingleSchema> | z.infer<typeof AddBulkSchema>;
export type ListRequest = z.infer<typeof ListRequestSchema>;

/** Request body type of each operation. */
export interface OwnerRequests {
  claim: ClaimRequest;
  setup: SetupRequest;
  delete: DeleteRequest;
  add: AddRequest;
  info: InfoRequest;
  list: ListRequest;
  rotate: RotateRequest;
}

// ---------------------------------------------------------------------------------------------
// Answer schemas (documentation: the OpenAPI document is generated from them)

const ErrorCodeSchema = z.string().describe('stable snake_case error code (src-shared/errors.ts)');

export const ErrorBodySchema = z
  .object({ error: z.string(), code: ErrorCodeSchema })
  .describe('whole-request failure; `error` names the field');

export const ItemResultSchema = z
  .object({
    gateway: z.string().describe('canonical ID6 when the id parsed, else the input as given'),
    error: z.string().optional(),
    code: ErrorCodeSchema.optional(),
  })
  .describe('one answer per request item, in request order; `error`/`code` only on failure');

const CredentialSummarySchema = z.object({
  uri: z.string().nullable(),
  mode: z.enum(['none', 'server-auth', 'token', 'client-cert']),
  trustSet: z.boolean(),
  certSet: z.boolean(),
  keySet: z.boolean(),
  crc: z.number().int().nullable().describe('CRC-32 of the blob CUPS sends (SPEC §3.3)'),
});

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
  rotation: z
    .object({
      state: z.enum(['idle', 'in_flight']).describe('in_flight: g and g + 1 are both accepted'),
      generation: z.number().int().describe('the accepted generation g'),
      target: z.number().int().describe('generation of the cups.key CUPS delivers'),
      history: z.array(
        z.object({
          from: z.number().int(),
          to: z.number().int(),
          startedAt: z.string(),
          startedBy: z.string(),
          completedAt: z.string().nullable(),
          completedHow: z
            .enum(['auth', 'crc'])
            .nullable()
            .describe('auth: the gateway authenticated with g + 1; crc: it reported the new cupsCred CRC'),
        }),
      ),
    })
    .nullable()
    .describe('CUPS token rotation (SPEC §2); null for an added gateway'),
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
  lastContact: z
    .object({
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
    })
    .nullable(),
});

export const InfoResultSchema = ItemResultSchema.extend({ info: GatewayInfoSchema.optional() });
export const ItemResultsSchema = z.array(ItemResultSchema);
export const InfoResultsSchema = z.array(InfoResultSchema);
export const ListResponseSchema = z.object({
  gateways: z.array(z.string()).describe('canonical ID6, ascending'),
  next: z.string().nullable().describe('pass as `after` for the next page; null on the last page'),
});

// ---------------------------------------------------------------------------------------------
// Validation

/** Result of {@link parseOwnerRequest}. */
export type ParsedOwnerRequest<Op extends GatewayOperation> =
  { ok: true; value: OwnerRequests[Op]; bulk: boolean } | { ok: false; error: ErrorBody };

/**
 * Validates a decoded JSON body for `op`. The form is chosen by the body: a `gateways` member means
 * bulk (or mixed), otherwise single. More than {@link MAX_ITEMS} items fail before any item is
 * looked at. Failures name the field path and carry a stable code (`invalid_request` for shape
 * problems, `too_many_items`, or the value's own code such as `invalid_uri`).
 */
export function parseOwnerRequest<Op extends GatewayOperation>(
  op: Op,
  body: unknown,
): ParsedOwnerRequest<Op> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      error: { error: `body: expected a JSON object, got ${typeName(body)}`, code: 'invalid_request' },
    };
  }
  let schema: z.ZodType;
  let bulk = false;
  if (op === 'list') {
    schema = ListRequestSchema;
  } else {
    const forms = ITEM_REQUEST_SCHEMAS[op as ItemOperation];
    bulk = 'gateways' in body;
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
    schema = bulk ? forms.bulk : forms.single;
  }
  const r = schema.safeParse(body, { reportInput: true });
  if (r.success) return { ok: true, value: r.data as OwnerRequests[Op], bulk };
  return { ok: false, error: describeIssues(r.error.issues) };
}

/** `gateways[3].claim` from `['gateways', 3, 'claim']`; the root is `body`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s === '' ? 'body' : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** At most this many unknown keys are named in one message, each cut to {@link MAX_KEY_SHOWN} characters. */
const MAX_UNKNOWN_KEYS_SHOWN = 5;
const MAX_KEY_SHOWN = 40;

const shownKey = (k: string) => (k.length > MAX_KEY_SHOWN ? `${k.slice(0, MAX_KEY_SHOWN)}…` : k);

/**
 * `pin: unknown field (also a, b; and 199 995 more)`: a body with 200 000 unknown keys must not
 * make a 1.7 MB message, so only the first few are named.
 */
function describeUnknownKeys(path: string, keys: readonly string[]): string {
  const first = shownKey(keys[0] ?? '?');
  const also = keys.slice(1, MAX_UNKNOWN_KEYS_SHOWN).map(shownKey);
  const rest = keys.length - 1 - also.length;
  const tail =
    also.length === 0
      ? ''
      : ` (also ${also.join(', ')}${rest > 0 ? `; and ${rest} more unknown fields` : ''})`;
  return `${path === 'body' ? '' : `${path}.`}${first}: unknown field${tail}`;
}

/**
 * One issue as `path: problem`, in words a curl user understands (parse with `reportInput: true`
 * so type problems can say what was given).
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  // JSON.parse turns 1e400 into Infinity: a number, but not one zod (or anyone) accepts
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_union') &&
    typeof issue.input === 'number' &&
    !Number.isFinite(issue.input)
  ) {
    return `${path}: not a finite number (too large)`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${path}: required (${issue.expected})`;
      return `${path}: expected ${issue.expected}, got ${typeName(issue.input)}`;
    case 'unrecognized_keys':
      return describeUnknownKeys(path, issue.keys);
    case 'invalid_union':
      return `${path}: ${issue.message.replace(/^Invalid input: ?/, '') || 'no accepted form matches'}`;
    default:
      return `${path}: ${issue.message.replace(/^Invalid input: ?/, '')}`;
  }
}

/** Error code an issue stands for: a custom issue's own code, the item limit, else invalid_request. */
function codeOf(issue: z.core.$ZodIssue): ErrorCode {
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: ErrorCode } | undefined)?.code;
    if (code !== undefined) return code;
  }
  if (issue.code === 'too_big' && issue.origin === 'array' && formatPath(issue.path) === 'gateways') {
    return 'too_many_items';
  }
  return 'invalid_request';
}

/** Folds zod issues into the envelope: the first three problems, the first one's code. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): ErrorBody {
  const first = issues[0];
  if (first === undefined) return { error: 'body: invalid', code: 'invalid_request' };
  const shown = issues.slice(0, 3).map(describeIssue);
  const more = issues.length > 3 ? `; and ${issues.length - 3} more problem(s)` : '';
  return { error: shown.join('; ') + more, code: codeOf(first) };
}
