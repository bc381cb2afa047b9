/**
 * Sequence numbers of the ordered feeds — the change feed (`gateway_changes`, docs/sync.md
 * "Pull") and the outbox (`sync_outbox`, "Push"). Readers page by `seq > cursor` and store the
 * last seq they applied, so a seq must be handed out once and become visible in order: were seq
 * N+1 committed and read while N is still in flight, the reader would pass N forever.
 * - sql.js: one writer, transactions serialized — MAX(seq) + 1 in the writing transaction is exact.
 * - PostgreSQL (several instances, docs/server-mode.md): the store's {@link Tx.takeSeqs} takes a
 *   per-feed advisory lock held until commit, then numbers from a database SEQUENCE; writers of a
 *   feed thereby commit in seq order across every instance (pg-store.ts).
 */
import type { SeqFeed, Tx } from '../ports';
import { intOf } from '../rows';

/** Takes `n` consecutive seqs of `feed` in `tx`; resolves with the first. */
export async function takeSeqs(tx: Tx, feed: SeqFeed, n: number): Promise<number> {
  if (tx.takeSeqs !== undefined) return tx.takeSeqs(feed, n);
  const row = await tx.get(`SELECT MAX(seq) AS m FROM ${feed}`);
  return (row?.m === null || row?.m === undefined ? 0 : intOf(row, 'm')) + 1;
}
