/**
 * `gwjs` exit codes and output rules (SPEC §7) through `main()` in-process — the same code the
 * `bin/gwjs.mjs` shim runs (see gwjs.test.ts for the child-process runs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { openStation } from '../../src-main/compose/station';
import { KDF_VECTORS } from '../helpers/core-fixture';
import { makeTempDir } from '../helpers/tmp-dir';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { GWJS_DATA: '', GWJS_HSM_PASSPHRASE: '', HOME: process.env.HOME, ...env },
  });
  return { code, stdout, stderr };
}

const PASS = { GWJS_HSM_PASSPHRASE: 'a long enough test passphrase' };

let data: string;
let scratch: string;

beforeAll(async () => {
  scratch = makeTempDir('cli-main', { until: 'exit' });
  data = path.join(scratch, 'station');
  const init = await run(['init', '--data', data, '--json'], PASS);
  expect(init.code, init.stderr).toBe(0);
  const keyFile = path.join(scratch, 'brk.bin');
  writeFileSync(keyFile, Buffer.from(KDF_VECTORS.brkHex, 'hex'));
  const batch = await run(
    [
      'batch',
      'import',
      '--data',
      data,
      '--first',
      '::',
      '--last',
      '00-00-00-FF-FE-FF-FF-FF',
      '--root-key-file',
      keyFile,
    ],
    PASS,
  );
  // `::` is not an id: the real import follows
  expect(batch.code).toBe(2);
  const ok = await run(
    [
      'batch',
      'import',
      '--data',
      data,
      '--first',
      '::0',
      '--last',
      '0:ff:feff:ffff',
      '--root-key-file',
      keyFile,
      '--json',
    ],
    PASS,
  );
  expect(ok.code, ok.stderr).toBe(0);
  expect(JSON.parse(ok.stdout)).toMatchObject({ kcv: KDF_VECTORS.kcv });
});

describe('gwjs main', () => {
  it.each([
    ['no command', [], /Usage: gwjs/],
    ['unknown flag', ['id', '::1', '--frob'], /--frob/],
    ['missing argument', ['id'], /missing argument/],
    ['extra argument', ['id', '::1', '::2'], /unexpected argument "::2"/],
    ['half a command', ['owner'], /gwjs owner create/],
    ['bad id', ['id', '0x1'], /"0x1"/],
    ['missing --id', ['owner', 'create', '--data', '/nonexistent'], /--id is required/],
    ['bad --port', ['init', '--port', '99999'], /--port: "99999"/],
  ])('exits 2 for %s with a message naming the problem', async (_name, argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('prints exactly one JSON object on stdout with --json, also for failures', async () => {
    const ok = await run(['id', '--json', 'AbCd::Ef01']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toEqual({
      id6: 'abcd::ef01',
      eui64: 'AB-CD-00-00-00-00-EF-01',
      fromMac: false,
      mac: null,
      locallyAdministered: true, // 0xAB has bit 0x02 set
      stationReports: null,
    });
    const bad = await run(['owner', 'create', '--json', '--data', data, '--id', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      code: 'invalid_id',
      error: expect.stringContaining('"nope"'),
    });
    expect(bad.stderr).toContain('"nope"');
  });

  it('answers --help for every command with exit 0', async () => {
    for (const argv of [
      ['init'],
      ['serve'],
      ['owner', 'create'],
      ['batch', 'create'],
      ['batch', 'import'],
      ['personalize'],
      ['id'],
    ]) {
      const r = await run([...argv, '--help']);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toContain(`gwjs ${argv.join(' ')}`);
      expect(r.stdout).toContain('--data DIR');
    }
  });

  it('refuses a second init with exit 1 and an init without passphrase with exit 2', async () => {
    const again = await run(['init', '--data', data], PASS);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a station/);
    const nopass = await run(['init', '--data', path.join(scratch, 'other')]);
    expect(nopass.code).toBe(2);
    expect(nopass.stderr).toMatch(/passphrase/);
  });

  it('exits 2 on a data directory without a station', async () => {
    const r = await run(['owner', 'create', '--data', path.join(scratch, 'empty'), '--id', '::5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gwjs init/);
  });

  it('exits 2 for unreadable or malformed root key files', async () => {
    const short = path.join(scratch, 'short.key');
    writeFileSync(short, 'abc');
    for (const file of [short, path.join(scratch, 'missing.key')]) {
      const r = await run(
        ['batch', 'import', '--data', data, '--first', '1::', '--last', '1::ff', '--root-key-file', file],
        PASS,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--root-key-file/);
    }
  });

  it('exits 1 for an overlapping batch range', async () => {
    const r = await run(
      ['batch', 'create', '--data', data, '--first', '0:ff:fe00:0', '--last', '0:ff:fe00:ff'],
      PASS,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overlap|batch/);
  });

  it('personalize exits 2 outside every batch and when the HSM stays locked', async () => {
    const out = path.join(scratch, 'out');
    const outside = await run(
      ['personalize', '--data', data, '--gateway', 'b827:ebff:fe12:3456', '--out', out],
      PASS,
    );
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/outside every batch/);
    const locked = await run(['personalize', '--data', data, '--gateway', KDF_VECTORS.gw1.id6, '--out', out]);
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/locked|passphrase/i);
  });

  it('reads the passphrase from --hsm-passphrase-file', async () => {
    const file = path.join(scratch, 'pass.txt');
    writeFileSync(file, `${PASS.GWJS_HSM_PASSPHRASE}\n`);
    const r = await run([
      'personalize',
      '--data',
      data,
      '--gateway',
      KDF_VECTORS.gw1.id6,
      '--out',
      path.join(scratch, 'b'),
      '--hsm-passphrase-file',
      file,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pin: '6CVH-EQSA' });
  });

  it('uploads firmware with a verified signature and exits 2 on a malformed --sig', async () => {
    const fw = (
      JSON.parse(readFileSync(path.join(import.meta.dirname, '../vectors/cups.json'), 'utf8')) as {
        firmware: {
          imageHex: string;
          sigKeyHex: string;
          signatureDerHex: string;
          fwcrc: number;
          keyCrc: number;
        };
      }
    ).firmware;
    const file = (name: string, hex: string) => {
      const f = path.join(scratch, name);
      writeFileSync(f, Buffer.from(hex, 'hex'));
      return f;
    };
    const image = file('update.bin', fw.imageHex);
    const key = file('sig-0.key', fw.sigKeyHex);
    const sig = file('update.sig', fw.signatureDerHex);
    const owner = await run(['owner', 'create', '--data', data, '--id', 'f::1']);
    expect(owner.code, owner.stderr).toBe(0);
    const ok = await run([
      'firmware',
      'upload',
      '--data',
      data,
      '--owner',
      'f::1',
      '--file',
      image,
      '--sig',
      `${key}:${sig}`,
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ fwcrc: fw.fwcrc, keys: [fw.keyCrc] });
    const bad = await run([
      'firmware',
      'upload',
      '--data',
      data,
      '--owner',
      'f::1',
      '--file',
      image,
      '--sig',
      key,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sig: .* is not KEYFILE:SIGFILE/);
  });

  it('renders a label whose QR code carries the SPEC §6 payload, and refuses an unknown format', async () => {
    const auditOfGw1 = async () => {
      const station = await openStation({ dataDir: data, passphrase: PASS.GWJS_HSM_PASSPHRASE });
      try {
        return await station.core.audit.list(station.cliContext, { target: KDF_VECTORS.gw1.id6 });
      } finally {
        await station.close();
      }
    };
    const lastBefore = (await auditOfGw1())[0]?.id ?? 0;
    const out = path.join(scratch, 'label.png');
    const r = await run(
      ['label', '--data', data, '--gateway', '00:00:00:00:0a:bc', '--format', 'png', '--out', out, '--json'],
      PASS,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ gateway: KDF_VECTORS.gw1.id6, file: out, format: 'png' });
    const png = PNG.sync.read(readFileSync(out));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(qr?.data).toBe('GWJS:1:000000FFFE000ABC:6CVHEQSA');
    const zpl = path.join(scratch, 'label.zpl');
    const z = await run(
      ['label', '--data', data, '--gateway', KDF_VECTORS.gw1.eui, '--format', 'zpl', '--out', zpl],
      PASS,
    );
    expect(z.code, z.stderr).toBe(0);
    expect(readFileSync(zpl, 'latin1')).toContain('6CVH-EQSA');
    // audited as label renders, never as personalizations
    const audit = (await auditOfGw1()).filter((e) => e.id > lastBefore);
    expect(audit.map((e) => [e.action, e.detail])).toEqual([
      ['factory.label.render', { batch: expect.any(String), format: 'zpl', template: 'default-50x30' }],
      ['factory.label.render', { batch: expect.any(String), format: 'png', template: 'default-50x30' }],
    ]);
    const bad = await run([
      'label',
      '--data',
      data,
      '--gateway',
      KDF_VECTORS.gw1.eui,
      '--format',
      'gif',
      '--out',
      zpl,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format: "gif"/);
  });
});
