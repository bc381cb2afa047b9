/**
 * Read-only CLI commands while `gwjs serve` runs (docs/cli.md "While the server runs"): the real
 * `bin/gwjs.mjs` in child processes against a real running server on the same data directory —
 * `gwjs batch list` and `gwjs label` go through the server's local door (the credential file
 * `serve-local.json`, mode 0600, pinned certificate, bearer token) instead of failing on the store
 * lock; write commands are still refused; the file goes when the server stops.
 */
import { request } from 'node:https';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { makeTempDir } from '../helpers/tmp-dir';
import { openStation } from '../../src-main/compose/station';
import { BRK, gwjs as gwjsInProcess, PASSPHRASE, pinOf, startServer, type Server } from './harness';

const ENV = { GWJS_HSM_PASSPHRASE: PASSPHRASE };
const UNIT = { mac: 'B8:27:EB:00:01:02', hex: 'B827EBFFFE000102', id6: 'b827:ebff:fe00:102' };

let dir: string;
let data: string;
let server: Server;
let batchId: string;

beforeAll(async () => {
  dir = makeTempDir('e2e-cli-serving', { until: 'exit' });
  data = join(dir, 'data');
  await gwjsInProcess(['init', '--data', data]);
  const brk = join(dir, 'brk.bin');
  writeFileSync(brk, BRK);
  const batch = await gwjsInProcess([
    'batch',
    'import',
    '--data',
    data,
    '--first',
    'B8:27:EB:00:00:00',
    '--last',
    'B8:27:EB:00:FF:FF',
    '--root-key-file',
    brk,
  ]);
  batchId = String(batch.batch);
  server = await startServer(data, join(dir, 'no-renderer'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('read-only CLI commands while gwjs serve runs', () => {
  it('publishes a credential file only the user can read', () => {
    const file = join(data, 'serve-local.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const credential = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
    expect(new URL(credential.url).hostname).toMatch(/^(127\.0\.0\.1|localhost)$/);
    expect(credential.token.length).toBeGreaterThanOrEqual(40);
  });

  it('gwjs batch list answers through the running server', async () => {
    const r = await runGwjs(['batch', 'list', '--data', data, '--json'], ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(onlyJson(r)).toMatchObject({ batches: [{ id: batchId, size: '65536' }] });
    const text = await runGwjs(['batch', 'list', '--data', data], ENV);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${batchId}  B8-27-EB-FF-FE-00-00-00 … B8-27-EB-FF-FE-00-FF-FF`);
    expect(text.stderr).not.toContain('in use');
  });

  it('gwjs label prints a label from the running server, audited there', async () => {
    const out = join(dir, 'gw.zpl');
    const r = await runGwjs(
      ['label', '--data', data, '--gateway', UNIT.mac, '--format', 'zpl', '--out', out, '--json'],
      ENV,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(onlyJson(r)).toMatchObject({ gateway: UNIT.id6, file: out, template: 'default-50x30' });
    const zpl = readFileSync(out, 'latin1');
    expect(zpl).toMatch(/^\^XA/);
    expect(zpl).toContain(`GWJS:1:${UNIT.hex}:${pinOf(UNIT.hex)}`);
    expect(zpl).toContain('MAC B8:27:EB:00:01:02');

    const bad = await runGwjs(
      [
        'label',
        '--data',
        data,
        '--gateway',
        UNIT.mac,
        '--format',
        'zpl',
        '--out',
        out,
        '--template',
        'nope',
        '--json',
      ],
      ENV,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/template: "nope" not found/);
  });

  it('write commands are still refused, and the door wants the token and this user’s file', async () => {
    const create = await runGwjs(
      ['batch', 'create', '--data', data, '--first', 'fe00::', '--last', 'fe00::ff', '--json'],
      ENV,
    );
    expect(create.code).toBe(1);
    expect(create.stdout + create.stderr).toContain('is in use by another gwjs process');

    const credential = JSON.parse(readFileSync(join(data, 'serve-local.json'), 'utf8')) as { url: string };
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL('/local/v1/batches', credential.url),
        {
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/json', authorization: 'Bearer guessed-token' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(401);

    chmodSync(join(data, 'serve-local.json'), 0o644);
    try {
      const r = await runGwjs(['batch', 'list', '--data', data, '--json'], ENV);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('readable by you only');
    } finally {
      chmodSync(join(data, 'serve-local.json'), 0o600);
    }
  });

  it('the file goes when the server stops; the label render is in the audit log', async () => {
    await server.stop();
    expect(existsSync(join(data, 'serve-local.json'))).toBe(false);
    const station = await openStation({ dataDir: data, passphrase: PASSPHRASE });
    try {
      const audit = await station.core.audit.list(station.cliContext, { action: 'factory.label.render' });
      expect(audit[0]).toMatchObject({ target: UNIT.id6, actor: 'cli:cli', address: 'cli via gwjs serve' });
    } finally {
      await station.close();
    }
  });
});
