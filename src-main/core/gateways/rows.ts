/**
 * Stored gateway rows (SPEC §2 batch/added gateways) and the ownership rule every owner operation
 * but `claim` and `add` applies: the gateway must be claimed by the acting owner.
 */
import type { OwnerRef } from '../authorize';
import type { Batch } from '../batches';
import type { SqlRow, Tx } from '../ports';
import { bytesOrNull, intOf, selectIn, textOf, textOrNull } from '../rows';
import { itemError } from './items';

/** One row of `gateways`. */
export interface GatewayRow {
  /** 16 uppercase hex digits */
  eui: string;
  origin: 'batch' | 'added';
  batchId: string | null;
  /** owner as 16 hex, null when not claimed */
  ownerId: string | null;
  claimedAt: string | null;
  flavor: string | null;
  /** added gateways: SHA-256 of the token */
  tokenHash: Uint8Array | null;
  tokenGeneration: number;
  tokenTarget: number;
  createdAt: string;
}

/** Columns of {@link GatewayRow}, for SELECTs (aliased `g`). */
export const GATEWAY_COLUMNS =
  'g.eui, g.origin, g.batch_id, g.owner_id, g.claimed_at, g.flavor, g.token_hash, g.token_generation, g.token_target, g.created_at';

/** Reads a {@link GatewayRow} from a row holding {@link GATEWAY_COLUMNS}. */
export function gatewayRowOf(r: SqlRow): GatewayRow {
  return {
    eui: textOf(r, 'eui'),
    origin: textOf(r, 'origin') === 'added' ? 'added' : 'batch',
    batchId: textOrNull(r, 'batch_id'),
    ownerId: textOrNull(r, 'owner_id'),
    claimedAt: textOrNull(r, 'claimed_at'),
    flavor: textOrNull(r, 'flavor'),
    tokenHash: bytesOrNull(r, 'token_hash'),
    tokenGeneration: intOf(r, 'token_generation'),
    tokenTarget: intOf(r, 'token_target'),
    createdAt: textOf(r, 'created_at'),
  };
}

/** The stored rows of the given gateways (16-hex keys), by key. */
export async function loadGateways(tx: Tx, hexes: readonly string[]): Promise<Map<string, GatewayRow>> {
  const rows = await selectIn(
    tx,
    (p) => `SELECT ${GATEWAY_COLUMNS} FROM gateways g WHERE g.eui IN (${p})`,
    hexes,
  );
  const map = new Map<string, GatewayRow>();
  for (const r of rows) {
    const g = gatewayRowOf(r);
    map.set(g.eui, g);
  }
  return map;
}

/**
 * Requires that `owner` holds the gateway (SPEC §4.2). Only an admin caller (`detailed`) learns
 * why not; anyone else gets the same `not_found` for an unknown gateway, one nobody holds and one
 * another owner holds, so an owner cannot map which ids exist or are claimed — the claim path tells
 * `claimed_by_other` only to a caller who knows the PIN (docs/security.md "Enumeration").
 * @throws DomainError('not_found') for a non-admin caller, whatever the reason; for an admin:
 *   ('not_found') unknown outside every batch, ('not_claimed') a batch gateway nobody holds,
 *   ('claimed_by_other') held by another owner.
 */
export function requireOwned(
  row: GatewayRow | undefined,
  batch: Batch | undefined,
  owner: OwnerRef,
  id6: string,
  detailed: boolean,
): GatewayRow {
  if (row !== undefined && row.ownerId !== null && row.ownerId === owner.hex) return row;
  if (!detailed) throw itemError('not_found', id6, `is not a gateway of owner ${owner.id6}`);
  if (row === undefined) {
    throw batch === undefined
      ? itemError('not_found', id6, 'is unknown (outside every batch and not added)')
      : itemError('not_claimed', id6, 'is not claimed');
  }
  if (row.ownerId === null) throw itemError('not_claimed', id6, 'is not claimed');
  throw itemError('claimed_by_other', id6, 'is claimed by another owner');
}
