/**
 * `npm start` (README quick start): build when the sources are newer than `out/`, then open the desktop
 * station in Electron; when Electron cannot start — binary not installed (electron 45 downloads it
 * lazily, which fails offline), no display, or it dies before opening its window — say why and
 * run the headless `gwjs serve` instead, which prints the URL to open in a browser.
 *
 * Runs in plain Node (no `electron` import: the binary is located through the electron
 * package's `path.txt`; requiring that package would try to download the binary).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StationIo as CliIo } from '../compose/io';

/** Exit status of the Electron main when the station itself failed (see main.ts): no fallback. */
export const EXIT_STATION_FAILED = 78;
/** Line the Electron main prints once its window is open. */
export const READY_MARKER = 'gwjs-desktop: window open';

/** Build outputs `npm start` needs. */
export const BUILD_OUTPUTS = ['out/main/main.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const BUILD_INPUTS = ['src-main', 'src-shared', 'src-renderer', 'electron.vite.config.ts', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when an output is missing or a source is newer than the oldest output. */
export function needsBuild(root: string): boolean {
  const outputs = BUILD_OUTPUTS.map((o) => join(root, o));
  if (outputs.some((o) => !existsSync(o))) return true;
  const oldestOutput = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return BUILD_INPUTS.some((i) => newestMtime(join(root, i)) > oldestOutput);
}

/** Where the Electron binary is, or why there is none (without triggering a download). */
export function locateElectron(
  root: string,
  env: NodeJS.ProcessEnv,
): { binary: string } | { problem: string } {
  const pkgDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkgDir, 'package.json'))) return { problem: 'the electron package is not installed' };
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(binary)
      ? { binary }
      : { problem: `ELECTRON_OVERRIDE_DIST_PATH names no binary (${binary})` };
  }
  if (!relative) {
    return {
      problem:
        'the Electron binary is not installed (node_modules/electron/path.txt is missing: electron downloads ' +
        'its binary on first use, which needs network access — run `npx install-electron` once online)',
    };
  }
  const binary = join(pkgDir, 'dist', relative);
  if (!existsSync(binary)) return { problem: `the Electron binary is missing (${binary})` };
  return { binary };
}

/** Why the desktop app cannot start here, or undefined when it may. */
export function electronProblem(
  root: string,
  env: NodeJS.ProcessEnv,
  argv: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (argv.includes('--headless') || env.GWJS_HEADLESS === '1') return 'headless mode was requested';
  const located = locateElectron(root, env);
  if ('problem' in located) return located.problem;
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  if (BUILD_OUTPUTS.some((o) => !existsSync(join(root, o))))
    return 'the desktop app is not built (`npm run build` failed)';
  return undefined;
}

/** Runs `electron-vite build`, output on stderr; true on success. */
export function build(root: string, io: CliIo): boolean {
  io.stderr('gwjs: building the app (electron-vite build)…\n');
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) io.stderr(`gwjs: the build failed (status ${String(r.status ?? r.signal)})\n`);
  return r.status === 0;
}

/** How an Electron run ended. */
type ElectronOutcome =
  | { kind: 'exited'; code: number }
  /** it never opened its window: fall back */
  | { kind: 'failed'; reason: string };

/** Starts Electron on the app and waits for it to end. */
export function runElectron(
  binary: string,
  root: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ElectronOutcome> {
  return new Promise((resolve) => {
    let opened = false;
    const child = spawn(binary, [root, ...argv], { cwd: root, env, stdio: ['inherit', 'pipe', 'inherit'] });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (chunk.toString().includes(READY_MARKER)) opened = true;
    });
    const done = (outcome: ElectronOutcome) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(outcome);
    };
    child.once('error', (e) => done({ kind: 'failed', reason: `Electron could not be run (${e.message})` }));
    child.once('exit', (code, signal) => {
      if (opened || code === EXIT_STATION_FAILED || code === 0) done({ kind: 'exited', code: code ?? 1 });
      else
        done({
          kind: 'failed',
          reason: `Electron stopped before opening its window (${signal ?? `status ${code}`})`,
        });
    });
  });
}

/** `npm start`: build if needed, Electron if possible, else headless serve. Resolves to the exit status. */
export async function launch(
  root: string,
  argv: readonly string[],
  io: CliIo,
  headless: (argv: readonly string[], io: CliIo) => Promise<number>,
): Promise<number> {
  const userArgs = argv.filter((a) => a !== '--headless');
  if (needsBuild(root)) build(root, io);
  let problem = electronProblem(root, io.env, argv);
  if (problem === undefined) {
    const located = locateElectron(root, io.env);
    if ('binary' in located) {
      const outcome = await runElectron(located.binary, root, userArgs, io.env);
      if (outcome.kind === 'exited') return outcome.code === EXIT_STATION_FAILED ? 1 : outcome.code;
      problem = outcome.reason;
    }
  }
  io.stderr(
    `gwjs: the desktop app cannot start: ${problem}.\n` +
      'gwjs: falling back to headless mode (`gwjs serve`): open the station URL printed below in a browser.\n',
  );
  return headless(userArgs, io);
}
