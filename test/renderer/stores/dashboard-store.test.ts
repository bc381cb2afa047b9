// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivityItem, StationStatus } from '../../../src-shared/ipc';
import { FEED_SIZE, useDashboard } from '../../../src-renderer/stores/dashboard-store';
import { installFakeStation } from '../fake-station';

const item = (n: number, at: string): ActivityItem => ({
  gateway: `::${n}`,
  at,
  outcome: 'ok',
  address: null,
  station: null,
  model: null,
});

const status = (recent: ActivityItem[]): StationStatus => ({
  version: '1',
  urls: [],
  tlsFingerprint: null,
  caFingerprint: null,
  hsm: { kind: 'software', locked: true, keyCount: 0, detail: '' },
  counters: { gateways: 0, personalized: 0, claimed: 0, configured: 0, owners: 0, cups: {}, ownerApi: {} },
  recentContacts: recent,
});

describe('useDashboard', () => {
  beforeEach(() => useDashboard.setState(useDashboard.getInitialState(), true));

  it('merges the status snapshot and live events, newest contact first, without repeats', async () => {
    const station = installFakeStation().on('station:status', () =>
      status([item(1, '2026-01-01T00:00:01Z'), item(2, '2026-01-01T00:00:02Z')]),
    );
    await useDashboard.getState().load();
    const stop = useDashboard.getState().live();
    station.emit('station:activity', [item(2, '2026-01-01T00:00:02Z'), item(3, '2026-01-01T00:00:09Z')]);
    stop();
    station.emit('station:activity', [item(4, '2026-01-01T00:00:10Z')]);
    expect(useDashboard.getState().feed.map((f) => f.gateway)).toEqual(['::3', '::2', '::1']);
    expect(useDashboard.getState().status?.hsm.locked).toBe(true);
  });

  it(`keeps the ${FEED_SIZE} newest contacts`, () => {
    const many = Array.from({ length: FEED_SIZE + 10 }, (_, i) =>
      item(i, new Date(1e12 + i * 1000).toISOString()),
    );
    useDashboard.getState().addActivity(many);
    const feed = useDashboard.getState().feed;
    expect(feed).toHaveLength(FEED_SIZE);
    expect(feed[0]!.gateway).toBe(`::${FEED_SIZE + 9}`);
  });
});

describe('useDashboard feed identity', () => {
  beforeEach(() => useDashboard.setState(useDashboard.getInitialState(), true));

  it('keeps different gateways whose contacts share a timestamp', () => {
    const at = '2026-01-01T00:00:00Z';
    useDashboard.getState().addActivity([
      { ...item(7, at), gateway: '::a' },
      { ...item(7, at), gateway: '::b' },
    ]);
    useDashboard.getState().addActivity([{ ...item(7, at), gateway: '::a' }]);
    expect(
      useDashboard
        .getState()
        .feed.map((f) => f.gateway)
        .sort(),
    ).toEqual(['::a', '::b']);
  });
});
