/**
 * The last CUPS contact per gateway (SPEC §3.6 "Record per gateway"): time, reported `station`,
 * `model`, `package`, URIs, CRCs and keys, the address and the outcome. Written on the CUPS hot
 * path with relaxed durability; read by `info`.
 */
import type { CupsContact } from '../api';
import type { SqlRow, Tx } from '../ports';
import { intOrNull, selectIn, textOf, textOrNull } from '../rows';

/** A contact as stored, with the reported URIs beside the public {@link CupsContact}. */
export interface ContactRecord extends CupsContact {
  cupsUri: string | null;
  tcUri: string | null;
}

const COLUMNS =
  'eui, at, address, outcome, station, model, package, cups_uri, tc_uri, cups_cred_crc, tc_cred_crc, keys, credential, token_generation';

const CREDENTIALS = new Set(['token', 'added_token', 'certificate']);

function contactOf(r: SqlRow): ContactRecord {
  let keys: number[] = [];
  try {
    const parsed: unknown = JSON.parse(textOf(r, 'keys'));
    if (Array.isArray(parsed)) keys = parsed.filter((k): k is number => typeof k === 'number');
  } catch {
    keys = [];
  }
  return {
    at: textOf(r, 'at'),
    address: textOrNull(r, 'address'),
    outcome: textOf(r, 'outcome'),
    station: textOrNull(r, 'station'),
    model: textOrNull(r, 'model'),
    package: textOrNull(r, 'package'),
    cupsUri: textOrNull(r, 'cups_uri'),
    tcUri: textOrNull(r, 'tc_uri'),
    cupsCredCrc: intOrNull(r, 'cups_cred_crc'),
    tcCredCrc: intOrNull(r, 'tc_cred_crc'),
    keys,
    credential: credentialOf(textOrNull(r, 'credential')),
    tokenGeneration: intOrNull(r, 'token_generation'),
  };
}

function credentialOf(v: string | null): ContactRecord['credential'] {
  return v !== null && CREDENTIALS.has(v) ? (v as ContactRecord['credential']) : null;
}

/** Last contacts of the given gateways (16-hex keys), by key. */
export async function loadContacts(tx: Tx, hexes: readonly string[]): Promise<Map<string, ContactRecord>> {
  const rows = await selectIn(tx, (p) => `SELECT ${COLUMNS} FROM cups_contacts WHERE eui IN (${p})`, hexes);
  return new Map(rows.map((r) => [textOf(r, 'eui'), contactOf(r)]));
}

/** Replaces the last contact of a gateway. */
export async function saveContact(tx: Tx, hex: string, c: ContactRecord): Promise<void> {
  await tx.run(
    `INSERT INTO cups_contacts (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (eui) DO UPDATE SET at = excluded.at, address = excluded.address, outcome = excluded.outcome,
       station = excluded.station, model = excluded.model, package = excluded.package,
       cups_uri = excluded.cups_uri, tc_uri = excluded.tc_uri, cups_cred_crc = excluded.cups_cred_crc,
       tc_cred_crc = excluded.tc_cred_crc, keys = excluded.keys, credential = excluded.credential,
       token_generation = excluded.token_generation`,
    [
      hex,
      c.at,
      c.address,
      c.outcome,
      c.station,
      c.model,
      c.package,
      c.cupsUri,
      c.tcUri,
      c.cupsCredCrc,
      c.tcCredCrc,
      JSON.stringify(c.keys),
      c.credential,
      c.tokenGeneration,
    ],
  );
}
