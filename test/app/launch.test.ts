import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILD_OUTPUTS,
  EXIT_STATION_FAILED,
  READY_MARKER,
  electronProblem,
  launch,
  locateElectron,
  needsBuild,
  runElectron,
} from '../../src-main/app/launch';
import { makeTempDir } from '../helpers/tmp-dir';

const REPO = join(import.meta.dirname, '..', '..');

/** A project folder with a fake Electron "binary" (a real shell script) and built outputs. */
function fakeProject(script: string): string {
  const root = makeTempDir('launch');
  const el = join(root, 'node_modules', 'electron');
  mkdirSync(join(el, 'dist'), { recursive: true });
  writeFileSync(join(el, 'package.json'), '{"name":"electron"}');
  writeFileSync(join(el, 'path.txt'), 'electron');
  writeFileSync(join(el, 'dist', 'electron'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(el, 'dist', 'electron'), 0o755);
  for (const o of BUILD_OUTPUTS) {
    mkdirSync(join(root, o, '..'), { recursive: true });
    writeFileSync(join(root, o), 'built');
  }
  return root;
}

const io = (env: NodeJS.ProcessEnv = {}) => {
  const err: string[] = [];
  return { err, io: { stdout: () => undefined, stderr: (t: string) => void err.push(t), env } };
};

describe('npm start launcher', () => {
  it('explains a missing Electron binary without trying to download it', () => {
    const root = fakeProject('exit 0');
    writeFileSync(join(root, 'node_modules', 'electron', 'path.txt'), '');
    expect(locateElectron(root, {})).toEqual({
      problem: expect.stringContaining('Electron binary is not installed'),
    });
    expect(locateElectron(makeTempDir('launch'), {})).toEqual({
      problem: 'the electron package is not installed',
    });
  });

  it('says why Electron cannot start: headless asked, no display, not built', () => {
    const root = fakeProject('exit 0');
    expect(electronProblem(root, { DISPLAY: ':0' }, [], 'linux')).toBeUndefined();
    expect(electronProblem(root, { DISPLAY: ':0' }, ['--headless'], 'linux')).toBe(
      'headless mode was requested',
    );
    expect(electronProblem(root, {}, [], 'linux')).toBe(
      'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)',
    );
    expect(electronProblem(root, { WAYLAND_DISPLAY: 'wayland-0' }, [], 'linux')).toBeUndefined();
    expect(electronProblem(root, {}, [], 'darwin')).toBeUndefined();
  });

  it('rebuilds only when a source is newer than the outputs', () => {
    const root = fakeProject('exit 0');
    mkdirSync(join(root, 'src-main'));
    writeFileSync(join(root, 'src-main', 'a.ts'), 'x');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src-main', 'a.ts'), old, old);
    expect(needsBuild(root)).toBe(false);
    writeFileSync(join(root, 'src-main', 'a.ts'), 'changed');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'src-main', 'a.ts'), later, later);
    expect(needsBuild(root)).toBe(true);
    expect(needsBuild(makeTempDir('launch'))).toBe(true);
  });

  it('tells a window that opened from one that never did', async () => {
    const ok = fakeProject(`echo "${READY_MARKER}"; exit 0`);
    expect(await runElectron(join(ok, 'node_modules/electron/dist/electron'), ok, [], {})).toEqual({
      kind: 'exited',
      code: 0,
    });
    const crash = fakeProject('echo "cannot open display" >&2; exit 1');
    expect(await runElectron(join(crash, 'node_modules/electron/dist/electron'), crash, [], {})).toEqual({
      kind: 'failed',
      reason: 'Electron stopped before opening its window (status 1)',
    });
    const station = fakeProject(`exit ${EXIT_STATION_FAILED}`);
    expect(await runElectron(join(station, 'node_modules/electron/dist/electron'), station, [], {})).toEqual({
      kind: 'exited',
      code: EXIT_STATION_FAILED,
    });
  });

  it('falls back to headless with the reason, passing the user arguments on', async () => {
    const crash = fakeProject('exit 3');
    const { err, io: ioCrash } = io({ DISPLAY: ':0' });
    const calls: (readonly string[])[] = [];
    const code = await launch(crash, ['--port', '9'], ioCrash, async (argv) => {
      calls.push(argv);
      return 0;
    });
    expect(code).toBe(0);
    expect(calls).toEqual([['--port', '9']]);
    expect(err.join('')).toContain(
      'the desktop app cannot start: Electron stopped before opening its window (status 3)',
    );
    expect(err.join('')).toContain('falling back to headless mode');
    // a station failure inside Electron is not retried headless
    const failed = fakeProject(`exit ${EXIT_STATION_FAILED}`);
    const second = io({ DISPLAY: ':0' });
    expect(await launch(failed, [], second.io, async () => 0)).toBe(1);
  });

  it('on this machine names the real reason Electron cannot start', () => {
    const problem = electronProblem(REPO, { ...process.env }, []);
    const located = locateElectron(REPO, process.env);
    if ('problem' in located) expect(problem).toBe(located.problem);
    else if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && process.platform === 'linux') {
      expect(problem).toContain('no display');
    }
  });
});
