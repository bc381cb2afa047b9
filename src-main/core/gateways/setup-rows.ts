/**
 * Stored setups (SPEC §4.2): the desired configuration of a claimed gateway, one row per gateway,
 * read by `setup` (merge), `info` (summary) and CUPS (desired state).
 */
import type { SqlRow, SqlValue, Tx } from '../ports';
import { BatchInsert, bytesOrNull, intOrNull, selectIn, textOf, textOrNull } from '../rows';
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

/**
 * What CUPS compares on every poll (SPEC §3.6): URIs, blob CRCs and the firmware fields — no
 * credential bytes, which are read only when a blob has to be sent.
 */
export interface SetupDigest extends StoredFirmware {
  cupsUri: string | null;
  cupsCrc: number | null;
  lnsUri: string | null;
  lnsCrc: number | null;
}

/** Columns of {@link SetupDigest} (aliased `s`); `setup_at` is NULL when there is no setup. */
export const SETUP_DIGEST_COLUMNS =
  's.updated_at AS setup_at, s.cups_uri, s.cups_cred_crc, s.lns_uri, s.lns_cred_crc, s.fw_crc, s.fw_after, s.fw_sent_at';

/** Reads a {@link SetupDigest} from a row holding {@link SETUP_DIGEST_COLUMNS}; undefined without a setup. */
export function setupDigestOf(r: SqlRow): SetupDigest | undefined {
  if (r.setup_at === null || r.setup_at === undefined) return undefined;
  return {
    cupsUri: textOrNull(r, 'cups_uri'),
    cupsCrc: intOrNull(r, 'cups_cred_crc'),
    lnsUri: textOrNull(r, 'lns_uri'),
    lnsCrc: intOrNull(r, 'lns_cred_crc'),
    fwCrc: intOrNull(r, 'fw_crc'),
    fwAfter: textOrNull(r, 'fw_after'),
    fwSentAt: textOrNull(r, 'fw_sent_at'),
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

/**
 * A multi-row upsert of setup rows (bulk `setup`): add rows with `add(setupParams(s))`, then
 * `flush()` before the transaction ends.
 */
export function setupUpsert(tx: Tx): BatchInsert {
  return new BatchInsert(
    tx,
    `INSERT INTO setups (eui, cups_uri, cups_trust, cups_crt, cups_key, cups_cred_crc,
       lns_uri, lns_trust, lns_crt, lns_key, lns_cred_crc, fw_crc, fw_after, fw_sent_at, updated_at) VALUES`,
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    `ON CONFLICT (eui) DO UPDATE SET
       cups_uri = excluded.cups_uri, cups_trust = excluded.cups_trust, cups_crt = excluded.cups_crt,
       cups_key = excluded.cups_key, cups_cred_crc = excluded.cups_cred_crc,
       lns_uri = excluded.lns_uri, lns_trust = excluded.lns_trust, lns_crt = excluded.lns_crt,
       lns_key = excluded.lns_key, lns_cred_crc = excluded.lns_cred_crc,
       fw_crc = excluded.fw_crc, fw_after = excluded.fw_after, fw_sent_at = excluded.fw_sent_at,
       updated_at = excluded.updated_at`,
  );
}

/** The parameters of one setup row, in the column order of {@link setupUpsert}. */
export function setupParams(s: StoredSetup): SqlValue[] {
  const side = (x: StoredSide): SqlValue[] => [x.uri, x.trust, x.crt, x.key, x.crc];
  return [s.eui, ...side(s.cups), ...side(s.lns), s.fwCrc, s.fwAfter, s.fwSentAt, s.updatedAt];
}
