/**
 * Every `gwjs` command against a data directory a real `gwjs serve` child process holds (docs/cli.md
 * "While the server runs"): each read-only command — the door table of
 * `src-main/compose/local-door-commands.ts`, which must be exactly the commands declared
 * `access: 'read'` — prints byte for byte what it printed on the stopped data directory, now through
 * the server's local door (the real `bin/gwjs.mjs`); each write command is refused naming the
 * commands that do work; door requests are validated (400 naming the field); what the server did
 * for the CLI is audited with the address `cli via gwjs serve`. One server for the whole table.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { COMMANDS } from '../../src-main/cli/main';
import { LOCAL_DOOR_CLI_COMMANDS } from '../../src-main/compose/local-door-commands';
import { openStation } from '../../src-main/compose/station';
import { runGwjs, type GwjsRun } from '../helpers/gwjs-cli';
import { spawnServe, type ServeProcess } from '../helpers/serve-process';
import { freePort } from '../../src-main/cli/free-port';
import { makeTempDir } from '../helpers/tmp-dir';

const PASSPHRASE = 'while-serving passphrase 0123';
const ENV = { GWJS_HSM_PASSPHRASE: PASSPHRASE };
const BRK = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const UNIT = 'B8:27:EB:00:01:02';

let dir: string;
let data: string;
let batchId: string;
let server: ServeProcess | undefined;
let port: number;

/** `gwjs ARGV… --data DIR` in this process (the same `main` the binary runs). */
async function inProcess(argv: readonly string[]): Promise<GwjsRun & { code: number }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--data', data], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { GWJS_DATA: '', HOME: process.env.HOME, ...ENV },
  });
  return { code, stdout, stderr };
}

async function setup(argv: readonly string[]): Promise<Record<string, unknown>> {
  const r = await inProcess([...argv, '--json']);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const file = (name: string) => join(dir, name);

/**
 * The read-only commands and their arguments. `db export` runs last on the stopped directory and
 * first through the server, so both see the audit rows the label render and the manifest export
 * add (the server's run adds its own after it).
 */
const READ: Record<string, () => string[]> = {
  'batch list': () => ['batch', 'list'],
  'cert list': () => ['cert', 'list', '--gateway', UNIT],
  'firmware list': () => ['firmware', 'list'],
  'firmware key export': () => ['firmware', 'key', 'export', '--out', file('sig-0.key')],
  'hsm status': () => ['hsm', 'status'],
  'hsm transcript': () => ['hsm', 'transcript', '--batch', batchId, '--out', file('transcript')],
  'sync status': () => ['sync', 'status'],
  'sync site-pack status': () => ['sync', 'site-pack', 'status'],
  label: () => ['label', '--gateway', UNIT, '--format', 'zpl', '--out', file('gw.zpl')],
  'manifest export': () => [
    'manifest',
    'export',
    '--batch',
    batchId,
    '--owner-key',
    file('owner.pub.pem'),
    '--out',
    file('read.manifest'),
  ],
  'db export': () => ['db', 'export', file('export.jsonl')],
};
/** Files a read command writes whose bytes do not depend on the time or on randomness. */
const SAME_FILES: Record<string, string> = {
  'firmware key export': 'sig-0.key',
  label: 'gw.zpl',
  'db export': 'export.jsonl',
};

/**
 * A written file for comparison: the station UI's first-run password row is made anew at each
 * server start, so an export leaves it out.
 */
const sameBytes = (b: Buffer): string =>
  b
    .toString('latin1')
    .split('\n')
    .filter((l) => !l.startsWith('["first_run_password",'))
    .join('\n');

/** Arguments that get each write command past its own checks up to opening the store. */
const WRITE: Record<string, () => string[]> = {
  init: () => [],
  serve: () => ['--port', '0'],
  'owner create': () => ['--id', 'b::2'],
  'key create': () => ['--factory'],
  'batch create': () => ['--first', 'fe00::', '--last', 'fe00::ff'],
  'batch import': () => ['--first', 'fe01::', '--last', 'fe01::ff', '--root-key-file', file('brk.bin')],
  'batch configure': () => ['--batch', batchId, '--model', 'M1'],
  personalize: () => ['--gateway', 'B8:27:EB:00:01:03', '--out', file('w-bundles')],
  pregenerate: () => ['--batch', batchId, '--count', '1', '--out', file('w-pre')],
  claim: () => ['--owner', 'a::1', '--manifest', file('setup.manifest'), '--key', file('owner.key.pem')],
  'firmware upload': () => ['--owner', 'a::1', '--file', file('fw.bin'), '--station-sign'],
  'firmware delete': () => ['--fwcrc', '1'],
  'firmware sign': () => ['--fwcrc', '1'],
  'firmware key create': () => [],
  'cert issue': () => ['--gateway', UNIT, '--out', file('w-certs')],
  'cert revoke': () => ['--gateway', UNIT],
  'hsm transport-key create': () => ['--out', file('w-transport.pub')],
  'hsm export': () => ['--batch', batchId, '--to', file('any'), '--out', file('w.wrapped')],
  'hsm import': () => ['--in', file('any')],
  'hsm backup': () => [
    '--batch',
    batchId,
    '--to',
    file('any'),
    '--shares',
    '3',
    '--threshold',
    '2',
    '--out',
    file('w-shares'),
  ],
  'hsm restore': () => ['--share', file('any'), '--share', file('any')],
  'hsm seal': () => ['--batch', batchId],
  'sync link': () => [
    '--url',
    'https://127.0.0.1:1',
    '--ca-file',
    file('any'),
    '--owner',
    'a::1',
    '--api-key-file',
    file('any'),
  ],
  'sync unlink': () => [],
  'sync now': () => [],
  'sync pull': () => [],
  'sync push': () => [],
  'sync site-pack fetch': () => [],
  'db recover': () => ['--drop-damaged-tail'],
  'db migrate': () => [],
  'db import': () => [file('any')],
};

const namesOf = (access: string) =>
  COMMANDS.filter((c) => c.access === access)
    .map((c) => c.name)
    .sort();

/** What each read command printed on the stopped data directory: text and `--json`. */
const direct = new Map<string, { text: string; json: string; file?: Buffer }>();

beforeAll(async () => {
  dir = makeTempDir('cli-while-serving', { until: 'exit' });
  data = join(dir, 'data');
  // the server runs on the station's own port, so the CUPS URI it reports is the one stored
  port = await freePort('127.0.0.1');
  await setup(['init', '--port', String(port)]);
  writeFileSync(file('brk.bin'), BRK);
  writeFileSync(file('any'), 'not what the command wants\n');
  const batch = await setup([
    'batch',
    'import',
    '--first',
    'B8:27:EB:00:00:00',
    '--last',
    'B8:27:EB:00:FF:FF',
    '--root-key-file',
    file('brk.bin'),
  ]);
  batchId = String(batch.batch);
  await setup(['owner', 'create', '--id', 'a::1']);
  // one unit on the factory line (what a manifest exports)
  await setup(['pregenerate', '--batch', batchId, '--count', '1', '--first', UNIT, '--out', file('pre')]);
  await setup(['cert', 'issue', '--gateway', UNIT, '--out', file('certs')]);
  await setup(['firmware', 'key', 'create']);
  writeFileSync(file('fw.bin'), Buffer.from('firmware image of the while-serving test\n'));
  await setup(['firmware', 'upload', '--owner', 'a::1', '--file', file('fw.bin'), '--station-sign']);
  const owner = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(file('owner.pub.pem'), owner.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(file('owner.key.pem'), owner.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await setup([
    'manifest',
    'export',
    '--batch',
    batchId,
    '--owner-key',
    file('owner.pub.pem'),
    '--out',
    file('setup.manifest'),
  ]);
  mkdirSync(file('w-certs'));
  // a first start writes the station UI's first-run password: let that happen before the baseline
  const first = await spawnServe({ dir: data, port, passphrase: PASSPHRASE });
  await first.stop();

  // on the stopped data directory: every read command, text and --json
  for (const [name, argv] of Object.entries(READ)) {
    const text = await inProcess(argv());
    expect(text.code, `${name}: ${text.stderr}`).toBe(0);
    const json = await inProcess([...argv(), '--json']);
    expect(json.code, `${name} --json: ${json.stderr}`).toBe(0);
    const same = SAME_FILES[name];
    direct.set(name, {
      text: text.stdout,
      json: json.stdout,
      ...(same !== undefined ? { file: readFileSync(file(same)) } : {}),
    });
  }

  server = await spawnServe({ dir: data, port, passphrase: PASSPHRASE });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('gwjs while gwjs serve holds the data directory', () => {
  it('declares every command once: the read-only ones are exactly the local door’s', () => {
    expect(namesOf('read')).toEqual([...LOCAL_DOOR_CLI_COMMANDS].sort());
    expect(namesOf('read')).toEqual(Object.keys(READ).sort());
    expect(namesOf('write')).toEqual(Object.keys(WRITE).sort());
    expect(namesOf('none')).toEqual(['id']);
  });

  it('each read-only command prints the same bytes through the running server', async () => {
    // db export first: it must see the same rows as on the stopped directory (see READ)
    const order = ['db export', ...Object.keys(READ).filter((n) => n !== 'db export')];
    const results = new Map<string, { text: GwjsRun; json: GwjsRun; file?: Buffer }>();
    // text in this process (the same `main`), --json by the real binary in a child process
    const run = async (name: string) => {
      const text = await inProcess(READ[name]!());
      const json = await runGwjs([...READ[name]!(), '--data', data, '--json'], ENV);
      const same = SAME_FILES[name];
      results.set(name, {
        text,
        json,
        ...(same !== undefined ? { file: readFileSync(file(same)) } : {}),
      });
    };
    await run(order[0]!);
    // three at a time: the server answers them side by side
    const rest = order.slice(1);
    await Promise.all(
      [0, 1, 2].map(async (k) => {
        for (let i = k; i < rest.length; i += 3) await run(rest[i]!);
      }),
    );
    for (const name of order) {
      const got = results.get(name)!;
      const want = direct.get(name)!;
      expect(got.text.stderr, name).toBe('');
      expect(got.text.code, `${name}: ${got.text.stderr}`).toBe(0);
      expect(got.json.code, `${name} --json: ${got.json.stderr}`).toBe(0);
      expect(got.text.stdout, name).toBe(want.text);
      expect(got.json.stdout, `${name} --json`).toBe(want.json);
      if (want.file !== undefined)
        expect(sameBytes(got.file!), `${name}: file bytes`).toBe(sameBytes(want.file));
    }
    // what the answers hold, so equal output is not equally empty
    expect(direct.get('batch list')!.text).toContain(`${batchId}  B8-27-EB-FF-FE-00-00-00`);
    expect(direct.get('cert list')!.text).toMatch(/^[0-9a-f:]{64,}\s+issued/i);
    expect(direct.get('firmware list')!.text).toContain('owner');
    expect(direct.get('hsm status')!.text).toMatch(/state:\s+unlocked/);
    expect(direct.get('manifest export')!.text).toMatch(/^Manifest of 1 gateways/);
    expect(direct.get('db export')!.text).toMatch(/^Exported \d+ rows of /);
  }, 180_000);

  it('each write command is refused, naming the commands that work and where changes go', async () => {
    for (const [name, argv] of Object.entries(WRITE)) {
      const r = await inProcess([...name.split(' '), ...argv()]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      if (name === 'init') {
        // refused before the store is even opened
        expect(r.stderr).toContain('already holds a station');
        continue;
      }
      expect(r.stderr, name).toContain('is in use by another gwjs process');
      expect(r.stderr, name).toContain('Owner API or the station UI');
      expect(r.stderr, name).toContain(LOCAL_DOOR_CLI_COMMANDS.map((c) => `gwjs ${c}`).join(', '));
    }
    // the real binary says the same
    const bin = await runGwjs(['owner', 'create', '--id', 'c::3', '--data', data], ENV);
    expect(bin.code).toBe(1);
    expect(bin.stderr).toContain(
      'while it runs, these commands work through it: gwjs batch list, gwjs label',
    );
    // commands that open no data directory just work
    const id = await inProcess(['id', UNIT]);
    expect(id.code, id.stderr).toBe(0);
  }, 120_000);

  it('the door answers a malformed request with 400 naming the field', async () => {
    const credential = JSON.parse(readFileSync(join(data, 'serve-local.json'), 'utf8')) as {
      url: string;
      token: string;
    };
    const post = (command: string, body: unknown) =>
      new Promise<{ status: number; body: { ok: boolean; error?: { code: string; message: string } } }>(
        (resolve, reject) => {
          const req = request(
            new URL(`/local/v1/${command}`, credential.url),
            {
              method: 'POST',
              rejectUnauthorized: false,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${credential.token}` },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
              );
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify(body));
        },
      );
    const bad = await post('certificates', { gateway: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(bad.body.error!.message).toMatch(/^gateway: /);
    const extra = await post('firmware', { owner: null, everything: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error!.message).toMatch(/everything/);
    const format = await post('manifest', {
      batchId,
      format: 'xml',
      ownerPublicKey: readFileSync(file('owner.pub.pem'), 'utf8'),
    });
    expect(format.status).toBe(400);
    expect(format.body.error!.message).toMatch(/^format: /);
  });

  it('the server audited what it did for the CLI', async () => {
    await server!.stop();
    const station = await openStation({ dataDir: data, passphrase: PASSPHRASE });
    try {
      for (const action of ['factory.label.render', 'factory.manifest.export']) {
        const audit = await station.core.audit.list(station.cliContext, { action });
        expect(audit[0], action).toMatchObject({ actor: 'cli:cli', address: 'cli via gwjs serve' });
        // and the runs on the stopped directory as the plain CLI
        expect(
          audit.some((a) => a.address !== 'cli via gwjs serve'),
          action,
        ).toBe(true);
      }
    } finally {
      await station.close();
    }
  });
});
