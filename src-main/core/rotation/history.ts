/**
 * CUPS token rotation records (SPEC §2 "rotation without lock-out"). A rotation g → g + 1 starts
 * with the Owner API `rotate` (the gateway's `token_target` becomes g + 1: CUPS delivers the
 * cups.key of g + 1 and accepts both g and g + 1) and completes when the gateway shows it holds
 * g + 1 — it authenticates with it, or reports the CRC of the g + 1 cupsCred — and g is retired.
 * One row per rotation in `token_rotations`; `info` shows the state and the history.
 */
import type { RotationRecord, RotationView } from '../../../src-shared/contract/shapes';
import type { SqlRow, Tx } from '../ports';
import { intOf, selectIn, textOf, textOrNull } from '../rows';

/**
 * How a rotation completed: `auth`, the gateway authenticated with the new token; `crc`, it
 * reported the CRC of the cupsCred carrying the new token.
 */
export type RotationCompletion = NonNullable<RotationRecord['completedHow']>;

/** Most history entries `info` shows per gateway. */
const ROTATION_HISTORY_LIMIT = 20;

/** Records the start of a rotation (inside the transaction that arms `token_target`). */
export async function recordRotationStart(
  tx: Tx,
  hex: string,
  from: number,
  to: number,
  actor: string,
  at: string,
): Promise<void> {
  await tx.run(
    `INSERT INTO token_rotations (eui, to_gen, from_gen, started_at, started_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (eui, to_gen) DO NOTHING`,
    [hex, to, from, at, actor],
  );
}

/**
 * Records the completion of a rotation (inside the transaction that retires g). A gateway that
 * moved to g + 1 without a started rotation (it derived the token from its GMK) gets a row too.
 */
export async function recordRotationDone(
  tx: Tx,
  hex: string,
  from: number,
  to: number,
  how: RotationCompletion,
  at: string,
): Promise<void> {
  await tx.run(
    `INSERT INTO token_rotations (eui, to_gen, from_gen, started_at, started_by, completed_at, completed_how)
     VALUES (?, ?, ?, ?, 'gateway', ?, ?)
     ON CONFLICT (eui, to_gen) DO UPDATE SET completed_at = excluded.completed_at,
       completed_how = excluded.completed_how WHERE token_rotations.completed_at IS NULL`,
    [hex, to, from, at, at, how],
  );
}

function recordOf(r: SqlRow): RotationRecord {
  const how = textOrNull(r, 'completed_how');
  return {
    from: intOf(r, 'from_gen'),
    to: intOf(r, 'to_gen'),
    startedAt: textOf(r, 'started_at'),
    startedBy: textOf(r, 'started_by'),
    completedAt: textOrNull(r, 'completed_at'),
    completedHow: how === 'auth' || how === 'crc' ? how : null,
  };
}

/** Rotation history of the given gateways (16-hex keys), newest first, at most {@link ROTATION_HISTORY_LIMIT} each. */
export async function loadRotations(
  tx: Tx,
  hexes: readonly string[],
): Promise<Map<string, RotationRecord[]>> {
  const rows = await selectIn(
    tx,
    (p) =>
      `SELECT eui, to_gen, from_gen, started_at, started_by, completed_at, completed_how FROM token_rotations
       WHERE eui IN (${p}) ORDER BY eui, to_gen DESC`,
    hexes,
  );
  const out = new Map<string, RotationRecord[]>();
  for (const r of rows) {
    const list = out.get(textOf(r, 'eui')) ?? [];
    if (list.length < ROTATION_HISTORY_LIMIT) list.push(recordOf(r));
    out.set(textOf(r, 'eui'), list);
  }
  return out;
}

/**
 * The rotation view of a gateway: its generations and the history since `since` (the current
 * owner's claim time — an earlier owner's rotations are not shown).
 */
export function rotationView(
  generation: number,
  target: number,
  history: readonly RotationRecord[],
  since: string | null,
): RotationView {
  return {
    state: target > generation ? 'in_flight' : 'idle',
    generation,
    target,
    history: history.filter((h) => since === null || h.startedAt >= since || (h.completedAt ?? '') >= since),
  };
}
