import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireStoreLock } from '../../../src-main/adapters/store/lock';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';
import { MIGRATIONS, memoryLogger, runChild } from './store-fixtures';

const CHILD = 'test/adapters/store/open-child.ts';

/** pid of a process that has certainly exited */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

const lockFile = (dir: string) => join(dir, 'store.lock');
const writeLock = (dir: string, info: object) => writeFileSync(lockFile(dir), JSON.stringify(info));

describe('acquireStoreLock', () => {
  it('writes pid, hostname and start time, and release removes the file', () => {
    const dir = makeTempDir('lock');
    const lock = acquireStoreLock(dir);
    const info = JSON.parse(readFileSync(lockFile(dir), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Date.parse(info.startedAt)).toBeLessThanOrEqual(Date.now());
    lock.release();
    expect(existsSync(lockFile(dir))).toBe(false);
    lock.release(); // idempotent
  });

  it('refuses a second lock in the same process with store_busy', () => {
    const dir = makeTempDir('lock');
    const lock = acquireStoreLock(dir);
    try {
      expect(() => acquireStoreLock(dir)).toThrow(
        expect.objectContaining({
          code: 'store_busy',
          message: expect.stringContaining(`process ${process.pid}`),
        }),
      );
    } finally {
      lock.release();
    }
  });

  it('takes over a lock whose process is dead on this host, with a warning', () => {
    const dir = makeTempDir('lock');
    const pid = deadPid();
    writeLock(dir, { pid, hostname: hostname(), startedAt: new Date().toISOString(), token: 'old' });
    const { logger, lines } = memoryLogger();
    const lock = acquireStoreLock(dir, logger);
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    expect(lines.some((l) => l.level === 'warn' && l.msg?.includes(`process ${pid} is not running`))).toBe(
      true,
    );
    lock.release();
  });

  it("takes over a lock left by an earlier process with this process's pid (containers)", () => {
    const dir = makeTempDir('lock');
    writeLock(dir, {
      pid: process.pid,
      hostname: hostname(),
      startedAt: '2000-01-01T00:00:00Z',
      token: 'old',
    });
    const lock = acquireStoreLock(dir);
    lock.release();
  });

  it('refuses a lock held by a live process or by another host', () => {
    const dir = makeTempDir('lock');
    writeLock(dir, { pid: process.ppid, hostname: hostname(), startedAt: 'x', token: 't' });
    expect(() => acquireStoreLock(dir)).toThrow(expect.objectContaining({ code: 'store_busy' }));
    writeLock(dir, { pid: deadPid(), hostname: 'elsewhere.example', startedAt: 'x', token: 't' });
    expect(() => acquireStoreLock(dir)).toThrow(
      expect.objectContaining({ code: 'store_busy', message: expect.stringContaining('elsewhere.example') }),
    );
  });

  it('treats an unreadable lock as busy while fresh and as stale once old', () => {
    const dir = makeTempDir('lock');
    writeFileSync(lockFile(dir), '');
    expect(() => acquireStoreLock(dir)).toThrow(expect.objectContaining({ code: 'store_busy' }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile(dir), old, old);
    acquireStoreLock(dir).release();
  });
});

describe('store lock across processes', () => {
  it('a second open in another process fails with store_busy naming this process', async () => {
    const dir = makeTempDir('lock-store');
    const store = await openSqljsStore({ dir, migrations: MIGRATIONS });
    try {
      const r = await runChild(CHILD, [dir, 'report']);
      const out = JSON.parse(r.stdout.trim());
      expect(out).toMatchObject({ ok: false, code: 'store_busy' });
      expect(out.message).toContain(`in use by process ${process.pid}`);
    } finally {
      await store.close();
    }
    const r = await runChild(CHILD, [dir, 'report']);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: true });
  });

  it('a process that exits without close leaves no lock; a SIGKILLed one leaves a stale lock that is taken over', async () => {
    const dir = makeTempDir('lock-store');
    const r = await runChild(CHILD, [dir, 'exit']);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: true });
    expect(existsSync(lockFile(dir))).toBe(false);

    writeLock(dir, {
      pid: deadPid(),
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      token: 'killed',
    });
    const store = await openSqljsStore({ dir, migrations: MIGRATIONS });
    expect(JSON.parse(readFileSync(lockFile(dir), 'utf8')).pid).toBe(process.pid);
    await store.close();
  });
});
