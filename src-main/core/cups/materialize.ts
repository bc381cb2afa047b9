/**
 * Turns a {@link CupsPlan} into the answer's segments (SPEC §3.2): the server-issued cupsCred is
 * derived through the HSM (outside any transaction), and the plan's store effects run in order in
 * one relaxed-durability transaction — a read-only snapshot when none of them writes, nothing at
 * all when there are none. Each writing effect is a compare-and-set on what the plan saw:
 * - `retire`: `token_generation`/`token_target` unchanged (`retire.ts`);
 * - `deliver_firmware`: `fw_sent_at IS NULL` for the same `fw_crc` — two concurrent polls deliver
 *   at most once (SPEC §3.4), and the delivery record is written in the same transaction;
 * - `record_certificate`: insert unless the fingerprint is known.
 * A compare-and-set that finds the row moved writes nothing and leaves its segment out; the station
 * hears about the newer state at its next poll. The handler audits what the effects report in a
 * fully durable transaction before answering, which puts them on disk before the station acts.
 */
import type { UpdateInfoResponse } from '../../../src-shared/cups-wire';
import type { ClientCertificates } from '../client-certs/service';
import { recordDelivery } from '../firmware/delivery';
import { sideBlob } from '../gateways/setup-merge';
import { loadSetups } from '../gateways/setup-rows';
import type { Store, Tx } from '../ports';
import { bytesOrNull } from '../rows';
import type { CupsAudit } from './authenticate';
import type { CupsPlan, DeliverFirmwareEffect, LoadBlobsEffect } from './plan';
import { applyRetire } from './retire';
import type { CupsTokens } from './tokens';

/** The answer's segments and what running the effects did. */
interface Materialized {
  response: UpdateInfoResponse;
  /** audit entries of the effects that took place */
  audits: CupsAudit[];
  /** a gateway row or setup was (or may have been) written: its cached state is stale */
  wrote: boolean;
}

/** Where and when the effects run. */
interface MaterializeContext {
  /** the request's time, ISO-8601 (delivery and rotation records) */
  nowIso: string;
  /** the station's address (delivery record) */
  address: string;
}

/** Collaborators of {@link materialize}. */
export interface MaterializeDeps {
  store: Store;
  tokens: CupsTokens;
  clientCerts: ClientCertificates;
}

/** True for the effects that write to the store. */
const writes = (e: CupsPlan['effects'][number]): boolean => e.kind !== 'load_blobs';

/** Builds the answer of a plan (see the module comment). */
export async function materialize(
  plan: CupsPlan,
  ctx: MaterializeContext,
  deps: MaterializeDeps,
): Promise<Materialized> {
  const response: UpdateInfoResponse = { ...plan.response };
  const audits: CupsAudit[] = [];
  if (plan.issueCupsCred !== undefined) {
    response.cupsCred = await deps.tokens.blob(plan.issueCupsCred.owner, plan.issueCupsCred.generation);
  }
  if (plan.effects.length === 0) return { response, audits, wrote: false };
  const wrote = plan.effects.some(writes);
  const run = async (tx: Tx) => {
    for (const e of plan.effects) {
      switch (e.kind) {
        case 'record_certificate':
          await deps.clientCerts.recordSeen(tx, e.router, e.identity, ctx.nowIso);
          break;
        case 'retire': {
          const audit = await applyRetire(tx, e, ctx.nowIso);
          if (audit !== undefined) audits.push(audit);
          break;
        }
        case 'load_blobs':
          await loadBlobs(tx, e, response);
          break;
        case 'deliver_firmware': {
          const audit = await deliverFirmware(tx, e, ctx, response);
          if (audit !== undefined) audits.push(audit);
          break;
        }
      }
    }
  };
  if (wrote) await deps.store.transaction(run, { durability: 'relaxed' });
  else await deps.store.read(run);
  return { response, audits, wrote };
}

/** Adds the stored blobs the plan asked for; a setup deleted since the plan adds none. */
async function loadBlobs(tx: Tx, e: LoadBlobsEffect, response: UpdateInfoResponse): Promise<void> {
  const stored = (await loadSetups(tx, [e.hex])).get(e.hex);
  if (stored === undefined) return;
  if (e.cupsCred) {
    const blob = sideBlob(stored.cups);
    if (blob !== null) response.cupsCred = blob;
  }
  if (e.tcCred) {
    const blob = sideBlob(stored.lns);
    if (blob !== null) response.tcCred = blob;
  }
}

/**
 * Claims the once-only delivery (SPEC §3.4: once per setup) and adds image and signature; none when
 * it was delivered before or the setup names another firmware now.
 */
async function deliverFirmware(
  tx: Tx,
  e: DeliverFirmwareEffect,
  ctx: MaterializeContext,
  response: UpdateInfoResponse,
): Promise<CupsAudit | undefined> {
  const { changes } = await tx.run(
    'UPDATE setups SET fw_sent_at = ? WHERE eui = ? AND fw_crc = ? AND fw_sent_at IS NULL',
    [ctx.nowIso, e.hex, e.fwcrc],
  );
  if (changes === 0) return undefined;
  const fw = await tx.get(
    `SELECT f.image, s.signature FROM firmware f JOIN firmware_signatures s ON s.fwcrc = f.fwcrc
     WHERE f.fwcrc = ? AND s.key_crc = ?`,
    [e.fwcrc, e.keyCrc],
  );
  const image = fw === undefined ? null : bytesOrNull(fw, 'image');
  const signature = fw === undefined ? null : bytesOrNull(fw, 'signature');
  // throwing rolls the claim back: the next poll plans again from what the store holds
  if (image === null || signature === null) throw new Error(`firmware ${e.fwcrc} vanished during delivery`);
  response.signature = { keyCrc: e.keyCrc, sig: signature };
  response.update = image;
  await recordDelivery(tx, {
    eui: e.hex,
    sentAt: ctx.nowIso,
    fwcrc: e.fwcrc,
    fwAfter: e.fwAfter,
    keyCrc: e.keyCrc,
    package: e.package,
    address: ctx.address,
  });
  return {
    action: 'firmware.sent',
    detail: { fwcrc: e.fwcrc, keyCrc: e.keyCrc, size: image.length, package: e.package },
  };
}
