/**
 * What CUPS needs of a gateway on every poll (SPEC §3.6), cached so an in-sync poll reads nothing
 * from the store: the gateway row (owner, origin, token generation and target, an added gateway's
 * token digest) and the setup digest (URIs, blob CRCs, firmware fields) — no credential bytes.
 *
 * Correctness rests on two rules:
 * - every write that changes either part calls {@link GatewayStateCache.invalidate} (Owner API
 *   claim, setup, delete, add, rotate through `OwnerOperations`; CUPS itself after retiring a
 *   generation or delivering firmware);
 * - a value read from the store is only cached when no invalidation happened since the read began
 *   ({@link GatewayStateCache.epoch} before, {@link GatewayStateCache.fill} after), so a read that
 *   raced with a write never caches the old state.
 * This holds within one process, which the sql.js store guarantees (one writer per data directory,
 * DESIGN §3). Several processes sharing a database (the future PostgreSQL adapter) need another
 * scheme (see the core README, "Decisions").
 */
import { gatewayRowOf, GATEWAY_COLUMNS, type GatewayRow } from '../gateways/rows';
import { setupDigestOf, SETUP_DIGEST_COLUMNS, type SetupDigest } from '../gateways/setup-rows';
import type { Tx } from '../ports';

/** A gateway as CUPS sees it; `row` undefined = not claimed and never seen by the Owner API. */
export interface GatewayState {
  readonly row: GatewayRow | undefined;
  readonly setup: SetupDigest | undefined;
}

/** The gateway's state as CUPS reads it (SPEC §3.6): one indexed read, no credential bytes. */
export async function readGatewayState(tx: Tx, hex: string): Promise<GatewayState> {
  const found = await tx.get(
    `SELECT ${GATEWAY_COLUMNS}, ${SETUP_DIGEST_COLUMNS}
     FROM gateways g LEFT JOIN setups s ON s.eui = g.eui WHERE g.eui = ?`,
    [hex],
  );
  return found === undefined
    ? { row: undefined, setup: undefined }
    : { row: gatewayRowOf(found), setup: setupDigestOf(found) };
}

/** LRU map gateway (16 hex) → {@link GatewayState}, with an invalidation epoch. */
export class GatewayStateCache {
  readonly #states = new Map<string, GatewayState>();
  /** the key inserted last (already the most recently used): moving it again is skipped */
  #newest: string | undefined;
  #epoch = 0;

  constructor(private readonly maxGateways: number) {}

  /** Changes with every invalidation; pass the value read before a store read to {@link fill}. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The cached state of `hex`, marking it recently used. */
  get(hex: string): GatewayState | undefined {
    const hit = this.#states.get(hex);
    if (hit !== undefined) {
      if (this.#newest !== hex) {
        // delete + set leaves a deleted slot in the Map: not done on every poll of the same gateway
        this.#states.delete(hex);
        this.#states.set(hex, hit);
        this.#newest = hex;
      }
    }
    return hit;
  }

  /**
   * Caches a state read from the store, unless an invalidation happened since `epoch` was taken
   * (the read may predate that write).
   */
  fill(hex: string, state: GatewayState, epoch: number): void {
    if (epoch !== this.#epoch || this.maxGateways === 0) return;
    this.#states.delete(hex);
    while (this.#states.size >= this.maxGateways) {
      const oldest = this.#states.keys().next();
      if (oldest.done === true) break;
      this.#states.delete(oldest.value);
    }
    this.#states.set(hex, state);
    this.#newest = hex;
  }

  /** Drops the state of `hex` (its row or setup changed, or is about to). */
  invalidate(hex: string): void {
    this.#epoch++;
    this.#states.delete(hex);
  }

  /** Drops everything. */
  clear(): void {
    this.#epoch++;
    this.#states.clear();
  }

  /** Number of gateways held. */
  get size(): number {
    return this.#states.size;
  }
}
