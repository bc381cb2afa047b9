/**
 * The change feed (docs/sync.md "Pull"): every Owner API write moves each gateway it changed to a
 * new sequence number in the acting owner's feed (`gateway_changes`, one row per owner and
 * gateway, so the feed is compacted). `POST /api/v1/gateway/changes {ownerid, after, limit}` reads
 * the owner's entries after a cursor, each with the gateway's state as of the read — or `state:
 * null` when the owner no longer holds it (deleted, or moved to another owner). A reader that
 * applies a page and stores `next` only after its own commit never misses a change.
 */
import { DomainError } from '../../../src-shared/errors';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import type { OwnerRef } from '../authorize';
import type { CoreEnv } from '../env';
import type { SqlRow, Tx } from '../ports';
import { BatchInsert, intOf, intOrNull, textOf, textOrNull } from '../rows';
import type { OperationCommit } from './commit';
import { takeSeqs } from './seq';

/** One gateway's state in the feed: what the owner's station mirrors (no secret). */
export interface GatewayChangeState {
  origin: 'batch' | 'added';
  claimedAt: string | null;
  tokenGeneration: number;
  tokenTarget: number;
  setup: {
    cupsUri: string | null;
    cupsCrc: number | null;
    lnsUri: string | null;
    lnsCrc: number | null;
    fwcrc: number | null;
    fwafter: string | null;
    updatedAt: string;
  } | null;
}

/** One entry of the feed. */
export interface GatewayChange {
  /** position in the owner's feed (decimal text: a cursor) */
  seq: string;
  gateway: string;
  /** the operation that made the latest change */
  kind: string;
  /** the Idempotency-Key of that operation, if it had one */
  opId: string | null;
  at: string;
  /** null: the owner no longer holds the gateway */
  state: GatewayChangeState | null;
}

/** A page of the feed; `next` is the cursor to pass as `after`, `more` whether a full page followed. */
export interface ChangesPage {
  changes: GatewayChange[];
  next: string;
  more: boolean;
}

/** The commit hook that writes the feed entries of one write operation. */
export async function recordChanges(tx: Tx, c: OperationCommit): Promise<void> {
  if (c.changed.length === 0) return;
  const euis = [...new Set(c.changed)];
  // seqs in commit order across instances (seq.ts): a reader never passes one still in flight
  let seq = (await takeSeqs(tx, 'gateway_changes', euis.length)) - 1;
  const upsert = new BatchInsert(
    tx,
    'INSERT INTO gateway_changes (seq, owner_id, eui, kind, op_id, at) VALUES',
    '(?, ?, ?, ?, ?, ?)',
    'ON CONFLICT (owner_id, eui) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, op_id = excluded.op_id, at = excluded.at',
  );
  for (const eui of euis) {
    await upsert.add([++seq, c.owner.hex, eui, c.operation, c.ctx.idempotencyKey ?? null, c.at]);
  }
  await upsert.flush();
}

/** Parses a cursor: '' or absent = from the start. @throws DomainError('invalid_request') naming `after`. */
function cursorOf(after: string | undefined): number {
  if (after === undefined || after === '') return 0;
  if (!/^(0|[1-9][0-9]{0,14})$/.test(after)) {
    throw new DomainError(
      'invalid_request',
      `after: ${JSON.stringify(after.slice(0, 40))} is not a cursor of this feed`,
      {
        field: 'after',
      },
    );
  }
  return Number(after);
}

/** The columns {@link changeStateOf} reads: a gateway joined with its setup. */
export const GATEWAY_STATE_COLUMNS = `g.owner_id, g.origin, g.claimed_at, g.token_generation, g.token_target,
  s.updated_at AS setup_at, s.cups_uri, s.cups_cred_crc, s.lns_uri, s.lns_cred_crc, s.fw_crc, s.fw_after`;

/**
 * A gateway's state as the feed shows it to `ownerHex` (a row of {@link GATEWAY_STATE_COLUMNS}):
 * null when that owner does not hold it. Also the station's local side of the conflict view.
 */
export function changeStateOf(row: SqlRow, ownerHex: string): GatewayChangeState | null {
  if (textOrNull(row, 'owner_id') !== ownerHex) return null;
  const setupAt = textOrNull(row, 'setup_at');
  return {
    origin: textOf(row, 'origin') === 'added' ? 'added' : 'batch',
    claimedAt: textOrNull(row, 'claimed_at'),
    tokenGeneration: intOf(row, 'token_generation'),
    tokenTarget: intOf(row, 'token_target'),
    setup:
      setupAt === null
        ? null
        : {
            cupsUri: textOrNull(row, 'cups_uri'),
            cupsCrc: intOrNull(row, 'cups_cred_crc'),
            lnsUri: textOrNull(row, 'lns_uri'),
            lnsCrc: intOrNull(row, 'lns_cred_crc'),
            fwcrc: intOrNull(row, 'fw_crc'),
            fwafter: textOrNull(row, 'fw_after'),
            updatedAt: setupAt,
          },
  };
}

/**
 * Reads one page of `owner`'s feed after the cursor `after`.
 * @throws DomainError('invalid_request') for a bad `after` or `limit`.
 */
export async function readChanges(
  env: CoreEnv,
  owner: OwnerRef,
  options: { after?: string | undefined; limit?: number | undefined },
): Promise<ChangesPage> {
  const { default: byDefault, max } = env.config.changesLimit;
  const limit = options.limit ?? byDefault;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new DomainError('invalid_request', `limit: ${String(limit)} is not an integer 1–${max}`, {
      field: 'limit',
    });
  }
  const after = cursorOf(options.after);
  const rows = await env.store.read((tx) =>
    tx.all(
      `SELECT c.seq, c.eui, c.kind, c.op_id, c.at, ${GATEWAY_STATE_COLUMNS}
         FROM gateway_changes c
         LEFT JOIN gateways g ON g.eui = c.eui
         LEFT JOIN setups s ON s.eui = c.eui
        WHERE c.owner_id = ? AND c.seq > ?
        ORDER BY c.seq
        LIMIT ?`,
      [owner.hex, after, limit + 1],
    ),
  );
  const page = rows.slice(0, limit);
  const changes = page.map((r): GatewayChange => ({
    seq: String(intOf(r, 'seq')),
    gateway: formatId6(euiFromHex(textOf(r, 'eui'))),
    kind: textOf(r, 'kind'),
    opId: textOrNull(r, 'op_id'),
    at: textOf(r, 'at'),
    state: changeStateOf(r, owner.hex),
  }));
  const last = changes[changes.length - 1];
  return { changes, next: last === undefined ? String(after) : last.seq, more: rows.length > limit };
}
