/**
 * The PostgreSQL migrations mirror the sql.js ones (docs/server-mode.md): every
 * `migrations/NNNN-name.sql` has a `pg-migrations/NNNN-name.sql` with the same number and name (a
 * new sql.js migration without its counterpart fails here), and both build the same tables with
 * the same columns and nullability.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/sqljs-store';
import { PG_MIGRATIONS_DIR } from '../../../src-main/adapters/store/pg-store';
import type { Store } from '../../../src-main/core/ports';
import { openTestStore } from '../../helpers/test-store';

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
});

type Columns = Record<string, Record<string, { notNull: boolean }>>;

async function sqljsColumns(store: Store): Promise<Columns> {
  return store.read(async (tx) => {
    const tables = await tx.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
    );
    const out: Columns = {};
    for (const { name } of tables) {
      out[name] = {};
      for (const c of await tx.all<{ name: string; notnull: number; pk: number }>(
        'SELECT name, "notnull", pk FROM pragma_table_info(?)',
        [name],
      )) {
        out[name][c.name] = { notNull: c.notnull === 1 || c.pk > 0 };
      }
    }
    return out;
  });
}

async function pgColumns(store: Store): Promise<Columns> {
  return store.read(async (tx) => {
    const rows = await tx.all<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const out: Columns = {};
    for (const r of rows) (out[r.table_name] ??= {})[r.column_name] = { notNull: r.is_nullable === 'NO' };
    return out;
  });
}

describe('PostgreSQL migrations', () => {
  it('mirror every sql.js migration with the same number and name, and nothing else', () => {
    const sqljs = loadMigrations(DEFAULT_MIGRATIONS_DIR).map((m) => `${m.id}-${m.name}`);
    const pg = loadMigrations(PG_MIGRATIONS_DIR).map((m) => `${m.id}-${m.name}`);
    const missing = sqljs.filter((m) => !pg.includes(m));
    expect(
      missing,
      `add src-main/adapters/store/pg-migrations/ counterparts for: ${missing.join(', ')}`,
    ).toEqual([]);
    expect(pg).toEqual(sqljs);
  });

  it('build the same tables, columns and nullability as the sql.js migrations', async () => {
    const sqljs = await openTestStore('sqljs');
    opened.push(sqljs);
    const pg = await openTestStore('pg');
    opened.push(pg);
    const expected = await sqljsColumns(sqljs);
    expect(Object.keys(expected)).toContain('gateways');
    expect(Object.keys(expected).length).toBeGreaterThan(20);
    expect(await pgColumns(pg)).toEqual(expected);
  });
});
