/**
 * Where a pre-generation job may run: its default start (after every unit and job of the batch)
 * and the check that its range is free (no personalized unit, no unfinished job).
 */
import { DomainError } from '../../../src-shared/errors';
import { formatCount } from '../../../src-shared/format-count';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import type { Tx } from '../ports';
import { intOf } from '../rows';
import { jobReservingRange } from './job-rows';
import type { LineBatch } from './line-batches';

/** The smaller of two ids. */
export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** `dir/name` with the separator `dir` already uses (the core does not import node:path). */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The first EUI of `batch` after every personalized unit and every job of the batch. */
export async function firstFree(tx: Tx, batch: LineBatch): Promise<bigint> {
  const [firstHex, lastHex] = [euiHex(batch.first), euiHex(batch.last)];
  const unit = await tx.get('SELECT MAX(eui) AS m FROM factory_units WHERE eui >= ? AND eui <= ?', [
    firstHex,
    lastHex,
  ]);
  const job = await tx.get('SELECT MAX(last_eui) AS m FROM factory_jobs WHERE batch_id = ?', [batch.id]);
  let next = batch.first;
  for (const r of [unit, job]) {
    const m = r?.m;
    if (typeof m === 'string') {
      const after = parseIdField(m, 'eui') + 1n;
      if (after > next) next = after;
    }
  }
  if (next > batch.last) {
    throw new DomainError(
      'conflict',
      `batch ${batch.id} has no EUI left after its personalized units and jobs`,
    );
  }
  return next;
}

/** @throws DomainError('conflict') when [first, last] holds a unit or meets an unfinished job. */
export async function checkRangeFree(tx: Tx, first: bigint, last: bigint): Promise<void> {
  const [firstHex, lastHex] = [euiHex(first), euiHex(last)];
  const used = await tx.get(
    'SELECT COUNT(*) AS n, MIN(eui) AS lo, MAX(eui) AS hi FROM factory_units WHERE eui >= ? AND eui <= ?',
    [firstHex, lastHex],
  );
  const n = used === undefined ? 0 : intOf(used, 'n');
  if (n > 0) {
    const lo = parseIdField(String(used!.lo), 'eui');
    const hi = parseIdField(String(used!.hi), 'eui');
    const which =
      n === 1
        ? `1 unit in it is personalized already (${formatId6(lo)})`
        : `${formatCount(n)} units in it are personalized already (${formatId6(lo)} … ${formatId6(hi)})`;
    throw new DomainError(
      'conflict',
      `first/count: nothing was written — the range ${formatId6(first)} … ${formatId6(last)} cannot be pre-generated: ${which}; start after ${formatId6(hi)}, or leave the start empty for the next free EUI`,
      { field: 'first' },
    );
  }
  const job = await jobReservingRange(tx, firstHex, lastHex);
  if (job !== undefined) {
    throw new DomainError(
      'conflict',
      `first/count: the range meets unfinished job ${job.id} (${formatId6(job.first)} … ${formatId6(job.last)}, ${job.state}); resume or finish it first`,
      { field: 'first' },
    );
  }
}
