/**
 * `npm start` headless (docs/running.md): the console carries only the lines a person reads; the
 * JSON log lines go to `<data>/logs/station.log`.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir';

const START = path.resolve(import.meta.dirname, '../../src-main/cli/start.ts');

describe('npm start in headless mode', () => {
  it('keeps JSON log lines off the console and in the data dir log file', async () => {
    const data = path.join(makeTempDir('start-console'), 'station');
    const script = `const { start } = await import(${JSON.stringify(START)});
process.exitCode = await start(['--port', '0'], {
  stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), env: process.env,
});`;
    const { GWJS_LOG_FILE: _unset, ...withoutLogFile } = process.env;
    const entry = path.join(path.dirname(data), 'start.mjs');
    writeFileSync(entry, script);
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...withoutLogFile, GWJS_DATA: data, GWJS_HSM_PASSPHRASE: '' },
      stdio: 'pipe',
    });
    let console = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        console += d.toString();
        if (console.includes('gwjs: station UI: open')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void closed.then((code) => reject(new Error(`start exited (${code}) before listening:\n${console}`)));
    });
    child.kill('SIGTERM');
    expect(await closed).toBe(0);

    const logFile = path.join(data, 'logs', 'station.log');
    expect(console).toContain(`gwjs: log lines go to ${logFile}`);
    expect(console.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    const logged = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(logged).toEqual(expect.arrayContaining(['store opened', 'listening', 'shutting down']));
  }, 60_000);
});
