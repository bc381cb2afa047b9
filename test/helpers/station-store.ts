/**
 * A real sql.js store on a temp dir with every migration applied, plus a real clock and random,
 * for the station services' tests (no mocks where the real thing runs).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../src-main/adapters/store/sqljs-store';
import type { Clock, Random, Store } from '../../src-main/core/ports';

/** A store in a fresh temp dir; `close()` closes it and removes the dir. */
export async function openTestStore(): Promise<{ store: Store; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gwjs-station-test-'));
  const store = await openSqljsStore({ dir, migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR) });
  return {
    store,
    dir,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests can move: starts at `start` (default now) and advances only when told. */
export function movableClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Real randomness. */
export const realRandom: Random = { bytes: (n) => new Uint8Array(randomBytes(n)) };
