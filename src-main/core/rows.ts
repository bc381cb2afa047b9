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

/** Rows per multi-row INSERT: keeps a statement's parameters in the low thousands. */
const INSERT_BATCH = 200;

/**
 * Buffers rows of one INSERT shape and writes them as multi-row statements — a bulk operation
 * then costs one statement per {@link INSERT_BATCH} rows instead of one per row. The caller must
 * `flush()` before its transaction ends.
 */
export class BatchInsert {
  readonly #pending: SqlValue[] = [];
  #rows = 0;

  /**
   * @param head `INSERT INTO t (a, b, c) VALUES`
   * @param row the placeholder tuple of one row, e.g. `(?, 'batch', ?, ?)`
   * @param tail what follows the VALUES list (an ON CONFLICT clause), or ''
   */
  constructor(
    private readonly tx: Tx,
    private readonly head: string,
    private readonly row: string,
    private readonly tail = '',
  ) {}

  /** Adds one row's parameters (as many as `row` has placeholders). */
  async add(params: readonly SqlValue[]): Promise<void> {
    for (const p of params) this.#pending.push(p);
    if (++this.#rows >= INSERT_BATCH) await this.flush();
  }

  /** Writes the buffered rows. */
  async flush(): Promise<void> {
    if (this.#rows === 0) return;
    const sql = `${this.head} ${Array.from({ length: this.#rows }, () => this.row).join(', ')} ${this.tail}`;
    const params = this.#pending.splice(0);
    this.#rows = 0;
    await this.tx.run(sql.trimEnd(), params);
  }
}
