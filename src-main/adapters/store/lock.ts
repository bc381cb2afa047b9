/**
 * Single-writer lock of a data directory (DESIGN §3): `DIR/store.lock`, created exclusively
 * (`wx`) and holding `{pid, hostname, startedAt, token}`. A lock left by a dead process on this
 * host is taken over; anything else refuses with DomainError('store_busy'). Released by
 * {@link StoreLock.release} and, as a fallback, when the process exits.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DomainError } from '../../../src-shared/errors';
import type { Logger } from '../../core/ports';

/** File name of the lock inside the data directory. */
const LOCK_FILE = 'store.lock';

/** An unreadable lock younger than this may be mid-creation by another process. */
const UNREADABLE_GRACE_MS = 10_000;

/** Contents of the lock file. */
interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the owning process started */
  startedAt: string;
  /** random id of this acquisition, so release never deletes someone else's lock */
  token: string;
}

/** A held lock. */
export interface StoreLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Deletes the lock file if it is still ours; idempotent. */
  release(): void;
}

/** Lock paths held by this process (a second open in the same process is also busy). */
const held = new Map<string, StoreLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of [...held.values()]) lock.release();
  });
}

/** Acquires `dir/store.lock` or throws DomainError('store_busy') naming the owner. */
export function acquireStoreLock(dir: string, logger?: Logger): StoreLock {
  const path = resolve(join(dir, LOCK_FILE));
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = JSON.stringify(info);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const existing = readLock(path);
      if (existing === 'gone') continue;
      const stale = staleReason(path, existing);
      if (stale === undefined) throw busy(dir, path, existing);
      // Delete only the file we judged stale (not one another process created meanwhile).
      if (sameContent(path, existing)) {
        logger?.warn(
          { path, owner: existing === 'unreadable' ? null : existing },
          `taking over stale store lock: ${stale}`,
        );
        unlinkQuietly(path);
      }
      continue;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    const lock: StoreLock = {
      path,
      info,
      release() {
        if (held.get(path) !== lock) return;
        held.delete(path);
        const now = readLock(path);
        if (typeof now === 'object' && now.token === info.token) unlinkQuietly(path);
      },
    };
    held.set(path, lock);
    installExitHook();
    return lock;
  }
  throw new DomainError(
    'store_busy',
    `could not acquire ${path}: it keeps reappearing (another process is starting)`,
    {
      path,
    },
  );
}

type ReadResult = LockInfo | 'unreadable' | 'gone';

function readLock(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: String(v.startedAt), token: String(v.token) };
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

function sameContent(path: string, before: LockInfo | 'unreadable'): boolean {
  const now = readLock(path);
  if (now === 'gone') return false;
  if (before === 'unreadable' || now === 'unreadable') return before === now;
  return now.token === before.token && now.pid === before.pid;
}

/** Why the lock is stale, or undefined when its owner may be alive. */
function staleReason(path: string, existing: LockInfo | 'unreadable'): string | undefined {
  if (existing === 'unreadable') {
    let age = 0;
    try {
      age = Date.now() - statSync(path).mtimeMs;
    } catch {
      return 'unreadable lock vanished';
    }
    return age > UNREADABLE_GRACE_MS ? `unreadable lock file ${Math.round(age / 1000)} s old` : undefined;
  }
  if (existing.hostname !== hostname()) return undefined; // cannot probe another host's processes
  if (existing.pid === process.pid) {
    // Ours only if this process still holds it; otherwise a previous process had our pid (containers).
    return held.has(path) ? undefined : `left by an earlier process with pid ${existing.pid}`;
  }
  try {
    process.kill(existing.pid, 0);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
      ? `process ${existing.pid} is not running`
      : undefined;
  }
}

function busy(dir: string, path: string, owner: LockInfo | 'unreadable'): DomainError {
  const who =
    owner === 'unreadable'
      ? 'another process (its lock file is being written)'
      : `process ${owner.pid} on ${owner.hostname} (started ${owner.startedAt})` +
        (owner.pid === process.pid && owner.hostname === hostname() ? ' — this process' : '');
  return new DomainError(
    'store_busy',
    `the data directory ${dir} is in use by ${who}; stop it, or delete ${path} if no such process is running`,
    { dir, path, ...(owner === 'unreadable' ? {} : { pid: owner.pid, hostname: owner.hostname }) },
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
