/**
 * Migration 0007 (CUPS complete: SPEC §2, §3.1, §3.4) on a database that already holds data from
 * the earlier migrations: firmware rows keep their bytes and get a NULL sha256, the new tables
 * start empty and accept the rows the core writes, and the store reopens with the migration
 * recorded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

describe('migration 0007-cups-complete', () => {
  it('upgrades a database with firmware rows and adds the delivery, key, certificate and rotation tables', async () => {
    const dir = join(makeTempDir('mig-0007'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    const before = all.filter((m) => m.id < 7);
    expect(all.some((m) => m.id === 7 && m.name === 'cups-complete')).toBe(true);

    const old = await openSqljsStore({ dir, migrations: before });
    await old.transaction((tx) =>
      tx.run('INSERT INTO firmware (fwcrc, owner_id, version, image, created_at) VALUES (?, NULL, ?, ?, ?)', [
        7,
        '1.0',
        new Uint8Array([1, 2, 3]),
        '2030-01-01T00:00:00.000Z',
      ]),
    );
    await old.close();

    const store = await openSqljsStore({ dir, migrations: all });
    try {
      expect(await store.read((tx) => tx.all('SELECT fwcrc, version, image, sha256 FROM firmware'))).toEqual([
        { fwcrc: 7, version: '1.0', image: new Uint8Array([1, 2, 3]), sha256: null },
      ]);
      await store.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO firmware_deliveries (eui, sent_at, fwcrc, fw_after, key_crc, package, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
          ['000000FFFE000ABC', 't', 7, null, 9, '1.0', '192.0.2.1'],
        );
        await tx.run(
          'INSERT INTO update_signing_keys (handle, key_crc, public_key, label, created_at, active) VALUES (?, ?, ?, ?, ?, 1)',
          ['sw-sig-1', 9, new Uint8Array(64), 'k', 't'],
        );
        await tx.run(
          `INSERT INTO client_certificates (fingerprint, eui, source, created_at) VALUES (?, ?, 'issued', ?)`,
          ['ab'.repeat(32), '000000FFFE000ABC', 't'],
        );
        await tx.run(
          'INSERT INTO token_rotations (eui, to_gen, from_gen, started_at, started_by) VALUES (?, ?, ?, ?, ?)',
          ['000000FFFE000ABC', 1, 0, 't', 'cli:cli'],
        );
      });
      // a certificate source outside the three kinds is refused by the schema
      await expect(
        store.transaction((tx) =>
          tx.run(
            `INSERT INTO client_certificates (fingerprint, eui, source, created_at) VALUES (?, ?, 'other', ?)`,
            ['cd'.repeat(32), '000000FFFE000ABC', 't'],
          ),
        ),
      ).rejects.toThrow(/CHECK constraint/);
      // one rotation per target generation
      await expect(
        store.transaction((tx) =>
          tx.run(
            'INSERT INTO token_rotations (eui, to_gen, from_gen, started_at, started_by) VALUES (?, ?, ?, ?, ?)',
            ['000000FFFE000ABC', 1, 0, 't', 'cli:cli'],
          ),
        ),
      ).rejects.toThrow(/UNIQUE/);
    } finally {
      await store.close();
    }
    const again = await openSqljsStore({ dir, migrations: all });
    try {
      expect(await again.read((tx) => tx.all('SELECT id, name FROM schema_migrations WHERE id = 7'))).toEqual(
        [{ id: 7, name: 'cups-complete' }],
      );
    } finally {
      await again.close();
    }
  });
});
