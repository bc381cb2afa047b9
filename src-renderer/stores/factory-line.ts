/**
 * The Line screen's workflow (docs/factory-line.md), keyboard-wedge friendly: one input, Enter
 * advances. Steps:
 *
 * ```
 * scan ──Enter: factory:scan──▶ verify ──Enter: factory:verify ok──▶ scan (next unit)
 *  │  already personalized          │   mismatch
 *  ▼                                ▼
 * reason ──Enter: scan + reason──▶ verify      blocked ──Esc / Acknowledge──▶ scan
 * ```
 * A blocked unit stops the line until the operator acknowledges it (a scanner cannot type Escape,
 * so the next scan cannot slip past the alarm). The transitions are a pure reducer
 * ({@link lineReducer}); the store adds the calls, the cues and the history.
 */
import { create } from 'zustand';
import { call, tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type {
  FactoryCounts,
  LineSettings,
  LineSettingsInput,
  LinePosition,
  ScanResult,
  UnitEvent,
  UnitView,
  VerifyResult,
} from '../../src-shared/factory-channels';

/** Where the line stands. */
export type LineStep =
  | { kind: 'scan' }
  | { kind: 'verify'; unit: UnitView; printFailed: string | null }
  | { kind: 'reason'; input: string; message: string }
  | { kind: 'blocked'; unit: UnitView; message: string };

/** The banner the operator sees (and hears). */
interface LineFlash {
  kind: 'ok' | 'error' | 'warn' | 'info';
  title: string;
  detail: string | null;
  /** increases on every flash, so the same message twice still flashes */
  seq: number;
}

/** The reducer's part of the state. */
export interface LineFlow {
  step: LineStep;
  flash: LineFlash | null;
  counts: FactoryCounts | null;
  /** the last personalization (label preview, bundle path, hook output) */
  last: ScanResult | null;
}

/** What happened. */
type LineEvent =
  | { kind: 'scanned'; result: ScanResult }
  | { kind: 'scanFailed'; input: string; error: UiError }
  | { kind: 'verified'; result: VerifyResult }
  | { kind: 'verifyFailed'; error: UiError }
  | { kind: 'reprinted'; unit: UnitView; ok: boolean; message: string; counts: FactoryCounts }
  | { kind: 'acknowledge' }
  | { kind: 'cancel' }
  | { kind: 'resumed'; position: LinePosition };

/** The start of a line session. */
export const INITIAL_FLOW: LineFlow = { step: { kind: 'scan' }, flash: null, counts: null, last: null };

const needsReason = (e: UiError) => e.code === 'conflict' && /needs a reason/.test(e.message);

/** The next flow after `event` (pure). */
export function lineReducer(s: LineFlow, event: LineEvent): LineFlow {
  const seq = (s.flash?.seq ?? 0) + 1;
  const flash = (kind: LineFlash['kind'], title: string, detail: string | null = null): LineFlash => ({
    kind,
    title,
    detail,
    seq,
  });
  switch (event.kind) {
    case 'scanned': {
      const r = event.result;
      const who = `${r.unit.gateway} (${r.unit.eui})`;
      if (r.hook !== null && !r.hook.ok) {
        return {
          step: { kind: 'scan' },
          counts: r.counts,
          last: r,
          flash: flash(
            'error',
            `Post-write hook failed for ${who}: label not printed`,
            r.hook.timedOut
              ? 'the hook timed out'
              : `exit ${r.hook.exitCode ?? r.hook.signal}: ${r.hook.output.trim().slice(-300)}`,
          ),
        };
      }
      if (r.print.status === 'failed') {
        return {
          step: { kind: 'verify', unit: r.unit, printFailed: r.print.message },
          counts: r.counts,
          last: r,
          flash: flash('warn', `Personalized ${who}, but the label did not print`, r.print.message),
        };
      }
      return {
        step: { kind: 'verify', unit: r.unit, printFailed: null },
        counts: r.counts,
        last: r,
        flash: flash(
          'info',
          `Personalized ${who}`,
          r.print.status === 'printed'
            ? 'Label printed: scan its QR code to verify.'
            : 'Scan the label’s QR code to verify.',
        ),
      };
    }
    case 'scanFailed':
      if (needsReason(event.error)) {
        return {
          ...s,
          step: { kind: 'reason', input: event.input, message: event.error.message },
          flash: flash('warn', 'Already personalized', event.error.message),
        };
      }
      return { ...s, step: { kind: 'scan' }, flash: flash('error', 'Not personalized', event.error.message) };
    case 'verified': {
      const r = event.result;
      if (r.outcome === 'verified') {
        return {
          ...s,
          step: { kind: 'scan' },
          counts: r.counts,
          flash: flash('ok', `Verified ${r.unit.gateway}`, 'Ready for the next unit.'),
        };
      }
      return {
        ...s,
        step: { kind: 'blocked', unit: r.unit, message: r.message },
        counts: r.counts,
        flash: flash('error', `UNIT BLOCKED: ${r.unit.gateway}`, r.message),
      };
    }
    case 'verifyFailed':
      if (s.step.kind !== 'verify') return s;
      if (event.error.code === 'invalid_request') {
        // not this unit's label, nor a wrong one (a barcode, a stray code, no label printed yet)
        return { ...s, flash: flash('warn', 'Not verified — the unit is unchanged', event.error.message) };
      }
      return {
        ...s,
        step: { kind: 'scan' },
        flash: flash('error', 'Verification not possible', event.error.message),
      };
    case 'reprinted':
      if (s.step.kind !== 'verify') return s;
      return {
        ...s,
        counts: event.counts,
        step: { kind: 'verify', unit: event.unit, printFailed: event.ok ? null : event.message },
        flash: event.ok
          ? flash('info', `Label printed for ${event.unit.gateway}`, 'Scan its QR code to verify.')
          : flash('warn', 'The label did not print', event.message),
      };
    case 'acknowledge':
      return s.step.kind === 'blocked'
        ? {
            ...s,
            step: { kind: 'scan' },
            flash: flash('info', `${s.step.unit.gateway} set aside`, 'Ready for the next unit.'),
          }
        : s;
    case 'cancel':
      return s.step.kind === 'blocked' ? s : { ...s, step: { kind: 'scan' }, flash: null };
    case 'resumed': {
      // the store says where this station's line stands (another screen, or before a reload)
      const p = event.position;
      const same = (s.step.kind === 'verify' || s.step.kind === 'blocked') && s.step.unit.eui === p.unit.eui;
      if (p.step === 'blocked') {
        const message = `Gateway ${p.unit.gateway} is blocked: ${p.unit.blockedReason ?? 'its label did not match'}`;
        return same && s.step.kind === 'blocked'
          ? s
          : {
              ...s,
              step: { kind: 'blocked', unit: p.unit, message },
              flash: flash('error', `UNIT BLOCKED: ${p.unit.gateway}`, message),
            };
      }
      if (same && s.step.kind === 'verify' && s.step.unit.state === p.unit.state) return s;
      return {
        ...s,
        step: { kind: 'verify', unit: p.unit, printFailed: p.printFailed },
        flash: flash(
          'info',
          `Resumed at ${p.unit.gateway} (${p.unit.eui})`,
          p.unit.state === 'printed'
            ? 'Its label was printed: scan its QR code to verify.'
            : p.printFailed !== null
              ? `Its label did not print (${p.printFailed}): print it again.`
              : 'Scan the label’s QR code to verify.',
        ),
      };
    }
  }
}

/** The cue a flash plays. */
export function cueOf(flash: LineFlash | null): 'ok' | 'error' | 'warn' | null {
  if (flash === null) return null;
  return flash.kind === 'ok'
    ? 'ok'
    : flash.kind === 'error'
      ? 'error'
      : flash.kind === 'warn'
        ? 'warn'
        : null;
}

/** State and actions of the line store. */
interface LineState extends LineFlow {
  batchId: string | null;
  input: string;
  reason: string;
  busy: boolean;
  history: UnitEvent[];
  station: string | null;
  settings: LineSettings | null;
  settingsError: UiError | null;
  setBatch(batchId: string | null): void;
  setInput(text: string): void;
  setReason(text: string): void;
  /** Enter in the one field: scan, verify or re-personalize, depending on the step */
  submit(): Promise<void>;
  /** prints the unit's label again; a reprint of a label that printed needs the operator's reason */
  retryPrint(reason?: string): Promise<void>;
  acknowledge(): void;
  cancel(): void;
  loadHistory(): Promise<void>;
  /** reads where this station's line stands (kept in the store) and resumes there */
  resume(): Promise<void>;
  loadSettings(): Promise<void>;
  saveSettings(settings: LineSettingsInput): Promise<boolean>;
}

/** Takes a unit off this station's line in the store (errors only cost the bookkeeping). */
const leave = (gateway: string): Promise<unknown> => tryCall('factory:leaveUnit', { gateway });

/** The line store. */
export const useLine = create<LineState>()((set, get) => {
  const apply = (event: LineEvent) => set((s) => lineReducer(s, event));
  return {
    ...INITIAL_FLOW,
    batchId: null,
    input: '',
    reason: '',
    busy: false,
    history: [],
    station: null,
    settings: null,
    settingsError: null,

    setBatch(batchId) {
      const step = get().step;
      if (step.kind === 'verify' || step.kind === 'blocked') void leave(step.unit.gateway);
      set({ batchId, ...INITIAL_FLOW, input: '', reason: '', history: [] });
      void get().loadHistory();
    },
    setInput(text) {
      set({ input: text });
    },
    setReason(text) {
      set({ reason: text });
    },

    async submit() {
      const s = get();
      if (s.busy || s.batchId === null || s.step.kind === 'blocked') return;
      const input = s.input.trim();
      const step = s.step;
      if (step.kind === 'reason') {
        const reason = s.reason.trim();
        if (reason.length < 3) return;
        set({ busy: true });
        const r = await tryCall('factory:scan', { batchId: s.batchId, input: step.input, reason });
        set({ busy: false, input: '', reason: '' });
        apply(
          r.ok
            ? { kind: 'scanned', result: r.value }
            : { kind: 'scanFailed', input: step.input, error: toUiError(r.error) },
        );
      } else if (input === '') {
        return;
      } else if (step.kind === 'scan') {
        set({ busy: true, input: '' });
        const r = await tryCall('factory:scan', { batchId: s.batchId, input });
        set({ busy: false });
        apply(
          r.ok
            ? { kind: 'scanned', result: r.value }
            : { kind: 'scanFailed', input, error: toUiError(r.error) },
        );
      } else {
        set({ busy: true, input: '' });
        const r = await tryCall('factory:verify', { gateway: step.unit.gateway, scanned: input });
        set({ busy: false });
        apply(
          r.ok ? { kind: 'verified', result: r.value } : { kind: 'verifyFailed', error: toUiError(r.error) },
        );
      }
      void get().loadHistory();
    },

    async retryPrint(reason) {
      const s = get();
      if (s.busy || s.step.kind !== 'verify') return;
      const unit = s.step.unit;
      const why = reason?.trim() ?? '';
      if (unit.state === 'printed' && why.length < 3) return; // the screen asks for the reason first
      set({ busy: true });
      const r = await tryCall('factory:print', {
        gateway: unit.gateway,
        ...(unit.state === 'printed' ? { reason: why } : {}),
      });
      set({ busy: false });
      if (r.ok) {
        const ok = r.value.print.status === 'printed';
        const message = r.value.print.status === 'printed' ? '' : r.value.print.message;
        apply({ kind: 'reprinted', unit: r.value.unit, ok, message, counts: r.value.counts });
      } else {
        apply({
          kind: 'reprinted',
          unit,
          ok: false,
          message: r.error.message,
          counts: s.counts ?? { personalized: 0, printed: 0, verified: 0, blocked: 0 },
        });
      }
      void get().loadHistory();
    },

    acknowledge() {
      const step = get().step;
      apply({ kind: 'acknowledge' });
      if (step.kind === 'blocked') void leave(step.unit.gateway);
    },
    cancel() {
      const step = get().step;
      apply({ kind: 'cancel' });
      if (step.kind === 'verify') void leave(step.unit.gateway);
    },

    async resume() {
      const r = await tryCall('factory:linePosition', {});
      if (!r.ok || r.value.position === null || get().busy) return;
      const position = r.value.position;
      if (get().batchId !== position.batchId) {
        set({ batchId: position.batchId, ...INITIAL_FLOW, input: '', reason: '', history: [] });
      }
      apply({ kind: 'resumed', position });
      void get().loadHistory();
    },

    async loadHistory() {
      const batchId = get().batchId;
      if (batchId === null) return;
      const r = await tryCall('factory:history', { batchId, limit: 30 });
      if (r.ok && get().batchId === batchId) set({ history: r.value.events, counts: r.value.counts });
    },

    async loadSettings() {
      try {
        const r = await call('factory:lineSettings', {});
        set({ station: r.station, settings: r.settings, settingsError: null });
      } catch (e) {
        set({ settingsError: toUiError(e) });
      }
    },

    async saveSettings(settings) {
      const r = await tryCall('factory:saveLineSettings', settings);
      if (!r.ok) {
        set({ settingsError: toUiError(r.error) });
        return false;
      }
      set({ station: r.value.station, settings: r.value.settings, settingsError: null });
      return true;
    },
  };
});
