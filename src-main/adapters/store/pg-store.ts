/**
 * The PostgreSQL store (DESIGN §2, docs/server-mode.md), Node main process only: the second
 * adapter of the {@link Store} port, for several `gwjs serve` instances on one database.
 * - a connection pool (`pg`); every `read`/`transaction` holds one connection for its duration;
 * - `read` runs in a REPEATABLE READ READ ONLY transaction: one snapshot for the whole callback;
 * - `transaction` runs SERIALIZABLE, so every invariant the core checks inside a transaction
 *   (claim races, PIN lockout counts, the add limit, firmware delivered once, rotation state) holds
 *   across instances exactly as with one writer; a serialization failure or deadlock reruns the
 *   callback from the start (callbacks touch only the store, so a rerun is safe);
 * - `durability: 'relaxed'` → `SET LOCAL synchronous_commit = off` (telemetry only);
 * - migrations from `pg-migrations/`, applied under an advisory lock so instances starting together
 *   migrate once, with the sql.js store's prefix rule;
 * - nothing is cached per instance above it: with `sharedStore` the core reads gateway state on
 *   every poll (core/config.ts), so no instance can answer from state another one changed.
 * Results have the sql.js shape (see pg-sql.ts). `checkpoint` is a no-op: PostgreSQL owns its WAL.
 *
 * Longer than ~400 lines on purpose: the pool, snapshot reads, serializable retries and the
 * migration lock share one connection discipline; the SQL translation is apart (pg-sql.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DomainError } from '../../../src-shared/errors';
import {
  ID_TABLES,
  SEQ_FEEDS,
  type IdTable,
  type Durability,
  type Logger,
  type SeqFeed,
  type SqlRow,
  type SqlValue,
  type Store,
  type Tx,
} from '../../core/ports';
import { type Migration, checkMigrationList, pendingMigrations } from './migrate';
import { PG_TYPES, isRetryable, toPgPlaceholders, withPgSql } from './pg-sql';
import { redact, splitPgUrl } from './pg-url';

export { isPgUrl, redact, splitPgUrl } from './pg-url';

/** The PostgreSQL migrations folder: `pg-migrations/` next to this module, mirroring `migrations/`. */
export const PG_MIGRATIONS_DIR: string = fileURLToPath(new URL('./pg-migrations/', import.meta.url));

/** Options of {@link openPgStore}. */
export interface PgStoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** schema holding the tables (default: the connection's `search_path`, normally `public`) */
  schema?: string;
  /** known schema migrations (see loadMigrations(PG_MIGRATIONS_DIR)) */
  migrations: readonly Migration[];
  /** false: refuse to open a database with pending migrations (`gwjs db migrate` applies them) */
  migrate?: boolean;
  /** pool size (default 10) */
  poolSize?: number;
  /** reruns of a transaction after serialization failures before giving up (default 30) */
  maxRetries?: number;
  logger?: Logger;
}

/** Counters for `/metrics` and tests. */
export interface PgStoreStats {
  commits: number;
  /** transactions rerun after a serialization failure or deadlock */
  retries: number;
  /** seconds spent in COMMIT, summed (with `commits`: mean commit latency) */
  commitSeconds: number;
  poolTotal: number;
  poolIdle: number;
  poolWaiting: number;
}

/** Listener of commit latencies (seconds), e.g. a histogram. */
export type CommitObserver = (seconds: number, durability: Durability) => void;

const noopLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
/** Advisory lock key of the migration runner ("gwjs" in ASCII). */
const MIGRATION_LOCK = 0x67776a73;
/** First key of the per-feed seq locks ("gwjq"); the second is a hash of schema and feed. */
const SEQ_LOCK = 0x67776a71;

/** The database SEQUENCE numbering a feed or an id table (migration 0025). */
export const seqNameOf = (feed: SeqFeed | IdTable): string => `${feed}_seq`;

/**
 * Moves every feed's SEQUENCE past the feed's largest seq (after `gwjs db import` wrote rows
 * with their seqs); run inside the importing transaction.
 */
export async function resyncSeqs(tx: Tx): Promise<void> {
  for (const feed of SEQ_FEEDS) {
    await tx.get(
      `SELECT setval('${seqNameOf(feed)}', COALESCE((SELECT MAX(seq) FROM ${feed}), 0) + 1, false) AS v`,
    );
  }
  for (const table of ID_TABLES) {
    await tx.get(
      `SELECT setval('${seqNameOf(table)}', COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false) AS v`,
    );
  }
}
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;
/** Named prepared statements per text, capped so varying IN lists cannot grow it forever. */
const MAX_NAMED = 2000;

/**
 * Opens a pool on `options.url`, checks the connection and applies pending migrations (unless
 * `migrate: false`). Throws DomainError('store_busy') when the database cannot be reached and
 * DomainError('store_corrupt') when its migration history is not a prefix of the known list.
 */
export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  checkMigrationList(options.migrations);
  const { url, schema: urlSchema } = splitPgUrl(options.url);
  const schema = options.schema ?? urlSchema;
  if (schema !== undefined && !SCHEMA_RE.test(schema)) {
    throw new DomainError('invalid_request', `store: schema "${schema}" is not a plain lowercase name`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: PG_TYPES,
    application_name: 'gwjs',
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  const logger = options.logger ?? noopLogger;
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (e) => logger.warn({ err: e.message }, 'store: idle PostgreSQL connection failed'));
  const store = new PgStore(pool, schema, options.maxRetries ?? 30, logger);
  try {
    if (schema !== undefined) await store.raw(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await store.migrate(options.migrations, options.migrate ?? true);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw unreachable(e, options.url);
  }
  return store;
}

function unreachable(e: unknown, url: string): unknown {
  if (e instanceof DomainError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (/^(08|57P0)/.test(code) || /^E[A-Z]+$/.test(code))) {
    return new DomainError(
      'store_busy',
      `PostgreSQL at ${redact(url)} is not reachable: ${(e as Error).message}`,
    );
  }
  return e;
}

/** The PostgreSQL implementation of the {@link Store} port; create with {@link openPgStore}. */
export class PgStore implements Store {
  private readonly context = new AsyncLocalStorage<PgTx>();
  private readonly names = new Map<string, string>();
  private closing: Promise<void> | undefined;
  private readonly counters = { commits: 0, retries: 0, commitSeconds: 0 };
  private readonly observers = new Set<CommitObserver>();

  /** @internal use {@link openPgStore} */
  constructor(
    readonly pool: pg.Pool,
    /** the schema given at open, if any */
    readonly schema: string | undefined,
    private readonly maxRetries: number,
    private readonly logger: Logger,
  ) {}

  /** Pool and commit counters. */
  stats(): PgStoreStats {
    return {
      ...this.counters,
      poolTotal: this.pool.totalCount,
      poolIdle: this.pool.idleCount,
      poolWaiting: this.pool.waitingCount,
    };
  }

  /** Calls `observer` with every commit's latency; returns the unsubscribe function. */
  onCommit(observer: CommitObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** True when the database answers (for `/readyz`). */
  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'read', fn, 'full');
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { durability?: Durability }): Promise<T> {
    const durability = options?.durability ?? 'full';
    if (durability !== 'full' && durability !== 'relaxed') {
      return Promise.reject(new DomainError('internal', `store: unknown durability "${String(durability)}"`));
    }
    return this.run('BEGIN ISOLATION LEVEL SERIALIZABLE', 'write', fn, durability);
  }

  /** Nothing to do: PostgreSQL checkpoints its own WAL. */
  async checkpoint(): Promise<void> {}

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  /** Runs one statement outside any transaction (DDL of tools and tests). */
  async raw(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  /** @internal applies pending migrations under an advisory lock (at open, `gwjs db migrate`). */
  async migrate(known: readonly Migration[], apply: boolean): Promise<Migration[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const applied = (
        await client.query<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id')
      ).rows;
      const pending = pendingMigrations(applied, known);
      if (pending.length > 0 && !apply) {
        throw new DomainError(
          'store_corrupt',
          `the database lacks ${pending.length} migration(s) (first: ${pending[0]!.id} "${pending[0]!.name}"): run \`gwjs db migrate\``,
        );
      }
      for (const m of pending) {
        try {
          await client.query(m.sql);
        } catch (e) {
          throw new DomainError('internal', `migration ${m.id} "${m.name}" failed: ${(e as Error).message}`, {
            id: m.id,
          });
        }
        await client.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [
          m.id,
          m.name,
          new Date().toISOString(),
        ]);
        this.logger.info({ id: m.id, name: m.name }, 'applied migration');
      }
      await client.query('COMMIT');
      return pending;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async run<T>(
    begin: string,
    mode: 'read' | 'write',
    fn: (tx: Tx) => Promise<T>,
    durability: Durability,
  ): Promise<T> {
    if (this.closing) throw new DomainError('internal', 'store: the PostgreSQL store is closed');
    if (this.context.getStore()?.isActive) {
      throw new DomainError(
        'internal',
        'store: read/transaction called inside another transaction of the same store; use the tx passed to fn',
      );
    }
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new DomainError('store_busy', `store: PostgreSQL is not reachable: ${(e as Error).message}`);
    }
    let broken: unknown;
    try {
      for (let attempt = 0; ; attempt++) {
        const tx = new PgTx(client, this.names, mode);
        try {
          // one round trip (simple query protocol)
          await client.query(
            durability === 'relaxed' ? `${begin}; SET LOCAL synchronous_commit = off` : begin,
          );
          const value = await this.context.run(tx, () => fn(tx));
          tx.end();
          if (tx.failure !== undefined) throw tx.failure;
          const started = performance.now();
          await client.query('COMMIT');
          if (mode === 'write') this.committed((performance.now() - started) / 1000, durability);
          return value;
        } catch (e) {
          tx.end();
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broken = rollbackError;
            throw e;
          }
          const cause = tx.failure ?? e;
          if (mode === 'write' && isRetryable(cause) && attempt < this.maxRetries) {
            this.counters.retries++;
            await backoff(attempt);
            continue;
          }
          if (isRetryable(cause)) {
            throw new DomainError('store_busy', `store: transaction kept conflicting (${attempt + 1} tries)`);
          }
          throw e;
        }
      }
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private committed(seconds: number, durability: Durability): void {
    this.counters.commits++;
    this.counters.commitSeconds += seconds;
    for (const o of this.observers) o(seconds, durability);
  }
}

/** Jittered exponential backoff: ≤ 1, 2, 4 … 64 ms. */
function backoff(attempt: number): Promise<void> {
  const cap = 2 ** Math.min(attempt, 6);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

/** The {@link Tx} of one PostgreSQL `read` or `transaction` attempt; dead once it ends. */
class PgTx implements Tx {
  private active = true;
  /** the first engine error: PostgreSQL aborts the transaction on any failed statement */
  failure: unknown;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly names: Map<string, string>,
    private readonly mode: 'read' | 'write',
  ) {}

  get isActive(): boolean {
    return this.active;
  }

  end(): void {
    this.active = false;
  }

  async all<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.exec(sql, params)).rows as T[];
  }

  async get<T extends SqlRow = SqlRow>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<T | undefined> {
    return (await this.exec(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = await this.exec(sql, params);
    return { changes: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0) };
  }

  /**
   * Seqs in commit order across instances (core/sync/seq.ts, docs/server-mode.md): the feed's
   * advisory lock is held until this transaction ends — PostgreSQL makes a commit visible before
   * it releases the transaction's locks — and the numbers come from the feed's SEQUENCE, which is
   * outside every snapshot (so, unlike MAX + 1, no serialization failure). A later writer waits for
   * the lock and takes larger numbers; a rolled-back writer leaves a gap no reader waits for.
   * Numbers taken under the lock are consecutive.
   */
  async takeSeqs(feed: SeqFeed, n: number): Promise<number> {
    if (!SEQ_FEEDS.includes(feed) || !Number.isSafeInteger(n) || n < 1) {
      throw new DomainError('internal', `store: bad seq request ${String(feed)} × ${String(n)}`);
    }
    await this.exec('SELECT pg_advisory_xact_lock(?, hashtext(current_schema() || ?)) AS l', [
      SEQ_LOCK,
      `.${feed}`,
    ]);
    const rows = (
      await this.exec(`SELECT nextval('${seqNameOf(feed)}') AS v FROM generate_series(1, ?::int)`, [n])
    ).rows as { v: number }[];
    return Math.min(...rows.map((r) => r.v));
  }

  /** Ids from the table's SEQUENCE: unique without any snapshot read (so no serialization failure). */
  async takeIds(table: IdTable, n: number): Promise<number[]> {
    if (!ID_TABLES.includes(table) || !Number.isSafeInteger(n) || n < 1) {
      throw new DomainError('internal', `store: bad id request ${String(table)} × ${String(n)}`);
    }
    const rows = (
      await this.exec(`SELECT nextval('${seqNameOf(table)}') AS v FROM generate_series(1, ?::int)`, [n])
    ).rows as { v: number }[];
    return rows.map((r) => r.v).sort((a, b) => a - b);
  }

  private async exec(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    if (!this.active) {
      throw new DomainError(
        'internal',
        `store: Tx used after its transaction ended (statement "${sql.slice(0, 80)}")`,
      );
    }
    if (this.failure !== undefined) throw this.failure;
    for (const p of params) {
      if (p !== null && typeof p !== 'string' && typeof p !== 'number' && !(p instanceof Uint8Array)) {
        throw new DomainError(
          'internal',
          `store: unsupported parameter type ${typeof p} (in "${sql.slice(0, 80)}")`,
        );
      }
    }
    const text = toPgPlaceholders(sql);
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < MAX_NAMED) {
      name = `g${this.names.size}`;
      this.names.set(sql, name);
    }
    try {
      const result = await this.client.query({
        text,
        values: params as SqlValue[],
        ...(name !== undefined ? { name } : {}),
      });
      return result;
    } catch (e) {
      this.failure ??= e;
      if (isRetryable(e)) throw e;
      throw withPgSql(e, sql);
    }
  }
}
