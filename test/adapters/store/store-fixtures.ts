/**
 * Shared fixtures for the sql.js store tests: a small schema, a logger that remembers what it was
 * told, a "crash image" copier and a child-process runner.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../src-main/core/ports';
import type { Migration } from '../../../src-main/adapters/store/migrate';
import { makeTempDir } from '../../helpers/tmp-dir';

/** The test schema. */
export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: 'items',
    sql: `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB, score REAL);
          CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
          INSERT INTO counter (id, n) VALUES (1, 0);`,
  },
];

/** One remembered log call. */
export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg: string | undefined;
}

/** A logger that keeps every call in `lines`. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

/**
 * Copies the store files of `dir` (not the lock) into a new temp dir: what a crash at this instant
 * would leave on disk, as every acknowledged write is already in the files.
 */
export function crashImage(dir: string): string {
  const copy = makeTempDir('store-crash-image');
  for (const f of ['station.db', 'journal.log']) {
    if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(copy, f));
  }
  return copy;
}

/** Result of {@link runChild}. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx <script> ...args` from the repository root and collects its output. */
export function runChild(script: string, args: string[], timeoutMs = 20_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
