/**
 * Typed access to store rows (the Store port returns loosely typed {@link SqlRow}s) and the one
 * query shape the bulk operations need: `… WHERE key IN (…)` over many keys, in chunks that stay
 * under every engine's bound-parameter limit.
 */
import type { SqlRow, SqlValue, Tx } from './ports';

/** Keys per `IN (…)` list: far below SQLite's 32 766 and PostgreSQL's 65 535 parameters. */
export const IN_CHUNK = 500;

function bad(row: SqlRow, col: string, want: string): never {
  throw new TypeError(`store row column ${col}: expected ${want}, got ${typeof row[col]}`);
}

/** A non-null text column. */
export function textOf(row: SqlRow, col: string): string {
  const v = row[col];
  return typeof v === 'string' ? v : bad(row, col, 'text');
}

/** A nullable text column. */
export function textOrNull(row: SqlRow, col: string): string | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : bad(row, col, 'text');
}

/** A non-null integer column (a numeric string, as PostgreSQL returns BIGINT, is converted). */
export function intOf(row: SqlRow, col: string): number {
  const v = row[col];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
  return bad(row, col, 'integer');
}

/** A nullable integer column. */
export function intOrNull(row: SqlRow, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : intOf(row, col);
}

/** A nullable binary column. */
export function bytesOrNull(row: SqlRow, col: string): Uint8Array | null {
  const v = row[col];
  if (v === null || v === undefined) return null;
  return v instanceof Uint8Array ? v : bad(row, col, 'bytes');
}

/**
 * Runs `sql(placeholders)` once per chunk of `keys` and concatenates the rows. `sql` receives the
 * `?, ?, …` list for the chunk; `before` are parameters bound ahead of the keys.
 */
export async function selectIn<T extends SqlRow = SqlRow>(
  tx: Tx,
  sql: (placeholders: string) => string,
  keys: readonly SqlValue[],
  before: readonly SqlValue[] = [],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += IN_CHUNK) {
    const chunk = keys.slice(i, i + IN_CHUNK);
    const rows = await tx.all<T>(sql(chunk.map(() => '?').join(', ')), [...before, ...chunk]);
    for (const r of rows) out.push(r);
  }
  return out;
}
