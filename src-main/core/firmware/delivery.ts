/**
 * Firmware delivery records and the delivery state `info` shows (SPEC §3.4).
 *
 * CUPS claims a delivery by setting `setups.fw_sent_at` (guarded by `fw_sent_at IS NULL`, so two
 * concurrent polls deliver at most once) and writes a {@link DeliveryRecord} in the same
 * transaction — the plan's relaxed-durability effects transaction (cups/materialize.ts); the
 * fully durable audit transaction that follows puts both on disk before the bytes leave
 * (cups/handler.ts). The record keeps the `package` the gateway
 * reported then: the station runs the update detached and never reports a result, so a different
 * `package` at a later contact is the only sign it was installed.
 */
import type { ContactRecord } from '../cups/contacts';
import type { StoredFirmware } from '../gateways/setup-rows';
import type { SqlRow, Tx } from '../ports';
import { intOf, selectIn, textOf, textOrNull } from '../rows';
import { crcHex } from './catalogue';

/** One delivery of an update to a gateway. */
export interface DeliveryRecord {
  /** 16-hex EUI */
  eui: string;
  sentAt: string;
  fwcrc: number;
  fwAfter: string | null;
  /** CRC of the station key whose signature was sent */
  keyCrc: number;
  /** `package` (version.txt) the gateway reported in the request that got the update */
  package: string | null;
  address: string | null;
}

/** Writes a delivery record (inside the transaction that set `fw_sent_at`). */
export async function recordDelivery(tx: Tx, d: DeliveryRecord): Promise<void> {
  await tx.run(
    `INSERT INTO firmware_deliveries (eui, sent_at, fwcrc, fw_after, key_crc, package, address)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [d.eui, d.sentAt, d.fwcrc, d.fwAfter, d.keyCrc, d.package, d.address],
  );
}

function deliveryOf(r: SqlRow): DeliveryRecord {
  return {
    eui: textOf(r, 'eui'),
    sentAt: textOf(r, 'sent_at'),
    fwcrc: intOf(r, 'fwcrc'),
    fwAfter: textOrNull(r, 'fw_after'),
    keyCrc: intOf(r, 'key_crc'),
    package: textOrNull(r, 'package'),
    address: textOrNull(r, 'address'),
  };
}

/** The latest delivery of each of the given gateways (16-hex keys), by key. */
export async function loadLatestDeliveries(
  tx: Tx,
  hexes: readonly string[],
): Promise<Map<string, DeliveryRecord>> {
  const rows = await selectIn(
    tx,
    (p) =>
      `SELECT eui, sent_at, fwcrc, fw_after, key_crc, package, address FROM firmware_deliveries
       WHERE eui IN (${p}) ORDER BY eui, sent_at`,
    hexes,
  );
  const out = new Map<string, DeliveryRecord>();
  for (const r of rows) out.set(textOf(r, 'eui'), deliveryOf(r)); // ascending: the last one wins
  return out;
}

/** Delivery states (SPEC §3.4, docs/firmware.md). */
type FirmwareState =
  /** due: goes out at the gateway's next authenticated CUPS contact */
  | 'pending'
  /** `fwafter` lies ahead */
  | 'not_yet_due'
  /** due, but the gateway's last report lists no key any stored signature verifies with */
  | 'no_matching_key'
  /** sent once for this setup; the gateway has not reported another package since */
  | 'sent'
  /** sent, and the gateway since reported a different package: installed */
  | 'done'
  /** the setup names an image that is no longer in the catalogue */
  | 'unknown_firmware';

/** What `info` shows about the firmware of a setup. */
interface FirmwareStatus {
  state: FirmwareState;
  /** one sentence saying why, for people */
  detail: string;
  /** CRC of the key whose signature was (or would be) sent */
  keyCrc: number | null;
  /** package reported when the update was sent */
  packageBefore: string | null;
  /** package reported since, when it differs (state `done`) */
  packageAfter: string | null;
}

const show = (pkg: string | null): string => (pkg === null ? 'none' : JSON.stringify(pkg));
const keyList = (keys: readonly number[]): string =>
  keys.length === 0 ? 'none' : keys.map(crcHex).join(', ');

/**
 * The delivery state of a setup's firmware at `nowIso`, from the setup, the last CUPS contact, the
 * key CRCs of the image's stored signatures (undefined: the image is gone) and the latest delivery.
 */
export function firmwareStatus(
  fw: StoredFirmware & { fwCrc: number },
  nowIso: string,
  contact: ContactRecord | undefined,
  signatureKeys: readonly number[] | undefined,
  delivery: DeliveryRecord | undefined,
): FirmwareStatus {
  const base = { keyCrc: null, packageBefore: null, packageAfter: null };
  if (fw.fwSentAt !== null) {
    const d = delivery !== undefined && delivery.sentAt === fw.fwSentAt ? delivery : undefined;
    const before = d?.package ?? null;
    const sent = { keyCrc: d?.keyCrc ?? null, packageBefore: before, packageAfter: null };
    if (d !== undefined && contact !== undefined && contact.at > fw.fwSentAt && contact.package !== before) {
      return {
        ...sent,
        state: 'done',
        packageAfter: contact.package,
        detail: `installed: the gateway reported package ${show(contact.package)} at ${contact.at} (it was ${show(before)} when the update was sent)`,
      };
    }
    return {
      ...sent,
      state: 'sent',
      detail:
        `sent at ${fw.fwSentAt}${d === undefined ? '' : ` with the signature of key ${crcHex(d.keyCrc)}`}; ` +
        `waiting for the gateway to report a package other than ${show(before)} (the station never reports the result itself)`,
    };
  }
  if (signatureKeys === undefined) {
    return {
      ...base,
      state: 'unknown_firmware',
      detail: `firmware ${crcHex(fw.fwCrc)} is no longer in the catalogue; upload it again or change fwcrc`,
    };
  }
  if (fw.fwAfter !== null && fw.fwAfter > nowIso) {
    return { ...base, state: 'not_yet_due', detail: `not before ${fw.fwAfter}` };
  }
  if (contact !== undefined) {
    const match = contact.keys.find((k) => signatureKeys.includes(k));
    if (match === undefined) {
      return {
        ...base,
        state: 'no_matching_key',
        detail:
          `not sent: the gateway's sig-N.key files (CRCs ${keyList(contact.keys)}) match none of the signatures ` +
          `of firmware ${crcHex(fw.fwCrc)} (keys ${keyList(signatureKeys)}); a station aborts an update it cannot verify, ` +
          'so add a signature made with one of its keys',
      };
    }
    return {
      ...base,
      keyCrc: match,
      state: 'pending',
      detail: `due: goes out with the signature of key ${crcHex(match)} at the next CUPS contact`,
    };
  }
  return {
    ...base,
    state: 'pending',
    detail: 'due: goes out at the first CUPS contact whose keys match a signature',
  };
}
