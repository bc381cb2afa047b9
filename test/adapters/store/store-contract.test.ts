/**
 * The Store port contract (src-main/core/ports.ts), run against both adapters: sql.js and
 * PostgreSQL, on the product schema. Anything the core relies on from a store belongs here, so
 * the two cannot drift.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src-shared/errors';
import type { Store } from '../../../src-main/core/ports';
import {
  STORE_KINDS,
  freshStoreLocation,
  openTestStore,
  productMigrations,
  type StoreKind,
  type TestStoreLocation,
} from '../../helpers/test-store';

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
});

async function open(kind: StoreKind, where?: TestStoreLocation): Promise<Store> {
  const store = await openTestStore(kind, where ? { where } : {});
  opened.push(store);
  return store;
}

const AT = '2030-01-01T00:00:00.000Z';
const addOwner = (store: Store, id: string, name: string | null = null) =>
  store.transaction((tx) =>
    tx.run('INSERT INTO owners (id, name, add_count, created_at) VALUES (?, ?, 0, ?)', [id, name, AT]),
  );

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return e instanceof DomainError ? e.code : `error: ${(e as Error).message}`;
  }
  return 'resolved';
};

describe.each(STORE_KINDS)('Store contract (%s)', (kind) => {
  it('applies the product migrations and records every id and name', async () => {
    const store = await open(kind);
    const rows = await store.read((tx) => tx.all('SELECT id, name FROM schema_migrations ORDER BY id'));
    expect(rows).toEqual(productMigrations(kind).map((m) => ({ id: m.id, name: m.name })));
  });

  it('reopens an existing database without applying anything twice', async () => {
    const where = freshStoreLocation(kind);
    const first = await open(kind, where);
    await addOwner(first, 'AAAA000000000001', 'one');
    await first.close();
    const second = await open(kind, where);
    expect(await second.read((tx) => tx.all('SELECT id, name FROM owners'))).toEqual([
      { id: 'AAAA000000000001', name: 'one' },
    ]);
  });

  it('commits and resolves with the value; rolls every statement back when fn throws', async () => {
    const store = await open(kind);
    expect(await addOwner(store, 'AAAA000000000001')).toEqual({ changes: 1 });
    const boom = new Error('boom');
    await expect(
      store.transaction(async (tx) => {
        await tx.run('INSERT INTO owners (id, add_count, created_at) VALUES (?, 0, ?)', [
          'AAAA000000000002',
          AT,
        ]);
        throw boom;
      }),
    ).rejects.toBe(boom);
    const ids = await store.read((tx) => tx.all<{ id: string }>('SELECT id FROM owners ORDER BY id'));
    expect(ids.map((r) => r.id)).toEqual(['AAAA000000000001']);
  });

  it('round-trips text, integers up to 2^32 and beyond, null and bytes in the sql.js shapes', async () => {
    const store = await open(kind);
    const image = new Uint8Array([0, 1, 2, 254, 255]);
    await store.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO firmware (fwcrc, owner_id, version, image, created_at) VALUES (?, ?, ?, ?, ?)',
        [0xffffffff, null, 'v1 ü', image, AT],
      );
      await tx.run('INSERT INTO audit_log (id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)', [
        2 ** 40,
        AT,
        'cli',
        'x',
        '{}',
      ]);
    });
    const row = await store.read((tx) => tx.get('SELECT fwcrc, owner_id, version, image FROM firmware'));
    expect(row).toEqual({ fwcrc: 0xffffffff, owner_id: null, version: 'v1 ü', image });
    expect(row!.image).toBeInstanceOf(Uint8Array);
    const counts = await store.read((tx) =>
      tx.get('SELECT COUNT(*) AS n, MAX(id) AS m, SUM(id) AS s FROM audit_log'),
    );
    expect(counts).toEqual({ n: 1, m: 2 ** 40, s: 2 ** 40 });
    expect(await store.read((tx) => tx.get('SELECT COUNT(*) AS n FROM owners'))).toEqual({ n: 0 });
  });

  it('gives boolean expressions as 1 / 0 and get the first row or undefined', async () => {
    const store = await open(kind);
    await addOwner(store, 'AAAA000000000001', 'x');
    const r = await store.read((tx) =>
      tx.get("SELECT name = 'x' AS yes, name = 'y' AS no FROM owners WHERE id = ?", ['AAAA000000000001']),
    );
    expect(r).toEqual({ yes: 1, no: 0 });
    expect(await store.read((tx) => tx.get('SELECT id FROM owners WHERE id = ?', ['none']))).toBeUndefined();
  });

  it('orders and compares text by bytes (EUI ranges, ISO times, names)', async () => {
    const store = await open(kind);
    const names = ['b', 'B', 'a', '_', 'Z', '0', 'é'];
    for (const [i, n] of names.entries()) await addOwner(store, `AAAA00000000000${i}`, n);
    const sorted = await store.read((tx) =>
      tx.all<{ name: string }>('SELECT name FROM owners ORDER BY name'),
    );
    expect(sorted.map((r) => r.name)).toEqual(['0', 'B', 'Z', '_', 'a', 'b', 'é']);
    const range = await store.read((tx) =>
      tx.all<{ name: string }>('SELECT name FROM owners WHERE name BETWEEN ? AND ? ORDER BY name', [
        'A',
        'Z',
      ]),
    );
    expect(range.map((r) => r.name)).toEqual(['B', 'Z']);
  });

  it('reports changes of UPDATE, DELETE and upserts with ON CONFLICT … excluded', async () => {
    const store = await open(kind);
    await addOwner(store, 'AAAA000000000001');
    await addOwner(store, 'AAAA000000000002');
    const changes = await store.transaction(async (tx) => [
      (await tx.run('UPDATE owners SET add_count = add_count + 1')).changes,
      (await tx.run('DELETE FROM owners WHERE id = ?', ['AAAA000000000002'])).changes,
      (
        await tx.run(
          `INSERT INTO station_settings (key, value) VALUES (?, ?), (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          ['k1', 'v1', 'k2', 'v2'],
        )
      ).changes,
      (
        await tx.run(
          'INSERT INTO station_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          ['k1', 'v9'],
        )
      ).changes,
      (await tx.run('SELECT 1 AS one')).changes,
    ]);
    expect(changes).toEqual([2, 1, 2, 1, 0]);
    expect(
      await store.read((tx) => tx.get('SELECT value FROM station_settings WHERE key = ?', ['k1'])),
    ).toEqual({
      value: 'v9',
    });
  });

  it('keeps ? inside string literals as text', async () => {
    const store = await open(kind);
    await store.transaction((tx) =>
      tx.run("INSERT INTO station_settings (key, value) VALUES (?, 'what?')", ['q']),
    );
    expect(await store.read((tx) => tx.get("SELECT value, 'it''s?' AS t FROM station_settings"))).toEqual({
      value: 'what?',
      t: "it's?",
    });
  });

  it('maps unique violations to DomainError("conflict") and rolls the transaction back', async () => {
    const store = await open(kind);
    await addOwner(store, 'AAAA000000000001');
    expect(await codeOf(addOwner(store, 'AAAA000000000001'))).toBe('conflict');
    expect(
      await codeOf(
        store.transaction(async (tx) => {
          await tx.run('UPDATE owners SET name = ?', ['changed']);
          await tx.run('INSERT INTO owners (id, add_count, created_at) VALUES (?, 0, ?)', [
            'AAAA000000000001',
            AT,
          ]);
        }),
      ),
    ).toBe('conflict');
    expect(await store.read((tx) => tx.get('SELECT name FROM owners'))).toEqual({ name: null });
  });

  it('enforces foreign keys', async () => {
    const store = await open(kind);
    await expect(
      store.transaction((tx) =>
        tx.run('INSERT INTO api_keys (id, owner_id, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)', [
          'k',
          'NO_SUCH_OWNER',
          new Uint8Array(32),
          'read',
          AT,
        ]),
      ),
    ).rejects.toThrow(/foreign key/i);
  });

  it('refuses writes inside read()', async () => {
    const store = await open(kind);
    await expect(store.read((tx) => tx.run('DELETE FROM owners'))).rejects.toThrow();
  });

  it('rejects a nested call on the same store inside fn, and a Tx used after its call', async () => {
    const store = await open(kind);
    expect(await codeOf(store.transaction(() => store.read(async () => 1)))).toBe('internal');
    let kept: Parameters<Parameters<Store['read']>[0]>[0] | undefined;
    await store.read(async (tx) => {
      kept = tx;
    });
    expect(await codeOf(kept!.all('SELECT 1 AS one'))).toBe('internal');
  });

  it('read sees one snapshot while another transaction commits', async () => {
    const store = await open(kind);
    await addOwner(store, 'AAAA000000000001');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // the writer starts only once the reader has taken its snapshot (PostgreSQL takes it at the
    // first statement, not at BEGIN): under load it could otherwise commit first
    let snapshotTaken!: () => void;
    const taken = new Promise<void>((r) => (snapshotTaken = r));
    const reader = store.read(async (tx) => {
      const before = await tx.get('SELECT COUNT(*) AS n FROM owners');
      snapshotTaken();
      await Promise.race([gate, new Promise((r) => setTimeout(r, 200))]);
      const after = await tx.get('SELECT COUNT(*) AS n FROM owners');
      return [before, after];
    });
    const writer = taken.then(() => addOwner(store, 'AAAA000000000002')).then(() => release());
    expect(await reader).toEqual([{ n: 1 }, { n: 1 }]);
    await writer;
    expect(await store.read((tx) => tx.get('SELECT COUNT(*) AS n FROM owners'))).toEqual({ n: 2 });
  });

  it('concurrent read-modify-write transactions lose no update', async () => {
    const store = await open(kind);
    await addOwner(store, 'AAAA000000000001');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.transaction(
          async (tx) => {
            const row = await tx.get<{ add_count: number }>('SELECT add_count FROM owners WHERE id = ?', [
              'AAAA000000000001',
            ]);
            await new Promise((r) => setTimeout(r, i % 3));
            await tx.run('UPDATE owners SET add_count = ? WHERE id = ?', [
              row!.add_count + 1,
              'AAAA000000000001',
            ]);
          },
          { durability: i % 2 === 0 ? 'full' : 'relaxed' },
        ),
      ),
    );
    expect(await store.read((tx) => tx.get('SELECT add_count FROM owners'))).toEqual({ add_count: 40 });
  });

  it('refuses a database whose migrations are not a prefix of the known list', async () => {
    const where = freshStoreLocation(kind);
    const first = await open(kind, where);
    await first.transaction((tx) =>
      tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [9999, 'future', AT]),
    );
    await first.close();
    expect(await codeOf(openTestStore(kind, { where }))).toBe('store_corrupt');
  });

  it('rejects an unknown durability and calls after close', async () => {
    const store = await open(kind);
    expect(await codeOf(store.transaction(async () => 1, { durability: 'never' as unknown as 'full' }))).toBe(
      'internal',
    );
    await store.close();
    expect(await codeOf(store.read(async () => 1))).toBe('internal');
  });
});
