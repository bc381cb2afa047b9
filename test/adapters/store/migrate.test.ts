import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  type Migration,
  loadMigrations,
  pendingMigrations,
} from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

const m = (id: number, name: string, sql = `CREATE TABLE t${id} (a)`): Migration => ({ id, name, sql });

describe('loadMigrations', () => {
  it('reads NNNN-name.sql files sorted by number and ignores other files', () => {
    const dir = makeTempDir('migrations');
    writeFileSync(join(dir, '0010-later.sql'), 'CREATE TABLE later (a);');
    writeFileSync(join(dir, '0002-second_step.sql'), 'CREATE TABLE second (a);');
    writeFileSync(join(dir, '0001-init.sql'), 'CREATE TABLE init (a);');
    writeFileSync(join(dir, 'README.md'), 'notes');
    expect(loadMigrations(dir)).toEqual([
      { id: 1, name: 'init', sql: 'CREATE TABLE init (a);' },
      { id: 2, name: 'second_step', sql: 'CREATE TABLE second (a);' },
      { id: 10, name: 'later', sql: 'CREATE TABLE later (a);' },
    ]);
  });

  it('rejects misnamed .sql files, duplicate numbers and a missing folder', () => {
    const bad = makeTempDir('migrations');
    writeFileSync(join(bad, '001-short.sql'), '');
    expect(() => loadMigrations(bad)).toThrow(/"001-short.sql" .* is not named NNNN-name.sql/);
    const dup = makeTempDir('migrations');
    writeFileSync(join(dup, '0001-a.sql'), '');
    writeFileSync(join(dup, '0001-b.sql'), '');
    expect(() => loadMigrations(dup)).toThrow(/migration id 1/);
    expect(() => loadMigrations(join(dup, 'nope'))).toThrow(/does not exist/);
  });

  it('DEFAULT_MIGRATIONS_DIR is the migrations folder next to the store', () => {
    expect(DEFAULT_MIGRATIONS_DIR.replace(/\\/g, '/')).toMatch(/src-main\/adapters\/store\/migrations\/?$/);
    expect(existsSync(DEFAULT_MIGRATIONS_DIR)).toBe(true);
  });
});

describe('pendingMigrations', () => {
  const known = [m(1, 'a'), m(2, 'b'), m(3, 'c')];

  it('returns the unapplied tail when the applied list is a prefix', () => {
    expect(pendingMigrations([], known)).toEqual(known);
    expect(pendingMigrations([{ id: 1, name: 'a' }], known)).toEqual(known.slice(1));
    expect(pendingMigrations(known, known)).toEqual([]);
  });

  it('refuses an unknown id, a name mismatch, a gap and a longer history', () => {
    const cases = [
      [{ id: 2, name: 'b' }],
      [{ id: 1, name: 'renamed' }],
      [
        { id: 1, name: 'a' },
        { id: 3, name: 'c' },
      ],
      [...known, { id: 4, name: 'd' }],
    ];
    for (const applied of cases) {
      expect(() => pendingMigrations(applied, known)).toThrow(
        expect.objectContaining({ code: 'store_corrupt' }),
      );
    }
  });
});

describe('store migrations', () => {
  it('applies only new migrations on reopen, each journaled', async () => {
    const dir = makeTempDir('store-migrate');
    const first = await openSqljsStore({ dir, migrations: [m(1, 'a')] });
    await first.close();
    const second = await openSqljsStore({ dir, migrations: [m(1, 'a'), m(2, 'b')] });
    const applied = await second.read((tx) => tx.all('SELECT id, name FROM schema_migrations ORDER BY id'));
    expect(applied).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(second.stats().recordsSinceCheckpoint).toBe(1);
    await second.close();
  });

  it('refuses to open when the applied migrations are not a prefix of the known list', async () => {
    const dir = makeTempDir('store-migrate');
    await (await openSqljsStore({ dir, migrations: [m(1, 'a'), m(2, 'b')] })).close();
    for (const migrations of [[m(1, 'a'), m(2, 'other')], [m(1, 'a')], [m(2, 'b')]]) {
      await expect(openSqljsStore({ dir, migrations })).rejects.toMatchObject({ code: 'store_corrupt' });
    }
    // refusals release the lock: the right list still opens
    await (await openSqljsStore({ dir, migrations: [m(1, 'a'), m(2, 'b'), m(3, 'c')] })).close();
  });

  it('a failing migration applies nothing of itself and the store opens once it is fixed', async () => {
    const dir = makeTempDir('store-migrate');
    const broken = m(2, 'b', 'CREATE TABLE ok_part (a); INSERT INTO missing_table VALUES (1);');
    await expect(openSqljsStore({ dir, migrations: [m(1, 'a'), broken] })).rejects.toThrow(
      /migration 2 "b" failed/,
    );
    const store = await openSqljsStore({
      dir,
      migrations: [m(1, 'a'), m(2, 'b', 'CREATE TABLE ok_part (a)')],
    });
    expect(await store.read((tx) => tx.all('SELECT id FROM schema_migrations ORDER BY id'))).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    await store.close();
  });

  it('refuses a migration list that is not strictly increasing', async () => {
    const dir = makeTempDir('store-migrate');
    await expect(openSqljsStore({ dir, migrations: [m(2, 'b'), m(1, 'a')] })).rejects.toThrow(
      /greater than 2/,
    );
  });
});
