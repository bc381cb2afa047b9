/**
 * Factory personalization records of the line's steps (docs/sync.md "Factory records"): each step
 * of a unit — personalized, printed, verified, blocked, and their repeats — is handed to the
 * record sink (the station's outbox when it has a remote link) inside the transaction that records
 * the step, so the step and its record commit together or not at all. A record is the unit as
 * stored right after the step, with the KCV of its batch root key (SPEC §2) so the remote, a twin,
 * can tell whether it holds the same key. No secret: a unit holds none.
 *
 * A one-off bundle made outside the line (`gwjs personalize`, {@link recordOneOffPersonalize}) has
 * no unit row: its record is the `personalized` step of a unit made just then.
 */
import type { FactoryRecord, FactoryRecordEvent } from '../../../src-shared/contract/factory-records';
import { euiFromHex, formatId6 } from '../../../src-shared/ids';
import type { Tx } from '../ports';
import { selectIn, textOf } from '../rows';
import { uuidOf } from '../sync/outbox';
import type { FactoryLineDeps } from './context';
import type { UnitRow } from './unit-rows';
import type { UnitTransition } from './unit-state';

/** The record event of a unit transition (a label mismatch blocks the unit). */
export function recordEventOf(event: UnitTransition['event']): FactoryRecordEvent {
  return event === 'mismatch' ? 'blocked' : event;
}

/** Takes the records of one step inside its transaction; a throw rolls the step back. */
export type FactoryRecordSink = (tx: Tx, records: readonly FactoryRecord[]) => Promise<void>;

/** One unit step to report. */
export interface UnitStepRecord {
  /** the unit as stored after the step */
  unit: UnitRow;
  event: FactoryRecordEvent;
  at: string;
  actor: string;
  /** token generation of the bundle (personalize steps); null otherwise */
  generation: number | null;
  /** reason of a re-personalization or a reprint */
  reason: string | null;
}

/** Hands the records of `steps` to the line's sink inside `tx` (nothing without a sink). */
export async function recordSteps(
  deps: Pick<FactoryLineDeps, 'records' | 'random'>,
  tx: Tx,
  steps: readonly UnitStepRecord[],
): Promise<void> {
  if (deps.records === undefined || steps.length === 0) return;
  const ids = [...new Set(steps.map((s) => s.unit.batchId))];
  const kcvs = new Map(
    (await selectIn(tx, (p) => `SELECT id, kcv FROM batches WHERE id IN (${p})`, ids)).map(
      (r) => [textOf(r, 'id'), textOf(r, 'kcv')] as const,
    ),
  );
  const records = steps.map(({ unit: u, ...s }): FactoryRecord => ({
    recordId: uuidOf(deps.random.bytes(16)),
    gateway: formatId6(euiFromHex(u.eui)),
    batch: u.batchId,
    kcv: kcvs.get(u.batchId) ?? '',
    event: s.event,
    at: s.at,
    station: u.station,
    operator: s.actor,
    state: u.state,
    fromMac: u.fromMac,
    generation: s.generation,
    personalizeCount: u.personalizeCount,
    printCount: u.printCount,
    jobId: u.jobId,
    reason: s.reason,
    personalizedAt: u.personalizedAt,
    printedAt: u.printedAt,
    verifiedAt: u.verifiedAt,
    blockedAt: u.blockedAt,
    blockedReason: u.blockedReason,
  }));
  await deps.records(tx, records);
}

/** A one-off personalization outside the line (`gwjs personalize`): the bundle of one gateway. */
export interface OneOffPersonalize {
  /** 16 uppercase hex */
  eui: string;
  batchId: string;
  /** the station (host) that made the bundle */
  station: string;
  actor: string;
  at: string;
  /** token generation the bundle carries */
  generation: number;
}

/**
 * Hands the record of a one-off bundle to `deps.records` inside `tx` (docs/sync.md "Factory
 * records"): no unit row exists, so the record is the `personalized` step of a unit made just
 * then — state `personalized`, personalized once, never printed, no job, no reason.
 */
export async function recordOneOffPersonalize(
  deps: Pick<FactoryLineDeps, 'records' | 'random'>,
  tx: Tx,
  p: OneOffPersonalize,
): Promise<void> {
  const unit: UnitRow = {
    eui: p.eui,
    batchId: p.batchId,
    state: 'personalized',
    fromMac: false,
    personalizedAt: p.at,
    personalizedBy: p.actor,
    station: p.station,
    personalizeCount: 1,
    repersonalizeReason: null,
    jobId: null,
    bundlePath: null,
    printedAt: null,
    printCount: 0,
    verifiedAt: null,
    verifiedBy: null,
    blockedAt: null,
    blockedReason: null,
    updatedAt: p.at,
  };
  await recordSteps(deps, tx, [
    { unit, event: 'personalized', at: p.at, actor: p.actor, generation: p.generation, reason: null },
  ]);
}
