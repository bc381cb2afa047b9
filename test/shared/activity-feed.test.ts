import { describe, expect, it } from 'vitest';
import { ACTIVITY_PAGE, activityKey, createActivityFollower } from '../../src-shared/activity-feed';

const item = (gateway: string, s: number) => ({
  gateway,
  at: new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString(),
});

describe('createActivityFollower', () => {
  it('primes on the first page, then returns each contact once', () => {
    const f = createActivityFollower(10_000);
    expect(f.request()).toEqual({ limit: ACTIVITY_PAGE });
    expect(f.accept({ items: [item('::1', 0)], cursor: item('::1', 0).at })).toEqual([]);
    expect(f.request()).toEqual({ after: item('::1', 0).at, limit: ACTIVITY_PAGE });
    const page = {
      items: [item('::1', 0), item('::3', 1), item('::2', 2), item('::4', 2)],
      cursor: item('::2', 2).at,
    };
    expect(f.accept(page).map(activityKey)).toEqual(
      [item('::3', 1), item('::2', 2), item('::4', 2)].map(activityKey),
    );
    expect(f.accept(page)).toEqual([]);
    // the same gateway at another time is another contact
    expect(f.accept({ items: [item('::1', 3)], cursor: item('::1', 3).at })).toEqual([item('::1', 3)]);
  });

  it('forgets contacts the server no longer answers, so memory stays bounded', () => {
    const f = createActivityFollower(1_000);
    f.accept({ items: [], cursor: '' });
    for (let s = 0; s < 1_000; s++) f.accept({ items: [item(`::${s}`, s)], cursor: item(`::${s}`, s).at });
    // a contact far behind the lag window would be news again: it was forgotten
    expect(f.accept({ items: [item('::1', 1)], cursor: item('::999', 999).at })).toEqual([item('::1', 1)]);
    // one inside the window is still remembered
    expect(f.accept({ items: [item('::999', 999)], cursor: item('::999', 999).at })).toEqual([]);
  });
});
