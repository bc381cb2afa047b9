// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { useDelete } from '../../../src-renderer/stores/delete-store';
import { FakeFailure, installFakeStation } from '../fake-station';

describe('useDelete', () => {
  beforeEach(() => useDelete.getState().reset());

  it('deletes only after confirmation, and refuses lists with bad ids', async () => {
    const station = installFakeStation().on('gateways:delete', (r) =>
      r.gateways.map((g) => ({ gateway: g })),
    );
    useDelete.getState().setText('::1, ::2');
    await useDelete.getState().run('1::1');
    expect(station.calls).toEqual([]);
    useDelete.getState().setConfirmed(true);
    await useDelete.getState().run('1::1');
    expect(station.requests('gateways:delete')).toEqual([{ ownerId: '1::1', gateways: ['::1', '::2'] }]);
    expect(useDelete.getState().results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(useDelete.getState().confirmed).toBe(false);
    useDelete.getState().setText('::1\nnope');
    useDelete.getState().setConfirmed(true);
    await useDelete.getState().run('1::1');
    expect(station.requests('gateways:delete')).toHaveLength(1);
  });

  it('transfers one gateway in one station call, never as a delete followed by a claim', async () => {
    const station = installFakeStation().on('gateways:transfer', () => {
      throw new FakeFailure('bad_claim', 'gateway ::1 was not transferred: wrong PIN');
    });
    expect(await useDelete.getState().transferOne('1::1', '2::2', '::1', '6cvh-eqsa')).toBe(false);
    expect(station.requests('gateways:transfer')).toEqual([
      { ownerId: '1::1', gateway: '::1', to: '2::2', claim: '6CVHEQSA' },
    ]);
    expect(station.requests('gateways:delete')).toEqual([]);
    expect(station.requests('gateways:claim')).toEqual([]);
    expect(useDelete.getState().transfer).toMatchObject({
      busy: false,
      done: null,
      error: { code: 'bad_claim' },
    });
  });

  it('checks the PIN format before calling the station', async () => {
    const station = installFakeStation();
    expect(await useDelete.getState().transferOne('1::1', '2::2', '::1', 'abc')).toBe(false);
    expect(station.calls).toEqual([]);
    expect(useDelete.getState().transfer?.error?.code).toBe('bad_claim');
  });
});
