/**
 * `claim` (SPEC §4.2): a claim string is the gateway's PIN (SPEC §2), normalized and compared in
 * constant time with the PIN the HSM derives from the batch root key. Re-claim by the holder is
 * idempotent; another owner's gateway answers `claimed_by_other` (only to a caller who knows the
 * PIN). Wrong PINs are recorded and audited; beyond the configured number per gateway or per owner
 * in the sliding window, tries answer `claim_locked` without looking at the PIN.
 *
 * A bulk claim runs in one store transaction: PINs are derived before it (one HSM HMAC each), the
 * rows and failure counts of all items are read with a few `IN (…)` queries, then each item costs
 * one or two statements.
 *
 * Lockout (docs/security.md "Claim lockout"): wrong PINs count per (gateway, owner) — another
 * owner's failures never lock a gateway against its rightful owner —, per gateway over all owners
 * up to a ceiling one owner cannot reach alone, and per owner over all gateways. All counts are in
 * the store (`claim_failures`), so they hold across restarts and instances. A locked answer says
 * how long is left; an admin can lift a lock (`unlockClaims`, audited).
 */
import { euiHex, formatId6 } from '../../../src-shared/ids';
import { normalizePin, constantTimeEqual } from '../../../src-shared/pin';
import { ClaimItemSchema } from '../../../src-shared/contract/gateway-ops';
import type { ClaimItem, ItemResult, RequestContext } from '../api';
import { auditWriter } from '../audit';
import type { OwnerRef } from '../authorize';
import type { Batch, Batches } from '../batches';
import { isoAt, type CoreEnv } from '../env';
import { claimPinFromGmk, deriveGmk } from '../kdf';
import { BatchInsert, intOf, selectIn, textOf } from '../rows';
import { claimLocked, isLocked, lockLimits, lockSecondsLeft } from './claim-lock';
import { checkItems, failItem, itemError, type ItemTarget } from './items';
import { eachItem, runItemWrite } from './item-write';
import { loadGateways } from './rows';

interface ClaimWork extends ItemTarget {
  pin: string;
  batch: Batch | undefined;
  /** the PIN derived through the HSM (batch gateways) */
  expected: string | undefined;
}

/**
 * Whether a claim of a gateway outside every local batch may be recorded as pending for the remote
 * to verify (docs/sync.md "Offline claims": a station linked to this owner, without the root key).
 */
export type OfflineClaimPolicy = (owner: OwnerRef, ctx: RequestContext) => boolean;

/**
 * Claims gateways for `owner`; one answer per item, in request order. With `offline` allowing it,
 * a gateway outside every local batch that nobody holds here is claimed locally and answered
 * `pending: true`: its PIN goes to the remote with the outbox operation (never checked here).
 */
export async function claimGateways(
  env: CoreEnv,
  batches: Batches,
  onChanged: (hex: string) => void,
  ctx: RequestContext,
  owner: OwnerRef,
  items: readonly ClaimItem[],
  offline?: OfflineClaimPolicy,
): Promise<ItemResult[]> {
  const pendingAllowed = offline?.(owner, ctx) === true;
  const { results, targets } = checkItems(env, items, ClaimItemSchema);
  const batchOf = await batches.snapshot();
  const work: ClaimWork[] = [];
  for (const t of targets) {
    try {
      const pin = normalizePin(t.item.claim, 'claim');
      // fields named, not spread: a spread costs ≈ 2.5 µs per item here (docs/performance.md)
      const { index, id, hex, id6 } = t;
      work.push({ index, id, hex, id6, pin, batch: batchOf(id), expected: undefined });
    } catch (e) {
      failItem(results[t.index]!, e);
    }
  }
  for (const w of work) {
    if (w.batch === undefined) continue;
    const gmk = await deriveGmk(env.hsm, w.batch.brkHandle, w.id);
    try {
      w.expected = claimPinFromGmk(gmk);
    } finally {
      gmk.fill(0);
    }
  }

  const { windowMs } = env.config.claimLockout;
  return runItemWrite(env, { operation: 'claim', owner, ctx, items, results, onChanged }, async (scope) => {
    const { tx, now, at, audit, changed } = scope;
    const since = isoAt(now - windowMs);
    await tx.run('DELETE FROM claim_failures WHERE at < ?', [since]);
    const ownerRow = await tx.get('SELECT COUNT(*) AS n FROM claim_failures WHERE owner_id = ? AND at >= ?', [
      owner.hex,
      since,
    ]);
    let ownerFailures = ownerRow === undefined ? 0 : intOf(ownerRow, 'n');
    const hexes = work.map((w) => w.hex);
    const rows = await loadGateways(tx, hexes);
    // per gateway over all owners (the ceiling), and per (gateway, this owner)
    const failures = new Map<string, number>();
    const mine = new Map<string, number>();
    const counted = await selectIn(
      tx,
      (p) =>
        `SELECT eui, COUNT(*) AS n, SUM(CASE WHEN owner_id = ? THEN 1 ELSE 0 END) AS mine FROM claim_failures WHERE at >= ? AND eui IN (${p}) GROUP BY eui`,
      hexes,
      [owner.hex, since],
    );
    for (const r of counted) {
      failures.set(textOf(r, 'eui'), intOf(r, 'n'));
      mine.set(textOf(r, 'eui'), Number(r.mine ?? 0));
    }
    const limits = lockLimits(env);
    // gateways seen for the first time: multi-row INSERTs. The rows were read in this transaction,
    // so none exists; a concurrent writer on a shared database makes the insert (and the whole
    // request) fail with 'conflict' rather than overwrite a claim.
    const fresh = new BatchInsert(
      tx,
      'INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at) VALUES',
      "(?, 'batch', ?, ?, ?, 0, 0, ?)",
    );

    await eachItem(results, work, async (w) => {
      const row = rows.get(w.hex);
      if (w.batch === undefined && pendingAllowed && row?.ownerId !== owner.hex) {
        // no root key here: recorded as pending, the remote verifies the PIN (docs/sync.md)
        if (row !== undefined && row.ownerId !== null)
          throw itemError('claimed_by_other', w.id6, 'is claimed by another owner');
        if (row === undefined) {
          await tx.run(
            "INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, token_generation, token_target, created_at) VALUES (?, 'batch', NULL, ?, ?, 0, 0, ?)",
            [w.hex, owner.hex, at, at],
          );
        } else {
          await tx.run(
            'UPDATE gateways SET owner_id = ?, claimed_at = ? WHERE eui = ? AND owner_id IS NULL',
            [owner.hex, at, w.hex],
          );
        }
        results[w.index]!.pending = true;
        await audit.queue('claim.pending', w.id6, { owner: owner.id6 });
        changed.push(w.hex);
        return;
      }
      if (w.batch === undefined) {
        // outside every batch: only an added gateway exists there, and it has no PIN
        if (row === undefined)
          throw itemError('not_found', w.id6, 'is unknown (outside every batch and not added)');
        if (row.ownerId === owner.hex) return;
        throw itemError('claimed_by_other', w.id6, 'is claimed by another owner');
      }
      const counts = {
        pair: mine.get(w.hex) ?? 0,
        gateway: failures.get(w.hex) ?? 0,
        owner: ownerFailures,
      };
      if (isLocked(limits, counts)) {
        const seconds = await lockSecondsLeft(env, tx, w.hex, owner.hex, counts);
        await audit.queue('claim.locked', w.id6, { owner: owner.id6, retryAfterSeconds: seconds });
        throw claimLocked(w.id6, seconds);
      }
      if (!constantTimeEqual(w.pin, w.expected ?? '')) {
        await tx.run('INSERT INTO claim_failures (eui, owner_id, at) VALUES (?, ?, ?)', [
          w.hex,
          owner.hex,
          at,
        ]);
        failures.set(w.hex, (failures.get(w.hex) ?? 0) + 1);
        mine.set(w.hex, (mine.get(w.hex) ?? 0) + 1);
        ownerFailures++;
        await audit.queue('claim.failed', w.id6, { owner: owner.id6 });
        throw itemError('bad_claim', w.id6, 'was not claimed: wrong claim PIN');
      }
      if (row?.ownerId === owner.hex) return; // re-claim by the holder: nothing changes
      if (row !== undefined && row.ownerId !== null) {
        throw itemError('claimed_by_other', w.id6, 'is claimed by another owner');
      }
      if (row === undefined) {
        await fresh.add([w.hex, w.batch.row.id, owner.hex, at, at]);
      } else {
        // un-claimed earlier: the row keeps its token generation (SPEC §2) for the new owner
        const { changes } = await tx.run(
          'UPDATE gateways SET owner_id = ?, claimed_at = ? WHERE eui = ? AND owner_id IS NULL',
          [owner.hex, at, w.hex],
        );
        if (changes === 0) throw itemError('claimed_by_other', w.id6, 'is claimed by another owner');
      }
      await audit.queue('claim', w.id6, { owner: owner.id6, batch: w.batch.row.id });
      changed.push(w.hex);
    });
    await fresh.flush();
  });
}

/**
 * Lifts a claim lock (docs/security.md "Claim lockout"): forgets the wrong PINs counted for one
 * gateway — of one owner, or of all — and audits it (`claim.unlock`). Admin only.
 * @throws DomainError('forbidden') for a non-admin caller; ('invalid_request') for a bad id.
 */
export async function unlockClaims(
  env: CoreEnv,
  ctx: RequestContext,
  gateway: bigint,
  owner: OwnerRef | null,
): Promise<{ gateway: string; removed: number }> {
  const hex = euiHex(gateway);
  const id6 = formatId6(gateway);
  return env.store.transaction(async (tx) => {
    const { changes } =
      owner === null
        ? await tx.run('DELETE FROM claim_failures WHERE eui = ?', [hex])
        : await tx.run('DELETE FROM claim_failures WHERE eui = ? AND owner_id = ?', [hex, owner.hex]);
    const audit = auditWriter(env, tx, ctx);
    await audit.queue('claim.unlock', id6, { owner: owner?.id6 ?? null, removed: changes });
    await audit.flush();
    return { gateway: id6, removed: changes };
  });
}
