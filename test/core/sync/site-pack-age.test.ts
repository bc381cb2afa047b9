/**
 * The sync loop's site-pack refresh between two real instances on 127.0.0.1 (docs/sync.md "Site
 * packs"): a quiet round with a fresh pack sends no pack request, and a round refreshes a pack that
 * is SITE_PACK_MAX_AGE_MS old even when nothing moved — so what the change feed does not carry (a
 * certificate revoked at the remote) reaches the pack while the station is online.
 */
import { afterEach, expect, it } from 'vitest';
import { SITE_PACK_MAX_AGE_MS } from '../../../src-main/core/sync/service';
import type { TestClock } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

it('refreshes a pack that is SITE_PACK_MAX_AGE_MS old on a quiet round, not a fresh one', async () => {
  pair = await startSyncPair();
  const { station } = pair;
  const ctx = station.cliContext;
  const clock = station.clock as TestClock;
  const fetched = (await station.core.sync.fetchSitePack(ctx, null)).fetchedAt;
  expect(fetched).toBe(new Date(clock.now()).toISOString());

  clock.advance(SITE_PACK_MAX_AGE_MS - 1000);
  await station.core.sync.syncNow(ctx);
  expect((await station.core.sync.sitePackStatus()).fetchedAt).toBe(fetched);

  clock.advance(1000);
  await station.core.sync.syncNow(ctx);
  expect((await station.core.sync.sitePackStatus()).fetchedAt).toBe(new Date(clock.now()).toISOString());
});
