// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { GatewayRow } from '../../../src-shared/ipc';
import { PAGE_SIZE, useGateways } from '../../../src-renderer/stores/gateways-store';
import { installFakeStation } from '../fake-station';

const row = (i: number): GatewayRow => ({
  gateway: `::${i.toString(16)}`,
  eui: '',
  owner: '1::1',
  origin: 'batch',
  claimedAt: null,
  configured: false,
  lastContactAt: null,
  lastOutcome: null,
});

function pagedStation(total: number) {
  return installFakeStation()
    .on('gateways:query', (r) => {
      const rows = [];
      for (let i = r.offset; i < Math.min(total, r.offset + r.limit); i++) rows.push(row(i));
      return { total, offset: r.offset, rows, elapsedMs: 1 };
    })
    .on('gateways:info', (r) => r.gateways.map((g) => ({ gateway: g })))
    .on('audit:list', () => []);
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('useGateways', () => {
  beforeEach(() => useGateways.setState(useGateways.getInitialState(), true));

  it('reads the first page, then only the pages scrolled into view', async () => {
    const station = pagedStation(100_000);
    useGateways.getState().setQuery({ ownerId: '1::1', search: '' });
    await settle();
    expect(useGateways.getState().total).toBe(100_000);
    await useGateways.getState().ensureRange(50_000, 50_030);
    const offsets = station.requests('gateways:query').map((r) => r.offset);
    expect(offsets).toEqual([0, Math.floor(50_000 / PAGE_SIZE) * PAGE_SIZE]);
    expect(useGateways.getState().row(50_010)?.gateway).toBe(`::${(50_010).toString(16)}`);
    expect(useGateways.getState().row(30_000)).toBeUndefined();
  });

  it('sends the search to the server and drops answers of an older query', async () => {
    const station = pagedStation(10);
    useGateways.getState().setQuery({ ownerId: null, search: ' 58-A0 ' });
    useGateways.getState().setQuery({ search: '::1' });
    await settle();
    expect(station.requests('gateways:query').map((r) => r.search)).toEqual(['58-A0', '::1']);
    expect(station.requests('gateways:query')[0]!.ownerId).toBeNull();
    expect(useGateways.getState().search).toBe('::1');
  });

  it('loads info and audit trail of the selected row', async () => {
    const station = pagedStation(5);
    useGateways.getState().setQuery({ ownerId: '1::1' });
    await settle();
    useGateways.getState().select(3);
    await settle();
    expect(station.requests('gateways:info')).toEqual([{ ownerId: '1::1', gateways: ['::3'] }]);
    expect(station.requests('audit:list')).toEqual([{ target: '::3', limit: 50 }]);
    expect(useGateways.getState().detail).toMatchObject({ gateway: '::3', loading: false });
  });
});

describe('useGateways selection before its page arrived', () => {
  beforeEach(() => useGateways.setState(useGateways.getInitialState(), true));

  it('opens the detail once the page of the selected row is loaded', async () => {
    const station = pagedStation(100_000);
    useGateways.getState().setQuery({ ownerId: '1::1' });
    await settle();
    useGateways.getState().select(5_000);
    expect(useGateways.getState().detail).toBeNull();
    await useGateways.getState().ensureRange(4_990, 5_020);
    await settle();
    expect(station.requests('gateways:info')).toEqual([
      { ownerId: '1::1', gateways: [`::${(5_000).toString(16)}`] },
    ]);
  });
});
