/**
 * Migration 0005 (station UI tables: operators, sessions, login failures, setup templates,
 * station settings; an index on `cups_contacts (at)`) on a database holding data from 0001: the
 * old rows stay, the new tables start empty, accept the rows the station services write and
 * enforce their constraints, and the store reopens with the migration recorded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import type { Store } from '../../../src-main/core/ports';
import { makeTempDir } from '../../helpers/tmp-dir';

const OWNER = '000A000000000001';
const EUI = '000000FFFE000ABC';

function refuses(store: Store, sql: string, params: (string | number | null)[]): Promise<void> {
  return expect(store.transaction((tx) => tx.run(sql, params))).rejects.toThrow(/constraint/i);
}

describe('migration 0005-station-ui', () => {
  it('adds the operator, session, template and settings tables to a database with 0001 data', async () => {
    const dir = join(makeTempDir('mig-0005'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.some((m) => m.id === 5 && m.name === 'station-ui')).toBe(true);
    const upTo5 = all.filter((m) => m.id <= 5);

    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 5) });
    await old.transaction(async (tx) => {
      await tx.run('INSERT INTO owners (id, name, add_count, created_at) VALUES (?, ?, 0, ?)', [
        OWNER,
        'a',
        't',
      ]);
      await tx.run(`INSERT INTO cups_contacts (eui, at, address, outcome, keys) VALUES (?, ?, ?, ?, '[]')`, [
        EUI,
        '2030-01-01T00:00:00.000Z',
        '192.0.2.1',
        'ok',
      ]);
    });
    await old.close();

    const store = await openSqljsStore({ dir, migrations: upTo5 });
    try {
      expect(await store.read((tx) => tx.all('SELECT id, name FROM owners'))).toEqual([
        { id: OWNER, name: 'a' },
      ]);
      expect(await store.read((tx) => tx.all('SELECT eui, outcome FROM cups_contacts'))).toEqual([
        { eui: EUI, outcome: 'ok' },
      ]);
      for (const table of [
        'operators',
        'operator_sessions',
        'login_failures',
        'setup_templates',
        'station_settings',
      ]) {
        expect(await store.read((tx) => tx.all(`SELECT * FROM ${table}`)), table).toEqual([]);
      }
      const indexes = await store.read((tx) =>
        tx.all(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'cups_contacts_at'`),
      );
      expect(indexes).toEqual([{ name: 'cups_contacts_at' }]);

      await store.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO operators (name, role, owner_id, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
          ['ina', 'installer', OWNER, 'scrypt$15$8$1$c2FsdA$aGFzaA', 't', 't'],
        );
        await tx.run(
          'INSERT INTO operator_sessions (id_hash, operator, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)',
          ['ab'.repeat(32), 'ina', 't', 'u', '127.0.0.1'],
        );
        await tx.run('INSERT INTO login_failures (key, at) VALUES (?, ?)', ['ina', 't']);
        await tx.run(
          'INSERT INTO setup_templates (id, owner_id, name, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          ['tpl-1', OWNER, 'lns eu', '{"lnsUri":"ws://10.0.0.5:1887"}', 't', 't'],
        );
        await tx.run('INSERT INTO station_settings (key, value) VALUES (?, ?)', ['setup_password', 'h']);
      });
      expect(
        await store.read((tx) => tx.all('SELECT name, role, owner_id, disabled FROM operators')),
      ).toEqual([{ name: 'ina', role: 'installer', owner_id: OWNER, disabled: 0 }]);

      // a role outside the three, a session of nobody, a second template of the same name
      await refuses(
        store,
        'INSERT INTO operators (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        ['root', 'superuser', 'h', 't', 't'],
      );
      await refuses(
        store,
        'INSERT INTO operator_sessions (id_hash, operator, created_at, expires_at) VALUES (?, ?, ?, ?)',
        ['cd'.repeat(32), 'nobody', 't', 'u'],
      );
      await refuses(
        store,
        'INSERT INTO setup_templates (id, owner_id, name, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        ['tpl-2', OWNER, 'lns eu', '{}', 't', 't'],
      );
    } finally {
      await store.close();
    }

    const again = await openSqljsStore({ dir, migrations: upTo5 });
    try {
      expect(await again.read((tx) => tx.all('SELECT id, name FROM schema_migrations WHERE id = 5'))).toEqual(
        [{ id: 5, name: 'station-ui' }],
      );
      expect(await again.read((tx) => tx.all('SELECT name FROM operators'))).toEqual([{ name: 'ina' }]);
    } finally {
      await again.close();
    }
  });
});
