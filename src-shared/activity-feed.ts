/**
 * Following the live CUPS activity feed (`station:activity`, the Dashboard screen), the same way in
 * main (the Electron window's event pump) and in the renderer (the HTTP bridge polls).
 *
 * Contacts do not reach the store in the order of their time: the core writes the last contact of
 * each gateway behind, in batches, and a contact that differs from the stored one only in its time
 * waits up to the write-behind interval (src-main/core/cups/contact-log.ts). A cursor "after the
 * newest time seen" would so skip contacts that are written late. The feed therefore answers every
 * contact newer than the cursor *minus* {@link ACTIVITY_LAG_MS} (newest first, up to the limit),
 * and the follower drops what it has already seen, by {@link activityKey}. Contacts stamped in the
 * same millisecond are all answered; none is skipped or repeated.
 *
 * Runs anywhere (main, preload, renderer): imports nothing.
 */

/** The part of an activity item the follower needs. */
export interface ActivityKeyed {
  gateway: string;
  at: string;
}

/**
 * How far behind the newest seen contact the feed looks again: longer than the core's write-behind
 * of a time-only contact update (30 s by default) plus its write tick.
 */
export const ACTIVITY_LAG_MS = 45_000;

/** Items per poll of a follower. */
export const ACTIVITY_PAGE = 200;

/** Identity of a contact: one per gateway and time. */
export const activityKey = (i: ActivityKeyed): string => `${i.at}|${i.gateway}`;

/** One page of the feed as `station:activity` answers it. */
export interface ActivityPage<T extends ActivityKeyed> {
  items: T[];
  cursor: string;
}

/** Follows the feed: what to ask next, and which answered items are new. */
interface ActivityFollower<T extends ActivityKeyed> {
  /** The request of the next poll. */
  request(): { after?: string; limit: number };
  /**
   * Takes an answer; returns the items not seen before, oldest first. The first answer only
   * primes the follower (it returns nothing: the contacts before the subscription are not news).
   */
  accept(page: ActivityPage<T>): T[];
}

/** Creates a follower; `lagMs` must match the server's (tests shorten both). */
export function createActivityFollower<T extends ActivityKeyed>(
  lagMs: number = ACTIVITY_LAG_MS,
): ActivityFollower<T> {
  let cursor: string | undefined;
  /** key → contact time (ms) of every item answered within the lag window */
  const seen = new Map<string, number>();
  return {
    request() {
      return cursor === undefined ? { limit: ACTIVITY_PAGE } : { after: cursor, limit: ACTIVITY_PAGE };
    },
    accept(page) {
      const priming = cursor === undefined;
      cursor = page.cursor;
      const fresh: T[] = [];
      let newest = 0;
      for (const item of page.items) {
        const key = activityKey(item);
        const t = Date.parse(item.at);
        if (t > newest) newest = t;
        if (seen.has(key)) continue;
        seen.set(key, t);
        if (!priming) fresh.push(item);
      }
      // forget what the server will not answer again
      const horizon = Math.max(newest, Date.parse(page.cursor) || 0) - 2 * lagMs;
      for (const [key, t] of seen) if (t < horizon) seen.delete(key);
      return fresh;
    },
  };
}
