/**
 * `info` and `list` (SPEC §4.2). `info` shows the owner, claim state, the setup with secrets masked
 * (URIs, which credentials are set, blob CRCs), the token generation, the firmware state and the
 * last CUPS contact, and what factory stations reported of it (the latest factory record,
 * docs/sync.md "Factory records"). `list` pages through an owner's gateways by EUI.
 */
import { DomainError, isDomainError } from '../../../src-shared/errors';
import { euiFromHex, euiHex, formatEui64, formatId6, parseIdField } from '../../../src-shared/ids';
import type { FactoryRecord } from '../../../src-shared/contract/factory-records';
import { GatewayIdSchema } from '../../../src-shared/contract/values';
import type { RotationRecord } from '../../../src-shared/contract/shapes';
import type { CredentialSummary, GatewayIdItem, GatewayInfo, InfoResult, RequestContext } from '../api';
import { isAdmin, type OwnerRef } from '../authorize';
import type { Batches } from '../batches';
import type { ContactLog } from '../cups/contact-log';
import { loadContacts, type ContactRecord } from '../cups/contacts';
import { isoAt, type CoreEnv } from '../env';
import type { Tx } from '../ports';
import { firmwareStatus, loadLatestDeliveries, type DeliveryRecord } from '../firmware/delivery';
import { loadRotations, rotationView } from '../rotation/history';
import { intOf, selectIn, textOf } from '../rows';
import { checkItems, countOutcomes, failItem } from './items';
import { loadGateways, requireOwned, type GatewayRow } from './rows';
import { sideMode, type StoredSide } from './setup-merge';
import { loadSetups, type StoredSetup } from './setup-rows';

/** A side of a setup without secrets. */
function summarizeSide(s: StoredSide): CredentialSummary {
  return {
    uri: s.uri,
    mode: sideMode(s),
    trustSet: s.trust !== null,
    certSet: s.crt !== null,
    keySet: s.key !== null,
    crc: s.crc,
  };
}

/** What `info` reads besides the gateway row, per gateway. */
interface InfoExtras {
  setup: StoredSetup | undefined;
  contact: ContactRecord | undefined;
  /** key CRCs of the signatures of the setup's firmware; undefined when the image is gone */
  signatureKeys: readonly number[] | undefined;
  delivery: DeliveryRecord | undefined;
  rotations: readonly RotationRecord[];
  /** the latest factory record and how many there are (docs/sync.md "Factory records") */
  factory: GatewayInfo['factory'];
}

function infoOf(row: GatewayRow, batchId: string | null, x: InfoExtras, nowIso: string): GatewayInfo {
  const { setup, contact } = x;
  const id = euiFromHex(row.eui);
  const lastContact =
    contact === undefined
      ? null
      : {
          at: contact.at,
          address: contact.address,
          outcome: contact.outcome,
          station: contact.station,
          model: contact.model,
          package: contact.package,
          cupsCredCrc: contact.cupsCredCrc,
          tcCredCrc: contact.tcCredCrc,
          keys: contact.keys,
          credential: contact.credential,
          tokenGeneration: contact.tokenGeneration,
        };
  return {
    gateway: formatId6(id),
    eui: formatEui64(id),
    owner: row.ownerId === null ? null : formatId6(euiFromHex(row.ownerId)),
    origin: row.origin,
    batch: batchId,
    claimed: row.ownerId !== null,
    claimedAt: row.claimedAt,
    setup:
      setup === undefined
        ? null
        : { cups: summarizeSide(setup.cups), lns: summarizeSide(setup.lns), updatedAt: setup.updatedAt },
    tokenGeneration: row.tokenGeneration,
    rotation:
      row.origin === 'added'
        ? null
        : rotationView(row.tokenGeneration, row.tokenTarget, x.rotations, row.claimedAt),
    firmware:
      setup === undefined || setup.fwCrc === null
        ? null
        : {
            fwcrc: setup.fwCrc,
            fwafter: setup.fwAfter,
            sentAt: setup.fwSentAt,
            ...firmwareStatus({ ...setup, fwCrc: setup.fwCrc }, nowIso, contact, x.signatureKeys, x.delivery),
          },
    lastContact,
    ...(x.factory !== undefined ? { factory: x.factory } : {}),
  };
}

/** Order of the steps of one unit within one instant: personalize, print, verify. */
const STEP_RANK: Record<string, number> = {
  personalized: 0,
  repersonalized: 0,
  printed: 1,
  reprinted: 1,
  verified: 2,
  blocked: 2,
};

/** Sort key of a record: its time, then the unit's counters and the step (ties within a millisecond). */
function stepKey(r: FactoryRecord): [string, number, number, number] {
  return [r.at, r.personalizeCount, r.printCount, STEP_RANK[r.event] ?? 0];
}

function laterStep(a: FactoryRecord, b: FactoryRecord): boolean {
  const ka = stepKey(a);
  const kb = stepKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]!;
  return false;
}

/** The latest factory record of each gateway that has one, with the count (`factory_records`). */
async function loadFactoryInfo(
  tx: Tx,
  hexes: readonly string[],
): Promise<Map<string, NonNullable<GatewayInfo['factory']>>> {
  const latest = new Map<string, { rec: FactoryRecord; count: number }>();
  const rows = await selectIn(
    tx,
    (p) => `SELECT eui, record FROM factory_records WHERE eui IN (${p})`,
    hexes,
  );
  for (const r of rows) {
    const hex = textOf(r, 'eui');
    const rec = JSON.parse(textOf(r, 'record')) as FactoryRecord;
    const seen = latest.get(hex);
    if (seen === undefined) latest.set(hex, { rec, count: 1 });
    else latest.set(hex, { rec: laterStep(rec, seen.rec) ? rec : seen.rec, count: seen.count + 1 });
  }
  const out = new Map<string, NonNullable<GatewayInfo['factory']>>();
  for (const [hex, { rec, count }] of latest) {
    out.set(hex, {
      event: rec.event,
      state: rec.state,
      at: rec.at,
      station: rec.station,
      operator: rec.operator,
      personalizedAt: rec.personalizedAt,
      printedAt: rec.printedAt,
      verifiedAt: rec.verifiedAt,
      blockedAt: rec.blockedAt,
      records: count,
    });
  }
  return out;
}

/**
 * Describes gateways of `owner`; one answer per item, in request order. The last contact comes from
 * the contact log where it holds one: the store's is written behind and never newer
 * (`cups/contact-log.ts`).
 */
export async function infoGateways(
  env: CoreEnv,
  batches: Batches,
  contactLog: ContactLog,
  ctx: RequestContext,
  owner: OwnerRef,
  gateways: readonly GatewayIdItem[],
): Promise<InfoResult[]> {
  const { results, targets } = checkItems(env, gateways, GatewayIdSchema);
  const batchOf = await batches.snapshot();
  const nowIso = isoAt(env.clock.now());
  await env.store.read(async (tx) => {
    const hexes = targets.map((t) => t.hex);
    const rows = await loadGateways(tx, hexes);
    const setups = await loadSetups(tx, hexes);
    const contacts = await loadContacts(tx, hexes);
    const fwcrcs = [
      ...new Set([...setups.values()].map((s) => s.fwCrc).filter((c): c is number => c !== null)),
    ];
    const sigKeys = new Map<number, number[]>();
    for (const r of await selectIn(tx, (p) => `SELECT fwcrc FROM firmware WHERE fwcrc IN (${p})`, fwcrcs)) {
      sigKeys.set(intOf(r, 'fwcrc'), []);
    }
    for (const r of await selectIn(
      tx,
      (p) => `SELECT fwcrc, key_crc FROM firmware_signatures WHERE fwcrc IN (${p}) ORDER BY key_crc`,
      fwcrcs,
    )) {
      sigKeys.get(intOf(r, 'fwcrc'))?.push(intOf(r, 'key_crc'));
    }
    const deliveries = await loadLatestDeliveries(tx, hexes);
    const rotations = await loadRotations(tx, hexes);
    const factory = await loadFactoryInfo(tx, hexes);
    for (const t of targets) {
      const result: InfoResult = results[t.index]!;
      try {
        const row = requireOwned(rows.get(t.hex), batchOf(t.id), owner, t.id6, isAdmin(ctx.principal));
        const setup = setups.get(t.hex);
        result.info = infoOf(
          row,
          row.batchId,
          {
            setup,
            contact: contactLog.latest(t.hex) ?? contacts.get(t.hex),
            signatureKeys: setup?.fwCrc == null ? undefined : sigKeys.get(setup.fwCrc),
            delivery: deliveries.get(t.hex),
            rotations: rotations.get(t.hex) ?? [],
            factory: factory.get(t.hex),
          },
          nowIso,
        );
      } catch (e) {
        failItem(result, e);
      }
    }
  });
  countOutcomes(env, 'info', results);
  return results;
}

/**
 * One page of an owner's gateways in EUI order: ids after `after` (a canonical id, usually the
 * previous page's `next`), at most `limit` (default and maximum from the configuration); `next`
 * is null on the last page.
 * @throws DomainError('invalid_request') for a bad `after` or `limit`.
 */
export async function listGateways(
  env: CoreEnv,
  _ctx: RequestContext,
  owner: OwnerRef,
  options: { after?: string | undefined; limit?: number | undefined },
): Promise<{ gateways: string[]; next: string | null }> {
  const { default: byDefault, max } = env.config.listLimit;
  const limit = options.limit ?? byDefault;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new DomainError('invalid_request', `limit: ${String(limit)} is not an integer 1–${max}`, {
      field: 'limit',
    });
  }
  let after = '';
  if (options.after !== undefined) {
    try {
      after = euiHex(parseIdField(options.after, 'after'));
    } catch (e) {
      if (isDomainError(e)) throw new DomainError('invalid_request', e.message, { field: 'after' });
      throw e;
    }
  }
  const rows = await env.store.read((tx) =>
    tx.all('SELECT eui FROM gateways WHERE owner_id = ? AND eui > ? ORDER BY eui LIMIT ?', [
      owner.hex,
      after,
      limit + 1,
    ]),
  );
  const ids = rows.slice(0, limit).map((r) => formatId6(euiFromHex(textOf(r, 'eui'))));
  env.counters.count('ownerApi', 'list.ok');
  return { gateways: ids, next: rows.length > limit ? (ids[ids.length - 1] ?? null) : null };
}
