/**
 * Commit hooks of the Owner API writes (docs/sync.md): every write operation (claim, setup, delete,
 * add, rotate) calls {@link runCommitHooks} as the last step of its store transaction, so what the
 * hooks write — the change feed entry, the idempotent answer, a station's outbox entry — commits
 * together with the effect or not at all.
 */
import type { ItemResult, RequestContext } from '../api';
import type { OwnerRef } from '../authorize';
import type { Tx } from '../ports';

/**
 * Owner API operations that change state (and so are synced); `firmware-sent` is a station's
 * report of a delivery it made from its site pack (docs/sync.md "Firmware from the pack").
 */
export type WriteOperation = 'claim' | 'setup' | 'delete' | 'add' | 'rotate' | 'firmware-sent';

/** What one write operation did, as seen at the end of its transaction. */
export interface OperationCommit {
  operation: WriteOperation;
  owner: OwnerRef;
  ctx: RequestContext;
  /** the request items, as the core received them (ids as given) */
  items: readonly unknown[];
  /** the answer, one item per request item (final at this point) */
  results: readonly ItemResult[];
  /** 16-hex EUIs whose row or setup the operation changed */
  changed: readonly string[];
  /** ISO time of the transaction */
  at: string;
}

/** Writes something in the operation's transaction; a throw rolls the whole operation back. */
export type CommitHook = (tx: Tx, commit: OperationCommit) => Promise<void>;

/** An ordered list of hooks every write operation runs at the end of its transaction. */
export class CommitHooks {
  readonly #hooks: CommitHook[] = [];

  /** Adds a hook (runs after the ones added before). */
  add(hook: CommitHook): void {
    this.#hooks.push(hook);
  }

  /** Runs every hook in order inside `tx`. */
  async run(tx: Tx, commit: OperationCommit): Promise<void> {
    for (const h of this.#hooks) await h(tx, commit);
  }
}

/** Runs the environment's commit hooks, if any (a core built without them runs none). */
export async function runCommitHooks(
  hooks: CommitHooks | undefined,
  tx: Tx,
  commit: OperationCommit,
): Promise<void> {
  if (hooks !== undefined) await hooks.run(tx, commit);
}
