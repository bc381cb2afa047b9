// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { checkPin, parseClaimList, useClaim } from '../../../src-renderer/stores/claim-store';
import { useSettings } from '../../../src-renderer/stores/settings-store';
import { FakeFailure, installFakeStation } from '../fake-station';

describe('checkPin', () => {
  it('normalizes typed PINs (SPEC §2) and shows XXXX-XXXX', () => {
    expect(checkPin('6cvh eqsa')).toEqual({ ok: true, pin: '6CVHEQSA', display: '6CVH-EQSA' });
    expect(checkPin('S07V-YTHR')).toMatchObject({ ok: true, pin: 'S07VYTHR' });
    expect(checkPin('SO7V-YTHR')).toMatchObject({ ok: true, pin: 'S07VYTHR' });
    expect(checkPin('')).toEqual({ ok: false, empty: true, error: '' });
    expect(checkPin('6CVH-EQSU')).toMatchObject({ ok: false, error: expect.stringContaining('"U"') });
    expect(checkPin('6CVH')).toMatchObject({ ok: false, error: expect.stringContaining('4 PIN symbols') });
  });
});

describe('parseClaimList', () => {
  it('reads CSV with a header in any column order, plain lines and QR payloads', () => {
    const rows = parseClaimList('pin,gateway\n6CVH-EQSA,00-00-00-FF-FE-00-0A-BC\n');
    expect(rows).toEqual([
      { line: 2, gateway: '00-00-00-FF-FE-00-0A-BC', claim: '6CVHEQSA', problem: null, id6: '0:ff:fe00:abc' },
    ]);
    const qr = parseClaimList('GWJS:1:58A0CBFFFE800102:S07VYTHR');
    expect(qr[0]).toMatchObject({
      gateway: '58A0CBFFFE800102',
      claim: 'S07VYTHR',
      id6: '58a0:cbff:fe80:102',
    });
  });

  it('marks bad ids, bad PINs and later duplicates without sending them', () => {
    const rows = parseClaimList('1:::2,6CVHEQSA\n::1,UUUUUUUU\n::1,6CVHEQSA\n0:0:0:1,6CVHEQSA\n::2,\n::3');
    expect(rows.map((r) => r.problem?.code ?? null)).toEqual([
      'invalid_id',
      'pin_invalid',
      null,
      'duplicate_in_request',
      'pin_missing',
      'pin_missing',
    ]);
    expect(rows[4]!.problem!.message).toBe('no PIN for ::2 on this line');
  });
});

describe('useClaim', () => {
  beforeEach(() => {
    useClaim.setState(useClaim.getInitialState(), true);
    useSettings.getState().setPrefs({ chunkSize: 2 });
  });

  it('claims one gateway and clears the form on success', async () => {
    const station = installFakeStation().on('gateways:claim', (r) =>
      r.items.map((i) => ({ gateway: i.gateway })),
    );
    useClaim.getState().setGateway('::1');
    useClaim.getState().setPin('6cvh-eqsa');
    await useClaim.getState().claimOne('1::1');
    expect(station.requests('gateways:claim')).toEqual([
      { ownerId: '1::1', items: [{ gateway: '::1', claim: '6CVHEQSA' }] },
    ]);
    expect(useClaim.getState()).toMatchObject({ gateway: '', pin: '', singleResult: { status: 'ok' } });
  });

  it('runs a bulk list in chunks with progress, keeping one result per row in line order', async () => {
    const seen: number[] = [];
    installFakeStation().on('gateways:claim', (r) => {
      seen.push(r.items.length);
      return r.items.map((i) =>
        i.gateway === '::3'
          ? { gateway: '::3', code: 'bad_claim' as const, error: 'claim: PIN mismatch' }
          : { gateway: i.gateway },
      );
    });
    const progress: number[] = [];
    const unsub = useClaim.subscribe((s) => s.progress && progress.push(s.progress.done));
    useClaim.getState().setBulkText('::1 6CVHEQSA\n::2 6CVHEQSA\nbad 6CVHEQSA\n::3 6CVHEQSA\n::4 6CVHEQSA');
    await useClaim.getState().claimMany('1::1');
    unsub();
    expect(seen).toEqual([2, 2]);
    expect(progress).toContain(4);
    expect(useClaim.getState().results.map((r) => [r.line, r.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'invalid'],
      [4, 'failed'],
      [5, 'ok'],
    ]);
  });

  it('stops between chunks when cancelled and marks the rest as cancelled', async () => {
    let release: () => void = () => undefined;
    installFakeStation().on(
      'gateways:claim',
      (r) =>
        new Promise((resolve) => (release = () => resolve(r.items.map((i) => ({ gateway: i.gateway }))))),
    );
    useClaim.getState().setBulkText('::1 6CVHEQSA\n::2 6CVHEQSA\n::3 6CVHEQSA\n::4 6CVHEQSA\n::5 6CVHEQSA');
    const run = useClaim.getState().claimMany('1::1');
    await new Promise((r) => setTimeout(r, 0));
    useClaim.getState().cancel();
    expect(useClaim.getState().cancelling).toBe(true);
    release();
    await run;
    const s = useClaim.getState();
    expect(s.cancelled).toBe(true);
    expect(s.results.map((r) => r.status)).toEqual(['ok', 'ok', 'cancelled', 'cancelled', 'cancelled']);
    expect(s.running).toBe(false);
  });

  it('stops the run when the session is gone instead of failing every chunk', async () => {
    const station = installFakeStation().on('gateways:claim', () => {
      throw new FakeFailure('unauthorized', 'no session');
    });
    useClaim.getState().setBulkText('::1 6CVHEQSA\n::2 6CVHEQSA\n::3 6CVHEQSA\n::4 6CVHEQSA');
    await useClaim.getState().claimMany('1::1');
    expect(station.requests('gateways:claim')).toHaveLength(1);
    expect(useClaim.getState().results.map((r) => r.status)).toEqual([
      'failed',
      'failed',
      'cancelled',
      'cancelled',
    ]);
  });

  it('claims a scanned station label once, and explains TTIGPRO1 codes without claiming', async () => {
    const station = installFakeStation().on('gateways:claim', (r) =>
      r.items.map((i) => ({ gateway: '0:ff:fe00:abc', _: i })),
    );
    await useClaim.getState().onScan('GWJS:1:000000FFFE000ABC:6CVHEQSA', '1::1');
    await useClaim.getState().onScan('GWJS:1:000000FFFE000ABC:6CVHEQSA', '1::1');
    await useClaim.getState().onScan('https://ttig.pro/c/58A0CBFFFE800102/abcDEF123', '1::1');
    expect(station.requests('gateways:claim')).toEqual([
      { ownerId: '1::1', items: [{ gateway: '000000FFFE000ABC', claim: '6CVHEQSA' }] },
    ]);
    const [ttig, label] = useClaim.getState().scans;
    expect(ttig!.outcome).toMatchObject({ kind: 'ttig', id6: '58a0:cbff:fe80:102' });
    expect(label!.result?.status).toBe('ok');
  });
});
