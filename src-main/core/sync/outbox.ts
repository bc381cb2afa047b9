/**
 * The station's outbox (docs/sync.md "Push"): every local owner operation of the linked owner is
 * written to `sync_outbox` by a commit hook — in the transaction of its local effect — with a
 * stable operation id (a random UUID, the Idempotency-Key it is pushed with) and, per gateway, the
 * mirror's change seq it was based on (for conflict detection). Only the items the station itself
 * applied are queued; an operation the sync engine makes while applying remote state is not.
 * Factory personalization records (docs/sync.md "Factory records") are queued the same way by the
 * factory line, in the transaction of each unit step, whenever the station has a link.
 */
import { OUTBOX_STATES, type OutboxState } from '../../../src-shared/contract/sync-views';
import { euiHex, parseIdField } from '../../../src-shared/ids';
import type { ItemResult, RequestContext } from '../api';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { intOf, intOrNull, selectIn, textOf, textOrNull } from '../rows';
import type { FactoryRecord } from '../../../src-shared/contract/factory-records';
import type { OperationCommit, WriteOperation } from './commit';
import { takeSeqs } from './seq';

export { OUTBOX_STATES, type OutboxState } from '../../../src-shared/contract/sync-views';

/** What the outbox carries: the owner operations, and factory records (docs/sync.md). */
export type SyncOperation = WriteOperation | 'factory';

/** One outbox entry as the screens and the engine see it. */
export interface OutboxEntry {
  seq: number;
  opId: string;
  operation: SyncOperation;
  /** owner, 16 hex; null for factory records queued on a factory link (no owner) */
  ownerHex: string | null;
  /** the request items as pushed (claim PINs blanked once answered) */
  items: unknown[];
  /** gateway (16 hex) → mirror seq when the operation was made (0 = not in the mirror) */
  baseSeq: Record<string, number>;
  state: OutboxState;
  createdAt: string;
  attempts: number;
  answeredAt: string | null;
  /** the remote's answer: item results, or a whole-request error */
  answer: ItemResult[] | { status: number; error: string; code: string } | null;
  /** the remote's version where it conflicts: mirror entries of the gateways concerned */
  remote: unknown;
}

/** The principal id the sync engine acts under: its own writes never enter the outbox. */
export const SYNC_PRINCIPAL_ID = 'sync';

/** Formats random bytes as an RFC 4122 version-4 UUID. */
export function uuidOf(b: Uint8Array): string {
  const h = Array.from(b.slice(0, 16), (x, i) =>
    (i === 6 ? (x & 0x0f) | 0x40 : i === 8 ? (x & 0x3f) | 0x80 : x).toString(16).padStart(2, '0'),
  ).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The 16-hex gateway of a request item (delete/rotate items are plain ids). */
export function itemGatewayHex(item: unknown): string | undefined {
  const raw = typeof item === 'string' ? item : (item as { gateway?: unknown } | null)?.gateway;
  if (typeof raw !== 'string') return undefined;
  try {
    return euiHex(parseIdField(raw, 'gateway'));
  } catch {
    return undefined;
  }
}

/** Reads an entry from a `sync_outbox` row. */
export function outboxEntryOf(r: Record<string, unknown>): OutboxEntry {
  const row = r as Parameters<typeof textOf>[0];
  const answer = textOrNull(row, 'answer');
  const remote = textOrNull(row, 'remote');
  return {
    seq: intOf(row, 'seq'),
    opId: textOf(row, 'op_id'),
    operation: textOf(row, 'operation') as SyncOperation,
    ownerHex: textOrNull(row, 'owner_id'),
    items: JSON.parse(textOf(row, 'items')) as unknown[],
    baseSeq: JSON.parse(textOf(row, 'base_seq')) as Record<string, number>,
    state: textOf(row, 'state') as OutboxState,
    createdAt: textOf(row, 'created_at'),
    attempts: intOrNull(row, 'attempts') ?? 0,
    answeredAt: textOrNull(row, 'answered_at'),
    answer: answer === null ? null : (JSON.parse(answer) as OutboxEntry['answer']),
    remote: remote === null ? null : (JSON.parse(remote) as unknown),
  };
}

/** The outbox writer: a commit hook active while the station holds a remote link. */
export class Outbox {
  /** owner (16 hex) whose operations are queued; null = no link or a factory link */
  #owner: string | null = null;
  /** the station has a link: factory records are queued */
  #linked = false;

  constructor(private readonly env: CoreEnv) {}

  /**
   * Starts or stops queueing: `undefined` = no link (nothing queued); `{ownerHex: null}` = a
   * factory link (factory records only); an owner = its operations and factory records.
   */
  setLink(link: { ownerHex: string | null } | undefined): void {
    this.#linked = link !== undefined;
    this.#owner = link?.ownerHex ?? null;
  }

  /**
   * The factory line's record sink: queues the records of one unit step inside that step's
   * transaction `tx` (so a step that rolls back queues nothing), when the station has a link.
   * One outbox operation per call, pushed to `factory/records` in order.
   */
  readonly factoryRecords = async (tx: Tx, records: readonly FactoryRecord[]): Promise<void> => {
    if (!this.#linked || records.length === 0) return;
    await this.enqueue(tx, 'factory', this.#owner, records, records[0]!.at);
  };

  /**
   * True when an operation of `ownerHex` by `ctx` is queued: the linked owner, not the sync
   * engine's own writes. Such a claim may be recorded as pending (docs/sync.md "Offline claims").
   */
  queues(ownerHex: string, ctx: RequestContext): boolean {
    return (
      this.#owner !== null &&
      ownerHex === this.#owner &&
      !(ctx.principal.kind === 'system' && ctx.principal.id === SYNC_PRINCIPAL_ID)
    );
  }

  /** The commit hook (registered on the core's {@link CoreEnv.commitHooks}). */
  readonly hook = async (tx: Tx, c: OperationCommit): Promise<void> => {
    if (!this.queues(c.owner.hex, c.ctx)) return;
    const appliedAt = c.items.flatMap((_, i) =>
      c.results[i] !== undefined && c.results[i]!.code === undefined ? [i] : [],
    );
    if (appliedAt.length === 0) return;
    const opId = await this.enqueue(
      tx,
      c.operation,
      c.owner.hex,
      appliedAt.map((i) => c.items[i]),
      c.at,
    );
    // offline claims: pending until the remote answers this operation
    for (const i of appliedAt) {
      const hex = c.results[i]!.pending === true ? itemGatewayHex(c.items[i]) : undefined;
      if (hex === undefined) continue;
      await tx.run(
        `INSERT INTO sync_claims (eui, owner_id, op_id, state, message, created_at, answered_at)
         VALUES (?, ?, ?, 'pending', NULL, ?, NULL)
         ON CONFLICT (eui) DO UPDATE SET owner_id = excluded.owner_id, op_id = excluded.op_id,
           state = 'pending', message = NULL, created_at = excluded.created_at, answered_at = NULL`,
        [hex, c.owner.hex, opId, c.at],
      );
    }
  };

  /** Queues one operation inside `tx`; returns its operation id. */
  async enqueue(
    tx: Tx,
    operation: SyncOperation,
    ownerHex: string | null,
    items: readonly unknown[],
    at: string,
  ): Promise<string> {
    // factory records are not based on the owner's mirror: no conflict check (engine.ts)
    const hexes =
      operation === 'factory'
        ? []
        : [...new Set(items.map(itemGatewayHex).filter((h): h is string => h !== undefined))];
    const base: Record<string, number> = {};
    for (const h of hexes) base[h] = 0;
    for (const r of await selectIn(
      tx,
      (p) => `SELECT eui, seq FROM sync_mirror WHERE eui IN (${p})`,
      hexes,
    )) {
      base[textOf(r, 'eui')] = intOf(r, 'seq');
    }
    // pushed in seq order: seqs in commit order (seq.ts)
    const seq = await takeSeqs(tx, 'sync_outbox', 1);
    const opId = uuidOf(this.env.random.bytes(16));
    await tx.run(
      `INSERT INTO sync_outbox (seq, op_id, operation, owner_id, items, base_seq, state, created_at, attempts)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, 0)`,
      [seq, opId, operation, ownerHex, JSON.stringify(items), JSON.stringify(base), at],
    );
    return opId;
  }

  /** Entries in seq order, optionally of some states only, at most `limit`, after `afterSeq`. */
  async list(
    filter: { states?: readonly OutboxState[]; afterSeq?: number; limit?: number } = {},
  ): Promise<OutboxEntry[]> {
    const states = filter.states ?? OUTBOX_STATES;
    const rows = await this.env.store.read((tx) =>
      tx.all(
        `SELECT * FROM sync_outbox WHERE state IN (${states.map(() => '?').join(', ')}) AND seq > ? ORDER BY seq LIMIT ?`,
        [...states, filter.afterSeq ?? 0, filter.limit ?? 1000],
      ),
    );
    return rows.map(outboxEntryOf);
  }

  /** Number of entries per state. */
  async counts(): Promise<Record<OutboxState, number>> {
    const out = Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
    const rows = await this.env.store.read((tx) =>
      tx.all('SELECT state, COUNT(*) AS n FROM sync_outbox GROUP BY state'),
    );
    for (const r of rows) out[textOf(r, 'state') as OutboxState] = intOf(r, 'n');
    return out;
  }

  /** When the oldest entry still `pending` (not yet answered by the remote) was made; null: none. */
  async oldestPendingAt(): Promise<string | null> {
    const row = await this.env.store.read((tx) =>
      tx.get("SELECT MIN(created_at) AS at FROM sync_outbox WHERE state = 'pending'"),
    );
    return row === undefined ? null : textOrNull(row, 'at');
  }

  /** ISO time now (the engine's answers use the core's clock). */
  now(): string {
    return isoAt(this.env.clock.now());
  }
}
