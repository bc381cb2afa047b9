/**
 * Migration 0025 (feed seqs, core/sync/seq.ts): on PostgreSQL the feeds' SEQUENCEs and the audit
 * id SEQUENCE start past the rows written before it (and past rows a `gwjs db import` wrote); on
 * sql.js nothing changes and MAX + 1 continues.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportStore, importStore } from '../../../src-main/adapters/store/db-transfer';
import type { Store, Tx } from '../../../src-main/core/ports';
import { takeSeqs } from '../../../src-main/core/sync/seq';
import { openTestStore, upgradedStore, type StoreKind } from '../../helpers/test-store';
import { makeTempDir } from '../../helpers/tmp-dir';

const OWNER = '000A000000000001';

async function writeOldRows(tx: Tx): Promise<void> {
  await tx.run(
    "INSERT INTO gateway_changes (seq, owner_id, eui, kind, at) VALUES (41, ?, '000000FFFE000001', 'claim', 't'), (42, ?, '000000FFFE000002', 'claim', 't')",
    [OWNER, OWNER],
  );
  await tx.run(
    "INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at) VALUES (7, 'u7', 'claim', ?, '[]', '{}', 'sent', 't')",
    [OWNER],
  );
  await tx.run(
    "INSERT INTO audit_log (id, at, actor, address, action, target, detail) VALUES (99, 't', 'cli:cli', NULL, 'x', NULL, '{}')",
  );
}

/** The next seqs / audit id the store hands out, in one transaction. */
async function nextNumbers(store: Store): Promise<[number, number, number]> {
  return store.transaction(async (tx) => {
    const change = await takeSeqs(tx, 'gateway_changes', 3);
    const out = await takeSeqs(tx, 'sync_outbox', 1);
    const id = tx.takeIds ? (await tx.takeIds('audit_log', 1))[0]! : 100;
    return [change, out, id];
  });
}

describe.each<StoreKind>(['sqljs', 'pg'])('migration 0025-feed-seqs (%s)', (kind) => {
  it('continues every feed and the audit ids after the rows written before it', async () => {
    const store = await upgradedStore(kind, 25, 'feed-seqs', (old) => old.transaction(writeOldRows));
    try {
      expect(await nextNumbers(store)).toEqual([43, 8, 100]);
      // PostgreSQL: numbers once taken are never handed out again, even with no row written (a gap)
      if (kind === 'pg') expect(await nextNumbers(store)).toEqual([46, 9, 101]);
    } finally {
      await store.close();
    }
  });

  it('continues after the rows of a db import', async () => {
    const source = await openTestStore('sqljs');
    const file = join(makeTempDir('mig-0025'), 'x.jsonl');
    try {
      await source.transaction(writeOldRows);
      await exportStore(source, 'sqljs', file);
    } finally {
      await source.close();
    }
    const target = await openTestStore(kind);
    try {
      await importStore(target, kind, file);
      expect(await nextNumbers(target)).toEqual([43, 8, 100]);
    } finally {
      await target.close();
    }
  });
});
