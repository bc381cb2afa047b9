/**
 * Value schemas of the contract (SPEC §1.2, §3.2, §3.3, §4.2): ids, URIs, certificates, keys,
 * firmware fields, and the one strict {@link SetupFieldsSchema} every door uses (Owner API, IPC,
 * HTTP bridge, templates). What is checked here needs no stored state: types, unknown fields,
 * owner ids, Base64, PEM/DER framing of certificates, URI syntax (`http(s)://host:port` /
 * `ws(s)://host:port`, no path, < 128 chars), CRC-32 and ISO-8601 syntax. `fwcrc` and `fwafter`
 * are converted (a number; UTC ISO text), so the core takes them as they come out. Gateway ids
 * stay raw strings so a bad id is a per-item answer (`invalid_id`).
 *
 * Runs anywhere: imports only zod and other `src-shared` modules.
 */
import { z } from 'zod';
import { base64ToBytes } from '../bytes';
import { parseId } from '../ids';
import { checkServiceUri } from '../uri';
import { fail, quote } from './issues';

/** Most items one bulk request may carry (SPEC §4.2); the core's `maxItems` default. */
export const MAX_ITEMS = 10_000;
/** Largest accepted request body, bytes (SPEC §4.2). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Most ids one `list` page may ask for (the server's configured maximum may be lower). */
export const MAX_LIST_LIMIT = 10_000;

/**
 * API key scopes (SPEC §4.1). `admin` implies every other scope and any owner. `factory` (an
 * addition, docs/sync.md "Factory records") is for keys without an owner: a factory station's
 * personalization records, never an owner operation.
 */
export const SCOPES = ['claim', 'setup', 'delete', 'add', 'read', 'firmware', 'factory', 'admin'] as const;
/** One API key scope. */
export type Scope = (typeof SCOPES)[number];
/** Schema of one scope. */
export const ScopeSchema = z.enum(SCOPES);

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

/** Base64 of a DER certificate, or of PEM text (converted to DER by the core). */
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

/** Base64 of a DER private key when a certificate is set, else of an Authorization header. */
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

/** An endpoint URI with the station's rules (SPEC §3.2); `invalid_uri` otherwise. */
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

/** CRC-32 of a firmware image: a number, a decimal or a `0x` hex string → the number (SPEC §3.4). */
export const FwcrcSchema = z
  .union([
    z.number().int().min(0).max(0xffff_ffff),
    z.string().regex(/^(?:0x[0-9A-Fa-f]{1,8}|[0-9]{1,10})$/, 'expected a CRC-32: decimal or 0x-hex'),
  ])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^0x/i.test(v) ? parseInt(v.slice(2), 16) : Number(v);
    if (n > 0xffff_ffff) {
      ctx.issues.push({ code: 'custom', message: `${quote(String(v))} is beyond 32 bits`, input: v });
      return z.NEVER;
    }
    return n;
  })
  .describe('CRC-32 of an uploaded firmware image (number, decimal or 0x-hex string)');

/** ISO-8601 date-time with zone → normalized to UTC (`2030-01-01T23:00:00.000Z`). */
const FwafterSchema = z.iso
  .datetime({ offset: true, error: 'expected an ISO-8601 date-time with zone, e.g. "2025-06-01T00:00:00Z"' })
  .transform((v, ctx) => {
    const t = Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.issues.push({ code: 'custom', message: `${quote(v)} is not a calendar time`, input: v });
      return z.NEVER;
    }
    return new Date(t).toISOString();
  })
  .describe('ISO-8601 date-time with zone after which the firmware is delivered once');

/** Non-empty standard Base64 (no line breaks) of `what`. */
export function base64Schema(what: string) {
  return z
    .string()
    .superRefine((v, ctx) => {
      const bytes = decodeBase64Field(v, ctx);
      if (bytes !== undefined && bytes.length === 0) fail(ctx, 'invalid_request', `empty ${what}`);
    })
    .describe(`Base64 of ${what}`);
}

/**
 * Setup fields (SPEC §4.2), the one schema of every door: absent = keep the stored value, null =
 * clear it. Output: `fwcrc` a number, `fwafter` UTC ISO text; the rest as given.
 */
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
/** Setup fields as parsed (what the core works with). */
export type SetupFields = z.output<typeof SetupFieldsSchema>;
/** Setup fields as a caller gives them (`fwcrc` may be text). */
export type SetupFieldsInput = z.input<typeof SetupFieldsSchema>;
/** Names of the setup fields, in SPEC §4.2 order. */
export const SETUP_FIELDS = Object.keys(SetupFieldsSchema.shape) as (keyof SetupFields)[];
/** Setup fields that hold secrets (private keys, tokens): stored in templates, never sent back to the UI. */
export const SECRET_SETUP_FIELDS = ['cupsKey', 'lnsKey'] as const;

/**
 * The mixed form's rule (SPEC §4.2): `common` applies to every item that does not set the field
 * itself (an item's explicit `null` overrides too). Absent and `undefined` stay absent.
 */
export function withCommonFields<T extends SetupFields>(common: SetupFields | undefined, item: T): T {
  return commonFieldsMerger(common)(item);
}

/**
 * {@link withCommonFields} for many items over the same `common`: the fields `common` sets are
 * looked up once (a bulk setup merges 10 000 items).
 */
export function commonFieldsMerger(common: SetupFields | undefined): <T extends SetupFields>(item: T) => T {
  const present = common === undefined ? [] : SETUP_FIELDS.filter((f) => common[f] !== undefined);
  if (common === undefined || present.length === 0) return (item) => item;
  return <T extends SetupFields>(item: T): T => {
    // Object.assign, not a spread: ≈ 20 times faster here (docs/performance.md, bulk setup)
    const merged = Object.assign({}, item) as Record<string, unknown>;
    for (const f of present) if (merged[f] === undefined) merged[f] = common[f];
    return merged as T;
  };
}
