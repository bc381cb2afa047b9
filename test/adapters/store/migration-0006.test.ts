/**
 * Migration 0006 (factory line tables, SPEC §2, §5, docs/factory-line.md) on a database holding a
 * batch and station UI data from 0001 and 0005: the old rows stay, the line tables start empty,
 * accept the rows the factory line writes, enforce their states and references, and the store
 * reopens with the migration recorded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import type { Store } from '../../../src-main/core/ports';
import { makeTempDir } from '../../helpers/tmp-dir';

const BATCH = 'b0000000000000001';
const FIRST = '000000FFFE000000';
const EUI = '000000FFFE000ABC';

function refuses(store: Store, sql: string, params: (string | number | null)[]): Promise<void> {
  return expect(store.transaction((tx) => tx.run(sql, params))).rejects.toThrow(/constraint/i);
}

const UNIT_SQL = `INSERT INTO factory_units (eui, batch_id, state, personalized_at, personalized_by, station, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
const JOB_SQL = `INSERT INTO factory_jobs (id, batch_id, first_eui, last_eui, next_eui, total, out_dir, options, state,
  station, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

describe('migration 0006-factory-line', () => {
  it('adds the factory line tables to a database with a batch and station UI data', async () => {
    const dir = join(makeTempDir('mig-0006'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.some((m) => m.id === 6 && m.name === 'factory-line')).toBe(true);
    const upTo6 = all.filter((m) => m.id <= 6);

    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 6) });
    await old.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO batches (id, first_eui, last_eui, brk_handle, kcv, flavor, cups_uri, kdf, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [BATCH, FIRST, '000000FFFE00FFFF', 'sw-brk-1', 'ABC123', 'corecell', null, 'v1', 't'],
      );
      await tx.run('INSERT INTO station_settings (key, value) VALUES (?, ?)', ['k', 'v']);
    });
    await old.close();

    const store = await openSqljsStore({ dir, migrations: upTo6 });
    try {
      expect(await store.read((tx) => tx.all('SELECT id, kcv FROM batches'))).toEqual([
        { id: BATCH, kcv: 'ABC123' },
      ]);
      expect(await store.read((tx) => tx.all('SELECT key, value FROM station_settings'))).toEqual([
        { key: 'k', value: 'v' },
      ]);
      for (const table of [
        'factory_batches',
        'factory_units',
        'factory_unit_events',
        'factory_jobs',
        'factory_line_settings',
      ]) {
        expect(await store.read((tx) => tx.all(`SELECT * FROM ${table}`)), table).toEqual([]);
      }

      await store.transaction(async (tx) => {
        await tx.run(
          'INSERT INTO factory_batches (batch_id, model, cups_uri, trust_pem, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)',
          [BATCH, 'GW-8', 'https://js.example.com:443', null, 't', 'cli:cli'],
        );
        await tx.run(UNIT_SQL, [EUI, BATCH, 'personalized', 't', 'cli:cli', 'line-1', 't']);
        await tx.run(
          'INSERT INTO factory_unit_events (id, eui, batch_id, at, actor, station, event, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [1, EUI, BATCH, 't', 'cli:cli', 'line-1', 'personalized', '{}'],
        );
        await tx.run(JOB_SQL, [
          'job-1',
          BATCH,
          '000000FFFE000B00',
          '000000FFFE000BFF',
          '000000FFFE000B00',
          256,
          '/tmp/out',
          '{"zip":false,"labels":true}',
          'running',
          'line-1',
          't',
          'cli:cli',
          't',
        ]);
        await tx.run(
          'INSERT INTO factory_line_settings (station, settings, updated_at, updated_by) VALUES (?, ?, ?, ?)',
          ['line-1', '{"outDir":"/tmp/out"}', 't', 'cli:cli'],
        );
      });
      expect(
        await store.read((tx) =>
          tx.all('SELECT eui, state, from_mac, personalize_count, print_count FROM factory_units'),
        ),
      ).toEqual([{ eui: EUI, state: 'personalized', from_mac: 0, personalize_count: 1, print_count: 0 }]);
      expect(await store.read((tx) => tx.all('SELECT id, done_count, state FROM factory_jobs'))).toEqual([
        { id: 'job-1', done_count: 0, state: 'running' },
      ]);

      // states outside the lists, and rows of a batch that does not exist, are refused
      await refuses(store, UNIT_SQL, ['000000FFFE000ABD', BATCH, 'shipped', 't', 'cli:cli', 'line-1', 't']);
      await refuses(store, UNIT_SQL, [
        '000000FFFE000ABE',
        'no-such-batch',
        'printed',
        't',
        'cli:cli',
        'line-1',
        't',
      ]);
      await refuses(store, JOB_SQL, [
        'job-2',
        BATCH,
        '000000FFFE000C00',
        '000000FFFE000CFF',
        null,
        256,
        '/tmp/out',
        '{}',
        'paused',
        'line-1',
        't',
        'cli:cli',
        't',
      ]);
      await refuses(
        store,
        'INSERT INTO factory_batches (batch_id, updated_at, updated_by) VALUES (?, ?, ?)',
        ['no-such-batch', 't', 'cli:cli'],
      );
    } finally {
      await store.close();
    }

    const again = await openSqljsStore({ dir, migrations: upTo6 });
    try {
      expect(await again.read((tx) => tx.all('SELECT id, name FROM schema_migrations WHERE id = 6'))).toEqual(
        [{ id: 6, name: 'factory-line' }],
      );
      expect(await again.read((tx) => tx.all('SELECT eui FROM factory_units'))).toEqual([{ eui: EUI }]);
    } finally {
      await again.close();
    }
  });
});
