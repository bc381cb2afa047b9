/**
 * `gateway/firmware-sent` (docs/sync.md "Firmware from the pack"): a station that delivered a
 * setup's firmware from its site pack reports it through its outbox, and this server records the
 * delivery as if its own CUPS had made it — `setups.fw_sent_at` set (guarded by `fw_sent_at IS
 * NULL` for the same `fw_crc` and `fw_after`, as CUPS claims a delivery, `cups/materialize.ts`),
 * a delivery record (address `site pack`) and the audit `firmware.sent` with `via: "site pack"` —
 * so the gateway is not sent the update again when it comes back (SPEC §3.4 "once per setup").
 *
 * Per item: already delivered for this setup (here or by another report) → applied, nothing
 * written (a retry after the idempotency window stays harmless); the setup names another firmware
 * or `fwafter` now → `conflict` (the new setup's delivery stays pending here); the gateway not the
 * owner's → as every item operation.
 */
import { FirmwareSentItemSchema } from '../../../src-shared/contract/gateway-ops';
import type { FirmwareSentItem, ItemResult, RequestContext } from '../api';
import { isAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { CoreEnv } from '../env';
import { crcHex } from '../firmware/catalogue';
import { recordDelivery } from '../firmware/delivery';
import { checkItems, itemError } from './items';
import { eachItem, runItemWrite } from './item-write';
import { loadGateways, requireOwned } from './rows';
import { loadSetups } from './setup-rows';

/** The delivery record's address of a delivery a station made from its pack. */
const SITE_PACK_ADDRESS = 'site pack';

/** Records the deliveries (see the module comment); one answer per item, in request order. */
export async function recordPackDeliveries(
  env: CoreEnv,
  batches: Batches,
  onChanged: (hex: string) => void,
  ctx: RequestContext,
  owner: OwnerRef,
  items: readonly FirmwareSentItem[],
): Promise<ItemResult[]> {
  const { results, targets } = checkItems(env, items, FirmwareSentItemSchema);
  const batchOf = await batches.snapshot();
  const write = { operation: 'firmware-sent', owner, ctx, items, results, onChanged } as const;
  return runItemWrite(env, write, async ({ tx, audit, changed }) => {
    const hexes = targets.map((t) => t.hex);
    const rows = await loadGateways(tx, hexes);
    const setups = await loadSetups(tx, hexes);
    await eachItem(results, targets, async (t) => {
      requireOwned(rows.get(t.hex), batchOf(t.id), owner, t.id6, isAdmin(ctx.principal));
      const fw = setups.get(t.hex);
      const d = t.item;
      if (fw === undefined || fw.fwCrc !== d.fwcrc || fw.fwAfter !== d.fwafter) {
        throw itemError(
          'conflict',
          t.id6,
          `has no setup of firmware ${crcHex(d.fwcrc)} with fwafter ${d.fwafter ?? 'null'} any more: the delivery is not recorded`,
        );
      }
      if (fw.fwSentAt !== null) return; // delivered for this setup already
      const { changes } = await tx.run(
        'UPDATE setups SET fw_sent_at = ? WHERE eui = ? AND fw_crc = ? AND fw_sent_at IS NULL',
        [d.sentAt, t.hex, d.fwcrc],
      );
      if (changes === 0) return;
      await recordDelivery(tx, {
        eui: t.hex,
        sentAt: d.sentAt,
        fwcrc: d.fwcrc,
        fwAfter: d.fwafter,
        keyCrc: d.keyCrc,
        package: d.package,
        address: SITE_PACK_ADDRESS,
      });
      await audit.queue('firmware.sent', t.id6, {
        fwcrc: d.fwcrc,
        keyCrc: d.keyCrc,
        package: d.package,
        sentAt: d.sentAt,
        via: SITE_PACK_ADDRESS,
      });
      changed.push(t.hex);
    });
  });
}
