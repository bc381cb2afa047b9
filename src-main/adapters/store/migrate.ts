/**
 * Schema migrations of the sql.js store (DESIGN §3): numbered `NNNN-name.sql` files, applied in
 * order, each in its own journaled transaction, recorded in `schema_migrations`. A database whose
 * applied list is not a prefix of the known list (written by a newer or different build) is
 * refused rather than guessed at.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../../src-shared/errors';

/** One schema migration: `id` from the file's number, `name` from the rest of its name. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** A row of `schema_migrations`. */
interface AppliedMigration {
  id: number;
  name: string;
}

/** The product's migrations folder: `migrations/` next to this module (and sqljs-store.ts). */
export const DEFAULT_MIGRATIONS_DIR: string = fileURLToPath(new URL('./migrations/', import.meta.url));

/** DDL of the table that records applied migrations (created by the store before anything else). */
export const SCHEMA_MIGRATIONS_DDL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';

const FILE_RE = /^(\d{4})-([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/**
 * Reads `folder/NNNN-name.sql` files sorted by number. Other `.sql` names and duplicate numbers
 * are errors (a typo must not silently skip a migration); non-`.sql` files are ignored.
 */
export function loadMigrations(folder: string): Migration[] {
  if (!existsSync(folder)) {
    throw new DomainError('internal', `migrations folder "${folder}" does not exist`, { folder });
  }
  const migrations: Migration[] = [];
  for (const file of readdirSync(folder)) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_RE.exec(file);
    if (!m) {
      throw new DomainError('internal', `migration file "${file}" in ${folder} is not named NNNN-name.sql`, {
        file,
      });
    }
    migrations.push({ id: Number(m[1]), name: m[2]!, sql: readFileSync(join(folder, file), 'utf8') });
  }
  migrations.sort((a, b) => a.id - b.id);
  checkMigrationList(migrations);
  return migrations;
}

/** Throws unless ids are positive integers in strictly increasing order. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.id) || m.id <= previous) {
      throw new DomainError(
        'internal',
        `migration id ${m.id} ("${m.name}") must be a positive integer greater than ${previous}`,
        { id: m.id },
      );
    }
    previous = m.id;
  }
}

/**
 * Returns the known migrations still to apply, or throws DomainError('store_corrupt') when the
 * applied list (sorted by id) is not a prefix of `known` — an unknown id or a name mismatch.
 */
export function pendingMigrations(
  applied: readonly AppliedMigration[],
  known: readonly Migration[],
): Migration[] {
  for (let i = 0; i < applied.length; i++) {
    const a = applied[i]!;
    const k = known[i];
    if (k === undefined) {
      throw new DomainError(
        'store_corrupt',
        `the database has migration ${a.id} "${a.name}" that this build does not know ` +
          `(it knows ${known.length}); it was written by a newer or different version`,
        { id: a.id, name: a.name },
      );
    }
    if (k.id !== a.id || k.name !== a.name) {
      throw new DomainError(
        'store_corrupt',
        `the database's migration #${i + 1} is ${a.id} "${a.name}" but this build expects ${k.id} "${k.name}": ` +
          'applied migrations must be a prefix of the known list',
        { id: a.id, name: a.name, expectedId: k.id, expectedName: k.name },
      );
    }
  }
  return known.slice(applied.length);
}
