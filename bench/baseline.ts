/**
 * Before/after in the same run: the tree of an earlier revision, extracted with `git archive` into
 * a temp dir (sharing this repository's `node_modules`), so a benchmark can run it beside the
 * current one with rounds interleaved (`cups.bench.ts`, `owner-api.bench.ts`). Each benchmark names
 * its default revision and the environment variable that overrides it (`none` skips the baseline).
 * Without git or that revision (a shallow clone) {@link extractRevision} says so on stderr and
 * returns undefined; the benchmark then prints its figures without the comparison.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This repository's root. */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The tree of `rev` (`src-main`, `src-shared`, `bench`, `package.json`) in a temp dir, or undefined
 * (`rev` is `none`, or git cannot give it). `bench` names the benchmark in the stderr note.
 */
export function extractRevision(rev: string, bench: string): string | undefined {
  if (rev === 'none') return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'gwjs-bench-baseline-'));
  try {
    const tar = path.join(dir, 'tree.tar');
    const paths = ['src-main', 'src-shared', 'bench', 'package.json'];
    execFileSync('git', ['-C', repo, 'archive', '--format=tar', '-o', tar, rev, ...paths], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    execFileSync('tar', ['-xf', tar, '-C', dir]);
    symlinkSync(realpathSync(path.join(repo, 'node_modules')), path.join(dir, 'node_modules'));
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(
      `bench: ${bench}: no baseline revision ${rev} (${e instanceof Error ? e.message.split('\n')[0] : e}); printing the current figures only\n`,
    );
    return undefined;
  }
}

/** Removes a tree {@link extractRevision} made. */
export function removeRevision(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** `a / b` to two decimals. */
export const ratio = (a: number, b: number): number => Number((a / b).toFixed(2));

/** Waits for the next message of `child` that has `key` (a `coreError` message rejects). */
export function reply<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (typeof m === 'object' && m !== null && (key in m || 'coreError' in m)) {
        child.off('message', onMessage);
        if ('coreError' in m) reject(new Error(String((m as { coreError: unknown }).coreError)));
        else resolve((m as Record<string, T>)[key]!);
      }
    };
    child.on('message', onMessage);
  });
}

/**
 * Forks the bench server `script` (a file of this repository's `bench/`) with the tree at `root`
 * as `$GWJS_BENCH_ROOT`; resolves with the child and its first message (where it listens).
 */
export async function forkBenchServer<Ready>(
  script: string,
  root: string,
): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(path.join(repo, 'bench', script), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, GWJS_BENCH_ROOT: root },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`bench server ${script} (${root}) exited with ${code}`)));
  });
  return { child, ready };
}

/** CPU time a bench server child has used so far, µs (its `cpu` message). */
export function childCpu(child: ChildProcess): Promise<number> {
  const r = reply<number>(child, 'cpu');
  child.send('cpu');
  return r;
}

/** Stops a bench server child (its `stop` message) and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await exited;
}
