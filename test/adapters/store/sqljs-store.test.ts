import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src-shared/errors';
import { openSqljsStore, type SqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import {
  EXTENT_BYTES,
  JOURNAL_HEADER_BYTES as H,
  scanJournal,
} from '../../../src-main/adapters/store/journal';
import { makeTempDir } from '../../helpers/tmp-dir';
import { MIGRATIONS, crashImage, memoryLogger } from './store-fixtures';

const open: SqljsStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) if (!s.closed) await s.close().catch(() => undefined);
});

async function openStore(dir: string, extra: Partial<Parameters<typeof openSqljsStore>[0]> = {}) {
  const store = await openSqljsStore({ dir, migrations: MIGRATIONS, ...extra });
  open.push(store);
  return store;
}

const names = (store: SqljsStore) =>
  store.read(async (tx) =>
    (await tx.all<{ name: string }>('SELECT name FROM items ORDER BY id')).map((r) => r.name),
  );

const insert = (store: SqljsStore, name: string, durability: 'full' | 'relaxed' = 'full') =>
  store.transaction((tx) => tx.run('INSERT INTO items (name) VALUES (?)', [name]), { durability });

/** The journal holds no record and is one extent with its header: what a checkpoint leaves. */
function expectEmptyJournal(path: string): void {
  expect(statSync(path).size).toBe(EXTENT_BYTES);
  const scan = scanJournal(readFileSync(path));
  expect(scan).toMatchObject({ format: 'extents', records: [], validEnd: H });
  expect(scan.damage).toBeUndefined();
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e instanceof DomainError ? e.code : `not a DomainError: ${String(e)}`;
  }
  return 'resolved';
};

describe('SqljsStore', () => {
  it('applies migrations on a fresh directory and records them', async () => {
    const store = await openStore(makeTempDir('store'));
    const rows = await store.read((tx) => tx.all('SELECT id, name FROM schema_migrations'));
    expect(rows).toEqual([{ id: 1, name: 'items' }]);
    expect(await store.read((tx) => tx.get('SELECT n FROM counter WHERE id = 1'))).toEqual({ n: 0 });
  });

  it('commits a transaction and resolves with its value', async () => {
    const store = await openStore(makeTempDir('store'));
    const result = await store.transaction(async (tx) => {
      const r = await tx.run('INSERT INTO items (name) VALUES (?), (?)', ['a', 'b']);
      return r.changes;
    });
    expect(result).toBe(2);
    expect(await names(store)).toEqual(['a', 'b']);
  });

  it('rolls back every statement when fn throws and rethrows the same error', async () => {
    const store = await openStore(makeTempDir('store'));
    const boom = new Error('boom');
    const before = store.stats().journalBytes;
    await expect(
      store.transaction(async (tx) => {
        await tx.run('INSERT INTO items (name) VALUES (?)', ['lost']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await names(store)).toEqual([]);
    expect(store.stats().journalBytes).toBe(before);
  });

  it('round-trips text, integers, reals, null and blobs, also through journal replay', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    const blob = new Uint8Array([0, 1, 2, 250, 255]);
    await store.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, name, data, score) VALUES (?, ?, ?, ?)', [
        7,
        'ünï — 😀',
        blob,
        1.5,
      ]);
      await tx.run('INSERT INTO items (id, name, data, score) VALUES (?, ?, ?, ?)', [
        8,
        'n',
        null,
        -(2 ** 40),
      ]);
      await tx.run('INSERT INTO items (id, name, data, score) VALUES (?, ?, ?, ?)', [9, 'big', null, 1e300]);
    });
    const read = (s: SqljsStore) =>
      s.read((tx) => tx.all('SELECT id, name, data, score FROM items ORDER BY id'));
    const expected = [
      { id: 7, name: 'ünï — 😀', data: blob, score: 1.5 },
      { id: 8, name: 'n', data: null, score: -(2 ** 40) },
      { id: 9, name: 'big', data: null, score: 1e300 },
    ];
    expect(await read(store)).toEqual(expected);
    const replayed = await openStore(crashImage(dir));
    const rows = await read(replayed);
    expect(rows).toEqual(expected);
    expect(rows[0]!.data).toBeInstanceOf(Uint8Array);
  });

  it('runs concurrent callers one at a time, even when fn awaits between statements', async () => {
    const store = await openStore(makeTempDir('store'));
    const seen: number[] = [];
    const events: string[] = [];
    const writers = [1, 2, 3].map((w) =>
      store.transaction(async (tx) => {
        events.push(`start ${w}`);
        await tx.run('INSERT INTO items (name) VALUES (?)', [`w${w}-1`]);
        await new Promise((r) => setTimeout(r, 15));
        await tx.run('INSERT INTO items (name) VALUES (?)', [`w${w}-2`]);
        events.push(`end ${w}`);
      }),
    );
    const readers = [1, 2, 3].map(() =>
      store.read(async (tx) => {
        const row = await tx.get<{ n: number }>('SELECT count(*) AS n FROM items');
        seen.push(row!.n);
      }),
    );
    await Promise.all([...writers, ...readers]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    for (const n of seen) expect(n % 2).toBe(0);
    expect(await names(store)).toEqual(['w1-1', 'w1-2', 'w2-1', 'w2-2', 'w3-1', 'w3-2']);
  });

  it('rejects a nested call on the same store inside fn instead of deadlocking', async () => {
    const store = await openStore(makeTempDir('store'));
    const nested = await store.transaction(async () => code(store.read(async () => 1)));
    expect(nested).toBe('internal');
  });

  it('refuses writes inside read()', async () => {
    const store = await openStore(makeTempDir('store'));
    await expect(store.read((tx) => tx.run('INSERT INTO items (name) VALUES (?)', ['x']))).rejects.toThrow(
      /readonly/,
    );
    expect(await names(store)).toEqual([]);
    await insert(store, 'after');
    expect(await names(store)).toEqual(['after']);
  });

  it('refuses transaction control statements inside a Tx', async () => {
    const store = await openStore(makeTempDir('store'));
    for (const sql of ['COMMIT', '  begin', '/* x */ ROLLBACK', 'SAVEPOINT a']) {
      expect(await code(store.transaction((tx) => tx.run(sql)))).toBe('internal');
    }
  });

  it('rejects a Tx used after its transaction ended', async () => {
    const store = await openStore(makeTempDir('store'));
    const leaked = await store.transaction(async (tx) => tx);
    expect(await code(leaked.run('INSERT INTO items (name) VALUES (?)', ['late']))).toBe('internal');
  });

  it('rejects parameters that are not SqlValues', async () => {
    const store = await openStore(makeTempDir('store'));
    const bad = [undefined, true, 10n, {}] as unknown as string[];
    for (const v of bad) {
      expect(await code(store.transaction((tx) => tx.run('INSERT INTO items (name) VALUES (?)', [v])))).toBe(
        'internal',
      );
    }
  });

  it('maps UNIQUE violations to DomainError("conflict")', async () => {
    const store = await openStore(makeTempDir('store'));
    await insert(store, 'a');
    expect(await code(insert(store, 'a'))).toBe('conflict');
  });

  it('journals a failed statement so that its partial effects replay identically', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'dup');
    await store.transaction(async (tx) => {
      // OR FAIL keeps the rows inserted before the conflicting one
      await expect(
        tx.run("INSERT OR FAIL INTO items (name) VALUES ('p1'), ('p2'), ('dup'), ('p3')"),
      ).rejects.toThrow(DomainError);
      await expect(tx.run('INSERT INTO items (name) VALUES (?)', ['dup'])).rejects.toThrow(/UNIQUE/);
      await tx.run('INSERT INTO items (name) VALUES (?)', ['after']);
    });
    const live = await names(store);
    expect(live).toEqual(['dup', 'p1', 'p2', 'after']);
    expect(await names(await openStore(crashImage(dir)))).toEqual(live);
  });

  it('fails the commit and writes nothing when SQLite rolls the transaction back itself', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'dup');
    const before = store.stats().journalBytes;
    const result = store.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name) VALUES (?)', ['kept?']);
      await tx.run("INSERT OR ROLLBACK INTO items (name) VALUES ('dup')").catch(() => undefined);
      await tx.run('INSERT INTO items (name) VALUES (?)', ['later']).catch(() => undefined);
    });
    expect(await code(result)).toBe('conflict');
    expect(await names(store)).toEqual(['dup']);
    expect(store.stats().journalBytes).toBe(before);
    expect(await names(await openStore(crashImage(dir)))).toEqual(['dup']);
  });

  it('get returns the first row or undefined, and a RETURNING statement through get is journaled', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    expect(await store.read((tx) => tx.get('SELECT * FROM items'))).toBeUndefined();
    const row = await store.transaction((tx) =>
      tx.get<{ id: number }>('INSERT INTO items (name) VALUES (?) RETURNING id', ['r']),
    );
    expect(row).toEqual({ id: 1 });
    expect(await names(await openStore(crashImage(dir)))).toEqual(['r']);
  });

  it('writes no journal record for a transaction without mutating statements', async () => {
    const store = await openStore(makeTempDir('store'));
    const before = store.stats();
    await store.transaction((tx) => tx.all('SELECT * FROM items'));
    await store.transaction(async () => 42);
    expect(store.stats().journalBytes).toBe(before.journalBytes);
    expect(store.stats().recordsSinceCheckpoint).toBe(before.recordsSinceCheckpoint);
  });

  it("'full' commits are synced when the promise resolves", async () => {
    const store = await openStore(makeTempDir('store'), { relaxedFlushMs: 10_000 });
    await insert(store, 'a');
    const s = store.stats();
    expect(s.journalBytes).toBeGreaterThan(0);
    expect(s.syncedJournalBytes).toBe(s.journalBytes);
  });

  it("'relaxed' commits are appended at once and synced within relaxedFlushMs", async () => {
    const store = await openStore(makeTempDir('store'), { relaxedFlushMs: 80 });
    const base = store.stats().journalBytes;
    await insert(store, 'r1', 'relaxed');
    let s = store.stats();
    expect(s.journalBytes).toBeGreaterThan(base);
    expect(s.syncedJournalBytes).toBeLessThan(s.journalBytes);
    await new Promise((r) => setTimeout(r, 250));
    s = store.stats();
    expect(s.syncedJournalBytes).toBe(s.journalBytes);
  });

  it("a 'full' commit also makes earlier 'relaxed' records durable", async () => {
    const store = await openStore(makeTempDir('store'), { relaxedFlushMs: 10_000 });
    await insert(store, 'r1', 'relaxed');
    await insert(store, 'r2', 'relaxed');
    expect(store.stats().syncedJournalBytes).toBeLessThan(store.stats().journalBytes);
    await insert(store, 'f');
    expect(store.stats().syncedJournalBytes).toBe(store.stats().journalBytes);
  });

  it('replays the journal of a crash image in commit order', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    for (let i = 0; i < 20; i++) {
      await store.transaction(async (tx) => {
        await tx.run('INSERT INTO items (name) VALUES (?)', [`n${i}`]);
        await tx.run('UPDATE counter SET n = n * 2 + ? WHERE id = 1', [i % 3]);
      });
    }
    const { logger, lines } = memoryLogger();
    const copy = await openStore(crashImage(dir), { logger });
    expect(await names(copy)).toEqual(await names(store));
    const counter = (s: SqljsStore) => s.read((tx) => tx.get('SELECT n FROM counter'));
    expect(await counter(copy)).toEqual(await counter(store));
    const opened = lines.find((l) => l.msg === 'store opened');
    expect(opened?.obj).toMatchObject({ replayed: 21 }); // the migration + 20 commits
  });

  it('checkpoint writes station.db, truncates the journal and bumps the generation', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'a');
    expect(store.stats().journalBytes).toBeGreaterThan(0);
    await store.checkpoint();
    const s = store.stats();
    expect(s).toMatchObject({ journalBytes: 0, recordsSinceCheckpoint: 0, generation: 1 });
    expect(s.lastCheckpointAt).toBeTypeOf('number');
    expectEmptyJournal(join(dir, 'journal.log'));
    expect(existsSync(join(dir, 'station.db.tmp'))).toBe(false);
    await insert(store, 'b');
    const copy = await openStore(crashImage(dir));
    expect(await names(copy)).toEqual(['a', 'b']);
    expect(copy.stats().generation).toBe(1);
  });

  it('checkpoints automatically once the journal passes checkpointBytes', async () => {
    const store = await openStore(makeTempDir('store'), { checkpointBytes: 2000 });
    for (let i = 0; i < 40; i++) await insert(store, `row-${i}`);
    await store.read(async () => undefined); // queued behind the automatic checkpoint
    expect(store.stats().generation).toBeGreaterThan(0);
    expect(store.stats().journalBytes).toBeLessThan(2000);
    expect((await names(store)).length).toBe(40);
  });

  it('checkpoints automatically after checkpointMs when records are pending', async () => {
    const store = await openStore(makeTempDir('store'), { checkpointMs: 60 });
    await insert(store, 'a');
    await new Promise((r) => setTimeout(r, 300));
    expect(store.stats().generation).toBeGreaterThan(0);
    expect(store.stats().recordsSinceCheckpoint).toBe(0);
  });

  it('never replays records already in the snapshot (crash between rename and truncate)', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    for (let i = 0; i < 5; i++) await store.transaction((tx) => tx.run('UPDATE counter SET n = n + 1'));
    const staleJournal = readFileSync(join(dir, 'journal.log'));
    await store.checkpoint();
    await store.transaction((tx) => tx.run('UPDATE counter SET n = n + 10'));
    // the journal as it was just before truncation, followed by nothing newer
    const image = crashImage(dir);
    writeFileSync(join(image, 'journal.log'), staleJournal);
    const copy = await openStore(image);
    expect(await copy.read((tx) => tx.get('SELECT n FROM counter'))).toEqual({ n: 5 });
    expect(copy.stats().journalBytes).toBe(0);
  });

  it('drops a torn append stopping at every byte offset of the last record, zeroing it', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'first');
    const goodEnd = store.stats().journalBytes;
    await insert(store, 'torn');
    const dataEnd = H + store.stats().journalBytes;
    const journal = readFileSync(join(dir, 'journal.log'));
    const image = crashImage(dir);
    // what a crash leaves: the append's first bytes, then the zero fill of the extent
    for (let cut = H + goodEnd + 1; cut < dataEnd; cut++) {
      writeFileSync(join(image, 'journal.log'), Buffer.from(journal).fill(0, cut, dataEnd));
      const { logger, lines } = memoryLogger();
      const s = await openSqljsStore({ dir: image, migrations: MIGRATIONS, logger });
      try {
        expect(await names(s)).toEqual(['first']);
        expect(s.stats().journalBytes).toBe(goodEnd);
        const after = readFileSync(join(image, 'journal.log'));
        expect(after.length).toBe(EXTENT_BYTES);
        expect(after.subarray(H + goodEnd).every((b) => b === 0)).toBe(true);
        expect(lines.some((l) => l.level === 'warn' && /torn/.test(l.msg ?? ''))).toBe(true);
      } finally {
        s.abandon(); // keep the image as it is (no checkpoint) for the next cut
      }
    }
  });

  it('refuses to open on a complete final record that fails its checksum, naming the byte offset', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'first');
    const secondStart = H + store.stats().journalBytes;
    await insert(store, 'second');
    const dataEnd = H + store.stats().journalBytes;
    const image = crashImage(dir);
    const journal = readFileSync(join(image, 'journal.log'));
    journal[dataEnd - 3] = journal[dataEnd - 3]! ^ 0x01;
    writeFileSync(join(image, 'journal.log'), journal);
    await expect(openSqljsStore({ dir: image, migrations: MIGRATIONS })).rejects.toMatchObject({
      code: 'store_corrupt',
      message: new RegExp(
        `the last record, at byte ${secondStart}, is complete but damaged .*gwjs db recover --drop-damaged-tail`,
      ),
    });
    expect(readFileSync(join(image, 'journal.log')).equals(journal)).toBe(true);
    expect(existsSync(join(image, 'store.lock'))).toBe(false);
  });

  it('refuses to open when a damaged record is followed by intact ones', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'first');
    const secondStart = H + store.stats().journalBytes;
    await insert(store, 'second');
    await insert(store, 'third');
    const image = crashImage(dir);
    const journal = readFileSync(join(image, 'journal.log'));
    journal[secondStart + 12] = journal[secondStart + 12]! ^ 0x20;
    writeFileSync(join(image, 'journal.log'), journal);
    const attempt = openSqljsStore({ dir: image, migrations: MIGRATIONS });
    await expect(attempt).rejects.toMatchObject({
      code: 'store_corrupt',
      message: /intact records after it/,
    });
    // the journal is left untouched for diagnosis, and the lock is released
    expect(readFileSync(join(image, 'journal.log')).equals(journal)).toBe(true);
    expect(existsSync(join(image, 'store.lock'))).toBe(false);
  });

  it('refuses a station.db that is not a database', async () => {
    const dir = makeTempDir('store');
    writeFileSync(join(dir, 'station.db'), 'not a database, just text '.repeat(200));
    await expect(openSqljsStore({ dir, migrations: MIGRATIONS })).rejects.toMatchObject({
      code: 'store_corrupt',
    });
  });

  it('refuses a journal that continues a checkpoint generation when station.db is missing', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await store.checkpoint();
    await insert(store, 'a');
    const image = crashImage(dir);
    const { rmSync } = await import('node:fs');
    rmSync(join(image, 'station.db'));
    await expect(openSqljsStore({ dir: image, migrations: MIGRATIONS })).rejects.toMatchObject({
      code: 'store_corrupt',
      message: /station\.db is missing/,
    });
  });

  it('close checkpoints, releases the lock, and later calls reject', async () => {
    const dir = makeTempDir('store');
    const store = await openStore(dir);
    await insert(store, 'a', 'relaxed');
    await store.close();
    expect(store.closed).toBe(true);
    expect(existsSync(join(dir, 'store.lock'))).toBe(false);
    expectEmptyJournal(join(dir, 'journal.log'));
    expect(await code(insert(store, 'b'))).toBe('internal');
    await store.close(); // idempotent
    const again = await openStore(dir);
    expect(await names(again)).toEqual(['a']);
  });

  it('calls queued before close still run', async () => {
    const store = await openStore(makeTempDir('store'));
    const pending = [insert(store, 'a'), insert(store, 'b')];
    const closing = store.close();
    await Promise.all(pending);
    await closing;
    expect(store.closed).toBe(true);
  });
});
