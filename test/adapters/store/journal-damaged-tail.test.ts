/**
 * The journal's last acknowledged record, damaged or cut on disk (docs/security.md "Durability and
 * journal damage"), with the product's schema on a real data directory: a bit flip anywhere in the
 * last complete record, or a truncation of the file inside it, makes the store refuse to open and
 * name the byte offset; an incomplete append (a record whose payload runs into the zero fill, as a
 * crash leaves it) is dropped as before; `gwjs db recover --drop-damaged-tail` (the real bin) drops
 * the damaged or cut record, keeps a copy of exactly the dropped bytes, and the store then opens
 * with every earlier write. A legacy journal (no file header) keeps its rules and is converted.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../../src-main/adapters/store/sqljs-store';
import { EXTENT_BYTES, JOURNAL_HEADER_BYTES, scanJournal } from '../../../src-main/adapters/store/journal';
import { onlyJson, runGwjs } from '../../helpers/gwjs-cli';
import { makeTempDir } from '../../helpers/tmp-dir';
import { memoryLogger } from './store-fixtures';

const MIGRATIONS = loadMigrations(DEFAULT_MIGRATIONS_DIR);
const H = JOURNAL_HEADER_BYTES;

/** A data dir whose journal holds acknowledged writes `k1`…`kN`, left as a crash leaves it. */
async function crashedDataDir(
  n: number,
): Promise<{ data: string; db: string; lastStart: number; dataEnd: number; journal: Buffer }> {
  const data = makeTempDir('damaged-tail');
  const db = join(data, 'db');
  mkdirSync(db);
  const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS });
  let lastStart = 0;
  for (let i = 1; i <= n; i++) {
    lastStart = H + store.stats().journalBytes;
    await store.transaction((tx) =>
      tx.run('INSERT INTO station_settings (key, value) VALUES (?, ?)', [`k${i}`, `v${i}`]),
    );
  }
  const dataEnd = H + store.stats().journalBytes;
  store.abandon(); // a crash: no checkpoint, every acknowledged write only in the journal
  const journal = readFileSync(join(db, 'journal.log'));
  expect(journal.length).toBe(EXTENT_BYTES);
  return { data, db, lastStart, dataEnd, journal };
}

async function keys(db: string): Promise<string[]> {
  const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS });
  try {
    return await keysOf(store);
  } finally {
    store.abandon();
  }
}

const keysOf = async (store: Awaited<ReturnType<typeof openSqljsStore>>) =>
  store.read(async (tx) =>
    (await tx.all<{ key: string }>("SELECT key FROM station_settings WHERE key LIKE 'k%' ORDER BY key")).map(
      (r) => r.key,
    ),
  );

describe('journal: damaged or cut last record', () => {
  it('refuses to open after a bit flip anywhere in the last complete record, naming the byte offset', async () => {
    const { db, lastStart, dataEnd, journal } = await crashedDataDir(3);
    // the length field, the CRC field, and every 29th payload byte
    for (let i = lastStart; i < dataEnd; i += i < lastStart + 8 ? 1 : 29) {
      const bad = Buffer.from(journal);
      bad[i] = bad[i]! ^ (1 << (i % 8));
      writeFileSync(join(db, 'journal.log'), bad);
      await expect(openSqljsStore({ dir: db, migrations: MIGRATIONS }), `flip at ${i}`).rejects.toMatchObject(
        {
          code: 'store_corrupt',
          message: new RegExp(
            `last record, at byte ${lastStart}, is (complete but damaged|not whole).*gwjs db recover --drop-damaged-tail`,
          ),
        },
      );
      // nothing was changed for diagnosis
      expect(readFileSync(join(db, 'journal.log')).equals(bad)).toBe(true);
    }
  });

  it('refuses to open after a truncation inside (or at the end of) the last complete record', async () => {
    const { db, lastStart, dataEnd, journal } = await crashedDataDir(3);
    for (const cut of [
      lastStart,
      lastStart + 1,
      lastStart + 3,
      lastStart + 8,
      lastStart + 20,
      dataEnd - 1,
      dataEnd,
    ]) {
      const cutFile = journal.subarray(0, cut);
      writeFileSync(join(db, 'journal.log'), cutFile);
      await expect(
        openSqljsStore({ dir: db, migrations: MIGRATIONS }),
        `cut at ${cut}`,
      ).rejects.toMatchObject({
        code: 'store_corrupt',
        message: new RegExp(
          `the file was cut: the last record, at byte ${cut === dataEnd ? dataEnd : lastStart}, is not whole .*` +
            'gwjs db recover --drop-damaged-tail',
        ),
      });
      expect(readFileSync(join(db, 'journal.log')).equals(cutFile)).toBe(true);
    }
  });

  it('drops a torn append (header and part of the payload in the zero fill) and keeps every acknowledged write', async () => {
    // k4 stands for the append a crash cut: the bytes it got onto the disk, then zero fill
    const { db, lastStart, dataEnd, journal } = await crashedDataDir(4);
    for (const written of [1, 4, 8, 9, 30, dataEnd - lastStart - 1]) {
      const torn = Buffer.from(journal);
      torn.fill(0, lastStart + written, dataEnd);
      writeFileSync(join(db, 'journal.log'), torn);
      const { logger, lines } = memoryLogger();
      const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS, logger });
      try {
        expect(await keysOf(store), `written ${written}`).toEqual(['k1', 'k2', 'k3']);
        expect(lines.some((l) => l.level === 'warn' && /torn/.test(l.msg ?? ''))).toBe(true);
        expect(store.stats().journalBytes).toBe(lastStart - H);
        // the torn bytes were zeroed: a new (shorter) record and a reopen keep everything
        await store.transaction((tx) =>
          tx.run("INSERT INTO station_settings (key, value) VALUES ('k5', 'v')"),
        );
      } finally {
        store.abandon();
      }
      const after = readFileSync(join(db, 'journal.log'));
      expect(after.length).toBe(EXTENT_BYTES);
      expect(scanJournal(after).damage).toBeUndefined();
      expect(await keys(db)).toEqual(['k1', 'k2', 'k3', 'k5']);
    }
  });

  it('gwjs db recover --drop-damaged-tail keeps a copy of the dropped bytes; the store then opens', async () => {
    const { data, db, lastStart, dataEnd, journal } = await crashedDataDir(3);
    const bad = Buffer.from(journal);
    bad[dataEnd - 5] = bad[dataEnd - 5]! ^ 0x04;
    writeFileSync(join(db, 'journal.log'), bad);

    const usage = await runGwjs(['db', 'recover', '--data', data]);
    expect(usage.code).toBe(2);

    const r = await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const out = onlyJson(r);
    expect(out).toMatchObject({
      bytesBefore: dataEnd,
      bytesAfter: lastStart,
      recordsKept: scanJournal(journal).records.length - 1,
      damagedAt: lastStart,
    });
    expect(out.reason).toMatch(/crc32 mismatch/);
    const copies = readdirSync(db).filter((f) => f.startsWith('journal.damaged-'));
    expect(copies).toHaveLength(1);
    expect(join(db, copies[0]!)).toBe(out.copy);
    expect(readFileSync(join(db, copies[0]!))).toEqual(bad.subarray(lastStart, dataEnd));
    expect(await keys(db)).toEqual(['k1', 'k2']);

    // again: nothing left to drop
    const again = onlyJson(await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]));
    expect(again).toMatchObject({ copy: null, damagedAt: null });
  });

  it('gwjs db recover --drop-damaged-tail drops a cut last record, keeps a copy, and restores whole extents', async () => {
    const { data, db, lastStart, journal } = await crashedDataDir(3);
    const cut = lastStart + 17;
    writeFileSync(join(db, 'journal.log'), journal.subarray(0, cut));
    const r = await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const out = onlyJson(r);
    expect(out).toMatchObject({ bytesBefore: cut, bytesAfter: lastStart, damagedAt: lastStart });
    expect(out.reason).toMatch(/not a whole number of 1048576-byte extents/);
    expect(readFileSync(out.copy as string)).toEqual(journal.subarray(lastStart, cut));
    expect(await keys(db)).toEqual(['k1', 'k2']);
    expect(statSync(join(db, 'journal.log')).size % EXTENT_BYTES).toBe(0);
  });

  it('never drops damage that intact records follow', async () => {
    const { data, db, journal } = await crashedDataDir(3);
    const bad = Buffer.from(journal);
    bad[H + 20] = bad[H + 20]! ^ 0x01; // inside the first record
    writeFileSync(join(db, 'journal.log'), bad);
    const r = await runGwjs(['db', 'recover', '--drop-damaged-tail', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not the last one/);
    expect(readFileSync(join(db, 'journal.log')).equals(bad)).toBe(true);
    expect(readdirSync(db).filter((f) => f.startsWith('journal.damaged-'))).toEqual([]);
  });
});

describe('journal: legacy format (written before the file header)', () => {
  /** The same data dir with its journal rewritten as the old code wrote it: records from byte 0. */
  async function legacyDataDir(n: number) {
    const dir = await crashedDataDir(n);
    const legacy = dir.journal.subarray(H, dir.dataEnd);
    writeFileSync(join(dir.db, 'journal.log'), legacy);
    expect(scanJournal(legacy)).toMatchObject({ format: 'legacy', records: { length: expect.any(Number) } });
    return { ...dir, legacy, lastStart: dir.lastStart - H };
  }

  it('opens with the old rules and converts the journal to the extents format', async () => {
    const { db, legacy } = await legacyDataDir(3);
    const { logger, lines } = memoryLogger();
    const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS, logger });
    try {
      expect(await keysOf(store)).toEqual(['k1', 'k2', 'k3']);
      expect(lines.some((l) => /converted from the legacy format/.test(l.msg ?? ''))).toBe(true);
      const converted = readFileSync(join(db, 'journal.log'));
      expect(converted.subarray(0, 8).toString('latin1')).toBe('GWJSJNL1');
      expect(scanJournal(converted)).toMatchObject({ format: 'extents', records: [] });
      expect(statSync(join(db, 'station.db')).size).toBeGreaterThan(legacy.length / 10);
      await store.transaction((tx) => tx.run("INSERT INTO station_settings (key, value) VALUES ('k4', 'v')"));
    } finally {
      store.abandon();
    }
    expect(await keys(db)).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('opens what a crash inside a checkpoint leaves of the journal (empty, or zero fill only) as empty', async () => {
    for (const left of [Buffer.alloc(0), Buffer.alloc(EXTENT_BYTES)]) {
      const data = makeTempDir('reset-crash');
      const db = join(data, 'db');
      mkdirSync(db);
      const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS });
      await store.transaction((tx) => tx.run("INSERT INTO station_settings (key, value) VALUES ('k1', 'v')"));
      await store.checkpoint();
      store.abandon();
      writeFileSync(join(db, 'journal.log'), left);
      expect(await keys(db)).toEqual(['k1']);
      const after = readFileSync(join(db, 'journal.log'));
      expect(after.length).toBe(EXTENT_BYTES);
      expect(scanJournal(after)).toMatchObject({ format: 'extents', records: [], validEnd: H });
    }
  });

  it('drops a torn legacy tail as before, then converts', async () => {
    const { db, legacy, lastStart } = await legacyDataDir(3);
    writeFileSync(join(db, 'journal.log'), legacy.subarray(0, lastStart + 11));
    expect(await keys(db)).toEqual(['k1', 'k2']);
    expect(scanJournal(readFileSync(join(db, 'journal.log')))).toMatchObject({ format: 'extents' });
  });

  it('refuses a damaged legacy last record; recover drops it with a copy, and the store converts', async () => {
    const { data, db, legacy, lastStart } = await legacyDataDir(3);
    const bad = Buffer.from(legacy);
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0x02;
    writeFileSync(join(db, 'journal.log'), bad);
    await expect(openSqljsStore({ dir: db, migrations: MIGRATIONS })).rejects.toMatchObject({
      code: 'store_corrupt',
      message: new RegExp(`last record, at byte ${lastStart}, is complete but damaged`),
    });
    const out = onlyJson(await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]));
    expect(out).toMatchObject({ bytesBefore: legacy.length, bytesAfter: lastStart, damagedAt: lastStart });
    expect(readFileSync(out.copy as string)).toEqual(bad.subarray(lastStart));
    expect(await keys(db)).toEqual(['k1', 'k2']);
    expect(scanJournal(readFileSync(join(db, 'journal.log')))).toMatchObject({ format: 'extents' });
  });
});
