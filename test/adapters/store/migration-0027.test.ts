/**
 * Migration 0027 (a factory link, docs/sync.md "Factory records") on a database with a link and an
 * outbox, on both backends: the rows survive with their owner, both tables take a row without an
 * owner, and the outbox keeps its unique operation id and its state check.
 */
import { describe, expect, it } from 'vitest';
import { upgradedStore, type StoreKind } from '../../helpers/test-store';

const OWNER = '000A000000000001';
const OUTBOX =
  "INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at) VALUES (?, ?, ?, ?, '[]', '{}', ?, 't')";

describe.each<StoreKind>(['sqljs', 'pg'])('migration 0027-factory-link (%s)', (kind) => {
  it('lets a link and an outbox entry have no owner, keeping the rows before it', async () => {
    const store = await upgradedStore(kind, 27, 'factory-link', async (old) => {
      await old.transaction(async (tx) => {
        await tx.run(
          "INSERT INTO sync_link (id, url, ca_pem, ca_fingerprint, owner_id, created_at, cursor, last_error) VALUES ('remote', 'https://r:1', 'pem', 'fp', ?, 't', '42', 'down')",
          [OWNER],
        );
        await tx.run(OUTBOX, [7, 'u7', 'claim', OWNER, 'sent']);
      });
      // before 0027 an entry must have an owner
      await expect(
        old.transaction((tx) => tx.run(OUTBOX, [8, 'u8', 'factory', null, 'pending'])),
      ).rejects.toThrow(/NOT NULL|null value/i);
    });
    try {
      expect(
        await store.read((tx) => tx.all('SELECT id, owner_id, cursor, last_error FROM sync_link')),
      ).toEqual([{ id: 'remote', owner_id: OWNER, cursor: '42', last_error: 'down' }]);
      await store.transaction(async (tx) => {
        await tx.run("UPDATE sync_link SET owner_id = NULL WHERE id = 'remote'");
        await tx.run(OUTBOX, [8, 'u8', 'factory', null, 'pending']);
      });
      expect(
        await store.read((tx) =>
          tx.all('SELECT seq, op_id, operation, owner_id, state FROM sync_outbox ORDER BY seq'),
        ),
      ).toEqual([
        { seq: 7, op_id: 'u7', operation: 'claim', owner_id: OWNER, state: 'sent' },
        { seq: 8, op_id: 'u8', operation: 'factory', owner_id: null, state: 'pending' },
      ]);
      await expect(
        store.transaction((tx) => tx.run(OUTBOX, [9, 'u8', 'factory', null, 'pending'])),
      ).rejects.toThrow(/UNIQUE|duplicate key/i);
      await expect(
        store.transaction((tx) => tx.run(OUTBOX, [10, 'u10', 'factory', null, 'lost'])),
      ).rejects.toThrow(/CHECK|check constraint/i);
      expect(await store.read((tx) => tx.get("SELECT owner_id FROM sync_link WHERE id = 'remote'"))).toEqual({
        owner_id: null,
      });
    } finally {
      await store.close();
    }
  });
});
