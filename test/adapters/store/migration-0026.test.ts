/**
 * Migration 0026 (factory records, docs/sync.md "Factory records") on a database with earlier
 * data, on both backends: the table starts empty, takes a record of a known batch, refuses a second
 * row with the same record id and a batch the store does not hold.
 */
import { describe, expect, it } from 'vitest';
import type { Tx } from '../../../src-main/core/ports';
import { upgradedStore, type StoreKind } from '../../helpers/test-store';

const ROW =
  "INSERT INTO factory_records (record_id, eui, batch_id, station_batch, kcv, event, state, at, station, operator, record, key_id, op_id, received_at) VALUES (?, '000000FFFE000ABC', ?, 'b', '1CCE9B', 'personalized', 'personalized', 't', 'factory-1', 'cli:cli', '{}', 'k', NULL, 't')";

async function writeOldRows(tx: Tx): Promise<void> {
  await tx.run(
    "INSERT INTO batches (id, first_eui, last_eui, brk_handle, kcv, flavor, cups_uri, kdf, created_at) VALUES ('b1', '000000FFFE000000', '000000FFFEFFFFFF', 'h', '1CCE9B', NULL, NULL, 'v1', 't')",
  );
}

describe.each<StoreKind>(['sqljs', 'pg'])('migration 0026-factory-records (%s)', (kind) => {
  it('adds the factory records table', async () => {
    const store = await upgradedStore(kind, 26, 'factory-records', (old) => old.transaction(writeOldRows));
    try {
      expect(await store.read((tx) => tx.all('SELECT * FROM factory_records'))).toEqual([]);
      await store.transaction((tx) => tx.run(ROW, ['r1', 'b1']));
      expect(
        await store.read((tx) => tx.all('SELECT record_id, batch_id, op_id FROM factory_records')),
      ).toEqual([{ record_id: 'r1', batch_id: 'b1', op_id: null }]);
      await expect(store.transaction((tx) => tx.run(ROW, ['r1', 'b1']))).rejects.toThrow(
        /UNIQUE|duplicate key/i,
      );
      await expect(store.transaction((tx) => tx.run(ROW, ['r2', 'nope']))).rejects.toThrow(/foreign key/i);
    } finally {
      await store.close();
    }
  });
});
