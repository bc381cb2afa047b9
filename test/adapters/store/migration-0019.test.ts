/**
 * Migration 0019 (the factory line's position, docs/factory-line.md "The line") on a database with
 * earlier data: the table starts empty, takes one row per station, and refuses a second one.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

describe('migration 0019-factory-line-position', () => {
  it('adds factory_line_position, one row per station', async () => {
    const dir = join(makeTempDir('mig-0019'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.some((m) => m.id === 19 && m.name === 'factory-line-position')).toBe(true);
    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 19) });
    await old.transaction((tx) =>
      tx.run(
        'INSERT INTO factory_line_settings (station, settings, updated_at, updated_by) VALUES (?, ?, ?, ?)',
        ['line-1', '{"outDir":"/tmp/x"}', 't', 'operator:a'],
      ),
    );
    await old.close();
    const store = await openSqljsStore({ dir, migrations: all });
    try {
      expect(await store.read((tx) => tx.all('SELECT * FROM factory_line_position'))).toEqual([]);
      expect(await store.read((tx) => tx.get('SELECT station FROM factory_line_settings'))).toEqual({
        station: 'line-1',
      });
      const insert = (eui: string) =>
        store.transaction((tx) =>
          tx.run(
            'INSERT INTO factory_line_position (station, batch_id, eui, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
            ['line-1', 'b1', eui, 't', 'operator:a'],
          ),
        );
      await insert('000000FFFE000ABC');
      await expect(insert('000000FFFE000ABD')).rejects.toThrow(/UNIQUE|PRIMARY/i);
      expect(await store.read((tx) => tx.get('SELECT eui FROM factory_line_position'))).toEqual({
        eui: '000000FFFE000ABC',
      });
    } finally {
      await store.close();
    }
  });
});
