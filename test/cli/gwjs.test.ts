/**
 * `gwjs` end to end (SPEC §7): the real `bin/gwjs.mjs` in child processes on temp data dirs.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../helpers/core-fixture';
import { GWJS_BIN, onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { makeTempDir } from '../helpers/tmp-dir';

const BIN = GWJS_BIN;
const GW1 = KDF_VECTORS.gw1;
const GMK1 = 'd08b2147c0a27bbfd93494b3251a1eb203c6b6af80d3a6eeb033f0341b058f80';

const baseEnv = { ...process.env, GWJS_DATA: '', GWJS_HSM_PASSPHRASE: '' };
const gwjs = runGwjs;

const PASS = { GWJS_HSM_PASSPHRASE: 'a long enough test passphrase' };

describe('gwjs (child process)', () => {
  it('prints help with exit 0 and exits 2 on an unknown command', async () => {
    const [help, unknown] = await Promise.all([gwjs(['--help']), gwjs(['frobnicate'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('owner create');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('id: exit 0 with exactly one JSON object, exit 2 on invalid input', async () => {
    const [mac, bad] = await Promise.all([
      gwjs(['id', '--json', '00:00:00:00:0a:bc']),
      gwjs(['id', '--json', '1:::2']),
    ]);
    expect(mac.code).toBe(0);
    expect(onlyJson(mac)).toMatchObject({
      id6: '0:ff:fe00:abc',
      eui64: '00-00-00-FF-FE-00-0A-BC',
      fromMac: true,
    });
    expect(bad.code).toBe(2);
    expect(onlyJson(bad)).toMatchObject({ code: 'invalid_id', error: expect.stringContaining('1:::2') });
    expect(bad.stderr).toContain('1:::2');
  });
});

describe('gwjs init → owner create → batch import → personalize', () => {
  let data: string;
  let out: string;
  let caCert: string;

  beforeAll(async () => {
    data = path.join(makeTempDir('cli', { until: 'exit' }), 'station');
    out = makeTempDir('cli-out', { until: 'exit' });
    const init = await gwjs(['init', '--data', data, '--json', '--public-host', '127.0.0.1'], PASS);
    expect(init.code, init.stderr).toBe(0);
    const j = onlyJson(init);
    expect(j.adminKey).toMatch(/^\S{20,}$/);
    caCert = j.caCert as string;
    expect(readFileSync(caCert, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('creates an owner with its API key', async () => {
    const ok = await gwjs(['owner', 'create', '--data', data, '--id', 'a::1', '--name', 'Alice', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(onlyJson(ok)).toMatchObject({ ownerid: 'a::1', apiKey: expect.any(String) });
  });

  it('imports a batch root key from a hex file and personalizes a gateway into the SPEC §5 bundle', async () => {
    const keyFile = path.join(out, 'brk.hex');
    writeFileSync(keyFile, `${KDF_VECTORS.brkHex}\n`);
    const imported = await gwjs(
      [
        'batch',
        'import',
        '--data',
        data,
        '--first',
        '00-00-00-FF-FE-00-00-00',
        '--last',
        '00-00-00-FF-FE-FF-FF-FF',
        '--root-key-file',
        keyFile,
        '--json',
      ],
      PASS,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(onlyJson(imported)).toMatchObject({
      kcv: KDF_VECTORS.kcv,
      first: '0:ff:fe00:0',
      last: '0:ff:feff:ffff',
    });

    const p = await gwjs(['personalize', '--data', data, '--gateway', GW1.eui, '--out', out, '--json'], PASS);
    expect(p.code, p.stderr).toBe(0);
    const j = onlyJson(p);
    const dir = path.join(out, GW1.hex);
    expect(j).toMatchObject({ gateway: GW1.id6, eui: GW1.hex, pin: '6CVH-EQSA', bundle: dir });
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    for (const f of ['cups.uri', 'cups-boot.uri'])
      expect(read(f).trim()).toMatch(/^https:\/\/127\.0\.0\.1:8443$/);
    for (const f of ['cups.trust', 'cups-boot.trust']) {
      expect(new X509Certificate(read(f)).fingerprint256).toBe(
        new X509Certificate(readFileSync(caCert)).fingerprint256,
      );
    }
    for (const f of ['cups.key', 'cups-boot.key'])
      expect(read(f)).toBe(`Authorization: Bearer ${GW1.token0}\r\n`);
    expect(JSON.parse(read('gateway.json'))).toMatchObject({
      eui: GW1.hex,
      id6: GW1.id6,
      kdf: 'GWJS-v1',
      gmk: GMK1,
    });
    expect(JSON.parse(read('station.conf'))).toEqual({
      station_conf: { routerid: GW1.eui, euiprefix: '::0' },
    });
    expect(statSync(path.join(dir, 'gateway.json')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'cups.key')).mode & 0o777).toBe(0o600);
  });

  it('serves over HTTPS, keeps other commands off the data dir while running, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', '0', '--json'], {
      env: { ...baseEnv, ...PASS, GWJS_LOG_LEVEL: 'warn' },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.on('close', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    const listening = JSON.parse(line) as { event: string; url: string; caCert: string };
    expect(listening).toMatchObject({
      event: 'listening',
      url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/),
      caCert,
    });

    const health = await new Promise<number>((resolve, reject) => {
      request(`${listening.url}/healthz`, { ca: readFileSync(caCert) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(health).toBe(200);

    const busy = await gwjs(['owner', 'create', '--data', data, '--id', 'c::3']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/in use by another gwjs process/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(1);

    const after = await gwjs(['owner', 'create', '--data', data, '--id', 'c::3', '--json']);
    expect(after.code, after.stderr).toBe(0);
  });
});
