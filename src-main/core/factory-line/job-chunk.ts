/**
 * One chunk of a pre-generation job (see `jobs.ts` for the "never re-use, never skip" argument):
 * the units are written with a small pool in hand-out order — so what is written is always a
 * contiguous prefix — and then recorded with the moved cursor in one transaction.
 */
import { DomainError } from '../../../src-shared/errors';
import { euiHex } from '../../../src-shared/ids';
import { normalizePin } from '../../../src-shared/pin';
import type { RequestContext } from '../context';
import { actorOf, AuditWriter } from '../audit';
import { isoAt } from '../env';
import { bundleFileList, deriveBundle, type BundleOptions } from '../factory-bundle';
import { buildLabelModel } from '../labels/label-model';
import type { FactoryLineDeps } from './context';
import { tokenGenerations } from './derive';
import { findJob, type JobRow } from './job-rows';
import { joinPath } from './job-range';
import type { LineBatch } from './line-batches';
import { recordSteps, type UnitStepRecord } from './records';
import { insertUnit, UnitEventWriter, type UnitRow } from './unit-rows';

/** The ZPL label of a pre-generated unit. */
export function renderJobZpl(
  deps: FactoryLineDeps,
  eui: bigint,
  pin: string,
  template: string,
): Promise<Uint8Array> {
  return deps.labels.render(buildLabelModel({ id: eui, pin }), template, 'zpl');
}

/**
 * Writes the units from..to (bundle, and the ZPL label when the job has labels) with
 * `concurrency` workers; stops handing out EUIs once `stop()` is true. Returns how many units from
 * `from` on are written — always a contiguous prefix, as every EUI handed out is finished first.
 * @throws the first write or derivation error (after the units in flight finished).
 */
export async function writeChunk(
  deps: FactoryLineDeps,
  job: JobRow,
  batch: LineBatch,
  bundle: BundleOptions,
  from: bigint,
  to: bigint,
  options: { concurrency: number; stop: () => boolean },
): Promise<number> {
  const generations = await deps.store.read((tx) => tokenGenerations(tx, from, to));
  const count = Number(to - from) + 1;
  let handed = 0;
  let failure: unknown;
  const zipTime = Date.parse(job.createdAt);
  const worker = async () => {
    while (handed < count && !options.stop() && failure === undefined) {
      const eui = from + BigInt(handed++);
      const hex = euiHex(eui);
      try {
        const unit = await deriveBundle(deps.hsm, batch, eui, generations.get(hex) ?? 0, bundle);
        await deps.sink.writeBundle({
          outDir: job.outDir,
          euiHex: hex,
          files: bundleFileList(unit),
          zip: job.options.zip,
          zipTime,
        });
        if (job.options.labels) {
          const zpl = await renderJobZpl(deps, eui, normalizePin(unit.pin), job.options.template);
          await deps.sink.writeLabel(job.outDir, hex, '.zpl', zpl);
        }
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  if (failure !== undefined) throw failure;
  return handed;
}

/**
 * Records `count` units from `from` on and moves the job's cursor past them, in one transaction
 * (the unit primary key refuses an EUI recorded before).
 * @throws DomainError('conflict') when the stored cursor is not `from` (another runner).
 */
export async function commitChunk(
  deps: FactoryLineDeps,
  ctx: RequestContext,
  job: JobRow,
  batch: LineBatch,
  from: bigint,
  count: number,
): Promise<JobRow> {
  const at = isoAt(deps.clock.now());
  const actor = actorOf(ctx.principal);
  return deps.store.transaction(async (tx) => {
    const current = await findJob(tx, job.id);
    if (current === undefined || current.next !== from) {
      throw new DomainError('conflict', `job ${job.id}: its cursor moved under this run (another runner?)`);
    }
    const events = new UnitEventWriter(tx);
    const generations =
      deps.records === undefined ? undefined : await tokenGenerations(tx, from, from + BigInt(count - 1));
    const steps: UnitStepRecord[] = [];
    for (let i = 0; i < count; i++) {
      const hex = euiHex(from + BigInt(i));
      const unit: UnitRow = {
        eui: hex,
        batchId: batch.id,
        state: 'personalized',
        fromMac: false,
        personalizedAt: at,
        personalizedBy: actor,
        station: deps.station,
        personalizeCount: 1,
        repersonalizeReason: null,
        jobId: job.id,
        bundlePath: joinPath(job.outDir, hex),
        printedAt: null,
        printCount: 0,
        verifiedAt: null,
        verifiedBy: null,
        blockedAt: null,
        blockedReason: null,
        updatedAt: at,
      };
      await insertUnit(tx, unit);
      await events.add({
        eui: hex,
        batchId: batch.id,
        at,
        actor,
        station: deps.station,
        event: 'personalized',
        detail: { job: job.id, label: job.options.labels, zip: job.options.zip },
      });
      steps.push({
        unit,
        event: 'personalized',
        at,
        actor,
        generation: generations?.get(hex) ?? 0,
        reason: null,
      });
    }
    // the chunk's personalization records, in this transaction (docs/sync.md "Factory records")
    await recordSteps(deps, tx, steps);
    const nextEui = from + BigInt(count);
    const next = nextEui > current.last ? null : nextEui;
    const done = current.done + count;
    await tx.run(
      'UPDATE factory_jobs SET next_eui = ?, done_count = ?, updated_at = ?, state = ? WHERE id = ?',
      [next === null ? null : euiHex(next), done, at, next === null ? 'done' : 'running', job.id],
    );
    if (next === null) {
      await new AuditWriter(tx, ctx, at).add('factory.job.done', job.id, { batch: batch.id, units: done });
    }
    return { ...current, next, done, updatedAt: at, state: next === null ? 'done' : 'running' };
  });
}
