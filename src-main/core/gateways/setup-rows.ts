/**
 * Stored setups (SPEC §4.2): the desired configuration of a claimed gateway, one row per gateway,
 * read by `setup` (merge), `info` (summary) and CUPS (desired state).
 */
import type { SqlRow, SqlValue, Tx } from '../ports';
import { bytesOrNull, intOrNull, selectIn, textOf, textOrNull } from '../rows';
import type { StoredSide } from './setup-merge';

/** The firmware part of a setup (SPEC §3.4). */
export interface StoredFirmware {
  fwCrc: number | null;
  fwAfter: string | null;
  /** when the update was delivered for this setup; it is delivered once */
  fwSentAt: string | null;
}

/** One row of `setups`. */
export interface StoredSetup extends StoredFirmware {
  eui: string;
  cups: StoredSide;
  lns: StoredSide;
  updatedAt: string;
}

/** Columns of {@link StoredSetup} but the key, for SELECTs (aliased `s`). */
export const SETUP_COLUMNS =
  's.cups_uri, s.cups_trust, s.cups_crt, s.cups_key, s.cups_cred_crc, ' +
  's.lns_uri, s.lns_trust, s.lns_crt, s.lns_key, s.lns_cred_crc, s.fw_crc, s.fw_after, s.fw_sent_at, s.updated_at';

function sideOf(r: SqlRow, p: 'cups' | 'lns'): StoredSide {
  return {
    uri: textOrNull(r, `${p}_uri`),
    trust: bytesOrNull(r, `${p}_trust`),
    crt: bytesOrNull(r, `${p}_crt`),
    key: bytesOrNull(r, `${p}_key`),
    crc: intOrNull(r, `${p}_cred_crc`),
  };
}

/** Reads the {@link StoredSetup} of gateway `eui` from a row holding {@link SETUP_COLUMNS}. */
export function setupRowOf(r: SqlRow, eui: string): StoredSetup {
  return {
    eui,
    cups: sideOf(r, 'cups'),
    lns: sideOf(r, 'lns'),
    fwCrc: intOrNull(r, 'fw_crc'),
    fwAfter: textOrNull(r, 'fw_after'),
    fwSentAt: textOrNull(r, 'fw_sent_at'),
    updatedAt: textOf(r, 'updated_at'),
  };
}

/** The stored setups of the given gateways (16-hex keys), by key. */
export async function loadSetups(tx: Tx, hexes: readonly string[]): Promise<Map<string, StoredSetup>> {
  const rows = await selectIn(
    tx,
    (p) => `SELECT s.eui, ${SETUP_COLUMNS} FROM setups s WHERE s.eui IN (${p})`,
    hexes,
  );
  return new Map(rows.map((r) => [textOf(r, 'eui'), setupRowOf(r, textOf(r, 'eui'))]));
}

/** Inserts or replaces a setup row. */
export async function saveSetup(tx: Tx, s: StoredSetup): Promise<void> {
  const side = (x: StoredSide): SqlValue[] => [x.uri, x.trust, x.crt, x.key, x.crc];
  await tx.run(
    `INSERT INTO setups (eui, cups_uri, cups_trust, cups_crt, cups_key, cups_cred_crc,
       lns_uri, lns_trust, lns_crt, lns_key, lns_cred_crc, fw_crc, fw_after, fw_sent_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (eui) DO UPDATE SET
       cups_uri = excluded.cups_uri, cups_trust = excluded.cups_trust, cups_crt = excluded.cups_crt,
       cups_key = excluded.cups_key, cups_cred_crc = excluded.cups_cred_crc,
       lns_uri = excluded.lns_uri, lns_trust = excluded.lns_trust, lns_crt = excluded.lns_crt,
       lns_key = excluded.lns_key, lns_cred_crc = excluded.lns_cred_crc,
       fw_crc = excluded.fw_crc, fw_after = excluded.fw_after, fw_sent_at = excluded.fw_sent_at,
       updated_at = excluded.updated_at`,
    [s.eui, ...side(s.cups), ...side(s.lns), s.fwCrc, s.fwAfter, s.fwSentAt, s.updatedAt],
  );
}
