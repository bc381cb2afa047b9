/**
 * Migrations 0021 (site pack) and 0022 (offline claims) on a database with earlier data: the
 * tables start empty, take the rows the station writes, and refuse an unknown origin or claim state.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations } from '../../../src-main/adapters/store/migrate';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';

describe('migrations 0021-site-pack and 0022-offline-claims', () => {
  it('add the site pack and offline claim tables', async () => {
    const dir = join(makeTempDir('mig-0021'), 'db');
    const all = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(all.filter((m) => m.id >= 21 && m.id <= 22).map((m) => m.name)).toEqual([
      'site-pack',
      'offline-claims',
    ]);
    const old = await openSqljsStore({ dir, migrations: all.filter((m) => m.id < 21) });
    await old.transaction((tx) =>
      tx.run(
        "INSERT INTO sync_mirror (eui, seq, kind, at, pulled_at) VALUES ('000000FFFE000ABC', 3, 'claim', 't', 't')",
      ),
    );
    await old.close();
    const store = await openSqljsStore({ dir, migrations: all });
    try {
      expect(await store.read((tx) => tx.all('SELECT * FROM sync_site_pack_gateways'))).toEqual([]);
      await store.transaction(async (tx) => {
        await tx.run("INSERT INTO sync_site_pack (id, owner_id) VALUES ('pack', '000A000000000001')");
        await tx.run(
          "INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers) VALUES ('000000FFFE000ABC', 'batch', 0, 1, '[]')",
        );
        await tx.run(
          "INSERT INTO sync_claims (eui, owner_id, op_id, state, created_at) VALUES ('000000FFFE000ABC', 'x', 'u1', 'pending', 't')",
        );
      });
      expect(
        await store.read((tx) =>
          tx.get(
            'SELECT p.selection, p.created_at, g.seen_generation, c.message, m.seq FROM sync_site_pack p, sync_site_pack_gateways g, sync_claims c, sync_mirror m',
          ),
        ),
      ).toEqual({ selection: null, created_at: null, seen_generation: null, message: null, seq: 3 });
      await expect(
        store.transaction((tx) =>
          tx.run(
            "INSERT INTO sync_site_pack_gateways (eui, origin, token_generation, token_target, verifiers) VALUES ('1', 'stolen', 0, 0, '[]')",
          ),
        ),
      ).rejects.toThrow(/CHECK/i);
      await expect(
        store.transaction((tx) =>
          tx.run(
            "INSERT INTO sync_claims (eui, owner_id, op_id, state, created_at) VALUES ('2', 'x', 'u2', 'maybe', 't')",
          ),
        ),
      ).rejects.toThrow(/CHECK/i);
    } finally {
      await store.close();
    }
  });
});
