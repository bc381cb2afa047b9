/**
 * The read-only CLI commands the running server answers through its local door (docs/cli.md "While
 * the server runs", `local-door.ts`), declared once: the `gwjs` command each serves, its request
 * and answer schemas, and the one handler that computes the answer. `gwjs` runs the same handler on
 * its own store when no server holds it (`askStation` in `src-main/cli/open.ts`), so a command
 * prints the same bytes either way; the server validates each request (400 naming the field) and
 * each answer before sending it, the CLI validates the answer it receives.
 *
 * Kept light: heavy modules (label rendering, the store export) load inside the handlers.
 */
import { z } from 'zod';
import { DomainError } from '../../src-shared/errors';
import { BatchRowSchema } from '../../src-shared/contract/shapes';
import { CERTIFICATE_LIST } from '../../src-shared/contract/certificate-ops';
import { FIRMWARE_LIST } from '../../src-shared/contract/firmware-ops';
import { SyncStatusSchema } from '../../src-shared/contract/sync-views';
import { SitePackItemSchema, SitePackStatusSchema } from '../../src-shared/contract/site-pack-views';
import { hsmKeySchema } from '../../src-shared/channels/hsm';
import { hsmStatusSchema } from '../../src-shared/channels/station';
import { factoryBatchSchema, MANIFEST_FORMATS, UNIT_STATES } from '../../src-shared/factory-channels';
import { bytesToBase64 } from '../../src-shared/bytes';
import type { RequestContext } from '../core/api';
import type { FactoryLineServices } from '../core/factory-line';
import type { Store } from '../core/ports';
import type { Station } from './station';

/** What a handler works with: the open station's parts and the context it acts (and audits) as. */
export interface LocalDoorDeps {
  core: Station['core'];
  /** the HSM backend in use */
  hsm: Station['hsm'];
  store: Store;
  storeKind: Station['storeKind'];
  /** the factory line (the server's own; the CLI opens one on first use) */
  factory(): FactoryLineServices;
  /** the CLI principal; through the door with the address `cli via gwjs serve` */
  ctx: RequestContext;
}

/** One command of the door. */
interface LocalDoorCommand<Req extends z.ZodType, Res extends z.ZodType> {
  /** the `gwjs` command it answers, e.g. `batch list` */
  cli: string;
  request: Req;
  response: Res;
  /** request body limit in bytes (default: the server's) */
  bodyLimit?: number;
  run(deps: LocalDoorDeps, input: z.output<Req>): Promise<z.input<Res>>;
}

const door = <Req extends z.ZodType, Res extends z.ZodType>(
  c: LocalDoorCommand<Req, Res>,
): LocalDoorCommand<Req, Res> => c;

const Empty = z.strictObject({});
const Name = z.string().min(1).max(64);

/** A label as the door answers it: the rendered bytes in base64. */
const LabelAnswer = z.object({
  bytes: z.base64(),
  gateway: z.string(),
  eui: z.string(),
  pinFormatted: z.string(),
  template: z.string(),
});

const TranscriptEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  address: z.string().nullable(),
  action: z.enum([
    'ceremony.transport_key.create',
    'ceremony.export',
    'ceremony.import',
    'ceremony.backup',
    'ceremony.restore',
    'ceremony.seal',
  ]),
  chain: z.string(),
  seq: z.number().int(),
  prev: z.string(),
  hash: z.string(),
  facts: z.record(z.string(), z.unknown()),
});

/** A ceremony transcript (docs/twin-hsm.md "Transcript"), as `core.ceremony.transcript` makes it. */
const TranscriptSchema = z.object({
  format: z.literal('gwjs-ceremony-transcript'),
  version: z.literal(1),
  batch: BatchRowSchema.nullable(),
  batchId: z.string(),
  station: z.string(),
  exportedAt: z.string(),
  chains: z.array(
    z.object({
      chain: z.string(),
      entries: z.array(TranscriptEntrySchema),
      check: z.object({
        ok: z.boolean(),
        entries: z.number().int(),
        brokenAt: z
          .object({ seq: z.number().int(), id: z.number().int(), reason: z.string() })
          .exactOptional(),
      }),
    }),
  ),
});

/** The commands, by the door path they answer on: `POST /local/v1/<name>`. */
export const LOCAL_DOOR_COMMANDS = {
  batches: door({
    cli: 'batch list',
    request: Empty,
    response: z.object({ batches: z.array(factoryBatchSchema) }),
    run: async (d) => ({ batches: await d.factory().batches.list() }),
  }),
  label: door({
    cli: 'label',
    request: z.strictObject({
      gateway: Name,
      format: z.enum(['zpl', 'pdf', 'png']),
      template: Name.optional(),
    }),
    response: LabelAnswer,
    // audited `factory.label.render` by the core
    run: async (d, input) => {
      const { renderGatewayLabel } = await import('./label-render');
      const { bytes, ...rest } = await renderGatewayLabel(d.core, d.ctx, input);
      return { ...rest, bytes: bytesToBase64(bytes) };
    },
  }),
  certificates: door({
    cli: 'cert list',
    request: z.strictObject({ gateway: Name }),
    response: CERTIFICATE_LIST.response,
    run: (d, input) => d.core.clientCertificates.list(d.ctx, null, input.gateway),
  }),
  firmware: door({
    cli: 'firmware list',
    request: z.strictObject({ owner: Name.nullable() }),
    response: FIRMWARE_LIST.response,
    run: async (d, input) => ({ firmware: await d.core.firmware.list(d.ctx, input.owner) }),
  }),
  'signing-key': door({
    cli: 'firmware key export',
    request: Empty,
    response: z.object({ keyFile: z.base64(), keyCrc: z.number().int().nullable() }),
    run: async (d) => {
      const raw = await d.core.signingKeys.keyFile();
      const key = await d.core.signingKeys.active();
      return { keyFile: bytesToBase64(raw), keyCrc: key?.keyCrc ?? null };
    },
  }),
  'hsm-status': door({
    cli: 'hsm status',
    request: Empty,
    response: z.object({
      status: hsmStatusSchema,
      keys: z.array(hsmKeySchema),
      token: z
        .object({ label: z.string(), serial: z.string(), model: z.string(), manufacturer: z.string() })
        .nullable(),
    }),
    run: async (d) => {
      const { Pkcs11Hsm } = await import('../adapters/hsm/pkcs11-hsm');
      const hsm = d.hsm;
      const status = await hsm.status();
      const keys = status.locked ? [] : await hsm.listKeys();
      const token = hsm instanceof Pkcs11Hsm ? (hsm.token() ?? null) : null;
      return { status, keys, token };
    },
  }),
  transcript: door({
    cli: 'hsm transcript',
    request: z.strictObject({ batch: Name }),
    response: TranscriptSchema,
    run: (d, input) => d.core.ceremony.transcript(d.ctx, input.batch),
  }),
  'sync-status': door({
    cli: 'sync status',
    request: Empty,
    response: SyncStatusSchema,
    run: (d) => d.core.sync.status(),
  }),
  'site-pack': door({
    cli: 'sync site-pack status',
    request: Empty,
    response: z.object({ status: SitePackStatusSchema, items: z.array(SitePackItemSchema) }),
    run: async (d) => ({
      status: await d.core.sync.sitePackStatus(),
      items: await d.core.sync.sitePackGateways(),
    }),
  }),
  manifest: door({
    cli: 'manifest export',
    request: z.strictObject({
      batchId: Name,
      format: z.enum(MANIFEST_FORMATS),
      ownerPublicKey: z.string().min(1).max(65_536),
      gateways: z.array(z.string().max(64)).max(1_000_000).optional(),
      states: z.array(z.enum(UNIT_STATES)).max(UNIT_STATES.length).optional(),
    }),
    // a selection of a whole batch: up to a million ids
    bodyLimit: 64 * 1024 * 1024,
    response: z.object({ text: z.string(), count: z.number().int(), kid: z.string() }),
    // audited `factory.manifest.export` by the factory line
    run: async (d, input) => {
      const m = await d.factory().manifests.export(d.ctx, {
        batchId: input.batchId,
        format: input.format,
        ownerPublicKey: input.ownerPublicKey,
        ...(input.gateways !== undefined ? { gateways: input.gateways } : {}),
        ...(input.states !== undefined ? { states: input.states } : {}),
      });
      return { text: m.text, count: m.count, kid: m.kid };
    },
  }),
  'db-export': door({
    cli: 'db export',
    request: Empty,
    response: z.object({ text: z.string(), tables: z.record(z.string(), z.number().int()) }),
    // one read transaction: a consistent snapshot of the running server's store, built in memory
    run: async (d) => {
      const { exportStoreTo } = await import('../adapters/store/db-transfer');
      const lines: string[] = [];
      const tables = await exportStoreTo(d.store, d.storeKind, (line) => void lines.push(line));
      return { text: lines.join(''), tables };
    },
  }),
} as const;

/** A door command's name (its path). */
export type LocalDoorCommandName = keyof typeof LOCAL_DOOR_COMMANDS;
/** What a door command takes. */
export type LocalDoorRequest<K extends LocalDoorCommandName> = z.input<
  (typeof LOCAL_DOOR_COMMANDS)[K]['request']
>;
/** What a door command answers. */
export type LocalDoorAnswer<K extends LocalDoorCommandName> = z.output<
  (typeof LOCAL_DOOR_COMMANDS)[K]['response']
>;

/** The `gwjs` commands that work while the server runs, in table order (for messages and docs). */
export const LOCAL_DOOR_CLI_COMMANDS: readonly string[] = Object.values(LOCAL_DOOR_COMMANDS).map(
  (c) => c.cli,
);

/** The first problem of a failed parse as `field: message`. */
function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'body';
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

/**
 * Checks an answer of `name` against its schema (the value itself is kept as it is).
 * @throws DomainError('internal') naming the first field that does not match
 */
export function checkLocalDoorAnswer<K extends LocalDoorCommandName>(
  name: K,
  value: unknown,
): LocalDoorAnswer<K> {
  const r = LOCAL_DOOR_COMMANDS[name].response.safeParse(value);
  if (!r.success) {
    throw new DomainError(
      'internal',
      `local door: the answer to ${name} does not match its schema (${firstIssue(r.error).message})`,
    );
  }
  return value as LocalDoorAnswer<K>;
}

/**
 * Runs door command `name` on `deps` with the request `body`: validated, run, its answer checked
 * and returned as plain JSON data (what the door sends, so both ways print the same bytes).
 * @throws DomainError('invalid_request') naming the field of a bad request; the handler's errors
 */
export async function runLocalDoorCommand<K extends LocalDoorCommandName>(
  name: K,
  deps: LocalDoorDeps,
  body: unknown,
): Promise<LocalDoorAnswer<K>> {
  const command = LOCAL_DOOR_COMMANDS[name] as unknown as LocalDoorCommand<z.ZodType, z.ZodType>;
  const r = command.request.safeParse(body ?? {});
  if (!r.success) {
    const { field, message } = firstIssue(r.error);
    throw new DomainError('invalid_request', message, { field });
  }
  const value = JSON.parse(JSON.stringify(await command.run(deps, r.data))) as unknown;
  return checkLocalDoorAnswer(name, value);
}
