/**
 * `delete`, `add` (SPEC §4.2) and token rotation (SPEC §2).
 * - delete un-claims: setup, last contact and ownership go; a batch gateway keeps its row (and so
 *   its token generation) for the next owner, an added gateway is removed entirely.
 * - add registers a gateway outside every batch with its own token, stored as SHA-256. The limit
 *   counts successful adds ever made by the owner (`owners.add_count`), not the gateways currently
 *   added: deleting and re-adding does not free quota, so the limit bounds how much of the id space
 *   one owner can squat over time.
 * - rotate arms generation g + 1 for batch gateways: CUPS delivers its cups.key, accepts g and
 *   g + 1, and retires g when the gateway authenticates with g + 1 or reports the new cupsCred CRC
 *   (SPEC §2); each rotation is recorded in `token_rotations` (state and history in `info`).
 *   A gateway redirected to another CUPS (setup `cupsUri`) has no token delivered here: refused.
 */
import { DomainError } from '../../../src-shared/errors';
import { AddItemSchema } from '../../../src-shared/contract/gateway-ops';
import { GatewayIdSchema } from '../../../src-shared/contract/values';
import type { AddItem, GatewayIdItem, ItemResult, RequestContext } from '../api';
import { actorOf } from '../audit';
import { isAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { ContactLog } from '../cups/contact-log';
import { sha256 } from '../digest';
import type { CoreEnv } from '../env';
import { MAX_TOKEN_GENERATION } from '../kdf';
import { intOf } from '../rows';
import { checkItems, itemError } from './items';
import { eachItem, runItemWrite } from './item-write';
import { recordRotationStart } from '../rotation/history';
import { loadGateways, requireOwned } from './rows';
import { loadSetups } from './setup-rows';

/** Longest accepted `token` of `add` (it becomes one HTTP header value). */
const MAX_ADD_TOKEN_LENGTH = 4096;
const MAX_FLAVOR_LENGTH = 64;

/**
 * Un-claims gateways of `owner`; one answer per item, in request order. `hooks.changed` runs for
 * each deleted gateway inside the transaction and again after it, and the contact log forgets it
 * inside the transaction, so no contact recorded before the delete is written after it.
 */
export async function deleteGateways(
  env: CoreEnv,
  batches: Batches,
  hooks: { changed: (hex: string) => void; contacts: ContactLog },
  ctx: RequestContext,
  owner: OwnerRef,
  gateways: readonly GatewayIdItem[],
): Promise<ItemResult[]> {
  const { results, targets } = checkItems(env, gateways, GatewayIdSchema);
  const batchOf = await batches.snapshot();
  const write = {
    operation: 'delete',
    owner,
    ctx,
    items: gateways,
    results,
    onChanged: hooks.changed,
  } as const;
  return runItemWrite(env, write, async ({ tx, audit, changed }) => {
    const rows = await loadGateways(
      tx,
      targets.map((t) => t.hex),
    );
    await eachItem(results, targets, async (t) => {
      const row = requireOwned(rows.get(t.hex), batchOf(t.id), owner, t.id6, isAdmin(ctx.principal));
      await tx.run('DELETE FROM setups WHERE eui = ?', [t.hex]);
      await tx.run('DELETE FROM cups_contacts WHERE eui = ?', [t.hex]);
      hooks.contacts.forget(t.hex);
      hooks.changed(t.hex);
      if (row.origin === 'added') await tx.run('DELETE FROM gateways WHERE eui = ?', [t.hex]);
      else await tx.run('UPDATE gateways SET owner_id = NULL, claimed_at = NULL WHERE eui = ?', [t.hex]);
      await audit.queue('delete', t.id6, { owner: owner.id6, origin: row.origin });
      changed.push(t.hex);
    });
  });
}

/**
 * The token an added gateway sends as its Authorization header value (`cups.key` holds
 * `Authorization: <token>\r\n`): printable ASCII, no surrounding spaces (HTTP trims them).
 * @throws DomainError('invalid_credential') — never quoting the token.
 */
function checkAddToken(token: unknown, id6: string): string {
  if (typeof token !== 'string' || token.length === 0) {
    throw itemError('invalid_credential', id6, 'needs a non-empty token');
  }
  if (token.length > MAX_ADD_TOKEN_LENGTH) {
    throw itemError('invalid_credential', id6, `has a token longer than ${MAX_ADD_TOKEN_LENGTH} characters`);
  }
  if (!/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(token)) {
    throw itemError(
      'invalid_credential',
      id6,
      'has a token with control, non-ASCII or surrounding space characters (it is sent as an HTTP header value)',
    );
  }
  return token;
}

function checkFlavor(flavor: unknown, id6: string): string {
  if (typeof flavor !== 'string' || flavor.length === 0 || flavor.length > MAX_FLAVOR_LENGTH) {
    throw itemError('invalid_request', id6, `needs a flavorid of 1–${MAX_FLAVOR_LENGTH} characters`);
  }
  return flavor;
}

/** Adds gateways outside every batch for `owner`; one answer per item, in request order. */
export async function addGateways(
  env: CoreEnv,
  batches: Batches,
  onChanged: (hex: string) => void,
  ctx: RequestContext,
  owner: OwnerRef,
  items: readonly AddItem[],
): Promise<ItemResult[]> {
  const { results, targets } = checkItems(env, items, AddItemSchema);
  const batchOf = await batches.snapshot();
  const limit = env.config.addLimitPerOwner;
  return runItemWrite(env, { operation: 'add', owner, ctx, items, results, onChanged }, async (scope) => {
    const { tx, at, audit, changed } = scope;
    const ownerRow = await tx.get('SELECT add_count FROM owners WHERE id = ?', [owner.hex]);
    if (ownerRow === undefined)
      throw new DomainError('not_found', `ownerid: owner ${owner.id6} does not exist`);
    const before = intOf(ownerRow, 'add_count');
    let count = before;
    const rows = await loadGateways(
      tx,
      targets.map((t) => t.hex),
    );
    await eachItem(results, targets, async (t) => {
      const item = t.item;
      const flavor = checkFlavor(item.flavorid, t.id6);
      const token = checkAddToken(item.token, t.id6);
      const batch = batchOf(t.id);
      if (batch !== undefined) {
        throw itemError(
          'batch_conflict',
          t.id6,
          `lies in batch ${batch.row.id}; batch gateways are claimed, not added`,
        );
      }
      if (rows.has(t.hex)) throw itemError('already_exists', t.id6, 'is already known');
      if (count >= limit)
        throw itemError('add_limit', t.id6, `was not added: owner ${owner.id6} used all ${limit} adds`);
      await tx.run(
        `INSERT INTO gateways (eui, origin, batch_id, owner_id, claimed_at, flavor, token_hash, token_generation, token_target, created_at)
         VALUES (?, 'added', NULL, ?, ?, ?, ?, 0, 0, ?)`,
        [t.hex, owner.hex, at, flavor, sha256(token), at],
      );
      count++;
      await audit.queue('add', t.id6, { owner: owner.id6, flavor });
      changed.push(t.hex);
    });
    if (count !== before) await tx.run('UPDATE owners SET add_count = ? WHERE id = ?', [count, owner.hex]);
  });
}

/** Arms a CUPS token rotation (generation g + 1) for batch gateways of `owner`. */
export async function rotateTokens(
  env: CoreEnv,
  batches: Batches,
  onChanged: (hex: string) => void,
  ctx: RequestContext,
  owner: OwnerRef,
  gateways: readonly GatewayIdItem[],
): Promise<ItemResult[]> {
  const { results, targets } = checkItems(env, gateways, GatewayIdSchema);
  const batchOf = await batches.snapshot();
  const write = { operation: 'rotate', owner, ctx, items: gateways, results, onChanged } as const;
  return runItemWrite(env, write, async ({ tx, at, audit, changed }) => {
    const hexes = targets.map((t) => t.hex);
    const rows = await loadGateways(tx, hexes);
    const setups = await loadSetups(tx, hexes);
    await eachItem(results, targets, async (t) => {
      const row = requireOwned(rows.get(t.hex), batchOf(t.id), owner, t.id6, isAdmin(ctx.principal));
      if (row.origin === 'added') {
        throw itemError('invalid_request', t.id6, 'was added with its own token; only batch tokens rotate');
      }
      const cupsUri = setups.get(t.hex)?.cups.uri ?? null;
      if (cupsUri !== null) {
        throw itemError(
          'invalid_request',
          t.id6,
          `is redirected to ${cupsUri} (setup cupsUri): this server does not deliver its cups.key, so there is nothing to rotate`,
        );
      }
      const next = row.tokenGeneration + 1;
      if (row.tokenTarget >= next) return; // a rotation is already in flight
      if (next > MAX_TOKEN_GENERATION)
        throw itemError('invalid_request', t.id6, 'has no token generation left');
      await tx.run('UPDATE gateways SET token_target = ? WHERE eui = ?', [next, t.hex]);
      await recordRotationStart(tx, t.hex, row.tokenGeneration, next, actorOf(ctx.principal), at);
      await audit.queue('token.rotate', t.id6, { from: row.tokenGeneration, to: next });
      changed.push(t.hex);
    });
  });
}
