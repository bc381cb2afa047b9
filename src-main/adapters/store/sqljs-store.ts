/**
 * The durable sql.js store (DESIGN §3), Node main process only.
 *
 * Longer than ~400 lines on purpose: the single queue, commits, checkpoints and timers share one
 * in-memory database and its journal; the record format, replay and transactions are apart
 * (journal.ts, journal-replay.ts, sqljs-tx.ts).
 *
 * The database lives in memory (sql.js wasm); durability comes from `journal.log` (see journal.ts
 * for the record format) and periodic snapshots to `station.db`:
 * - every `transaction` commit appends one record with its mutating statements and, for 'full'
 *   durability, fdatasyncs it before the promise resolves ('relaxed': within `relaxedFlushMs`);
 * - a checkpoint exports the database to `station.db.tmp`, fsyncs it, renames it over `station.db`,
 *   fsyncs the directory and empties the journal (JournalFile.reset). The snapshot carries a
 *   checkpoint generation (table `_store_meta`) and each record the generation it was written in,
 *   so a crash at any point of a checkpoint never replays a record twice;
 * - a journal written before the journal header existed (journal.ts "Legacy journals") is replayed
 *   with the old rules and converted at open by a checkpoint, which leaves an empty journal in the
 *   extents format; if that checkpoint is refused for lack of space the store keeps appending in the
 *   legacy format and the next checkpoint converts it;
 * - all calls, reads included, run one at a time through a single queue, so a callback that awaits
 *   between statements never sees (or is seen by) another transaction half-done.
 * Files in the data directory: station.db, station.db.tmp (transient), journal.log, store.lock.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, Statement } from 'sql.js';
import { DomainError } from '../../../src-shared/errors';
import type { Durability, Logger, Store, StoreHealth, Tx } from '../../core/ports';
import { JournalFile, frameRecord, isNoSpace } from './journal';
import { replayJournal } from './journal-replay';
import { acquireStoreLock, type StoreLock } from './lock';
import { type Migration, checkMigrationList, pendingMigrations } from './migrate';
import { SNAPSHOT_FILE, loadSnapshot, setGeneration, syncDir, writeSnapshot } from './snapshot';
import { SqljsTx, StatementCache, withSql } from './sqljs-tx';

export { DEFAULT_MIGRATIONS_DIR, loadMigrations, type Migration } from './migrate';
export { SNAPSHOT_FILE, SNAPSHOT_TMP_FILE, preloadSqlJs } from './snapshot';
/** Journal file name inside the data directory. */
export const JOURNAL_FILE = 'journal.log';

/** Options of {@link openSqljsStore}. */
export interface SqljsStoreOptions {
  /** data directory (created if missing) */
  dir: string;
  /** known schema migrations, ids increasing (see loadMigrations) */
  migrations: readonly Migration[];
  /** checkpoint once the journal reaches this many bytes (default 64 MiB) */
  checkpointBytes?: number;
  /** checkpoint once this long has passed since the last one with records pending (default 5 min) */
  checkpointMs?: number;
  /** fdatasync delay for 'relaxed' commits (default 50 ms) */
  relaxedFlushMs?: number;
  logger?: Logger;
}

/** Counters for monitoring and tests. */
export interface SqljsStoreStats {
  /** bytes of records in journal.log (not its header, not the zero fill of its preallocated extents) */
  journalBytes: number;
  /** of which known to be on stable storage */
  syncedJournalBytes: number;
  /** records appended (or replayed at open) since the last checkpoint */
  recordsSinceCheckpoint: number;
  /** epoch ms of this process's last checkpoint, null before the first */
  lastCheckpointAt: number | null;
  /** checkpoint generation of the in-memory database */
  generation: number;
}

const MiB = 1024 * 1024;
const DEFAULTS = { checkpointBytes: 64 * MiB, checkpointMs: 5 * 60_000, relaxedFlushMs: 50 };
/** After a failed checkpoint, wait this long before an automatic retry. */
const CHECKPOINT_RETRY_MS = 30_000;
const noopLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
type Settings = Required<Omit<SqljsStoreOptions, 'migrations'>>;

function settingsOf(o: SqljsStoreOptions): Settings {
  const num = (name: keyof typeof DEFAULTS) => {
    const v = o[name] ?? DEFAULTS[name];
    if (!Number.isFinite(v) || v <= 0) {
      throw new DomainError(
        'internal',
        `openSqljsStore: ${name} must be a positive number, got ${String(v)}`,
      );
    }
    return v;
  };
  return {
    dir: o.dir,
    checkpointBytes: num('checkpointBytes'),
    checkpointMs: num('checkpointMs'),
    relaxedFlushMs: num('relaxedFlushMs'),
    logger: o.logger ?? noopLogger,
  };
}

/**
 * Opens (creating if needed) the store in `options.dir`: takes the single-writer lock, loads
 * station.db, replays the journal, applies pending migrations. Throws DomainError('store_busy')
 * when another process holds the directory and DomainError('store_corrupt') when the journal or
 * the migration history cannot be trusted.
 */
export async function openSqljsStore(options: SqljsStoreOptions): Promise<SqljsStore> {
  const settings = settingsOf(options);
  checkMigrationList(options.migrations);
  const { dir, logger } = settings;
  mkdirSync(dir, { recursive: true });
  const lock = acquireStoreLock(dir, logger);
  let db: Database | undefined;
  let cache: StatementCache | undefined;
  let journal: JournalFile | undefined;
  let store: SqljsStore | undefined;
  try {
    const started = Date.now();
    const snapshot = await loadSnapshot(dir);
    db = snapshot.db;
    const { generation, hasSnapshot } = snapshot;
    cache = new StatementCache(db);
    const journalPath = join(dir, JOURNAL_FILE);
    const replay = replayJournal(db, cache, journalPath, generation, hasSnapshot, logger);
    journal = JournalFile.open(journalPath, replay.layout);
    // Every record already in station.db (a crash interrupted a checkpoint after its rename): make
    // that rename durable before dropping them.
    if (replay.redundant) await syncDir(dir);
    else if (replay.tornTail) journal.discardTail(replay.tornTail.from, replay.tornTail.to);
    // Then, like a missing, empty or legacy journal with no record to keep, it starts empty in the
    // extents format; a legacy journal with records to keep is converted by a checkpoint below.
    if (replay.redundant || (journal.format === 'legacy' && replay.replayed === 0)) {
      resetUnlessFull(journal, logger);
    }
    logger.info(
      {
        dir,
        generation,
        replayed: replay.replayed,
        skipped: replay.skipped,
        statements: replay.statements,
        ms: Date.now() - started,
      },
      'store opened',
    );
    store = new SqljsStore(db, cache, journal, lock, settings, generation, replay.replayed);
    if (journal.format === 'legacy' && replay.replayed > 0) await store.convertLegacyJournal();
    await store.migrate(options.migrations);
    store.startTimers();
    return store;
  } catch (e) {
    store?.abandon();
    journal?.close();
    cache?.clear();
    db?.close();
    lock.release();
    throw e;
  }
}

/** {@link JournalFile.reset}, except that a full disk leaves the (usable) legacy journal in place. */
function resetUnlessFull(journal: JournalFile, logger: Logger): void {
  try {
    journal.reset();
  } catch (e) {
    if (!isNoSpace(e) || journal.failure !== undefined) throw e;
    logger.warn(
      { path: journal.path },
      'journal: no space for its header; it stays in the legacy format for now',
    );
  }
}

interface Outcome<T> {
  value: T;
  /** resolves once the data the call wrote or read is on stable storage */
  durable: Promise<void> | undefined;
}

/** The sql.js implementation of the {@link Store} port; create with {@link openSqljsStore}. */
export class SqljsStore implements Store {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly context = new AsyncLocalStorage<SqljsTx>();
  private closeRequested = false;
  private isClosed = false;
  private closing: Promise<void> | undefined;
  private failure: Error | undefined;
  /** journal offset of the last 'full' record: reads wait for it to be durable */
  private lastFullEnd = 0;
  private lastCheckpointAt: number | null = null;
  private checkpointAgeFrom = Date.now();
  private checkpointQueued = false;
  private checkpointRetryAt = 0;
  /** when a write was last refused for lack of space; cleared by the next journal append */
  private fullSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** statements run on every call, prepared once */
  private readonly control: Record<'begin' | 'commit' | 'rollback', Statement>;

  /** @internal use {@link openSqljsStore} */
  constructor(
    private readonly db: Database,
    private readonly cache: StatementCache,
    private readonly journal: JournalFile,
    private readonly lock: StoreLock,
    private readonly settings: Settings,
    private generation: number,
    private recordsSinceCheckpoint: number,
  ) {
    this.control = {
      begin: db.prepare('BEGIN'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
    };
  }

  /** True once {@link close} has finished. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Journal and checkpoint counters. */
  stats(): SqljsStoreStats {
    return {
      journalBytes: this.journal.size,
      syncedJournalBytes: this.journal.syncedSize,
      recordsSinceCheckpoint: this.recordsSinceCheckpoint,
      lastCheckpointAt: this.lastCheckpointAt,
      generation: this.generation,
    };
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.settle(
      this.enqueue(async () => {
        // read-only is enforced by the Tx (it refuses every statement not known to be a read)
        const tx = new SqljsTx(this.db, this.cache, 'read');
        try {
          const value = await this.context.run(tx, () => fn(tx));
          return { value, durable: this.pendingFullSync() };
        } finally {
          tx.end();
        }
      }),
    );
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { durability?: Durability }): Promise<T> {
    const durability = options?.durability ?? 'full';
    if (durability !== 'full' && durability !== 'relaxed') {
      return Promise.reject(new DomainError('internal', `store: unknown durability "${String(durability)}"`));
    }
    return this.settle(this.enqueue(() => this.runWrite(fn, durability)));
  }

  checkpoint(): Promise<void> {
    return this.enqueue(async () => this.checkpointNow());
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closeRequested = true;
    if (this.timer) clearInterval(this.timer);
    this.closing = this.enqueueInternal(async () => {
      let error: unknown;
      try {
        if (!this.usable()) {
          this.settings.logger.warn({ dir: this.settings.dir }, 'closing a failed store without checkpoint');
        } else {
          await this.journal.flush();
          if (this.recordsSinceCheckpoint > 0 || !existsSync(join(this.settings.dir, SNAPSHOT_FILE))) {
            await this.checkpointNow();
          }
        }
      } catch (e) {
        error = e;
      } finally {
        this.abandon();
      }
      if (error !== undefined) throw error;
    });
    return this.closing;
  }

  /** @internal applies pending migrations (at open). */
  async migrate(known: readonly Migration[]): Promise<void> {
    const applied = await this.read((tx) =>
      tx.all<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id'),
    );
    for (const m of pendingMigrations(applied, known)) {
      try {
        await this.transaction(async (tx) => {
          (tx as SqljsTx).execScript(m.sql);
          await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
            m.id,
            m.name,
            new Date().toISOString(),
          ]);
        });
      } catch (e) {
        throw new DomainError('internal', `migration ${m.id} "${m.name}" failed: ${(e as Error).message}`, {
          id: m.id,
        });
      }
      this.settings.logger.info({ id: m.id, name: m.name }, 'applied migration');
    }
  }

  /**
   * @internal at open, for a journal in the legacy format holding records: a checkpoint puts them
   * in station.db and leaves an empty journal in the extents format. Refused for lack of space, the
   * store keeps the legacy journal (its rules still hold) and the next checkpoint converts it.
   */
  async convertLegacyJournal(): Promise<void> {
    try {
      await this.checkpoint();
    } catch (e) {
      if (!isNoSpace(e) || !this.usable()) throw e;
      this.settings.logger.warn(
        { dir: this.settings.dir },
        'journal: no space to convert the legacy journal now; the next checkpoint converts it',
      );
      return;
    }
    this.settings.logger.info({ dir: this.settings.dir }, 'journal converted from the legacy format');
  }

  /** @internal starts the age-based checkpoint timer (after a successful open). */
  startTimers(): void {
    const period = Math.max(10, Math.min(this.settings.checkpointMs, 1000));
    this.timer = setInterval(() => this.maybeCheckpoint(), period);
    this.timer.unref();
  }

  /**
   * Releases memory, files and the lock at once, without flushing or checkpointing — as a crash
   * would (the journal already holds every acknowledged write). Used after a failed open, at the
   * end of {@link close}, and by tests that need a crash image.
   */
  abandon(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeRequested = true;
    if (this.timer) clearInterval(this.timer);
    this.journal.close();
    this.cache.clear();
    for (const stmt of Object.values(this.control)) stmt.free();
    this.db.close();
    this.lock.release();
  }

  private async runWrite<T>(fn: (tx: Tx) => Promise<T>, durability: Durability): Promise<Outcome<T>> {
    this.step(this.control.begin);
    const tx = new SqljsTx(this.db, this.cache, 'write');
    let value: T;
    let record: Buffer | undefined;
    try {
      value = await this.context.run(tx, () => fn(tx));
      tx.end();
      if (tx.abortedBy) throw tx.abortedBy;
      const payload = tx.payload!;
      if (payload.count > 0) record = frameRecord(payload.encode(this.generation));
    } catch (e) {
      tx.end();
      this.rollback();
      throw e;
    }
    // The record goes to the journal before SQLite commits: when the disk is full the append fails
    // cleanly (the journal is cut back to its last record), the transaction rolls back, memory and
    // journal agree, and the store keeps serving reads (docs/security.md "Disk full").
    let end: number | undefined;
    if (record !== undefined) {
      try {
        end = this.journal.append(record);
      } catch (e) {
        this.rollback();
        if (isNoSpace(e) && this.journal.failure === undefined) throw this.storageFull();
        throw this.poison(e);
      }
      this.fullSince = undefined;
    }
    try {
      this.step(this.control.commit);
    } catch (e) {
      this.rollback();
      // the journal holds a record memory does not: a restart replays it
      if (end !== undefined) throw this.poison(e);
      throw withSql(e, 'COMMIT');
    }
    if (end === undefined) return { value, durable: this.pendingFullSync() };
    this.recordsSinceCheckpoint++;
    let durable: Promise<void> | undefined;
    if (durability === 'full') {
      this.lastFullEnd = end;
      durable = this.journal.syncTo(end);
    } else {
      this.journal.flushSoon(this.settings.relaxedFlushMs);
    }
    this.maybeCheckpoint();
    return { value, durable };
  }

  /** Whether writes succeed: `degraded` from a write refused for lack of space until one succeeds. */
  health(): StoreHealth {
    if (this.fullSince !== undefined) {
      return { state: 'degraded', reason: 'storage_full', since: new Date(this.fullSince).toISOString() };
    }
    if (!this.usable()) return { state: 'degraded', reason: 'journal_failed' };
    return { state: 'ok' };
  }

  /** The answer to a write refused for lack of space; remembered for {@link health}. */
  private storageFull(): DomainError {
    this.fullSince ??= Date.now();
    this.settings.logger.warn({ dir: this.settings.dir }, 'store write refused: no space left on the device');
    return new DomainError(
      'storage_full',
      'store: the station has no disk space left, so nothing was saved; reads keep working, and writes resume once space is freed',
    );
  }

  private rollback(): void {
    try {
      this.step(this.control.rollback);
    } catch {
      // no transaction active: SQLite already rolled back
    }
  }

  private step(stmt: Statement): void {
    try {
      stmt.step();
    } finally {
      stmt.reset();
    }
  }

  private pendingFullSync(): Promise<void> | undefined {
    return this.lastFullEnd > this.journal.syncedEnd ? this.journal.syncTo(this.lastFullEnd) : undefined;
  }

  /** Waits for durability outside the queue, so later calls run during the fdatasync (group commit). */
  private async settle<T>(outcome: Promise<Outcome<T>>): Promise<T> {
    const { value, durable } = await outcome;
    if (durable) {
      try {
        await durable;
      } catch (e) {
        throw this.poison(e);
      }
    }
    return value;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closeRequested) {
      return Promise.reject(new DomainError('internal', `store in ${this.settings.dir} is closed`));
    }
    const current = this.context.getStore();
    if (current?.isActive) {
      return Promise.reject(
        new DomainError(
          'internal',
          'store: read/transaction called inside another transaction of the same store; use the tx passed to fn',
        ),
      );
    }
    return this.enqueueInternal(async () => {
      if (!this.usable()) throw this.poison(this.failure ?? this.journal.failure);
      return task();
    });
  }

  private enqueueInternal<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private usable(): boolean {
    return this.failure === undefined && this.journal.failure === undefined;
  }

  /** Marks the store failed (memory may be ahead of the journal) and returns the error to throw. */
  private poison(e: unknown): DomainError {
    if (!this.failure) {
      const cause = e instanceof Error ? e.message : String(e);
      this.failure = new DomainError(
        'internal',
        'store: stopped after a journal failure; restart to recover from the journal (details in the station log)',
      );
      this.settings.logger.error({ dir: this.settings.dir, err: cause }, 'store journal failure');
    }
    return this.failure as DomainError;
  }

  private maybeCheckpoint(): void {
    if (this.checkpointQueued || this.closeRequested || !this.usable()) return;
    const now = Date.now();
    if (now < this.checkpointRetryAt) return;
    const bySize = this.journal.size >= this.settings.checkpointBytes;
    const byAge =
      this.recordsSinceCheckpoint > 0 && now - this.checkpointAgeFrom >= this.settings.checkpointMs;
    if (!bySize && !byAge) return;
    this.checkpointQueued = true;
    this.enqueueInternal(async () => {
      this.checkpointQueued = false;
      if (this.closeRequested || !this.usable()) return;
      await this.checkpointNow();
    }).catch((e: unknown) => {
      this.checkpointRetryAt = Date.now() + Math.min(CHECKPOINT_RETRY_MS, this.settings.checkpointMs);
      this.settings.logger.error({ err: (e as Error).message }, 'automatic checkpoint failed; will retry');
    });
  }

  /** Runs inside the queue: snapshot to station.db, then truncate the journal. */
  private async checkpointNow(): Promise<void> {
    const { dir, logger } = this.settings;
    const started = Date.now();
    logger.debug({ dir, generation: this.generation + 1 }, 'checkpoint started');
    await this.journal.flush();
    // A crash after the rename below leaves records of the old generation in the journal: they
    // are skipped at open because the snapshot's generation is newer.
    this.generation += 1;
    setGeneration(this.db, this.generation);
    const data = this.db.export();
    logger.debug({ dir, bytes: data.length }, 'checkpoint snapshot exported');
    await writeSnapshot(dir, data);
    logger.debug({ dir }, 'checkpoint snapshot renamed');
    await syncDir(dir);
    try {
      this.journal.reset();
    } catch (e) {
      // no space for the header: every record is in station.db, the journal is empty (legacy format)
      if (!isNoSpace(e) || this.journal.failure !== undefined) throw this.poison(e);
      logger.warn(
        { dir },
        'checkpoint: no space for the journal header; it stays in the legacy format for now',
      );
    }
    this.lastFullEnd = 0;
    this.recordsSinceCheckpoint = 0;
    this.lastCheckpointAt = Date.now();
    this.checkpointAgeFrom = this.lastCheckpointAt;
    logger.debug({ dir, bytes: data.length, ms: Date.now() - started }, 'checkpoint finished');
  }
}
