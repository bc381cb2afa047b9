/**
 * Store access of the factory line: unit rows, their history events and per-batch counters
 * (tables of migration 0006). Pure SQL over the {@link Tx} port; every write happens inside the
 * caller's transaction so a unit's state, its event and the audit entry commit together.
 */
import type { FactoryCounts, UnitEvent, UnitState, UnitView } from '../../../src-shared/factory-channels';
import { euiFromHex, formatEui64, formatId6, macFromEui } from '../../../src-shared/ids';
import type { SqlRow, SqlValue, Tx } from '../ports';
import { intOf, textOf, textOrNull } from '../rows';

/** Columns of `factory_units` in {@link UnitRow} order. */
export const UNIT_COLUMNS =
  'eui, batch_id, state, from_mac, personalized_at, personalized_by, station, personalize_count, repersonalize_reason, ' +
  'job_id, bundle_path, printed_at, print_count, verified_at, verified_by, blocked_at, blocked_reason, updated_at';

/** A stored unit. */
export interface UnitRow {
  eui: string;
  batchId: string;
  state: UnitState;
  fromMac: boolean;
  personalizedAt: string;
  personalizedBy: string;
  station: string;
  personalizeCount: number;
  repersonalizeReason: string | null;
  jobId: string | null;
  bundlePath: string | null;
  printedAt: string | null;
  printCount: number;
  verifiedAt: string | null;
  verifiedBy: string | null;
  blockedAt: string | null;
  blockedReason: string | null;
  updatedAt: string;
}

/** Parses a `factory_units` row. */
export function unitRowOf(r: SqlRow): UnitRow {
  return {
    eui: textOf(r, 'eui'),
    batchId: textOf(r, 'batch_id'),
    state: textOf(r, 'state') as UnitState,
    fromMac: intOf(r, 'from_mac') === 1,
    personalizedAt: textOf(r, 'personalized_at'),
    personalizedBy: textOf(r, 'personalized_by'),
    station: textOf(r, 'station'),
    personalizeCount: intOf(r, 'personalize_count'),
    repersonalizeReason: textOrNull(r, 'repersonalize_reason'),
    jobId: textOrNull(r, 'job_id'),
    bundlePath: textOrNull(r, 'bundle_path'),
    printedAt: textOrNull(r, 'printed_at'),
    printCount: intOf(r, 'print_count'),
    verifiedAt: textOrNull(r, 'verified_at'),
    verifiedBy: textOrNull(r, 'verified_by'),
    blockedAt: textOrNull(r, 'blocked_at'),
    blockedReason: textOrNull(r, 'blocked_reason'),
    updatedAt: textOf(r, 'updated_at'),
  };
}

/** The values of {@link UNIT_COLUMNS} for an insert or replace. */
export function unitParams(u: UnitRow): SqlValue[] {
  return [
    u.eui,
    u.batchId,
    u.state,
    u.fromMac ? 1 : 0,
    u.personalizedAt,
    u.personalizedBy,
    u.station,
    u.personalizeCount,
    u.repersonalizeReason,
    u.jobId,
    u.bundlePath,
    u.printedAt,
    u.printCount,
    u.verifiedAt,
    u.verifiedBy,
    u.blockedAt,
    u.blockedReason,
    u.updatedAt,
  ];
}

const PLACEHOLDERS = UNIT_COLUMNS.split(',')
  .map(() => '?')
  .join(', ');

/** Reads one unit by its 16-hex EUI. */
export async function findUnit(tx: Tx, hex: string): Promise<UnitRow | undefined> {
  const r = await tx.get(`SELECT ${UNIT_COLUMNS} FROM factory_units WHERE eui = ?`, [hex]);
  return r === undefined ? undefined : unitRowOf(r);
}

/** Inserts a new unit (fails on an existing EUI: the primary key is the last guard against re-use). */
export async function insertUnit(tx: Tx, u: UnitRow): Promise<void> {
  await tx.run(`INSERT INTO factory_units (${UNIT_COLUMNS}) VALUES (${PLACEHOLDERS})`, unitParams(u));
}

/** Replaces a stored unit's columns. */
export async function updateUnit(tx: Tx, u: UnitRow): Promise<void> {
  const sets = UNIT_COLUMNS.split(', ')
    .slice(1)
    .map((c) => `${c} = ?`)
    .join(', ');
  await tx.run(`UPDATE factory_units SET ${sets} WHERE eui = ?`, [...unitParams(u).slice(1), u.eui]);
}

/** The unit as the UI sees it. */
export function unitView(u: UnitRow): UnitView {
  const id = euiFromHex(u.eui);
  return {
    gateway: formatId6(id),
    eui: formatEui64(id),
    mac: u.fromMac ? (macFromEui(id) ?? null) : null,
    batch: u.batchId,
    state: u.state,
    personalizedAt: u.personalizedAt,
    personalizedBy: u.personalizedBy,
    station: u.station,
    personalizeCount: u.personalizeCount,
    repersonalizeReason: u.repersonalizeReason,
    jobId: u.jobId,
    bundlePath: u.bundlePath,
    printedAt: u.printedAt,
    printCount: u.printCount,
    verifiedAt: u.verifiedAt,
    verifiedBy: u.verifiedBy,
    blockedAt: u.blockedAt,
    blockedReason: u.blockedReason,
  };
}

/** Units of a batch per state (`personalized` = every unit with a bundle). */
export async function countsOf(tx: Tx, batchId: string): Promise<FactoryCounts> {
  const rows = await tx.all(
    'SELECT state, COUNT(*) AS n FROM factory_units WHERE batch_id = ? GROUP BY state',
    [batchId],
  );
  const by: Record<string, number> = {};
  for (const r of rows) by[textOf(r, 'state')] = intOf(r, 'n');
  const verified = by.verified ?? 0;
  const printed = (by.printed ?? 0) + verified;
  const blocked = by.blocked ?? 0;
  return { personalized: (by.personalized ?? 0) + printed + blocked, printed, verified, blocked };
}

/** One event to append to a unit's history. */
export interface NewUnitEvent {
  eui: string;
  batchId: string;
  at: string;
  actor: string;
  station: string;
  event: string;
  detail: Record<string, unknown>;
}

/** Appends events inside one transaction; ids continue from the largest stored id. */
export class UnitEventWriter {
  #next: number | undefined;
  constructor(private readonly tx: Tx) {}

  /** Appends one event (detail must hold no secret). */
  async add(e: NewUnitEvent): Promise<void> {
    if (this.#next === undefined) {
      const row = await this.tx.get('SELECT MAX(id) AS m FROM factory_unit_events');
      this.#next = (row?.m === null || row?.m === undefined ? 0 : intOf(row, 'm')) + 1;
    }
    await this.tx.run(
      'INSERT INTO factory_unit_events (id, eui, batch_id, at, actor, station, event, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [this.#next++, e.eui, e.batchId, e.at, e.actor, e.station, e.event, JSON.stringify(e.detail)],
    );
  }
}

/** Parses a `factory_unit_events` row. */
export function unitEventOf(r: SqlRow): UnitEvent {
  return {
    id: intOf(r, 'id'),
    gateway: formatId6(euiFromHex(textOf(r, 'eui'))),
    batch: textOf(r, 'batch_id'),
    at: textOf(r, 'at'),
    actor: textOf(r, 'actor'),
    station: textOf(r, 'station'),
    event: textOf(r, 'event'),
    detail: JSON.parse(textOf(r, 'detail')) as Record<string, unknown>,
  };
}

/** Columns of `factory_unit_events`. */
export const EVENT_COLUMNS = 'id, eui, batch_id, at, actor, station, event, detail';
