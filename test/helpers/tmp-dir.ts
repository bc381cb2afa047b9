/**
 * Temporary directories for tests (real files, never mocks). Created under the OS temp folder as
 * `gwjs-<prefix>-XXXXXX`; removed when the current test finishes (when called inside a test) or
 * when the process exits (module scope, beforeAll, or `{ until: 'exit' }`). Set GWJS_KEEP_TMP=1 to
 * keep them for inspection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

const pending = new Set<string>();
let exitHookInstalled = false;

/** Removes `dir` (recursively, ignoring errors) unless GWJS_KEEP_TMP is set. */
export function removeTempDir(dir: string): void {
  pending.delete(dir);
  if (process.env.GWJS_KEEP_TMP) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // a child process may still hold a file on some platforms; the OS cleans temp eventually
  }
}

/** Creates a fresh empty directory and registers its removal; returns its absolute path. */
export function makeTempDir(prefix: string, options: { until?: 'test' | 'exit' } = {}): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) || 'tmp';
  const dir = mkdtempSync(join(tmpdir(), `gwjs-${safe}-`));
  pending.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of [...pending]) removeTempDir(d);
    });
  }
  if (options.until !== 'exit') {
    try {
      onTestFinished(() => removeTempDir(dir));
    } catch {
      // not inside a running test: removed at process exit
    }
  }
  return dir;
}
