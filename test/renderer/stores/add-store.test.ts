// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { useAdd } from '../../../src-renderer/stores/add-store';
import { installFakeStation } from '../fake-station';

describe('useAdd', () => {
  beforeEach(() => useAdd.setState(useAdd.getInitialState(), true));

  it('adds a gateway outside the batches and clears id and token on success', async () => {
    const s = installFakeStation().on('gateways:add', (r) => r.items.map((i) => ({ gateway: i.gateway })));
    useAdd.getState().set({ gateway: 'b8:27:eb:12:34:56', flavorid: 'rpi', token: ' Bearer t ' });
    await useAdd.getState().add('1::1');
    expect(s.requests('gateways:add')).toEqual([
      { ownerId: '1::1', items: [{ gateway: 'b8:27:eb:12:34:56', flavorid: 'rpi', token: 'Bearer t' }] },
    ]);
    expect(useAdd.getState()).toMatchObject({
      gateway: '',
      token: '',
      flavorid: 'rpi',
      result: { status: 'ok' },
    });
  });

  it('keeps the form and reports the code when the id belongs to a batch', async () => {
    installFakeStation().on('gateways:add', () => [
      { gateway: '0:ff:fe00:abc', code: 'batch_conflict' as const, error: 'gateway: inside batch b1' },
    ]);
    useAdd.getState().set({ gateway: '0:ff:fe00:abc', flavorid: 'x', token: 't' });
    await useAdd.getState().add('1::1');
    expect(useAdd.getState()).toMatchObject({
      gateway: '0:ff:fe00:abc',
      result: { status: 'failed', error: { code: 'batch_conflict' } },
    });
  });
});
