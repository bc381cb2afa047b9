/**
 * Token generation retirement (SPEC §2 "rotation without lock-out"): generation g of a batch
 * gateway is retired once the gateway shows it holds a newer one — it authenticated with g + 1, or,
 * while a rotation is in flight, it reports the CRC of the server-issued cupsCred that carries the
 * target generation. Until then g and g + 1 are both accepted, so a gateway that never picks up
 * g + 1 keeps working with g.
 *
 * {@link planRetire} decides without the store or the HSM; {@link applyRetire} writes the decision as a
 * compare-and-set on the generation and target it was planned from, so a concurrent rotation, a
 * second poll or another server instance on the same database never makes it retire twice or
 * overwrite a newer target.
 */
import type { GatewayRow } from '../gateways/rows';
import type { Tx } from '../ports';
import { recordRotationDone, type RotationCompletion } from '../rotation/history';
import type { CupsAudit, Credential } from './authenticate';

/** The store write that retires generation `from` (an effect of the CUPS plan). */
export interface RetireEffect {
  kind: 'retire';
  /** 16 hex */
  eui: string;
  /** the generation retired (the stored `token_generation` the plan saw) */
  from: number;
  /** the new accepted generation */
  to: number;
  /** the stored `token_target` the plan saw */
  targetBefore: number;
  /** the new `token_target` (never below `to`) */
  target: number;
  how: RotationCompletion;
}

/** What {@link planRetire} looks at. */
interface RetireInput {
  row: GatewayRow;
  /** how the request authenticated; undefined = plain HTTP */
  credential: Credential | undefined;
  /** the cupsCred CRC the station reported (SPEC §3.1) */
  reportedCupsCredCrc: number;
  /**
   * CRC of the server-issued cupsCred carrying the row's `token_target` (SPEC §3.6 last paragraph);
   * null when the server issues none for this gateway (then only authentication can retire)
   */
  targetCredCrc: number | null;
}

/** The generation the desired cupsCred carries, and the retirement to write (if any). */
interface RetirePlan {
  target: number;
  effect: RetireEffect | undefined;
}

/** Decides whether this request retires a generation (see the module comment). Pure. */
export function planRetire(input: RetireInput): RetirePlan {
  const { row, credential } = input;
  const g = row.tokenGeneration;
  let to: number | undefined;
  let how: RotationCompletion = 'auth';
  if (row.origin !== 'batch') to = undefined;
  else if (credential?.kind === 'token' && credential.generation === g + 1) to = credential.generation;
  else if (
    row.tokenTarget > g &&
    input.targetCredCrc !== null &&
    input.targetCredCrc === input.reportedCupsCredCrc
  ) {
    to = row.tokenTarget;
    how = 'crc';
  }
  if (to === undefined) return { target: row.tokenTarget, effect: undefined };
  const target = Math.max(row.tokenTarget, to);
  return {
    target,
    effect: { kind: 'retire', eui: row.eui, from: g, to, targetBefore: row.tokenTarget, target, how },
  };
}

/**
 * Writes a planned retirement inside the CUPS transaction. Returns its audit entry, or undefined
 * when the stored generation or target moved since the plan (nothing written: that writer won).
 */
export async function applyRetire(tx: Tx, e: RetireEffect, at: string): Promise<CupsAudit | undefined> {
  const { changes } = await tx.run(
    `UPDATE gateways SET token_generation = ?, token_target = ?
     WHERE eui = ? AND token_generation = ? AND token_target = ?`,
    [e.to, e.target, e.eui, e.from, e.targetBefore],
  );
  if (changes === 0) return undefined;
  await recordRotationDone(tx, e.eui, e.from, e.to, e.how, at);
  return { action: 'token.retire', detail: { retired: e.from, current: e.to, how: e.how } };
}
