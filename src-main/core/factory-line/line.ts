/**
 * The line workflow (docs/factory-line.md), one unit at a time, keyboard-wedge friendly (one field,
 * Enter advances):
 *
 * 1. **scan** the MAC or EUI → it must lie in the active batch, outside any unfinished
 *    pre-generation job, and not be personalized yet (again only with a reason, audited);
 * 2. **derive** through the HSM (SPEC §2) and **write** the bundle (SPEC §5) to the line's folder,
 *    optionally zipped, flushed to disk; run the optional post-write hook with the bundle path;
 * 3. **record** who, when, which station and batch (unit row, history event, audit entry);
 * 4. **print** the label (SPEC §6) on the line's printer;
 * 5. **verify**: the operator scans the printed QR; the station re-derives the PIN through the HSM
 *    and compares in constant time; a mismatch **blocks** the unit (audited) — only a
 *    re-personalization with a reason brings it back.
 *
 * Longer than ~400 lines on purpose: the five steps share one unit's checks inside their
 * transactions, so they stay one class; the checks and the line position are apart
 * (`line-checks.ts`, `line-position.ts`).
 *
 * Unit state rules are in `unit-state.ts`; every step re-checks them inside its transaction.
 */
import { bytesToBase64 } from '../../../src-shared/bytes';
import { DomainError, isDomainError } from '../../../src-shared/errors';
import type {
  FactoryCounts,
  LineSettings,
  PrintOutcome,
  LinePosition,
  ScanResult,
  UnitEvent,
  UnitView,
  VerifyResult,
} from '../../../src-shared/factory-channels';
import type { ParsedRequestOf } from '../../../src-shared/ipc';
import { euiHex, formatId6, parseIdField } from '../../../src-shared/ids';
import { constantTimeEqual, normalizePin } from '../../../src-shared/pin';
import { parseScannedCode } from '../../../src-shared/qr-payload';
import type { RequestContext } from '../context';
import { actorOf, AuditWriter } from '../audit';
import { isoAt } from '../env';
import { buildLabelModel } from '../labels/label-model';
import { bundleFileList, deriveBundle, derivePin } from '../factory-bundle';
import type { BundleLocation } from './ports';
import type { FactoryLineDeps } from './context';
import { lineBundleOptions, tokenGenerations } from './derive';
import { loadLineBatch } from './line-batches';
import {
  checkInBatch,
  checkNotReserved,
  describePrinter,
  hookSummary,
  outputProblem,
  requireUnit,
} from './line-checks';
import type { LineSettingsService } from './line-settings';
import { holdUnit, lastPrintFailure, readPosition, releaseUnit } from './line-position';
import { parseScanInput } from './scan-input';
import {
  countsOf,
  EVENT_COLUMNS,
  findUnit,
  insertUnit,
  unitEventOf,
  UnitEventWriter,
  unitView,
  updateUnit,
  type UnitRow,
} from './unit-rows';
import { nextUnitState } from './unit-state';
import { recordEventOf, recordSteps } from './records';

/** Input of {@link FactoryLine.scan}: the `factory:scan` request. */
type ScanInput = ParsedRequestOf<'factory:scan'>;

const HISTORY_DEFAULT = 50;

/** The first sentence of `text` without its closing period, to be embedded in another sentence. */
const firstSentence = (text: string): string => text.split(/(?<=\.)\s/)[0]!.replace(/[.\s]+$/, '');

/** The line workflow service. */
export class FactoryLine {
  constructor(
    private readonly deps: FactoryLineDeps,
    private readonly settings: LineSettingsService,
  ) {}

  /**
   * Personalizes the scanned gateway: checks, derives, writes the bundle, runs the hook, records the
   * unit and prints its label. A failing hook or printer does not undo the personalization: the
   * answer says what failed, and the unit waits for a reprint (or a re-personalization).
   * @throws DomainError('invalid_id') for an unreadable scan; ('invalid_request') outside the batch;
   *   ('conflict') when the unit is already personalized without a reason, or reserved by a job;
   *   ('not_found' | 'not_configured' | 'invalid_uri' | 'trust_required' | 'hsm_locked' | …).
   */
  async scan(ctx: RequestContext, input: ScanInput): Promise<ScanResult> {
    const settings = await this.settings.require();
    const { id, fromMac } = parseScanInput(input.input);
    const hex = euiHex(id);
    const id6 = formatId6(id);
    const reason = input.reason?.trim() || undefined;

    const { batch, generation } = await this.deps.store.read(async (tx) => {
      const b = await loadLineBatch(tx, this.deps, input.batchId);
      await checkInBatch(tx, this.deps, b, id);
      const u = await findUnit(tx, hex);
      nextUnitState(u?.state ?? null, { kind: 'personalize', reason }, id6);
      await checkNotReserved(tx, hex, id6);
      return { batch: b, generation: (await tokenGenerations(tx, id, id)).get(hex) ?? 0 };
    });
    const { options: bundleOptions, signingKeyCrc } = await lineBundleOptions(this.deps, batch);

    const bundle = await deriveBundle(this.deps.hsm, batch, id, generation, bundleOptions);
    const pin = normalizePin(bundle.pin);
    let location: BundleLocation;
    try {
      location = await this.deps.sink.writeBundle({
        outDir: settings.outDir,
        euiHex: hex,
        files: bundleFileList(bundle),
        zip: settings.zip,
        zipTime: this.deps.clock.now(),
      });
      await this.deps.sink.flush(settings.outDir);
    } catch (e) {
      throw outputProblem(settings.outDir, e);
    }

    const hook =
      settings.hook === null
        ? null
        : await this.deps.hooks.run(settings.hook, {
            bundle: location.path,
            eui: hex,
            zip: location.zipPath,
          });

    const at = isoAt(this.deps.clock.now());
    const actor = actorOf(ctx.principal);
    let unit = await this.deps.store.transaction(async (tx) => {
      const current = await findUnit(tx, hex);
      const step = nextUnitState(current?.state ?? null, { kind: 'personalize', reason }, id6);
      const row: UnitRow = {
        eui: hex,
        batchId: batch.id,
        state: step.state,
        fromMac,
        personalizedAt: at,
        personalizedBy: actor,
        station: this.deps.station,
        personalizeCount: (current?.personalizeCount ?? 0) + 1,
        repersonalizeReason: current === undefined ? null : (reason ?? null),
        jobId: null,
        bundlePath: location.path,
        printedAt: null,
        printCount: current?.printCount ?? 0,
        verifiedAt: null,
        verifiedBy: null,
        blockedAt: null,
        blockedReason: null,
        updatedAt: at,
      };
      if (current === undefined) await insertUnit(tx, row);
      else await updateUnit(tx, row);
      const events = new UnitEventWriter(tx);
      const base = { eui: hex, batchId: batch.id, at, actor, station: this.deps.station };
      await events.add({
        ...base,
        event: step.event,
        detail: {
          bundle: location.path,
          zip: location.zipPath,
          fromMac,
          generation,
          ...(current !== undefined ? { reason, previousState: current.state } : {}),
        },
      });
      if (hook !== null && !hook.ok) {
        await events.add({ ...base, event: 'hook_failed', detail: hookSummary(hook) });
        await releaseUnit(tx, this.deps.station);
      } else {
        // the line now waits for this unit's verification scan, whichever screen makes it
        await holdUnit(tx, { station: this.deps.station, batchId: batch.id, eui: hex, when: at, actor });
      }
      // the step's personalization record, in this transaction (docs/sync.md "Factory records")
      await recordSteps(this.deps, tx, [
        {
          unit: row,
          event: recordEventOf(step.event),
          at,
          actor,
          generation,
          reason: row.repersonalizeReason,
        },
      ]);
      const audit = new AuditWriter(tx, ctx, at);
      await audit.add(current === undefined ? 'personalize' : 'factory.unit.repersonalize', id6, {
        batch: batch.id,
        station: this.deps.station,
        generation,
        cupsUri: bundleOptions.cupsUri,
        ...(signingKeyCrc !== null ? { signingKeyCrc } : {}),
        ...(current !== undefined
          ? { reason, previousState: current.state, count: row.personalizeCount }
          : {}),
      });
      return row;
    });

    let print: PrintOutcome;
    if (hook !== null && !hook.ok) {
      print = { status: 'skipped', message: 'the post-write hook failed: label not printed' };
    } else {
      const printed = await this.#print(ctx, unit, pin, settings, undefined);
      unit = printed.unit;
      print = printed.print;
    }
    const labelPng = await this.#preview(id, pin, fromMac, settings.template);
    const counts = await this.#counts(batch.id);
    return { unit: unitView(unit), bundle: location, hook, print, labelPng, counts };
  }

  /**
   * Prints a unit's label again: after a failed print, or as a reprint (needs a reason; logged).
   * @throws DomainError('conflict' | 'not_found' | 'not_configured' | …)
   */
  async print(
    ctx: RequestContext,
    input: { gateway: string; reason?: string | undefined },
  ): Promise<{ unit: UnitView; print: PrintOutcome; counts: FactoryCounts }> {
    const settings = await this.settings.require();
    const id = parseIdField(input.gateway, 'gateway');
    const id6 = formatId6(id);
    const reason = input.reason?.trim() || undefined;
    const { unit, batch } = await this.deps.store.read(async (tx) => {
      const u = await requireUnit(tx, id);
      nextUnitState(u.state, { kind: 'print', reason }, id6);
      return { unit: u, batch: await loadLineBatch(tx, this.deps, u.batchId) };
    });
    const pin = await derivePin(this.deps.hsm, batch.brkHandle, id);
    const printed = await this.#print(ctx, unit, pin, settings, reason);
    return { unit: unitView(printed.unit), print: printed.print, counts: await this.#counts(batch.id) };
  }

  /**
   * Checks the scanned label against the HSM-derived PIN of the unit. The unit's own Code 128 (its
   * 16-hex EUI), a code that is not a GWJS label, and any scan while the unit's last print failed
   * are refused without blocking; a GWJS label of another gateway, or of this one with another PIN,
   * blocks the unit.
   * @throws DomainError('invalid_request') naming `scanned` for those refusals; ('conflict') when the
   *   unit is not waiting for a verification; ('not_found') for an unknown unit.
   */
  async verify(ctx: RequestContext, input: { gateway: string; scanned: string }): Promise<VerifyResult> {
    const id = parseIdField(input.gateway, 'gateway');
    const id6 = formatId6(id);
    const hex = euiHex(id);
    const scanned = input.scanned.trim();
    if (scanned.toUpperCase() === hex) {
      throw new DomainError(
        'invalid_request',
        `scanned: that is the label's barcode (the EUI only); scan the QR code of gateway ${id6} to verify its PIN`,
        { field: 'scanned' },
      );
    }
    const { batch, printFailure } = await this.deps.store.read(async (tx) => {
      const u = await requireUnit(tx, id);
      nextUnitState(u.state, { kind: 'verify', match: true }, id6);
      return {
        batch: await loadLineBatch(tx, this.deps, u.batchId),
        printFailure: u.state === 'personalized' ? await lastPrintFailure(tx, u) : null,
      };
    });
    // Only a GWJS label can be the wrong label on this unit: anything else (a box barcode, a
    // scanner glitch) is refused and changes nothing, and so is any scan while the unit's label
    // never printed — there is no label of this unit to be wrong.
    const code = parseScannedCode(scanned);
    if (code.kind !== 'gwjs') {
      throw new DomainError(
        'invalid_request',
        `scanned: not a GWJS label (${firstSentence(code.explanation)}); scan the QR code of the label of gateway ${id6} — the unit is unchanged`,
        { field: 'scanned' },
      );
    }
    if (printFailure !== null) {
      throw new DomainError(
        'invalid_request',
        `scanned: gateway ${id6} has no printed label yet (${firstSentence(printFailure)}); print it again, then scan the new label — the unit is unchanged`,
        { field: 'scanned' },
      );
    }
    const expected = await derivePin(this.deps.hsm, batch.brkHandle, id);
    let mismatch: string | undefined;
    let scannedGateway: string | null = null;
    if (code.id !== id) {
      scannedGateway = formatId6(code.id);
      mismatch = `the scanned label belongs to gateway ${scannedGateway}, not to ${id6}`;
    } else if (!constantTimeEqual(code.pin, expected)) {
      scannedGateway = id6;
      mismatch = `the PIN on the label of ${id6} does not match the PIN derived through the HSM`;
    }

    const at = isoAt(this.deps.clock.now());
    const actor = actorOf(ctx.principal);
    const updated = await this.deps.store.transaction(async (tx) => {
      const current = await requireUnit(tx, id);
      const step = nextUnitState(current.state, { kind: 'verify', match: mismatch === undefined }, id6);
      const row: UnitRow =
        mismatch === undefined
          ? { ...current, state: step.state, verifiedAt: at, verifiedBy: actor, updatedAt: at }
          : { ...current, state: step.state, blockedAt: at, blockedReason: mismatch, updatedAt: at };
      await updateUnit(tx, row);
      if (mismatch === undefined) await releaseUnit(tx, this.deps.station, hex);
      else {
        await holdUnit(tx, {
          station: this.deps.station,
          batchId: current.batchId,
          eui: hex,
          when: at,
          actor,
        });
      }
      await new UnitEventWriter(tx).add({
        eui: hex,
        batchId: current.batchId,
        at,
        actor,
        station: this.deps.station,
        event: step.event,
        detail: mismatch === undefined ? {} : { reason: mismatch, scannedGateway },
      });
      await recordSteps(this.deps, tx, [
        {
          unit: row,
          event: recordEventOf(step.event),
          at,
          actor,
          generation: null,
          reason: null,
        },
      ]);
      if (mismatch !== undefined) {
        await new AuditWriter(tx, ctx, at).add('factory.unit.blocked', id6, {
          batch: current.batchId,
          station: this.deps.station,
          reason: mismatch,
          scannedGateway,
        });
      }
      return row;
    });
    if (mismatch !== undefined) {
      this.deps.logger.warn(
        { gateway: id6, batch: updated.batchId, station: this.deps.station },
        'factory unit blocked',
      );
    }
    return {
      outcome: mismatch === undefined ? 'verified' : 'mismatch',
      message:
        mismatch === undefined
          ? `Gateway ${id6} verified: the label matches.`
          : `Gateway ${id6} BLOCKED: ${firstSentence(mismatch)}. Set the unit aside; it needs a re-personalization with a reason.`,
      unit: unitView(updated),
      counts: await this.#counts(updated.batchId),
    };
  }

  /** Where this station's line stands (docs/factory-line.md "The line"); null = waiting for a scan. */
  async position(): Promise<{ position: LinePosition | null }> {
    return { position: await this.deps.store.read((tx) => readPosition(tx, this.deps.station)) };
  }

  /**
   * Takes `gateway` off this station's line (the operator went back to scan, or set a blocked unit
   * aside). The unit keeps its state: a printed unit can be verified later only after scanning it
   * again with a reason, a blocked one stays blocked. A unit that is no longer on the line is a no-op.
   * @throws DomainError('invalid_id') naming `gateway`
   */
  async leave(input: { gateway: string }): Promise<{ position: LinePosition | null }> {
    const hex = euiHex(parseIdField(input.gateway, 'gateway'));
    return {
      position: await this.deps.store.transaction(async (tx) => {
        await releaseUnit(tx, this.deps.station, hex);
        return readPosition(tx, this.deps.station);
      }),
    };
  }

  /** Counters and the latest events of a batch, newest first. @throws DomainError('not_found') */
  async history(
    batchId: string,
    limit = HISTORY_DEFAULT,
  ): Promise<{ counts: FactoryCounts; events: UnitEvent[] }> {
    return this.deps.store.read(async (tx) => {
      await loadLineBatch(tx, this.deps, batchId);
      const rows = await tx.all(
        `SELECT ${EVENT_COLUMNS} FROM factory_unit_events WHERE batch_id = ? ORDER BY id DESC LIMIT ?`,
        [batchId, limit],
      );
      return { counts: await countsOf(tx, batchId), events: rows.map(unitEventOf) };
    });
  }

  /** One unit and its whole history (oldest first); `unit` null when never personalized. */
  async unit(gateway: string): Promise<{ unit: UnitView | null; events: UnitEvent[] }> {
    const hex = euiHex(parseIdField(gateway, 'gateway'));
    return this.deps.store.read(async (tx) => {
      const u = await findUnit(tx, hex);
      const rows = await tx.all(
        `SELECT ${EVENT_COLUMNS} FROM factory_unit_events WHERE eui = ? ORDER BY id`,
        [hex],
      );
      return { unit: u === undefined ? null : unitView(u), events: rows.map(unitEventOf) };
    });
  }

  async #counts(batchId: string): Promise<FactoryCounts> {
    return this.deps.store.read((tx) => countsOf(tx, batchId));
  }

  /** Renders and sends the label, then records the outcome (state printed, or a print_failed event). */
  async #print(
    ctx: RequestContext,
    unit: UnitRow,
    pin: string,
    settings: LineSettings,
    reason: string | undefined,
  ): Promise<{ unit: UnitRow; print: PrintOutcome }> {
    const id = parseIdField(unit.eui, 'gateway');
    const id6 = formatId6(id);
    const printer = this.deps.printers.open(settings.printer);
    if (printer === undefined) {
      return { unit, print: { status: 'skipped', message: 'no printer configured for this line' } };
    }
    let print: PrintOutcome;
    try {
      const zpl = await this.deps.labels.render(
        buildLabelModel({ id, pin, fromMac: unit.fromMac }),
        settings.template,
        'zpl',
      );
      const sent = await printer.send(zpl);
      print = { status: 'printed', bytes: sent.bytesSent, printer: describePrinter(settings) };
    } catch (e) {
      const code = isDomainError(e) ? e.code : String((e as { code?: unknown }).code ?? 'printer_io');
      print = { status: 'failed', code, message: e instanceof Error ? e.message : String(e) };
    }
    const at = isoAt(this.deps.clock.now());
    const actor = actorOf(ctx.principal);
    const row = await this.deps.store.transaction(async (tx) => {
      const current = await requireUnit(tx, id);
      const events = new UnitEventWriter(tx);
      const base = { eui: unit.eui, batchId: current.batchId, at, actor, station: this.deps.station };
      if (print.status !== 'printed') {
        await events.add({
          ...base,
          event: 'print_failed',
          detail: { ...print, ...(reason ? { reason } : {}) },
        });
        return current;
      }
      const step = nextUnitState(current.state, { kind: 'print', reason }, id6);
      const next: UnitRow = {
        ...current,
        state: step.state,
        printedAt: at,
        printCount: current.printCount + 1,
        verifiedAt: null,
        verifiedBy: null,
        updatedAt: at,
      };
      await updateUnit(tx, next);
      await events.add({
        ...base,
        event: step.event,
        detail: {
          bytes: print.bytes,
          printer: print.printer,
          template: settings.template,
          ...(reason ? { reason } : {}),
        },
      });
      await recordSteps(this.deps, tx, [
        { unit: next, event: recordEventOf(step.event), at, actor, generation: null, reason: reason ?? null },
      ]);
      if (step.event === 'reprinted') {
        await new AuditWriter(tx, ctx, at).add('factory.label.reprint', id6, {
          batch: current.batchId,
          station: this.deps.station,
          reason,
          count: next.printCount,
        });
      }
      return next;
    });
    return { unit: row, print };
  }

  /** PNG preview for the operator's screen; a rendering problem only costs the preview. */
  async #preview(id: bigint, pin: string, fromMac: boolean, template: string): Promise<string | null> {
    try {
      const png = await this.deps.labels.render(buildLabelModel({ id, pin, fromMac }), template, 'png');
      return bytesToBase64(png);
    } catch (e) {
      this.deps.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'label preview failed');
      return null;
    }
  }
}
