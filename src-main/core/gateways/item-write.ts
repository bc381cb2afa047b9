/**
 * The frame every Owner API item write shares (SPEC §4.2; docs/sync.md): one store transaction in
 * which the operation's body runs with the transaction, its time, an audit writer and the list of
 * gateways it changed; the audit is flushed and the commit hooks run as the transaction's last step
 * (what they write commits with the effect or not at all, `../sync/commit.ts`); after the commit,
 * `onChanged` runs for each changed gateway and every item's outcome is counted.
 */
import type { ItemResult, RequestContext } from '../api';
import { auditWriter, type AuditWriter } from '../audit';
import type { OwnerRef } from '../authorize';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { runCommitHooks, type WriteOperation } from '../sync/commit';
import { countOutcomes, failItem, type ItemTarget } from './items';

/** One item write: what it is and whom it answers. */
interface ItemWrite {
  operation: WriteOperation;
  owner: OwnerRef;
  ctx: RequestContext;
  /** the request items as the commit hooks see them (ids as given) */
  items: readonly unknown[];
  /** the answer, one entry per request item, filled in by the body */
  results: ItemResult[];
  /** runs for each changed gateway once the transaction has committed */
  onChanged: (hex: string) => void;
}

/** What the body of an item write works with, inside its transaction. */
interface ItemWriteScope {
  tx: Tx;
  /** time of the transaction (ms since the epoch, the environment's clock) */
  now: number;
  /** the same, ISO */
  at: string;
  audit: AuditWriter;
  /** 16-hex EUIs the body changed (it pushes them) */
  changed: string[];
}

/** Runs `body` in the frame described in the module comment; returns the answer. */
export async function runItemWrite(
  env: CoreEnv,
  write: ItemWrite,
  body: (scope: ItemWriteScope) => Promise<void>,
): Promise<ItemResult[]> {
  const { operation, owner, ctx, items, results } = write;
  const changed: string[] = [];
  await env.store.transaction(async (tx) => {
    const now = env.clock.now();
    const at = isoAt(now);
    const audit = auditWriter(env, tx, ctx);
    await body({ tx, now, at, audit, changed });
    await audit.flush();
    await runCommitHooks(env.commitHooks, tx, { operation, owner, ctx, items, results, changed, at });
  });
  for (const hex of changed) write.onChanged(hex);
  countOutcomes(env, operation, results);
  return results;
}

/**
 * Runs `step` for each item in order; a DomainError it throws becomes that item's answer alone
 * (`failItem`), anything else propagates and rolls the write back.
 */
export async function eachItem<W extends ItemTarget>(
  results: ItemResult[],
  work: readonly W[],
  step: (w: W) => Promise<void>,
): Promise<void> {
  for (const w of work) {
    try {
      await step(w);
    } catch (e) {
      failItem(results[w.index]!, e);
    }
  }
}
