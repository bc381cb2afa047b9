/**
 * Batches as the factory line uses them (docs/factory-line.md): the batch row (SPEC §2) plus what its
 * bundles carry — model, the join server's public CUPS URI and the trust for it (SPEC §5) — and the
 * unit counters. Creating a batch goes through the core's batch service, which generates the root
 * key and refuses overlapping ranges (`batch_conflict`); this module adds the bundle settings.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import type { FactoryBatch, FactoryCounts } from '../../../src-shared/factory-channels';
import type { ParsedRequestOf } from '../../../src-shared/ipc';
import { euiFromHex, formatEui64, formatId6 } from '../../../src-shared/ids';
import { parseEndpointUri } from '../../../src-shared/uri';
import type { RequestContext } from '../context';
import { actorOf, AuditWriter } from '../audit';
import { derToPem, parseCertificateInput } from '../credentials';
import { isoAt } from '../env';
import type { KeyHandle, SqlRow, Tx } from '../ports';
import { intOf, textOf, textOrNull } from '../rows';
import type { FactoryLineDeps } from './context';

/** A batch with everything the line needs to personalize its gateways. */
export interface LineBatch {
  id: string;
  first: bigint;
  last: bigint;
  brkHandle: KeyHandle;
  kcv: string;
  flavor: string | null;
  model: string | null;
  createdAt: string;
  /** the CUPS URI bundles carry: batch setting, else the batch row's, else the station's */
  cupsUri: string | null;
  /** the trust PEM bundles carry: batch setting, else the station's CA */
  trustPem: string | null;
  ownTrust: boolean;
}

const BATCH_SQL =
  'SELECT b.id, b.first_eui, b.last_eui, b.brk_handle, b.kcv, b.flavor, b.cups_uri, b.created_at, ' +
  'f.model, f.cups_uri AS line_cups_uri, f.trust_pem FROM batches b LEFT JOIN factory_batches f ON f.batch_id = b.id';

function lineBatchOf(r: SqlRow, deps: Pick<FactoryLineDeps, 'defaults'>): LineBatch {
  const ownTrust = textOrNull(r, 'trust_pem');
  return {
    id: textOf(r, 'id'),
    first: euiFromHex(textOf(r, 'first_eui')),
    last: euiFromHex(textOf(r, 'last_eui')),
    brkHandle: textOf(r, 'brk_handle'),
    kcv: textOf(r, 'kcv'),
    flavor: textOrNull(r, 'flavor'),
    model: textOrNull(r, 'model'),
    createdAt: textOf(r, 'created_at'),
    cupsUri: textOrNull(r, 'line_cups_uri') ?? textOrNull(r, 'cups_uri') ?? deps.defaults.cupsUri,
    trustPem: ownTrust ?? deps.defaults.trustPem,
    ownTrust: ownTrust !== null,
  };
}

/**
 * The batch `batchId` with its bundle settings.
 * @throws DomainError('not_found') naming the batch.
 */
export async function loadLineBatch(
  tx: Tx,
  deps: Pick<FactoryLineDeps, 'defaults'>,
  batchId: string,
): Promise<LineBatch> {
  const r = await tx.get(`${BATCH_SQL} WHERE b.id = ?`, [batchId]);
  if (r === undefined) {
    throw new DomainError('not_found', `batchId: no batch ${JSON.stringify(batchId)}`, { field: 'batchId' });
  }
  return lineBatchOf(r, deps);
}

/** The batch whose range holds `hex` (16-hex EUI), if any. */
export async function findLineBatchOf(
  tx: Tx,
  deps: Pick<FactoryLineDeps, 'defaults'>,
  hex: string,
): Promise<LineBatch | undefined> {
  const r = await tx.get(
    `${BATCH_SQL} WHERE b.first_eui <= ? AND b.last_eui >= ? ORDER BY b.first_eui LIMIT 1`,
    [hex, hex],
  );
  return r === undefined ? undefined : lineBatchOf(r, deps);
}

/**
 * The CUPS URI and trust a bundle of `batch` carries, checked: the URI must be `https` (a token is
 * only sent over TLS, SPEC §3.1) and a trust certificate must be known.
 * @throws DomainError('invalid_uri' | 'trust_required') naming the batch.
 */
export function bundleSettingsOf(batch: LineBatch): { cupsUri: string; trustPem: string } {
  if (batch.cupsUri === null) {
    throw new DomainError(
      'invalid_uri',
      `cupsUri: batch ${batch.id} has no CUPS URI for its bundles; configure one`,
      {
        field: 'cupsUri',
      },
    );
  }
  const uri = parseEndpointUri(batch.cupsUri, 'cups', 'cupsUri');
  if (!uri.secure) {
    throw new DomainError(
      'invalid_uri',
      `cupsUri: ${JSON.stringify(uri.uri)} of batch ${batch.id} must be https: a token is only sent over TLS`,
      { field: 'cupsUri' },
    );
  }
  if (batch.trustPem === null) {
    throw new DomainError(
      'trust_required',
      `trustPem: batch ${batch.id} has no trust certificate for its bundles`,
      {
        field: 'trustPem',
      },
    );
  }
  return { cupsUri: uri.uri, trustPem: batch.trustPem };
}

/** A trust input normalized to one PEM certificate (LF endings), as bundles carry it. */
export function normalizeTrust(input: string): string {
  return derToPem(parseCertificateInput(input, 'trustPem'), 'CERTIFICATE');
}

/** `AB:CD:…` SHA-256 fingerprint of a PEM certificate. */
export function pemFingerprint(pem: string): string {
  const der = parseCertificateInput(pem, 'trustPem');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

const ZERO_COUNTS: FactoryCounts = { personalized: 0, printed: 0, verified: 0, blocked: 0 };

/** Counters of every batch in one query. */
async function allCounts(tx: Tx): Promise<Map<string, FactoryCounts>> {
  const rows = await tx.all(
    'SELECT batch_id, state, COUNT(*) AS n FROM factory_units GROUP BY batch_id, state',
  );
  const out = new Map<string, FactoryCounts>();
  for (const r of rows) {
    const id = textOf(r, 'batch_id');
    const c = { ...(out.get(id) ?? ZERO_COUNTS) };
    const n = intOf(r, 'n');
    c.personalized += n;
    const state = textOf(r, 'state');
    if (state === 'printed' || state === 'verified') c.printed += n;
    if (state === 'verified') c.verified += n;
    if (state === 'blocked') c.blocked += n;
    out.set(id, c);
  }
  return out;
}

/** The view of a batch for the factory screens. */
export function factoryBatchView(b: LineBatch, counts: FactoryCounts): FactoryBatch {
  let trustFingerprint: string | null = null;
  try {
    trustFingerprint = b.trustPem === null ? null : pemFingerprint(b.trustPem);
  } catch {
    trustFingerprint = null;
  }
  return {
    id: b.id,
    firstEui: formatId6(b.first),
    lastEui: formatId6(b.last),
    firstEui64: formatEui64(b.first),
    lastEui64: formatEui64(b.last),
    size: (b.last - b.first + 1n).toString(),
    kcv: b.kcv,
    flavor: b.flavor,
    model: b.model,
    cupsUri: b.cupsUri,
    ownTrust: b.ownTrust,
    trustFingerprint,
    createdAt: b.createdAt,
    counts,
  };
}

/** Input of {@link FactoryBatches.create}: the `factory:createBatch` request. */
type CreateBatchInput = ParsedRequestOf<'factory:createBatch'>;

/** Changes of {@link FactoryBatches.configure}: absent = keep, null = clear (fall back to the default). */
type ConfigureBatchInput = ParsedRequestOf<'factory:configureBatch'>;

/** Batches with their bundle settings and counters. */
export class FactoryBatches {
  constructor(private readonly deps: FactoryLineDeps) {}

  /** Every batch, by first EUI, with counters. */
  async list(): Promise<FactoryBatch[]> {
    return this.deps.store.read(async (tx) => {
      const counts = await allCounts(tx);
      const rows = await tx.all(`${BATCH_SQL} ORDER BY b.first_eui`);
      return rows.map((r) => {
        const b = lineBatchOf(r, this.deps);
        return factoryBatchView(b, counts.get(b.id) ?? ZERO_COUNTS);
      });
    });
  }

  /** One batch with counters. @throws DomainError('not_found') */
  async get(batchId: string): Promise<FactoryBatch> {
    return this.deps.store.read(async (tx) => {
      const b = await loadLineBatch(tx, this.deps, batchId);
      return factoryBatchView(b, (await allCounts(tx)).get(b.id) ?? ZERO_COUNTS);
    });
  }

  /**
   * Creates a batch (root key in the HSM; the batch service refuses overlapping ranges with
   * `batch_conflict`, naming the batch it meets) and stores its bundle settings. A MAC-48 range
   * becomes an EUI-64 range (SPEC §1.2). Inputs are checked before the key is made.
   * @throws DomainError('invalid_id' | 'invalid_request' | 'invalid_uri' | 'invalid_credential' | 'batch_conflict')
   */
  async create(ctx: RequestContext, input: CreateBatchInput): Promise<FactoryBatch> {
    const model = checkModel(input.model);
    const trustPem = input.trustPem === undefined ? null : normalizeTrust(input.trustPem);
    if (input.cupsUri !== undefined) checkBundleUri(input.cupsUri);
    const row = await this.deps.batches.create(ctx, {
      first: input.first,
      last: input.last,
      ...(input.flavor !== undefined ? { flavor: input.flavor } : {}),
      ...(input.cupsUri !== undefined ? { cupsUri: input.cupsUri } : {}),
    });
    if (model !== null || trustPem !== null) {
      await this.#save(ctx, row.id, { model, cupsUri: null, trustPem }, 'factory.batch.create');
    }
    return this.get(row.id);
  }

  /**
   * Changes what bundles of a batch carry (later bundles only; written ones are not touched).
   * @throws DomainError('not_found' | 'invalid_uri' | 'invalid_credential' | 'invalid_request')
   */
  async configure(ctx: RequestContext, input: ConfigureBatchInput): Promise<FactoryBatch> {
    const current = await this.deps.store.read(async (tx) => {
      await loadLineBatch(tx, this.deps, input.batchId);
      return tx.get('SELECT model, cups_uri, trust_pem FROM factory_batches WHERE batch_id = ?', [
        input.batchId,
      ]);
    });
    const keep = <T>(v: T | undefined, old: T): T => (v === undefined ? old : v);
    const model = keep(
      input.model === undefined ? undefined : checkModel(input.model ?? undefined),
      current ? textOrNull(current, 'model') : null,
    );
    const cupsUri = keep(input.cupsUri, current ? textOrNull(current, 'cups_uri') : null);
    if (cupsUri !== null) checkBundleUri(cupsUri);
    const trustPem = keep(
      input.trustPem === undefined
        ? undefined
        : input.trustPem === null
          ? null
          : normalizeTrust(input.trustPem),
      current ? textOrNull(current, 'trust_pem') : null,
    );
    await this.#save(ctx, input.batchId, { model, cupsUri, trustPem }, 'factory.batch.configure');
    return this.get(input.batchId);
  }

  async #save(
    ctx: RequestContext,
    batchId: string,
    s: { model: string | null; cupsUri: string | null; trustPem: string | null },
    action: string,
  ): Promise<void> {
    const at = isoAt(this.deps.clock.now());
    await this.deps.store.transaction(async (tx) => {
      await tx.run('DELETE FROM factory_batches WHERE batch_id = ?', [batchId]);
      await tx.run(
        'INSERT INTO factory_batches (batch_id, model, cups_uri, trust_pem, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)',
        [batchId, s.model, s.cupsUri, s.trustPem, at, actorOf(ctx.principal)],
      );
      await new AuditWriter(tx, ctx, at).add(action, batchId, {
        model: s.model,
        cupsUri: s.cupsUri,
        trustFingerprint: s.trustPem === null ? null : pemFingerprint(s.trustPem),
      });
    });
  }
}

function checkModel(model: string | undefined): string | null {
  if (model === undefined) return null;
  if (typeof model !== 'string' || model.trim().length === 0 || model.length > 100) {
    throw new DomainError('invalid_request', 'model: expected 1–100 characters', { field: 'model' });
  }
  return model.trim();
}

function checkBundleUri(cupsUri: string): void {
  const uri = parseEndpointUri(cupsUri, 'cups', 'cupsUri');
  if (!uri.secure) {
    throw new DomainError(
      'invalid_uri',
      `cupsUri: ${JSON.stringify(cupsUri)} must be https: bundles carry a token`,
      {
        field: 'cupsUri',
      },
    );
  }
}
