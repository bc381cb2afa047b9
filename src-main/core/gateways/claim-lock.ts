/**
 * How long a claim lockout (docs/owner-api.md "claim lockout") still lasts: the failures of the
 * sliding window expire one by one, so a locked gateway (or owner) may try again when enough of
 * them have aged out to bring the count below the limit.
 */
import { DomainError } from '../../../src-shared/errors';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { textOf } from '../rows';

/**
 * Seconds until the `column = value` failures in the window drop below `max` (at least 1), given
 * that there are `count` ≥ `max` of them now.
 */
export async function lockSecondsLeft(
  env: CoreEnv,
  tx: Tx,
  column: 'eui' | 'owner_id',
  value: string,
  count: number,
  max: number,
): Promise<number> {
  const { windowMs } = env.config.claimLockout;
  const now = env.clock.now();
  const row = await tx.get(
    `SELECT at FROM claim_failures WHERE ${column} = ? AND at >= ? ORDER BY at LIMIT 1 OFFSET ?`,
    [value, isoAt(now - windowMs), Math.max(0, count - max)],
  );
  const expires = row === undefined ? now : Date.parse(textOf(row, 'at')) + windowMs;
  return Math.max(1, Math.ceil((expires - now) / 1000));
}

/** "12 min" / "40 s": the time left in words for a message. */
export function spanInWords(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

/** The `claim_locked` error of gateway `id6`, with the time left (`retryAfterSeconds`). */
export function claimLocked(id6: string, seconds: number): DomainError {
  return new DomainError(
    'claim_locked',
    `gateway ${id6} is locked after too many wrong claim PINs; try again in ${spanInWords(seconds)}`,
    { gateway: id6, retryAfterSeconds: seconds },
  );
}
