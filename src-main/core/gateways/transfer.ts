/**
 * Transfer of one gateway from its owner to another (docs/station-ui.md "Transfer"): SPEC §4.2
 * `delete` for the current owner and `claim` for the new one, as **one** operation in one store
 * transaction. The new owner's claim PIN (SPEC §2) is checked first, under the same lockout as a
 * claim; when anything fails nothing changes — the gateway stays with its owner, setup included.
 * On success the setup and last contact go (as with delete), the row keeps its token generation,
 * and the audit log has one `transfer` entry naming both owners.
 */
import { DomainError } from '../../../src-shared/errors';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { normalizePin, constantTimeEqual } from '../../../src-shared/pin';
import type { RequestContext, TransferResult } from '../api';
import { auditWriter } from '../audit';
import { isAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import { isoAt, type CoreEnv } from '../env';
import { claimPinFromGmk, deriveGmk } from '../kdf';
import { runCommitHooks } from '../sync/commit';
import type { GatewayHooks } from './owner-service';
import { claimLocked, isLocked, lockLimits, lockSecondsLeft, readLockCounts } from './claim-lock';
import { itemError } from './items';
import { loadGateways, requireOwned } from './rows';

/**
 * Moves `gateway` from `from` to `to` when `claim` is its PIN. Throws DomainError (`bad_claim`,
 * `claim_locked`, `not_claimed`, `claimed_by_other`, `not_found`, `invalid_request` for an added
 * gateway, which has no PIN) and then has changed nothing but the failed-PIN record of a wrong PIN.
 */
export async function transferGateway(
  env: CoreEnv,
  batches: Batches,
  hooks: GatewayHooks,
  ctx: RequestContext,
  owners: { from: OwnerRef; to: OwnerRef },
  gateway: string,
  claim: string,
): Promise<TransferResult> {
  const { from, to } = owners;
  const id = parseIdField(gateway, 'gateway');
  const id6 = formatId6(id);
  const hex = euiHex(id);
  if (from.hex === to.hex) {
    throw new DomainError('invalid_request', `to: gateway ${id6} already belongs to owner ${to.id6}`, {
      field: 'to',
    });
  }
  const pin = normalizePin(claim, 'claim');
  const batch = (await batches.snapshot())(id);
  if (batch === undefined) {
    throw new DomainError(
      'invalid_request',
      `gateway ${id6} is outside every batch: an added gateway has no claim PIN — delete it here and let the new owner add it`,
      { gateway: id6 },
    );
  }
  const gmk = await deriveGmk(env.hsm, batch.brkHandle, id);
  let expected: string;
  try {
    expected = claimPinFromGmk(gmk);
  } finally {
    gmk.fill(0);
  }

  // A wrong PIN commits its failure record and then fails the transfer; any other refusal throws
  // inside the transaction, which rolls back.
  const refusal = await env.store.transaction(async (tx): Promise<DomainError | null> => {
    const now = env.clock.now();
    const at = isoAt(now);
    const rows = await loadGateways(tx, [hex]);
    const row = requireOwned(rows.get(hex), batch, from, id6, isAdmin(ctx.principal));
    const audit = auditWriter(env, tx, ctx);
    // the same lockout as claim: counted per (gateway, new owner), with the all-owner ceiling
    const counts = await readLockCounts(env, tx, hex, to.hex);
    if (isLocked(lockLimits(env), counts)) {
      await audit.add('claim.locked', id6, { owner: to.id6, transferFrom: from.id6 });
      return claimLocked(id6, await lockSecondsLeft(env, tx, hex, to.hex, counts));
    }
    if (!constantTimeEqual(pin, expected)) {
      await tx.run('INSERT INTO claim_failures (eui, owner_id, at) VALUES (?, ?, ?)', [hex, to.hex, at]);
      await audit.add('transfer.failed', id6, { from: from.id6, to: to.id6, reason: 'bad_claim' });
      return itemError(
        'bad_claim',
        id6,
        `was not transferred: the PIN is not this gateway's claim PIN (it stays with owner ${from.id6})`,
      );
    }
    await tx.run('DELETE FROM setups WHERE eui = ?', [hex]);
    await tx.run('DELETE FROM cups_contacts WHERE eui = ?', [hex]);
    hooks.contacts.forget(hex);
    hooks.changed(hex);
    const { changes } = await tx.run(
      'UPDATE gateways SET owner_id = ?, claimed_at = ? WHERE eui = ? AND owner_id = ?',
      [to.hex, at, hex, from.hex],
    );
    if (changes === 0) throw itemError('claimed_by_other', id6, 'changed owner meanwhile');
    await audit.add('transfer', id6, {
      from: from.id6,
      to: to.id6,
      batch: batch.row.id,
      tokenGeneration: row.tokenGeneration,
    });
    // For sync (docs/sync.md) a transfer is what it does: a delete for one owner, a claim for the other.
    const results = [{ gateway: id6 }];
    await runCommitHooks(env.commitHooks, tx, {
      operation: 'delete',
      owner: from,
      ctx,
      items: [gateway],
      results,
      changed: [hex],
      at,
    });
    await runCommitHooks(env.commitHooks, tx, {
      operation: 'claim',
      owner: to,
      ctx,
      items: [{ gateway, claim }],
      results,
      changed: [hex],
      at,
    });
    return null;
  });
  if (refusal !== null) throw refusal; // counted by the caller, as every refusal
  hooks.changed(hex);
  env.counters.count('ownerApi', 'transfer.ok');
  return { gateway: id6, from: from.id6, to: to.id6 };
}
