/**
 * Where a station's line stands (docs/factory-line.md "The line"), kept in the store (migration
 * 0019) rather than in a browser tab: the unit between its personalization and its verification, or
 * the blocked unit until the operator sets it aside. A reload or a second screen of the same
 * station reads it and resumes at the unit's step. The step follows from the unit's stored state:
 * personalized or printed → verify, blocked → blocked; a verified unit leaves the position.
 */
import type { LinePosition } from '../../../src-shared/factory-channels';
import type { Tx } from '../ports';
import { textOf } from '../rows';
import { EVENT_COLUMNS, findUnit, unitEventOf, unitView, type UnitRow } from './unit-rows';

/** Puts `eui` (16 hex) of `batchId` on the line of `station`, inside the caller's transaction. */
export async function holdUnit(
  tx: Tx,
  at: { station: string; batchId: string; eui: string; when: string; actor: string },
): Promise<void> {
  await tx.run('DELETE FROM factory_line_position WHERE station = ?', [at.station]);
  await tx.run(
    'INSERT INTO factory_line_position (station, batch_id, eui, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
    [at.station, at.batchId, at.eui, at.when, at.actor],
  );
}

/**
 * Takes the unit off the line of `station`: every unit when `eui` is undefined, else only when it
 * is `eui` (so a late call for an older unit never drops the one now on the line).
 */
export async function releaseUnit(tx: Tx, station: string, eui?: string): Promise<void> {
  if (eui === undefined) await tx.run('DELETE FROM factory_line_position WHERE station = ?', [station]);
  else await tx.run('DELETE FROM factory_line_position WHERE station = ? AND eui = ?', [station, eui]);
}

/** The position of `station`'s line, or null when it waits for a scan. */
export async function readPosition(tx: Tx, station: string): Promise<LinePosition | null> {
  const r = await tx.get('SELECT batch_id, eui FROM factory_line_position WHERE station = ?', [station]);
  if (r === undefined) return null;
  const unit = await findUnit(tx, textOf(r, 'eui'));
  if (unit === undefined || unit.state === 'verified') return null;
  const printFailed = unit.state === 'personalized' ? await lastPrintFailure(tx, unit) : null;
  return {
    batchId: textOf(r, 'batch_id'),
    step: unit.state === 'blocked' ? 'blocked' : 'verify',
    unit: unitView(unit),
    printFailed,
  };
}

/**
 * Why the label of a unit that is still `personalized` did not print: the message of its last
 * `print_failed` event since its personalization, or null when none failed (no printer: printed
 * elsewhere).
 */
export async function lastPrintFailure(tx: Tx, unit: UnitRow): Promise<string | null> {
  const last = await tx.get(
    `SELECT ${EVENT_COLUMNS} FROM factory_unit_events WHERE eui = ? AND event = 'print_failed' AND at >= ? ORDER BY id DESC LIMIT 1`,
    [unit.eui, unit.personalizedAt],
  );
  const message = last === undefined ? undefined : unitEventOf(last).detail.message;
  return typeof message === 'string' ? message : null;
}
