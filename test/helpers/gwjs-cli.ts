/**
 * Runs the real `bin/gwjs.mjs` in a child process, the way a user or a script would (SPEC §7).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

/** Path of the package `bin`. */
export const GWJS_BIN = path.resolve(import.meta.dirname, '../../bin/gwjs.mjs');

/** What one run printed and how it exited. */
export interface GwjsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `gwjs ARGS…` with this process's environment, `GWJS_DATA` and `GWJS_HSM_PASSPHRASE` cleared,
 * then `env` on top.
 */
export function runGwjs(args: readonly string[], env: Record<string, string> = {}): Promise<GwjsRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GWJS_BIN, ...args], {
      env: { ...process.env, GWJS_DATA: '', GWJS_HSM_PASSPHRASE: '', ...env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The single JSON object a `--json` run printed (and nothing else on stdout). */
export function onlyJson(r: GwjsRun): Record<string, unknown> {
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}
