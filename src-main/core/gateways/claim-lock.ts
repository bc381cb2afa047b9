/**
 * The claim lockout (docs/security.md "Claim lockout", docs/owner-api.md): wrong PINs in the sliding
 * window are counted per (gateway, owner) — one owner's failures never lock a gateway against
 * another —, per gateway over all owners up to a ceiling one owner cannot reach alone, and per
 * owner over all gateways. The failures expire one by one, so a lock ends when enough of them have
 * aged out to bring every exceeded count below its limit; the locked answer says when.
 */
import { DomainError } from '../../../src-shared/errors';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { intOf, textOf } from '../rows';

/** The three lockout counts of one claim try (failures in the window). */
interface LockCounts {
  /** of this owner on this gateway */
  pair: number;
  /** of all owners on this gateway */
  gateway: number;
  /** of this owner on all gateways */
  owner: number;
}

/** The configured limits as {@link LockCounts}. */
export function lockLimits(env: CoreEnv): LockCounts {
  const c = env.config.claimLockout;
  return { pair: c.perGateway, gateway: c.perGatewayAllOwners, owner: c.perOwner };
}

/** True when any count has reached its limit. */
export function isLocked(limits: LockCounts, c: LockCounts): boolean {
  return c.pair >= limits.pair || c.gateway >= limits.gateway || c.owner >= limits.owner;
}

/** Reads the counts of one gateway (16 hex) and owner (16 hex) in the window. */
export async function readLockCounts(env: CoreEnv, tx: Tx, eui: string, owner: string): Promise<LockCounts> {
  const since = isoAt(env.clock.now() - env.config.claimLockout.windowMs);
  const gw = await tx.get(
    'SELECT COUNT(*) AS n, SUM(CASE WHEN owner_id = ? THEN 1 ELSE 0 END) AS mine FROM claim_failures WHERE eui = ? AND at >= ?',
    [owner, eui, since],
  );
  const own = await tx.get('SELECT COUNT(*) AS n FROM claim_failures WHERE owner_id = ? AND at >= ?', [
    owner,
    since,
  ]);
  return {
    pair: Number(gw?.mine ?? 0),
    gateway: gw === undefined ? 0 : intOf(gw, 'n'),
    owner: own === undefined ? 0 : intOf(own, 'n'),
  };
}

/**
 * Seconds (≥ 1) until every exceeded count of `counts` is below its limit: a count n ≥ limit drops
 * below it when its (n − limit + 1)-th oldest failure leaves the window.
 */
export async function lockSecondsLeft(
  env: CoreEnv,
  tx: Tx,
  eui: string,
  owner: string,
  counts: LockCounts,
): Promise<number> {
  const { windowMs } = env.config.claimLockout;
  const limits = lockLimits(env);
  const now = env.clock.now();
  const since = isoAt(now - windowMs);
  const checks: [number, number, string, string[]][] = [
    [counts.pair, limits.pair, 'eui = ? AND owner_id = ?', [eui, owner]],
    [counts.gateway, limits.gateway, 'eui = ?', [eui]],
    [counts.owner, limits.owner, 'owner_id = ?', [owner]],
  ];
  let until = now;
  for (const [n, limit, where, params] of checks) {
    if (n < limit) continue;
    const row = await tx.get(
      `SELECT at FROM claim_failures WHERE ${where} AND at >= ? ORDER BY at LIMIT 1 OFFSET ?`,
      [...params, since, n - limit],
    );
    if (row !== undefined) until = Math.max(until, Date.parse(textOf(row, 'at')) + windowMs);
  }
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/** "12 min" / "40 s": the time left in words for a message. */
function spanInWords(seconds: number): string {
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
