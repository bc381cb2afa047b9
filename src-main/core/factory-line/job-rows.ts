/**
 * Store access of pre-generation jobs (`factory_jobs`, migration 0006). A job reserves its range:
 * the units before its cursor are in `factory_units`, the ones from the cursor on are promised to
 * the job until it is done.
 */
import type { JobState } from '../../../src-shared/factory-channels';
import { euiFromHex } from '../../../src-shared/ids';
import type { SqlRow, Tx } from '../ports';
import { intOf, textOf, textOrNull } from '../rows';

/** Stored job options. */
export interface JobOptions {
  zip: boolean;
  labels: boolean;
  template: string;
}

/** A stored job. */
export interface JobRow {
  id: string;
  batchId: string;
  first: bigint;
  last: bigint;
  /** the cursor: first EUI not yet durably written; null when done */
  next: bigint | null;
  total: number;
  done: number;
  outDir: string;
  options: JobOptions;
  state: Exclude<JobState, 'interrupted'>;
  error: string | null;
  station: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** Columns of `factory_jobs`. */
export const JOB_COLUMNS =
  'id, batch_id, first_eui, last_eui, next_eui, total, done_count, out_dir, options, state, error, station, created_at, created_by, updated_at';

/** Parses a `factory_jobs` row. */
export function jobRowOf(r: SqlRow): JobRow {
  const next = textOrNull(r, 'next_eui');
  return {
    id: textOf(r, 'id'),
    batchId: textOf(r, 'batch_id'),
    first: euiFromHex(textOf(r, 'first_eui')),
    last: euiFromHex(textOf(r, 'last_eui')),
    next: next === null ? null : euiFromHex(next),
    total: intOf(r, 'total'),
    done: intOf(r, 'done_count'),
    outDir: textOf(r, 'out_dir'),
    options: JSON.parse(textOf(r, 'options')) as JobOptions,
    state: textOf(r, 'state') as JobRow['state'],
    error: textOrNull(r, 'error'),
    station: textOf(r, 'station'),
    createdAt: textOf(r, 'created_at'),
    createdBy: textOf(r, 'created_by'),
    updatedAt: textOf(r, 'updated_at'),
  };
}

/** Reads one job. */
export async function findJob(tx: Tx, id: string): Promise<JobRow | undefined> {
  const r = await tx.get(`SELECT ${JOB_COLUMNS} FROM factory_jobs WHERE id = ?`, [id]);
  return r === undefined ? undefined : jobRowOf(r);
}

/** The unfinished job whose remaining range [cursor, last] holds `hex`, if any. */
export async function jobReserving(tx: Tx, hex: string, exceptJob?: string): Promise<JobRow | undefined> {
  const r = await tx.get(
    `SELECT ${JOB_COLUMNS} FROM factory_jobs WHERE state <> 'done' AND next_eui IS NOT NULL AND next_eui <= ? AND last_eui >= ? AND id <> ? LIMIT 1`,
    [hex, hex, exceptJob ?? ''],
  );
  return r === undefined ? undefined : jobRowOf(r);
}

/** The first unfinished job whose remaining range meets [firstHex, lastHex], if any. */
export async function jobReservingRange(
  tx: Tx,
  firstHex: string,
  lastHex: string,
): Promise<JobRow | undefined> {
  const r = await tx.get(
    `SELECT ${JOB_COLUMNS} FROM factory_jobs WHERE state <> 'done' AND next_eui IS NOT NULL AND next_eui <= ? AND last_eui >= ? ORDER BY next_eui LIMIT 1`,
    [lastHex, firstHex],
  );
  return r === undefined ? undefined : jobRowOf(r);
}
