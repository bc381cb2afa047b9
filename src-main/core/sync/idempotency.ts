/**
 * Idempotency keys of the Owner API (docs/sync.md "Idempotency"): a write sent with an
 * `Idempotency-Key` is applied once; its first answer is stored in the transaction that applies it
 * and every retry with the same key gets that answer back — also after a restart, for
 * `config.idempotency.ttlMs` (default 7 days). The same key with a different request is refused
 * (`idempotency_mismatch`). Whole-request failures (400/401/403) store nothing: nothing was applied,
 * so a retry runs again.
 *
 * Storage is plain portable SQL with a unique (scope, key): a second writer that raced past the
 * look-up fails its insert, its transaction (and so its effect) rolls back, and the caller answers
 * from the stored row ({@link IdempotentReplay}).
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../../src-shared/errors';
import type { ItemResult } from '../api';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { textOf } from '../rows';
import type { OperationCommit } from './commit';

/** SHA-256 (hex) of an operation and its items — what "the same request" means for a key. */
export function requestHashOf(operation: string, ownerHex: string, items: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, ownerHex, items]))
    .digest('hex');
}

/** Thrown inside a transaction that found the key already answered: rolls the effect back. */
export class IdempotentReplay extends Error {
  constructor(readonly answer: ItemResult[]) {
    super('idempotent replay');
  }
}

interface StoredAnswer {
  operation: string;
  requestHash: string;
  answer: ItemResult[];
}

async function findAnswer(
  tx: Tx,
  scope: string,
  key: string,
  now: string,
): Promise<StoredAnswer | undefined> {
  const row = await tx.get(
    'SELECT operation, request_hash, answer FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND expires_at > ?',
    [scope, key, now],
  );
  if (row === undefined) return undefined;
  return {
    operation: textOf(row, 'operation'),
    requestHash: textOf(row, 'request_hash'),
    answer: JSON.parse(textOf(row, 'answer')) as ItemResult[],
  };
}

function checkSame(stored: StoredAnswer, operation: string, hash: string, key: string): ItemResult[] {
  if (stored.operation !== operation || stored.requestHash !== hash) {
    throw new DomainError(
      'idempotency_mismatch',
      `Idempotency-Key: "${key}" was used for another request (${stored.operation}); use a new key per operation`,
      { field: 'Idempotency-Key' },
    );
  }
  return stored.answer;
}

/** The remote's side of idempotency: look-up before, answer stored in the write's transaction. */
export class IdempotencyKeys {
  constructor(private readonly env: CoreEnv) {}

  /**
   * The stored answer for `key` of `scope` (the owner, 16 hex), if the same request was answered.
   * @throws DomainError('idempotency_mismatch') when the key answered another request.
   */
  async replay(
    scope: string,
    key: string,
    operation: string,
    hash: string,
  ): Promise<ItemResult[] | undefined> {
    const now = isoAt(this.env.clock.now());
    const stored = await this.env.store.read((tx) => findAnswer(tx, scope, key, now));
    return stored === undefined ? undefined : checkSame(stored, operation, hash, key);
  }

  /**
   * The commit hook: stores the answer of a keyed write in its own transaction (purging expired
   * keys), or throws {@link IdempotentReplay} when a concurrent retry answered first.
   */
  readonly hook = async (tx: Tx, c: OperationCommit): Promise<void> => {
    const key = c.ctx.idempotencyKey;
    if (key === undefined) return;
    const hash = requestHashOf(c.operation, c.owner.hex, c.items);
    await this.storeIn(tx, { scope: c.owner.hex, key, operation: c.operation, hash }, c.results, c.at);
  };

  /**
   * Stores the answer of a keyed write inside its transaction `tx` (purging expired keys) — the
   * commit hook's step, also used by writes that are not owner operations (factory records).
   * @throws IdempotentReplay when the key was answered meanwhile (the caller rolls back and
   *   answers the stored answer); DomainError('idempotency_mismatch') for another request.
   */
  async storeIn(
    tx: Tx,
    k: { scope: string; key: string; operation: string; hash: string },
    answer: readonly unknown[],
    at: string,
  ): Promise<void> {
    const stored = await findAnswer(tx, k.scope, k.key, at);
    if (stored !== undefined) throw new IdempotentReplay(checkSame(stored, k.operation, k.hash, k.key));
    await tx.run('DELETE FROM idempotency_keys WHERE expires_at <= ?', [at]);
    const expires = isoAt(Date.parse(at) + this.env.config.idempotency.ttlMs);
    await tx.run(
      'INSERT INTO idempotency_keys (scope, idem_key, operation, request_hash, answer, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [k.scope, k.key, k.operation, k.hash, JSON.stringify(answer), at, expires],
    );
  }
}
