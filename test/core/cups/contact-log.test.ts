import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  openSqljsStore,
  type SqljsStore,
} from '../../../src-main/adapters/store/sqljs-store';
import { ContactLog, sameButTime } from '../../../src-main/core/cups/contact-log';
import type { ContactRecord } from '../../../src-main/core/cups/contacts';
import { MemoryLogger, TestClock } from '../../helpers/core-fixture';
import { makeTempDir } from '../../helpers/tmp-dir';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function contact(atMs: number, over: Partial<ContactRecord> = {}): ContactRecord {
  return {
    at: new Date(atMs).toISOString(),
    address: '198.51.100.7',
    outcome: 'in_sync',
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: '1.0.0',
    cupsUri: 'https://js.example.com:6041',
    tcUri: 'wss://lns.example.com:443',
    cupsCredCrc: 1,
    tcCredCrc: 2,
    keys: [3, 4],
    credential: 'token',
    tokenGeneration: 0,
    ...over,
  };
}

describe('ContactLog', () => {
  let store: SqljsStore | undefined;
  afterEach(async () => {
    if (store !== undefined && !store.closed) await store.close();
    store = undefined;
  });

  async function open(options: Partial<{ flushIntervalMs: number; tickMs: number; entries: number }> = {}) {
    store = await openSqljsStore({
      dir: join(makeTempDir('contact-log'), 'db'),
      migrations: loadMigrations(DEFAULT_MIGRATIONS_DIR),
    });
    const clock = new TestClock(T0);
    const logger = new MemoryLogger();
    const log = new ContactLog(store, clock, logger, {
      flushIntervalMs: 30_000,
      tickMs: 3_600_000, // writes happen when the test flushes
      entries: 100,
      ...options,
    });
    const s = store;
    const stored = async () =>
      s.read((tx) =>
        tx.all<{ eui: string; at: string; package: string | null }>(
          'SELECT eui, at, package FROM cups_contacts ORDER BY eui',
        ),
      );
    return { log, clock, logger, stored, store: s };
  }

  it('compares contacts field by field, ignoring only the time', () => {
    expect(sameButTime(contact(T0), contact(T0 + 5000))).toBe(true);
    expect(sameButTime(contact(T0), contact(T0, { keys: [3] }))).toBe(false);
    expect(sameButTime(contact(T0), contact(T0, { keys: [3, 5] }))).toBe(false);
    expect(sameButTime(contact(T0), contact(T0, { address: '203.0.113.1' }))).toBe(false);
    expect(sameButTime(contact(T0), contact(T0, { outcome: 'updated' }))).toBe(false);
    expect(sameButTime(contact(T0), contact(T0, { tcCredCrc: 9 }))).toBe(false);
  });

  it('holds the newest contact in memory and writes only what the store needs', async () => {
    const { log, clock, stored } = await open();
    log.record('A', contact(T0), T0);
    expect(log.latest('A')?.at).toBe('2030-01-01T00:00:00.000Z');
    expect(await stored()).toEqual([]);
    await log.flush();
    expect(await stored()).toEqual([{ eui: 'A', at: '2030-01-01T00:00:00.000Z', package: '1.0.0' }]);
    expect(log.pending).toBe(0);

    clock.advance(10_000);
    log.record('A', contact(clock.now()), clock.now());
    expect(log.latest('A')?.at).toBe('2030-01-01T00:00:10.000Z');
    expect(log.pending).toBe(1); // due when the stored time is 30 s old

    clock.advance(1000);
    log.record('A', contact(clock.now(), { package: '1.0.1' }), clock.now());
    await log.flush();
    expect(await stored()).toEqual([{ eui: 'A', at: '2030-01-01T00:00:11.000Z', package: '1.0.1' }]);
  });

  it('writes due contacts on its timer, one transaction per tick', async () => {
    const { log, clock, stored, store: s } = await open({ tickMs: 5 });
    const before = s.stats().recordsSinceCheckpoint;
    for (const hex of ['A', 'B', 'C']) log.record(hex, contact(T0), T0);
    const end = Date.now() + 2000;
    while ((await stored()).length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect((await stored()).map((r) => r.eui)).toEqual(['A', 'B', 'C']);
    expect(s.stats().recordsSinceCheckpoint - before).toBe(1);

    clock.advance(5000); // time-only: not due before the stored contact is 30 s old
    const transactions = vi.spyOn(s, 'transaction');
    log.record('A', contact(clock.now()), clock.now());
    await new Promise((r) => setTimeout(r, 40));
    expect((await stored())[0]?.at).toBe('2030-01-01T00:00:00.000Z');
    expect(transactions).not.toHaveBeenCalled(); // ticks with nothing due open no transaction
    clock.advance(25_000);
    while ((await stored())[0]?.at !== '2030-01-01T00:00:05.000Z' && Date.now() < end + 2000) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await stored())[0]?.at).toBe('2030-01-01T00:00:05.000Z');
    await log.close();
  });

  it('forgets a gateway with its pending contact', async () => {
    const { log, stored } = await open();
    log.record('A', contact(T0), T0);
    log.record('B', contact(T0), T0);
    log.forget('A');
    expect(log.latest('A')).toBeUndefined();
    await log.close();
    expect((await stored()).map((r) => r.eui)).toEqual(['B']);
  });

  it('never evicts a contact that is not yet written', async () => {
    const { log } = await open({ entries: 2 });
    for (const hex of ['A', 'B', 'C', 'D']) log.record(hex, contact(T0), T0);
    expect(['A', 'B', 'C', 'D'].map((h) => log.latest(h) !== undefined)).toEqual([true, true, true, true]);
    await log.flush();
    log.record('E', contact(T0), T0);
    expect(['A', 'B', 'C', 'D', 'E'].filter((h) => log.latest(h) !== undefined)).toEqual(['D', 'E']);
  });

  it('keeps contacts it could not write, logs the failure, and ignores records after close', async () => {
    const { log, logger, store: s } = await open();
    log.record('A', contact(T0), T0);
    await s.close();
    await log.flush();
    expect(log.pending).toBe(1);
    expect(
      logger.entries.some((e) => e.level === 'warn' && e.msg === 'CUPS contacts not written; retrying later'),
    ).toBe(true);
    await log.close();
    log.record('B', contact(T0), T0);
    expect(log.latest('B')).toBeUndefined();
  });
});
