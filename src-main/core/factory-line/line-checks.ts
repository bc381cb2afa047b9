/**
 * Checks and small helpers of the line workflow (`line.ts`): where a scanned gateway may be
 * personalized, which unit a step names, and how hook and output problems are worded.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type { HookResult, LineSettings } from '../../../src-shared/factory-channels';
import { euiHex, formatEui64, formatId6 } from '../../../src-shared/ids';
import type { Tx } from '../ports';
import type { FactoryLineDeps } from './context';
import { jobReserving } from './job-rows';
import { findLineBatchOf, type LineBatch } from './line-batches';
import { findUnit, type UnitRow } from './unit-rows';

/** `tcp9100 host:port`, `usb` or `none`. */
export function describePrinter(settings: LineSettings): string {
  const p = settings.printer;
  return p.kind === 'tcp9100' ? `tcp9100 ${p.host}:${p.port}` : p.kind;
}

/** What the unit history keeps of a hook run (the output's tail). */
export function hookSummary(hook: HookResult): Record<string, unknown> {
  return {
    exitCode: hook.exitCode,
    signal: hook.signal,
    timedOut: hook.timedOut,
    output: hook.output.slice(-500),
    elapsedMs: hook.elapsedMs,
  };
}

/**
 * A failed bundle write as something the operator can act on (the drive is full, unplugged or
 * read-only), instead of an opaque internal error.
 */
export function outputProblem(outDir: string, e: unknown): DomainError {
  if (isDomainError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const why = typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
  return new DomainError(
    'not_configured',
    `output folder ${JSON.stringify(outDir)}: the bundle could not be written (${why}); check the drive or folder in the line settings`,
    { field: 'outDir' },
  );
}

/** @throws DomainError('not_found') when the gateway was never personalized. */
export async function requireUnit(tx: Tx, id: bigint): Promise<UnitRow> {
  const u = await findUnit(tx, euiHex(id));
  if (u === undefined) {
    throw new DomainError('not_found', `gateway: ${formatId6(id)} is not personalized on this line`, {
      field: 'gateway',
    });
  }
  return u;
}

/** @throws DomainError('invalid_request') naming the batch the gateway belongs to, if any. */
export async function checkInBatch(
  tx: Tx,
  deps: Pick<FactoryLineDeps, 'defaults'>,
  batch: LineBatch,
  id: bigint,
): Promise<void> {
  if (id >= batch.first && id <= batch.last) return;
  const other = await findLineBatchOf(tx, deps, euiHex(id));
  const range = `${formatEui64(batch.first)} … ${formatEui64(batch.last)}`;
  throw new DomainError(
    'invalid_request',
    other === undefined
      ? `scan: gateway ${formatId6(id)} (${formatEui64(id)}) is outside the active batch ${batch.id} (${range}) and every other batch`
      : `scan: gateway ${formatId6(id)} (${formatEui64(id)}) belongs to batch ${other.id}, not to the active batch ${batch.id} (${range})`,
    { field: 'scan' },
  );
}

/** @throws DomainError('conflict') when an unfinished pre-generation job holds the EUI. */
export async function checkNotReserved(tx: Tx, hex: string, id6: string): Promise<void> {
  const job = await jobReserving(tx, hex);
  if (job !== undefined) {
    throw new DomainError(
      'conflict',
      `gateway ${id6} is reserved by pre-generation job ${job.id} (${job.state}); resume the job to write it`,
    );
  }
}
