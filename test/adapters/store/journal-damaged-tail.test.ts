/**
 * The journal's last acknowledged record, damaged on disk (docs/security.md "Durability"), with the
 * product's schema on a real data directory: a bit flip anywhere in the last complete record makes
 * the store refuse to open and name the byte offset; a record cut short (an incomplete append) is
 * dropped as before; `gwjs db recover --drop-damaged-tail` (the real bin) drops the damaged record,
 * keeps a copy of exactly the dropped bytes, and the store then opens with every earlier write.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
} from '../../../src-main/adapters/store/sqljs-store';
import { scanJournal } from '../../../src-main/adapters/store/journal';
import { onlyJson, runGwjs } from '../../helpers/gwjs-cli';
import { makeTempDir } from '../../helpers/tmp-dir';

const MIGRATIONS = loadMigrations(DEFAULT_MIGRATIONS_DIR);

/** A data dir whose journal holds acknowledged writes `k1`…`kN`, left as a crash leaves it. */
async function crashedDataDir(
  n: number,
): Promise<{ data: string; db: string; lastStart: number; journal: Buffer }> {
  const data = makeTempDir('damaged-tail');
  const db = join(data, 'db');
  mkdirSync(db);
  const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS });
  let lastStart = 0;
  for (let i = 1; i <= n; i++) {
    lastStart = store.stats().journalBytes;
    await store.transaction((tx) =>
      tx.run('INSERT INTO station_settings (key, value) VALUES (?, ?)', [`k${i}`, `v${i}`]),
    );
  }
  store.abandon(); // a crash: no checkpoint, every acknowledged write only in the journal
  return { data, db, lastStart, journal: readFileSync(join(db, 'journal.log')) };
}

async function keys(db: string): Promise<string[]> {
  const store = await openSqljsStore({ dir: db, migrations: MIGRATIONS });
  try {
    return await store.read(async (tx) =>
      (
        await tx.all<{ key: string }>("SELECT key FROM station_settings WHERE key LIKE 'k%' ORDER BY key")
      ).map((r) => r.key),
    );
  } finally {
    store.abandon();
  }
}

describe('journal: damaged last record', () => {
  it('refuses to open after a bit flip anywhere in the last complete record, naming the byte offset', async () => {
    const { db, lastStart, journal } = await crashedDataDir(3);
    // every payload byte and the CRC field (a flipped length runs past the end: incomplete, see below)
    for (let i = lastStart + 4; i < journal.length; i += i < lastStart + 8 ? 1 : 29) {
      const bad = Buffer.from(journal);
      bad[i] = bad[i]! ^ (1 << (i % 8));
      writeFileSync(join(db, 'journal.log'), bad);
      await expect(openSqljsStore({ dir: db, migrations: MIGRATIONS }), `flip at ${i}`).rejects.toMatchObject(
        {
          code: 'store_corrupt',
          message: new RegExp(`last record, at byte ${lastStart}, is complete but damaged`),
        },
      );
      // nothing was changed for diagnosis
      expect(readFileSync(join(db, 'journal.log'))).toEqual(bad);
    }
  });

  it('drops an incomplete last record (a torn append) as before', async () => {
    const { db, lastStart, journal } = await crashedDataDir(3);
    for (const cut of [lastStart + 3, lastStart + 8, journal.length - 1]) {
      writeFileSync(join(db, 'journal.log'), journal.subarray(0, cut));
      expect(await keys(db)).toEqual(['k1', 'k2']);
    }
  });

  it('gwjs db recover --drop-damaged-tail keeps a copy of the dropped bytes; the store then opens', async () => {
    const { data, db, lastStart, journal } = await crashedDataDir(3);
    const bad = Buffer.from(journal);
    bad[journal.length - 5] = bad[journal.length - 5]! ^ 0x04;
    writeFileSync(join(db, 'journal.log'), bad);

    const usage = await runGwjs(['db', 'recover', '--data', data]);
    expect(usage.code).toBe(2);

    const r = await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const out = onlyJson(r);
    expect(out).toMatchObject({
      bytesBefore: journal.length,
      bytesAfter: lastStart,
      recordsKept: scanJournal(journal).records.length - 1,
      damagedAt: lastStart,
    });
    expect(out.reason).toMatch(/crc32 mismatch/);
    const copies = readdirSync(db).filter((f) => f.startsWith('journal.damaged-'));
    expect(copies).toHaveLength(1);
    expect(join(db, copies[0]!)).toBe(out.copy);
    expect(readFileSync(join(db, copies[0]!))).toEqual(bad.subarray(lastStart));
    expect(await keys(db)).toEqual(['k1', 'k2']);

    // again: nothing left to drop
    const again = onlyJson(await runGwjs(['db', 'recover', '--drop-damaged-tail', '--json', '--data', data]));
    expect(again).toMatchObject({ copy: null, damagedAt: null });
  });

  it('never drops damage that intact records follow', async () => {
    const { data, db, journal } = await crashedDataDir(3);
    const bad = Buffer.from(journal);
    bad[20] = bad[20]! ^ 0x01; // inside the first record
    writeFileSync(join(db, 'journal.log'), bad);
    const r = await runGwjs(['db', 'recover', '--drop-damaged-tail', '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not the last one/);
    expect(readFileSync(join(db, 'journal.log'))).toEqual(bad);
    expect(readdirSync(db).filter((f) => f.startsWith('journal.damaged-'))).toEqual([]);
  });
});
