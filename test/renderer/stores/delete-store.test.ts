// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { useDelete } from '../../../src-renderer/stores/delete-store';
import { installFakeStation } from '../fake-station';

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

  it('transfers one gateway: delete for the old owner, claim with the PIN for the new one', async () => {
    const station = installFakeStation()
      .on('gateways:delete', (r) => r.gateways.map((g) => ({ gateway: g })))
      .on('gateways:claim', () => [
        { gateway: '::1', code: 'bad_claim' as const, error: 'claim: wrong PIN' },
      ]);
    expect(await useDelete.getState().transferOne('1::1', '2::2', '::1', '6cvh-eqsa')).toBe(false);
    expect(station.requests('gateways:claim')).toEqual([
      { ownerId: '2::2', items: [{ gateway: '::1', claim: '6CVHEQSA' }] },
    ]);
    expect(useDelete.getState().transfer?.steps.map((s) => [s.label, s.ok, s.error?.code ?? null])).toEqual([
      ['Delete for 1::1', true, null],
      ['Claim for 2::2', false, 'bad_claim'],
    ]);
  });
});
