/**
 * Migration 0013 (sync, the station's side) on a database with earlier data: the link, outbox and
 * mirror tables start empty, take the rows the sync engine writes, and refuse an unknown outbox
 * state and a repeated operation id.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

describe('migration 0013-sync-station', () => {
  it('adds sync_link, sync_outbox and sync_mirror', async () => {
    const dir = join(makeTempDir('mig-0013'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.some((m) => m.id === 13 && m.name === 'sync-station')).toBe(true);
    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 13) });
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
      await store.transaction(async (tx) => {
        await tx.run(
          "INSERT INTO sync_link (id, url, ca_pem, ca_fingerprint, owner_id, created_at) VALUES ('remote', ?, ?, ?, ?, ?)",
          ['https://r:1', 'pem', 'ab'.repeat(32), '000A000000000001', 't'],
        );
        await tx.run(
          "INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at) VALUES (1, 'u1', 'claim', ?, '[]', '{}', 'pending', 't')",
          ['000A000000000001'],
        );
        await tx.run(
          "INSERT INTO sync_mirror (eui, seq, kind, at, pulled_at) VALUES ('000000FFFE000ABC', 3, 'claim', 't', 't')",
        );
      });
      expect(await store.read((tx) => tx.get('SELECT cursor, attempts FROM sync_link, sync_outbox'))).toEqual(
        { cursor: '0', attempts: 0 },
      );
      await expect(
        store.transaction((tx) =>
          tx.run(
            "INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at) VALUES (2, 'u2', 'claim', 'x', '[]', '{}', 'lost', 't')",
          ),
        ),
      ).rejects.toThrow(/CHECK/i);
      await expect(
        store.transaction((tx) =>
          tx.run(
            "INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at) VALUES (3, 'u1', 'claim', 'x', '[]', '{}', 'sent', 't')",
          ),
        ),
      ).rejects.toThrow(/UNIQUE/i);
    } finally {
      await store.close();
    }
  });
});
