import { describe, expect, it } from 'vitest';
import { GatewayStateCache, type GatewayState } from '../../../src-main/core/cups/state-cache';

const state = (tokenGeneration: number): GatewayState => ({
  row: {
    eui: '000000FFFE000ABC',
    origin: 'batch',
    batchId: 'b',
    ownerId: '00A0000000000001',
    claimedAt: '2030-01-01T00:00:00.000Z',
    flavor: null,
    tokenHash: null,
    tokenGeneration,
    tokenTarget: tokenGeneration,
    createdAt: '2030-01-01T00:00:00.000Z',
  },
  setup: undefined,
});

describe('GatewayStateCache', () => {
  it('caches a state read since the last invalidation, and drops it on invalidate', () => {
    const c = new GatewayStateCache(10);
    const epoch = c.epoch;
    c.fill('A', state(0), epoch);
    expect(c.get('A')?.row?.tokenGeneration).toBe(0);
    c.invalidate('A');
    expect(c.get('A')).toBeUndefined();
  });

  it('refuses a state whose read began before an invalidation (it may predate the write)', () => {
    const c = new GatewayStateCache(10);
    const before = c.epoch;
    c.invalidate('A'); // a write committed while the read was in flight
    c.fill('A', state(0), before);
    expect(c.get('A')).toBeUndefined();
    c.fill('A', state(1), c.epoch);
    expect(c.get('A')?.row?.tokenGeneration).toBe(1);
  });

  it('keeps at most the configured number of gateways, least recently used dropped first; 0 caches nothing', () => {
    const c = new GatewayStateCache(2);
    c.fill('A', state(0), c.epoch);
    c.fill('B', state(0), c.epoch);
    c.get('A');
    c.fill('C', state(0), c.epoch);
    expect([c.get('A') !== undefined, c.get('B') !== undefined, c.get('C') !== undefined]).toEqual([
      true,
      false,
      true,
    ]);
    expect(c.size).toBe(2);
    const none = new GatewayStateCache(0);
    none.fill('A', state(0), none.epoch);
    expect(none.size).toBe(0);
  });

  it('keeps the least-recently-used order when the newest gateway is read again and again', () => {
    const c = new GatewayStateCache(2);
    c.fill('A', state(0), c.epoch);
    c.fill('B', state(0), c.epoch);
    c.get('B');
    c.get('B');
    c.get('A'); // A becomes the newest, B the oldest
    c.get('A');
    c.invalidate('B');
    c.fill('B', state(1), c.epoch); // B newest again
    c.get('A'); // A newest
    c.fill('C', state(0), c.epoch);
    expect([c.get('A') !== undefined, c.get('B') !== undefined, c.get('C') !== undefined]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('remembers unknown gateways too, and clear drops everything', () => {
    const c = new GatewayStateCache(10);
    c.fill('A', { row: undefined, setup: undefined }, c.epoch);
    expect(c.get('A')).toEqual({ row: undefined, setup: undefined });
    c.clear();
    expect(c.size).toBe(0);
  });
});
