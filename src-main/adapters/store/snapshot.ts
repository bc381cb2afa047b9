/**
 * The snapshot side of the sql.js store (DESIGN §3), Node main process: loading sql.js and
 * `station.db`, and writing a new snapshot atomically (`station.db.tmp` → fsync → rename → fsync
 * of the directory). The snapshot records its checkpoint generation in `_store_meta`, which
 * journal replay compares with each record's generation.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { DomainError } from '../../../src-shared/errors';
import { SCHEMA_MIGRATIONS_DDL } from './migrate';

/** Snapshot file name inside the data directory. */
export const SNAPSHOT_FILE = 'station.db';
/** Snapshot being written by a checkpoint (deleted at open if a crash left it). */
export const SNAPSHOT_TMP_FILE = 'station.db.tmp';

const GENERATION_KEY = 'journal_generation';
/** Store-owned tables, created (idempotently) at every open before the journal is replayed. */
const INTERNAL_DDL = [
  'CREATE TABLE IF NOT EXISTS _store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
  `INSERT OR IGNORE INTO _store_meta (key, value) VALUES ('${GENERATION_KEY}', 0)`,
  SCHEMA_MIGRATIONS_DDL,
];

/** CommonJS resolution for the sql.js wasm file (named so it never meets a bundler's own `require`). */
const requireCjs = createRequire(import.meta.url);
let sqlJs: Promise<SqlJsStatic> | undefined;

/** Loads and compiles the sql.js wasm once per process; call early to overlap it with other start-up work. */
export function preloadSqlJs(): Promise<unknown> {
  return loadSqlJs();
}

function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ locateFile: (f: string) => requireCjs.resolve('sql.js/dist/' + f) }).catch(
    (e: unknown) => {
      sqlJs = undefined;
      throw e;
    },
  );
  return sqlJs;
}

/** What {@link loadSnapshot} found. */
interface LoadedSnapshot {
  db: Database;
  /** checkpoint generation stored in the snapshot (0 for a new database) */
  generation: number;
  /** false when there was no station.db (a new store, or only a journal) */
  hasSnapshot: boolean;
}

/**
 * Loads `dir/station.db` (or creates an empty database), sets the connection pragmas, creates the
 * store-owned tables and reads the generation. Deletes a leftover `station.db.tmp`. Throws
 * DomainError('store_corrupt') when the file is not a usable SQLite database.
 */
export async function loadSnapshot(dir: string): Promise<LoadedSnapshot> {
  const SQL = await loadSqlJs();
  rmSync(join(dir, SNAPSHOT_TMP_FILE), { force: true });
  const path = join(dir, SNAPSHOT_FILE);
  const hasSnapshot = existsSync(path);
  const db = hasSnapshot ? new SQL.Database(readFileSync(path)) : new SQL.Database();
  try {
    // MEMORY: the rollback journal of an in-memory database need not be a (MEMFS) file;
    // foreign keys on, as PostgreSQL always enforces them; secure_delete zeroes the bytes of deleted
    // and overwritten rows, so a secret blanked in the store (a claim PIN once answered, docs/sync.md
    // "Offline claims") does not survive in free pages of the checkpointed file.
    db.exec('PRAGMA journal_mode = MEMORY; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON');
    for (const ddl of INTERNAL_DDL) db.exec(ddl);
    const row = db.exec(`SELECT value FROM _store_meta WHERE key = '${GENERATION_KEY}'`)[0]?.values[0]?.[0];
    const generation = Number(row);
    if (!Number.isSafeInteger(generation)) throw new Error(`bad checkpoint generation ${String(row)}`);
    return { db, generation, hasSnapshot };
  } catch (e) {
    db.close();
    throw new DomainError('store_corrupt', `${path} is not a usable database: ${(e as Error).message}`, {
      path,
    });
  }
}

/** Records `generation` in the (in-memory) database, before it is exported by a checkpoint. */
export function setGeneration(db: Database, generation: number): void {
  db.run(`UPDATE _store_meta SET value = ? WHERE key = '${GENERATION_KEY}'`, [generation]);
}

/**
 * Writes `data` to `station.db.tmp`, fsyncs it and renames it over `station.db`. The rename is
 * durable only after {@link syncDir}.
 */
export async function writeSnapshot(dir: string, data: Uint8Array): Promise<void> {
  const tmp = join(dir, SNAPSHOT_TMP_FILE);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    // a half-written copy must not keep the space a full disk needs back (docs/security.md)
    rmSync(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, join(dir, SNAPSHOT_FILE));
}

/** fsyncs a directory so a rename in it is durable (Windows cannot open directories; NTFS journals renames). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
