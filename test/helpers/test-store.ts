/**
 * The store kinds every parameterized test runs against (the same tests over sql.js and
 * PostgreSQL, so the two adapters cannot drift), and one opener per kind with the product's
 * migrations: a sql.js store in a temp dir, or a PostgreSQL store in a fresh schema of the test
 * server (pg-global-setup.ts).
 */
import { join } from 'node:path';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../src-main/adapters/store/sqljs-store';
import { PG_MIGRATIONS_DIR, openPgStore, type PgStoreOptions } from '../../src-main/adapters/store/pg-store';
import type { Migration } from '../../src-main/adapters/store/migrate';
import type { Store } from '../../src-main/core/ports';
import { freshPgSchema, pgUrlWithSchema } from './pg-schema';
import { makeTempDir } from './tmp-dir';

/** A Store adapter under test. */
export type StoreKind = 'sqljs' | 'pg';

/** Both kinds, for `describe.each`. */
export const STORE_KINDS: readonly StoreKind[] = ['sqljs', 'pg'];

/**
 * The kind the shared fixtures (core-fixture, server-fixture) use: `$GWJS_TEST_STORE` (`pg` in the
 * PostgreSQL pass of the Owner API / CUPS integration tests), else sql.js.
 */
export function fixtureStoreKind(): StoreKind {
  const v = process.env.GWJS_TEST_STORE;
  if (v === undefined || v === '' || v === 'sqljs') return 'sqljs';
  if (v === 'pg') return 'pg';
  throw new Error(`GWJS_TEST_STORE must be sqljs or pg, got ${v}`);
}

/** Where a test store lives: a sql.js dir, or a PostgreSQL URL with its schema. */
export interface TestStoreLocation {
  kind: StoreKind;
  /** sql.js: the data directory */
  dir?: string;
  /** PostgreSQL: `postgres://…?schema=…` */
  url?: string;
}

/** A fresh, empty location of `kind` (removed / dropped when the test ends). */
export function freshStoreLocation(kind: StoreKind): TestStoreLocation {
  return kind === 'sqljs'
    ? { kind, dir: join(makeTempDir('store'), 'db') }
    : { kind, url: pgUrlWithSchema(freshPgSchema()) };
}

/** Product migrations of `kind`. */
export function productMigrations(kind: StoreKind): Migration[] {
  return loadMigrations(kind === 'sqljs' ? DEFAULT_MIGRATIONS_DIR : PG_MIGRATIONS_DIR);
}

/** Opens a store at `where` (default: a fresh location) with `migrations` (default: the product's). */
export async function openTestStore(
  kind: StoreKind,
  options: { where?: TestStoreLocation; migrations?: Migration[]; pg?: Partial<PgStoreOptions> } = {},
): Promise<Store> {
  const where = options.where ?? freshStoreLocation(kind);
  const migrations = options.migrations ?? productMigrations(kind);
  return kind === 'sqljs'
    ? openSqljsStore({ dir: where.dir!, migrations })
    : openPgStore({ url: where.url!, migrations, ...options.pg });
}

/**
 * A store of `kind` upgraded across migration `id` (`name`), as an existing database is: opened
 * with the migrations before it, `before` run on that older store (rows written the old way, checks
 * of the old schema), closed, then reopened with every product migration. The caller closes it.
 * @throws when the product has no migration `id` named `name`
 */
export async function upgradedStore(
  kind: StoreKind,
  id: number,
  name: string,
  before: (old: Store) => Promise<unknown>,
): Promise<Store> {
  const all = productMigrations(kind);
  if (!all.some((m) => m.id === id && m.name === name))
    throw new Error(`no ${kind} migration ${String(id).padStart(4, '0')}-${name}`);
  const where = freshStoreLocation(kind);
  const old = await openTestStore(kind, { where, migrations: all.filter((m) => m.id < id) });
  try {
    await before(old);
  } finally {
    await old.close();
  }
  return openTestStore(kind, { where });
}
