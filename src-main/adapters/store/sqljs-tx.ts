/**
 * Statement execution for the sql.js store: a cache of prepared statements keyed by SQL text,
 * the classification that decides which statements are journaled, and the {@link Tx} handed to
 * `read`/`transaction` callbacks. Runs in the Node main process (sql.js wasm).
 */
import type { Database, Statement } from 'sql.js';
import { DomainError } from '../../../src-shared/errors';
import type { SqlRow, SqlValue, Tx } from '../../core/ports';
import { OP_FAILED_STATEMENT, OP_SCRIPT, OP_STATEMENT, PayloadBuilder, checkParams } from './journal-payload';

/** How a statement affects the database, judged from its leading keyword. */
interface SqlKind {
  /** changes the database (or may): journaled inside a write transaction */
  mutating: boolean;
  /** INSERT/UPDATE/DELETE/REPLACE (possibly behind WITH): `changes` is meaningful */
  dml: boolean;
}

const READ_KEYWORDS = new Set(['SELECT', 'VALUES', 'EXPLAIN']);
/** Schema-introspection pragmas that only read (any pragma with `=` or another name may write). */
const READ_PRAGMA_RE =
  /^\s*PRAGMA\s+(table_info|table_xinfo|index_list|index_info|index_xinfo|foreign_key_list)\s*\(\s*[A-Za-z0-9_]+\s*\)\s*;?\s*$/i;
const DML_KEYWORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE']);
/** The store owns transaction boundaries and the set of attached files. */
const FORBIDDEN_KEYWORDS = new Set([
  'BEGIN',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'ATTACH',
  'DETACH',
  'VACUUM',
]);

/** Upper-cased first keyword of `sql`, skipping whitespace and comments ('' when none). */
export function firstKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      if (nl < 0) return '';
      i = nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return '';
      i = end + 2;
    } else break;
  }
  const m = /^[A-Za-z]+/.exec(sql.slice(i, i + 16));
  return m ? m[0].toUpperCase() : '';
}

/**
 * Classifies one statement. Anything not known to be read-only is treated as mutating (journaling
 * a harmless statement costs replay time; missing a mutating one would lose data). Transaction
 * control, ATTACH/DETACH and VACUUM are refused.
 */
export function classifySql(sql: string): SqlKind {
  const kw = firstKeyword(sql);
  if (READ_KEYWORDS.has(kw)) return { mutating: false, dml: false };
  if (kw === 'PRAGMA' && READ_PRAGMA_RE.test(sql)) return { mutating: false, dml: false };
  if (DML_KEYWORDS.has(kw)) return { mutating: true, dml: true };
  if (kw === 'WITH') {
    const writes = /\b(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql);
    return { mutating: writes, dml: writes };
  }
  if (FORBIDDEN_KEYWORDS.has(kw)) {
    throw new DomainError(
      'internal',
      `store: "${kw}" is not allowed in a Tx (the store manages transactions)`,
      {
        sql: sql.slice(0, 200),
      },
    );
  }
  return { mutating: true, dml: false };
}

/**
 * A statement not known to be read-only inside `read()`: refused before it runs (the store's read
 * snapshot is enforced here, by {@link classifySql}, rather than by toggling `PRAGMA query_only`
 * around every read, which costs more than the indexed read itself).
 */
function readOnlyViolation(sql: string): DomainError {
  return new DomainError('internal', 'store: a readonly read() cannot run a writing statement', {
    sql: sql.slice(0, 200),
  });
}

/** A prepared statement with its classification. */
interface CachedStatement extends SqlKind {
  stmt: Statement;
}

/** Prepared statements keyed by SQL text, least recently used evicted past `capacity`. */
export class StatementCache {
  private readonly map = new Map<string, CachedStatement>();

  constructor(
    private readonly db: Database,
    private readonly capacity = 256,
  ) {}

  /** The prepared statement for `sql` (prepared on first use; syntax errors throw). */
  get(sql: string): CachedStatement {
    const hit = this.map.get(sql);
    if (hit) {
      this.map.delete(sql);
      this.map.set(sql, hit);
      return hit;
    }
    const kind = classifySql(sql);
    let stmt: Statement;
    try {
      stmt = this.db.prepare(sql);
    } catch (e) {
      throw withSql(e, sql);
    }
    const entry: CachedStatement = { stmt, ...kind };
    this.map.set(sql, entry);
    if (this.map.size > this.capacity) {
      const [oldSql, old] = this.map.entries().next().value as [string, CachedStatement];
      this.map.delete(oldSql);
      old.stmt.free();
    }
    return entry;
  }

  /** Frees every statement (before closing the database). */
  clear(): void {
    for (const e of this.map.values()) e.stmt.free();
    this.map.clear();
  }
}

/** Result of {@link executeStatement}. */
interface Execution {
  rows: SqlRow[];
  changes: number;
}

/**
 * Runs one cached statement with `params`. `limit1` stops after the first row of a read-only
 * statement (a mutating one always runs to completion). Errors carry the SQL text; a UNIQUE or
 * PRIMARY KEY violation becomes DomainError('conflict') so callers need no engine-specific text.
 * `onStepError` is told when the statement failed after it started executing.
 */
export function executeStatement(
  db: Database,
  entry: CachedStatement,
  sql: string,
  params: readonly SqlValue[],
  limit1: boolean,
  onStepError?: () => void,
): Execution {
  const { stmt } = entry;
  const rows: SqlRow[] = [];
  let started = false;
  try {
    if (params.length > 0) stmt.bind(params as SqlValue[]);
    let cols: string[] | undefined;
    started = true;
    while (stmt.step()) {
      if (limit1 && rows.length === 1) {
        if (!entry.mutating) break;
        continue;
      }
      cols ??= stmt.getColumnNames();
      const values = stmt.get();
      const row: SqlRow = {};
      for (let i = 0; i < cols.length; i++) row[cols[i]!] = values[i] ?? null;
      rows.push(row);
    }
    return { rows, changes: entry.dml ? db.getRowsModified() : 0 };
  } catch (e) {
    if (started) onStepError?.();
    throw withSql(e, sql);
  } finally {
    stmt.reset();
  }
}

/** Wraps an engine error with the statement text; UNIQUE/PRIMARY KEY violations → 'conflict'. */
export function withSql(e: unknown, sql: string): Error {
  if (e instanceof DomainError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const short = sql.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (/^(UNIQUE|PRIMARY KEY) constraint failed/.test(message)) {
    return new DomainError('conflict', `store: ${message} (in "${short}")`, { constraint: message });
  }
  return new Error(`store: ${message} (in "${short}")`, { cause: e });
}

/** The {@link Tx} of one `read` or `transaction` call; dead once its call ends. */
export class SqljsTx implements Tx {
  private active = true;
  /** set when SQLite itself rolled the transaction back (e.g. ON CONFLICT ROLLBACK); commit must fail */
  abortedBy: Error | undefined;
  /** journal statements of a write transaction */
  readonly payload: PayloadBuilder | undefined;

  constructor(
    private readonly db: Database,
    private readonly cache: StatementCache,
    readonly mode: 'read' | 'write',
  ) {
    this.payload = mode === 'write' ? new PayloadBuilder() : undefined;
  }

  /** True until the owning call has finished. */
  get isActive(): boolean {
    return this.active;
  }

  async all<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.exec(sql, params, false).rows as T[];
  }

  async get<T extends SqlRow = SqlRow>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<T | undefined> {
    return this.exec(sql, params, true).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: this.exec(sql, params, false).changes };
  }

  /** Runs a parameterless multi-statement script (migrations), journaled as one entry. */
  execScript(sql: string): void {
    this.assertUsable(sql);
    if (this.mode === 'read') throw readOnlyViolation(sql);
    try {
      this.db.exec(sql);
    } catch (e) {
      this.payload?.add(OP_FAILED_STATEMENT, sql, []);
      this.checkStillInTransaction(e);
      throw withSql(e, sql);
    }
    this.payload?.add(OP_SCRIPT, sql, []);
  }

  /** Ends the Tx: later calls throw. */
  end(): void {
    this.active = false;
  }

  private exec(sql: string, params: readonly SqlValue[], limit1: boolean): Execution {
    this.assertUsable(sql);
    checkParams(params, sql);
    const entry = this.cache.get(sql);
    if (entry.mutating && this.mode === 'read') throw readOnlyViolation(sql);
    const journal = this.payload !== undefined && entry.mutating;
    let failed = false;
    try {
      const result = executeStatement(this.db, entry, sql, params, limit1, () => {
        failed = true;
      });
      if (journal) this.payload.add(OP_STATEMENT, sql, params);
      return result;
    } catch (e) {
      if (failed && journal) {
        // Replayed too: a failed statement may leave effects (ON CONFLICT FAIL keeps earlier rows).
        this.payload.add(OP_FAILED_STATEMENT, sql, params);
        this.checkStillInTransaction(e);
      }
      throw e;
    }
  }

  /**
   * Some errors make SQLite roll the whole transaction back. Probe with BEGIN: if it succeeds we
   * were outside any transaction, so the work is lost — keep the new (empty) transaction open so
   * later statements stay contained, and make the commit fail.
   */
  private checkStillInTransaction(cause: unknown): void {
    try {
      this.db.exec('BEGIN');
    } catch {
      return; // "cannot start a transaction within a transaction": still inside ours
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    this.abortedBy = new DomainError(
      'conflict',
      `store: SQLite rolled the transaction back after: ${message}`,
    );
  }

  private assertUsable(sql: string): void {
    if (!this.active) {
      throw new DomainError(
        'internal',
        `store: Tx used after its transaction ended (statement "${sql.slice(0, 80)}")`,
      );
    }
    if (this.abortedBy) throw this.abortedBy;
  }
}
