import { describe, expect, it } from 'vitest';
import { hookArguments, ProcessHookRunner } from '../../../src-main/adapters/factory/post-write-hook';

const vars = { bundle: '/out/000000FFFE000ABC', eui: '000000FFFE000ABC', zip: '/out/000000FFFE000ABC.zip' };

describe('hookArguments', () => {
  it('fills {bundle} {eui} {zip}, or appends the bundle path when no argument names one', () => {
    expect(hookArguments(['--dir', '{bundle}', '--id={eui}', '{zip}'], vars)).toEqual([
      '--dir',
      vars.bundle,
      `--id=${vars.eui}`,
      vars.zip,
    ]);
    expect(hookArguments(['--flash'], vars)).toEqual(['--flash', vars.bundle]);
    expect(hookArguments(['{zip}'], { ...vars, zip: null })).toEqual(['']);
  });
});

describe('ProcessHookRunner', () => {
  const runner = new ProcessHookRunner();

  it('runs the command without a shell, with the variables in the environment, and captures output', async () => {
    const r = await runner.run(
      {
        command: '/bin/sh',
        args: ['-c', 'echo "$GWJS_EUI $1"; echo warn >&2', 'hook', '{bundle}'],
        timeoutMs: 5000,
      },
      vars,
    );
    expect(r).toMatchObject({ ok: true, exitCode: 0, signal: null, timedOut: false });
    expect(r.output).toContain(`${vars.eui} ${vars.bundle}\n`);
    expect(r.output).toContain('warn');
    // an argument with shell syntax is just an argument
    const literal = await runner.run(
      { command: '/bin/echo', args: ['$(id)', '{eui};rm -rf /'], timeoutMs: 5000 },
      vars,
    );
    expect(literal.output.trim()).toBe(`$(id) ${vars.eui};rm -rf /`);
  });

  it('reports a failing exit code, a missing command and a timeout', async () => {
    expect(
      await runner.run({ command: '/bin/sh', args: ['-c', 'exit 7'], timeoutMs: 5000 }, vars),
    ).toMatchObject({
      ok: false,
      exitCode: 7,
    });
    const missing = await runner.run({ command: '/nonexistent/flasher', args: [], timeoutMs: 5000 }, vars);
    expect(missing).toMatchObject({ ok: false, exitCode: null });
    expect(missing.output).toContain('cannot run "/nonexistent/flasher" (ENOENT)');
    const slow = await runner.run(
      { command: '/bin/sh', args: ['-c', 'exec sleep 30'], timeoutMs: 300 },
      vars,
    );
    expect(slow).toMatchObject({ ok: false, timedOut: true, signal: 'SIGTERM' });
    expect(slow.output).toContain('killed after 300 ms');
    expect(slow.elapsedMs).toBeLessThan(5000);
  });

  it('keeps only the tail of a flood of output', async () => {
    const r = await runner.run(
      {
        command: '/bin/sh',
        args: ['-c', 'head -c 200000 /dev/zero | tr "\\0" x; echo END'],
        timeoutMs: 10_000,
      },
      vars,
    );
    expect(r.ok).toBe(true);
    expect(r.output.length).toBeLessThanOrEqual(16 * 1024);
    expect(r.output.trimEnd().endsWith('END')).toBe(true);
  });
});
