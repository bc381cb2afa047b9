/**
 * Migration 0012 (sync, the remote's side) on a database holding data from the earlier
 * migrations: the idempotency and change-feed tables start empty, accept the rows the core writes
 * and enforce their unique keys.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

describe('migration 0012-sync-remote', () => {
  it('adds idempotency_keys and gateway_changes with their unique keys', async () => {
    const dir = join(makeTempDir('mig-0012'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.some((m) => m.id === 12 && m.name === 'sync-remote')).toBe(true);
    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 12) });
    await old.transaction((tx) =>
      tx.run('INSERT INTO owners (id, name, add_count, created_at) VALUES (?, ?, 0, ?)', [
        '000A000000000001',
        'a',
        't',
      ]),
    );
    await old.close();

    const store = await openSqljsStore({ dir, migrations: all });
    try {
      expect(await store.read((tx) => tx.all('SELECT id FROM owners'))).toEqual([{ id: '000A000000000001' }]);
      const key = ['000A000000000001', 'k', 'claim', 'h', '[]', 't', 'u'];
      const insertKey =
        'INSERT INTO idempotency_keys (scope, idem_key, operation, request_hash, answer, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
      await store.transaction((tx) => tx.run(insertKey, key));
      await expect(store.transaction((tx) => tx.run(insertKey, key))).rejects.toThrow(/UNIQUE/i);
      const change =
        'INSERT INTO gateway_changes (seq, owner_id, eui, kind, op_id, at) VALUES (?, ?, ?, ?, ?, ?)';
      await store.transaction((tx) =>
        tx.run(change, [1, '000A000000000001', '000000FFFE000ABC', 'claim', null, 't']),
      );
      await expect(
        store.transaction((tx) =>
          tx.run(change, [2, '000A000000000001', '000000FFFE000ABC', 'setup', null, 't']),
        ),
      ).rejects.toThrow(/UNIQUE/i);
      expect(await store.read((tx) => tx.all('SELECT seq, kind FROM gateway_changes'))).toEqual([
        { seq: 1, kind: 'claim' },
      ]);
    } finally {
      await store.close();
    }
  });
});
