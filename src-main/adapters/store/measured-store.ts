/**
 * A {@link Store} that times every write transaction (begin to durable commit) for `/metrics`
 * (docs/server-mode.md), around either adapter. Reads and the wrapped store's behaviour are
 * unchanged.
 */
import type { Durability, Store, Tx } from '../../core/ports';

/** Told the duration (seconds) and durability of every finished write transaction, failed ones too. */
type TransactionObserver = (seconds: number, durability: Durability) => void;

/** The wrapper (see the module comment). */
export class MeasuredStore implements Store {
  readonly #observers = new Set<TransactionObserver>();

  constructor(readonly inner: Store) {}

  /** Adds an observer; returns the function that removes it. */
  onTransaction(observer: TransactionObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.inner.read(fn);
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { durability?: Durability }): Promise<T> {
    if (this.#observers.size === 0) return this.inner.transaction(fn, options);
    const started = performance.now();
    try {
      return await this.inner.transaction(fn, options);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      for (const o of this.#observers) o(seconds, options?.durability ?? 'full');
    }
  }

  checkpoint(): Promise<void> {
    return this.inner.checkpoint();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
