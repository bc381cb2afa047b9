/**
 * Claim: one gateway by id + PIN (with a live check of both as they are typed), many gateways by
 * paste or CSV import (validated locally, sent in chunks with progress and Cancel, one result per
 * row), and gateways read from QR codes with the camera (SPEC §6).
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { formatPin, normalizePin } from '../../src-shared/pin';
import { toUiError, type UiError } from '../app/error-text';
import { cancelledRow, runRows, summarize, type PendingRow, type RowResult } from './bulk-results';
import { createBulkRunner, IDLE_RUN, type BulkRunState } from './bulk-run';
import { columnIndex, isHeaderRow, parseDelimited } from './csv';
import { analyzeId, type IdAnalysis } from './identity-store';
import { scanToClaim, type ScanOutcome } from './scan';

/** Live check of a typed PIN. */
type PinCheck = { ok: true; pin: string; display: string } | { ok: false; empty: boolean; error: string };

/** Checks a typed PIN (SPEC §2: spaces and `-` dropped, O→0, I/L→1, U rejected); never throws. */
export function checkPin(text: string): PinCheck {
  if (text.trim() === '') return { ok: false, empty: true, error: '' };
  try {
    const pin = normalizePin(text);
    return { ok: true, pin, display: formatPin(pin) };
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/^claim: /, '') : String(e);
    return { ok: false, empty: false, error: message };
  }
}

/** A parsed line of a bulk claim list. */
interface ClaimRow {
  line: number;
  gateway: string;
  claim: string;
  /** why this row will not be sent (bad id, bad PIN, duplicate), or null */
  problem: UiError | null;
  id6: string | null;
}

/**
 * Reads a bulk claim list: CSV / pasted lines with an id and a PIN (columns found by a header row
 * such as `gateway,pin`, else the first two), or QR payloads `GWJS:1:<EUI>:<PIN>` one per line.
 * Each row is checked locally; later duplicates of an id are marked.
 */
export function parseClaimList(text: string): ClaimRow[] {
  const rows = parseDelimited(text);
  const header = rows[0] && isHeaderRow(rows[0]) ? rows[0] : undefined;
  const idCol = columnIndex(header, /^(gateway|id|id6|eui|eui-?64|mac|router|routerid)$/i, 0);
  const pinCol = columnIndex(header, /^(pin|claim|code)$/i, 1);
  const seen = new Set<string>();
  const out: ClaimRow[] = [];
  for (const row of header ? rows.slice(1) : rows) {
    let gateway = row.fields[idCol] ?? '';
    let claim = row.fields[pinCol] ?? '';
    // A whole QR payload in one field (a scanner typing into a spreadsheet).
    if (row.fields.length === 1) {
      const scanned = scanToClaim(row.fields[0]!);
      if (scanned.kind === 'gwjs') {
        gateway = scanned.gateway;
        claim = scanned.pin;
      }
    }
    let problem: UiError | null = null;
    const id: IdAnalysis = analyzeId(gateway);
    const pin = checkPin(claim);
    if (!id.ok) problem = { code: 'invalid_id', message: `"${gateway}": ${id.error || 'no gateway id'}` };
    else if (!pin.ok)
      problem = pin.empty
        ? { code: 'pin_missing', message: `no PIN for ${id.id6} on this line` }
        : { code: 'pin_invalid', message: pin.error };
    else if (seen.has(id.id6))
      problem = { code: 'duplicate_in_request', message: `${id.id6} is listed earlier` };
    if (id.ok && problem === null) seen.add(id.id6);
    out.push({
      line: row.line,
      gateway,
      claim: pin.ok ? pin.pin : claim,
      problem,
      id6: id.ok ? id.id6 : null,
    });
  }
  return out;
}

/** One gateway read by the camera and its claim outcome. */
interface ScannedClaim {
  at: number;
  outcome: ScanOutcome;
  result: RowResult | null;
  busy: boolean;
}

/** State and actions of the claim store. */
interface ClaimState extends BulkRunState {
  // single
  gateway: string;
  pin: string;
  singleBusy: boolean;
  singleResult: RowResult | null;
  setGateway(text: string): void;
  setPin(text: string): void;
  claimOne(ownerId: string): Promise<void>;
  // bulk
  bulkText: string;
  bulkSource: string | null;
  bulkRows: ClaimRow[];
  setBulkText(text: string, source?: string | null): void;
  claimMany(ownerId: string): Promise<void>;
  cancel(): void;
  // scan
  scans: ScannedClaim[];
  onScan(text: string, ownerId: string | null): Promise<void>;
  reset(): void;
}

const initial = {
  ...IDLE_RUN,
  gateway: '',
  pin: '',
  singleBusy: false,
  singleResult: null,
  bulkText: '',
  bulkSource: null,
  bulkRows: [],
  scans: [],
};

async function claimItem(ownerId: string, gateway: string, claim: string, line: number): Promise<RowResult> {
  const [result] = (
    await runRows([{ line, input: gateway, item: { gateway, claim } }], (items) =>
      tryCall('gateways:claim', { ownerId, items }),
    )
  ).results;
  return result!;
}

/** The claim store. */
export const useClaim = create<ClaimState>()((set, get) => {
  const runner = createBulkRunner(set);
  return {
    ...initial,

    setGateway(text) {
      set({ gateway: text, singleResult: null });
    },
    setPin(text) {
      set({ pin: text, singleResult: null });
    },

    async claimOne(ownerId) {
      const { gateway, pin } = get();
      const id = analyzeId(gateway);
      const p = checkPin(pin);
      if (!id.ok || !p.ok) return;
      set({ singleBusy: true, singleResult: null });
      try {
        const result = await claimItem(ownerId, gateway, p.pin, 1);
        set({ singleResult: result });
        if (result.status === 'ok') set({ gateway: '', pin: '' });
      } finally {
        set({ singleBusy: false });
      }
    },

    setBulkText(text, source = null) {
      set({
        bulkText: text,
        bulkSource: source,
        bulkRows: parseClaimList(text),
        results: [],
        cancelled: false,
      });
    },

    async claimMany(ownerId) {
      const rows = get().bulkRows;
      if (rows.length === 0 || get().running) return;
      const invalid: RowResult[] = [];
      const pending: PendingRow<{ gateway: string; claim: string }>[] = [];
      for (const r of rows) {
        if (r.problem)
          invalid.push({
            line: r.line,
            input: r.gateway,
            gateway: r.id6,
            status: 'invalid',
            error: r.problem,
          });
        else pending.push({ line: r.line, input: r.gateway, item: { gateway: r.gateway, claim: r.claim } });
      }
      try {
        const run = await runner.run(pending, (items) => tryCall('gateways:claim', { ownerId, items }));
        const results = [...invalid, ...run.results].sort((a, b) => a.line - b.line);
        set({ results, cancelled: run.cancelled });
      } catch (e) {
        const error = toUiError(e);
        set({
          results: rows.map((r) => ({
            ...cancelledRow(r.line, r.gateway),
            status: 'failed' as const,
            error,
          })),
        });
      }
    },

    cancel() {
      runner.cancel();
    },

    async onScan(text, ownerId) {
      const outcome = scanToClaim(text);
      const entry: ScannedClaim = { at: Date.now(), outcome, result: null, busy: false };
      if (outcome.kind !== 'gwjs' || ownerId === null) {
        set({ scans: [entry, ...get().scans].slice(0, 50) });
        return;
      }
      // The same label scanned again while its claim runs or after it succeeded: nothing to do.
      const dup = get().scans.find(
        (s) =>
          s.outcome.kind === 'gwjs' && s.outcome.id6 === outcome.id6 && (s.busy || s.result?.status === 'ok'),
      );
      if (dup) return;
      entry.busy = true;
      set({ scans: [entry, ...get().scans].slice(0, 50) });
      const result = await claimItem(ownerId, outcome.gateway, outcome.pin, 1);
      set({ scans: get().scans.map((s) => (s === entry ? { ...s, busy: false, result } : s)) });
    },

    reset() {
      runner.abort();
      set(initial);
    },
  };
});

export { summarize };
