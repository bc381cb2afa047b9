// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { formatEta } from '../../../src-renderer/stores/factory-jobs';
import { rangeSize, readRangeEnd } from '../../../src-renderer/stores/factory-batches';
import { claimListOf } from '../../../src-renderer/stores/factory-manifest';
import {
  cueOf,
  INITIAL_FLOW,
  lineReducer,
  useLine,
  type LineFlow,
} from '../../../src-renderer/stores/factory-line';
import type { ScanResult, UnitView, VerifyResult } from '../../../src-shared/factory-channels';
import { FakeFailure, installFakeStation } from '../fake-station';

const COUNTS = { personalized: 1, printed: 1, verified: 0, blocked: 0 };
const UNIT: UnitView = {
  gateway: '0:ff:fe00:abc',
  eui: '00-00-00-FF-FE-00-0A-BC',
  mac: null,
  batch: 'b1',
  state: 'printed',
  personalizedAt: '2030-01-01T00:00:00.000Z',
  personalizedBy: 'operator:olga',
  station: 'line-1',
  personalizeCount: 1,
  repersonalizeReason: null,
  jobId: null,
  bundlePath: '/out/000000FFFE000ABC',
  printedAt: '2030-01-01T00:00:00.000Z',
  printCount: 1,
  verifiedAt: null,
  verifiedBy: null,
  blockedAt: null,
  blockedReason: null,
};
const SCANNED: ScanResult = {
  unit: UNIT,
  bundle: { path: '/out/000000FFFE000ABC', zipPath: null },
  hook: null,
  print: { status: 'printed', bytes: 300, printer: 'tcp9100 127.0.0.1:9100' },
  labelPng: null,
  counts: COUNTS,
};
const verify = (outcome: 'verified' | 'mismatch'): VerifyResult => ({
  outcome,
  message: outcome === 'verified' ? 'ok' : 'Gateway 0:ff:fe00:abc BLOCKED: the label belongs to ::1',
  unit: { ...UNIT, state: outcome === 'verified' ? 'verified' : 'blocked' },
  counts: { ...COUNTS, verified: outcome === 'verified' ? 1 : 0, blocked: outcome === 'verified' ? 0 : 1 },
});

describe('lineReducer', () => {
  const after = (...events: Parameters<typeof lineReducer>[1][]): LineFlow =>
    events.reduce(lineReducer, INITIAL_FLOW);

  it('goes scan → verify → scan on a printed, matching label', () => {
    const s1 = after({ kind: 'scanned', result: SCANNED });
    expect(s1.step).toEqual({ kind: 'verify', unit: UNIT, printFailed: null });
    expect(s1.flash).toMatchObject({
      kind: 'info',
      title: 'Personalized 0:ff:fe00:abc (00-00-00-FF-FE-00-0A-BC)',
    });
    const s2 = lineReducer(s1, { kind: 'verified', result: verify('verified') });
    expect(s2.step).toEqual({ kind: 'scan' });
    expect(cueOf(s2.flash)).toBe('ok');
    expect(s2.counts?.verified).toBe(1);
  });

  it('blocks on a mismatch until acknowledged; cancel cannot skip it', () => {
    const blocked = after(
      { kind: 'scanned', result: SCANNED },
      { kind: 'verified', result: verify('mismatch') },
    );
    expect(blocked.step.kind).toBe('blocked');
    expect(cueOf(blocked.flash)).toBe('error');
    expect(lineReducer(blocked, { kind: 'cancel' }).step.kind).toBe('blocked');
    expect(lineReducer(blocked, { kind: 'acknowledge' }).step).toEqual({ kind: 'scan' });
  });

  it('asks for a reason when the unit is already personalized; other refusals stay on scan', () => {
    const reason = after({
      kind: 'scanFailed',
      input: '00-00-00-FF-FE-00-0A-BC',
      error: {
        code: 'conflict',
        message:
          'gateway 0:ff:fe00:abc is already personalized (printed); personalizing it again needs a reason',
      },
    });
    expect(reason.step).toMatchObject({ kind: 'reason', input: '00-00-00-FF-FE-00-0A-BC' });
    const outside = after({
      kind: 'scanFailed',
      input: 'x',
      error: { code: 'invalid_request', message: 'outside the batch' },
    });
    expect(outside.step).toEqual({ kind: 'scan' });
    expect(cueOf(outside.flash)).toBe('error');
  });

  it('keeps the unit waiting for its label when the print or the barcode scan failed, and stops on a failed hook', () => {
    const noPrint = after({
      kind: 'scanned',
      result: { ...SCANNED, print: { status: 'failed', code: 'printer_refused', message: 'refused' } },
    });
    expect(noPrint.step).toMatchObject({ kind: 'verify', printFailed: 'refused' });
    const barcode = lineReducer(noPrint, {
      kind: 'verifyFailed',
      error: { code: 'invalid_request', message: 'scan the QR code' },
    });
    expect(barcode.step.kind).toBe('verify');
    expect(cueOf(barcode.flash)).toBe('warn');
    const hook = after({
      kind: 'scanned',
      result: {
        ...SCANNED,
        print: { status: 'skipped', message: 'hook failed' },
        hook: {
          ok: false,
          exitCode: 3,
          signal: null,
          timedOut: false,
          output: 'no programmer',
          elapsedMs: 5,
        },
      },
    });
    expect(hook.step).toEqual({ kind: 'scan' });
    expect(hook.flash).toMatchObject({ kind: 'error', detail: 'exit 3: no programmer' });
  });
});

describe('useLine', () => {
  beforeEach(() =>
    useLine.setState({ ...INITIAL_FLOW, batchId: 'b1', input: '', reason: '', busy: false, history: [] }),
  );

  it('drives the calls from the one field: scan, verify, then refuses input while blocked', async () => {
    const fake = installFakeStation()
      .on('factory:scan', () => SCANNED)
      .on('factory:verify', () => verify('mismatch'))
      .on('factory:history', () => ({ counts: COUNTS, events: [] }));
    useLine.getState().setInput(' 00:00:00:00:0a:bc ');
    await useLine.getState().submit();
    expect(fake.requests('factory:scan')).toEqual([{ batchId: 'b1', input: '00:00:00:00:0a:bc' }]);
    useLine.getState().setInput('GWJS:1:0000000000000001:AAAAAAAA');
    await useLine.getState().submit();
    expect(fake.requests('factory:verify')).toEqual([
      { gateway: '0:ff:fe00:abc', scanned: 'GWJS:1:0000000000000001:AAAAAAAA' },
    ]);
    expect(useLine.getState().step.kind).toBe('blocked');
    useLine.getState().setInput('00-00-00-FF-FE-00-0A-BD');
    await useLine.getState().submit();
    expect(fake.requests('factory:scan')).toHaveLength(1);
  });

  it('re-personalizes with the typed reason', async () => {
    let calls = 0;
    const fake = installFakeStation()
      .on('factory:scan', (req) => {
        if (calls++ === 0)
          throw new FakeFailure(
            'conflict',
            'gateway 0:ff:fe00:abc is already personalized (verified); personalizing it again needs a reason',
          );
        expect(req.reason).toBe('flash failed');
        return SCANNED;
      })
      .on('factory:history', () => ({ counts: COUNTS, events: [] }));
    useLine.getState().setInput('0:ff:fe00:abc');
    await useLine.getState().submit();
    expect(useLine.getState().step.kind).toBe('reason');
    useLine.getState().setReason('flash failed');
    await useLine.getState().submit();
    expect(fake.requests('factory:scan')[1]).toEqual({
      batchId: 'b1',
      input: '0:ff:fe00:abc',
      reason: 'flash failed',
    });
    expect(useLine.getState().step.kind).toBe('verify');
  });
});

describe('factory screen helpers', () => {
  it('reads MAC and EUI range ends and sizes the range', () => {
    expect(readRangeEnd('b8:27:eb:00:00:00')).toMatchObject({
      ok: true,
      eui64: 'B8-27-EB-FF-FE-00-00-00',
      fromMac: true,
    });
    expect(readRangeEnd('1:::2')).toMatchObject({ ok: false, empty: false });
    expect(rangeSize('b8:27:eb:00:00:00', 'b8:27:eb:00:ff:ff')).toBe('65536');
    expect(rangeSize('::2', '::1')).toBeNull();
  });

  it('formats an ETA and a claim list', () => {
    expect(formatEta(null)).toBe('–');
    expect(formatEta(42)).toBe('42 s');
    expect(formatEta(200)).toBe('3 min 20 s');
    expect(formatEta(3900)).toBe('1 h 05 min');
    expect(claimListOf([{ eui: '000000FFFE000ABC', id6: '0:ff:fe00:abc', pin: '6CVHEQSA' }])).toBe(
      'gateway,pin\n0:ff:fe00:abc,6CVHEQSA',
    );
  });
});
