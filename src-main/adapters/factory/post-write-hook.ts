/**
 * The post-write hook of the line (docs/factory-line.md): after a bundle is written, a line-specific
 * command (e.g. the flashing tool) runs with the bundle path. It runs without a shell (arguments are
 * passed as given, no quoting problems, no injection through an EUI), with a timeout (SIGTERM, then
 * SIGKILL after 2 s), its stdout and stderr captured (the last 16 KiB kept), and these variables:
 * `{bundle}`, `{eui}`, `{zip}` in arguments (the bundle path is appended when no argument names a
 * variable) and `GWJS_BUNDLE`, `GWJS_EUI`, `GWJS_ZIP` in the environment.
 */
import { spawn } from 'node:child_process';
import type { HookResult, HookSettings } from '../../../src-shared/factory-channels';
import type { HookRunner, HookVariables } from '../../core/factory-line/ports';

const KEEP_OUTPUT = 16 * 1024;
const KILL_GRACE_MS = 2000;
const VARIABLE = /\{(bundle|eui|zip)\}/g;

/** The hook's arguments with the variables filled in. */
export function hookArguments(args: readonly string[], vars: HookVariables): string[] {
  const named = args.some((a) => /\{(bundle|eui|zip)\}/.test(a));
  const filled = args.map((a) =>
    a.replace(VARIABLE, (_, v: 'bundle' | 'eui' | 'zip') => (v === 'zip' ? (vars.zip ?? '') : vars[v])),
  );
  return named ? filled : [...filled, vars.bundle];
}

/** Runs hooks as child processes. */
export class ProcessHookRunner implements HookRunner {
  run(hook: HookSettings, vars: HookVariables): Promise<HookResult> {
    const started = Date.now();
    return new Promise<HookResult>((resolve) => {
      let output = '';
      let timedOut = false;
      let settled = false;
      const keep = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.length > 2 * KEEP_OUTPUT) output = output.slice(-KEEP_OUTPUT);
      };
      const done = (r: Omit<HookResult, 'elapsedMs' | 'output'> & { extra?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        const text = (output + (r.extra ?? '')).slice(-KEEP_OUTPUT);
        resolve({
          ok: r.ok,
          exitCode: r.exitCode,
          signal: r.signal,
          timedOut: r.timedOut,
          output: text,
          elapsedMs: Date.now() - started,
        });
      };
      let killTimer: NodeJS.Timeout | undefined;
      const child = spawn(hook.command, hookArguments(hook.args, vars), {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GWJS_BUNDLE: vars.bundle, GWJS_EUI: vars.eui, GWJS_ZIP: vars.zip ?? '' },
        windowsHide: true,
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      }, hook.timeoutMs);
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (e: NodeJS.ErrnoException) =>
        done({
          ok: false,
          exitCode: null,
          signal: null,
          timedOut: false,
          extra: `\nhook: cannot run ${JSON.stringify(hook.command)} (${e.code ?? e.message})`,
        }),
      );
      child.on('close', (code, signal) =>
        done({
          ok: !timedOut && code === 0,
          exitCode: code,
          signal,
          timedOut,
          ...(timedOut ? { extra: `\nhook: killed after ${hook.timeoutMs} ms` } : {}),
        }),
      );
    });
  }
}
