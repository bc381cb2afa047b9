/**
 * `gwjs init --hsm pkcs11` and `gwjs hsm …` through the real bin (docs/twin-hsm.md): a token
 * station (SoftHSM2, PIN from $GWJS_HSM_PIN or --pin-file) and a software station run the whole
 * ceremony in both directions, export the transcript as JSON + PDF, and back up / restore a root
 * key from custodian shares.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onlyJson, runGwjs } from '../helpers/gwjs-cli';
import { makeToken, type TestToken } from '../helpers/softhsm';
import { makeTempDir } from '../helpers/tmp-dir';

let token: TestToken;
let recovery: TestToken;
let work: string;
let tokenData: string;
let softData: string;
let recoveryData: string;
const PASS = 'cli hsm test passphrase';

const tok = (args: string[]) =>
  runGwjs([...args, '--data', tokenData, '--json'], { GWJS_HSM_PIN: token.pin });
const soft = (args: string[]) =>
  runGwjs([...args, '--data', softData, '--json'], { GWJS_HSM_PASSPHRASE: PASS });
const rec = (args: string[]) =>
  runGwjs([...args, '--data', recoveryData, '--json'], { GWJS_HSM_PIN: recovery.pin });

beforeAll(async () => {
  token = makeToken('cli');
  recovery = makeToken('rec');
  work = makeTempDir('cli-hsm', { until: 'exit' });
  tokenData = path.join(work, 'token-station');
  softData = path.join(work, 'soft-station');
  recoveryData = path.join(work, 'recovery-station');
  const pinFile = path.join(work, 'pin');
  writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
  const init = await runGwjs([
    'init',
    '--data',
    tokenData,
    '--json',
    '--hsm',
    'pkcs11',
    '--pkcs11-module',
    token.module,
    '--token-label',
    token.label,
    '--pin-file',
    pinFile,
  ]);
  expect(init.code, init.stderr).toBe(0);
  expect(onlyJson(init)).toMatchObject({ hsm: 'pkcs11' });
  const si = await soft(['init', '--oaep-hash', 'sha1']);
  expect(si.code, si.stderr).toBe(0);
  const ri = await rec([
    'init',
    '--hsm',
    'pkcs11',
    '--pkcs11-module',
    recovery.module,
    '--token-label',
    recovery.label,
  ]);
  expect(ri.code, ri.stderr).toBe(0);
}, 300_000);

describe('gwjs init --hsm pkcs11 and gwjs hsm', { timeout: 300_000 }, () => {
  it('remembers module and token in station.json, never the PIN; status lists keys with KCVs', async () => {
    const settings = readFileSync(path.join(tokenData, 'station.json'), 'utf8');
    expect(JSON.parse(settings).hsm).toEqual({
      backend: 'pkcs11',
      module: token.module,
      tokenLabel: token.label,
    });
    expect(settings).not.toContain(token.pin);
    const b = await tok([
      'batch',
      'create',
      '--first',
      '58-A0-CB-FF-FE-80-00-00',
      '--last',
      '58-A0-CB-FF-FE-80-FF-FF',
    ]);
    expect(b.code, b.stderr).toBe(0);
    const { kcv } = onlyJson(b) as { kcv: string };
    const st = onlyJson(await tok(['hsm', 'status']));
    expect(st).toMatchObject({ backend: 'pkcs11', locked: false, token: { label: token.label } });
    expect((st.keys as { kind: string; kcv: string }[]).find((k) => k.kind === 'root')?.kcv).toBe(kcv);
    // without a PIN the token stays locked: status says so, key operations are refused clearly
    const locked = await runGwjs(['hsm', 'status', '--data', tokenData, '--json']);
    expect(onlyJson(locked)).toMatchObject({ locked: true, keys: [] });
    const wrong = await runGwjs(['hsm', 'status', '--data', tokenData, '--json'], { GWJS_HSM_PIN: 'nope' });
    expect(wrong.code).toBe(2);
    expect(onlyJson(wrong)).toMatchObject({ code: 'hsm_pin_incorrect' });
  });

  it('runs the ceremony token → software and back, the KCV shown on both sides, transcript JSON + PDF', async () => {
    const b = onlyJson(
      await tok([
        'batch',
        'create',
        '--first',
        '00-00-00-FF-FE-01-00-00',
        '--last',
        '00-00-00-FF-FE-01-FF-FF',
      ]),
    );
    const batch = b.batch as string;
    const pub = path.join(work, 'transport.pub');
    const t = await soft(['hsm', 'transport-key', 'create', '--out', pub]);
    expect(t.code, t.stderr).toBe(0);
    const wrapped = path.join(work, `batch-${batch}.wrapped`);
    const ex = await tok(['hsm', 'export', '--batch', batch, '--to', pub, '--out', wrapped]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(onlyJson(ex)).toMatchObject({ kcv: b.kcv, algorithm: 'RSA-OAEP-SHA1' });
    const bad = await soft(['hsm', 'import', '--in', wrapped, '--expect-kcv', '000000']);
    expect(bad.code).toBe(1);
    expect(onlyJson(bad)).toMatchObject({ code: 'kcv_mismatch' });
    const im = await soft(['hsm', 'import', '--in', wrapped, '--expect-kcv', b.kcv as string]);
    expect(im.code, im.stderr).toBe(0);
    expect(onlyJson(im)).toMatchObject({ batch, kcv: b.kcv });
    const human = await runGwjs(['hsm', 'status', '--data', softData], { GWJS_HSM_PASSPHRASE: PASS });
    expect(human.stdout).toContain(b.kcv as string);
    expect(human.stdout).toContain('non-exportable');
    // the same gateway gets the same PIN on both twins
    const out = path.join(work, 'bundles');
    const p1 = onlyJson(await tok(['personalize', '--gateway', '00-00-00-FF-FE-01-02-03', '--out', out]));
    const p2 = onlyJson(
      await soft(['personalize', '--gateway', '00-00-00-FF-FE-01-02-03', '--out', `${out}2`]),
    );
    expect(p2.pin).toBe(p1.pin);

    const prefix = path.join(work, 'transcript');
    const tr = await soft(['hsm', 'transcript', '--batch', batch, '--out', prefix]);
    expect(tr.code, tr.stderr).toBe(0);
    expect(onlyJson(tr)).toMatchObject({ verified: true });
    const json = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
    expect(json.chains[0].entries[0]).toMatchObject({ action: 'ceremony.import', facts: { kcv: b.kcv } });
    const text = execFileSync('pdftotext', [`${prefix}.pdf`, '-']).toString();
    expect(text).toContain(`batch ${batch}`);
    expect(text).toContain(b.kcv as string);
    expect(text).toMatch(/Witness/);
  });

  it('backs up a root key in 3-of-5 shares and restores it on the recovery token; 2 shares or a damaged one are refused', async () => {
    const b = onlyJson(
      await soft([
        'batch',
        'create',
        '--first',
        '00-00-00-FF-FE-02-00-00',
        '--last',
        '00-00-00-FF-FE-02-FF-FF',
      ]),
    );
    const batch = b.batch as string;
    const pub = path.join(work, 'recovery.pub');
    expect((await rec(['hsm', 'transport-key', 'create', '--out', pub])).code).toBe(0);
    // the recovery token is SoftHSM2 (OAEP SHA-1): a software sender follows the transport key's hash
    const dir = path.join(work, 'shares');
    const bk = await soft([
      'hsm',
      'backup',
      '--batch',
      batch,
      '--to',
      pub,
      '--shares',
      '5',
      '--threshold',
      '3',
      '--out',
      dir,
    ]);
    expect(bk.code, bk.stderr).toBe(0);
    const info = onlyJson(bk) as { files: string[]; pdf: string; checks: string[] };
    expect(info.files).toHaveLength(5);
    const pages = execFileSync('pdfinfo', [info.pdf]).toString();
    expect(pages).toMatch(/Pages:\s+5/);
    const share = (i: number) => ['--share', info.files[i]!];
    const two = await rec(['hsm', 'restore', ...share(0), ...share(3)]);
    expect(onlyJson(two)).toMatchObject({ code: 'shares_insufficient' });
    const damagedFile = path.join(work, 'damaged.txt');
    const s2 = readFileSync(info.files[1]!, 'utf8');
    const i = s2.indexOf(':', 60) + 5;
    writeFileSync(damagedFile, s2.slice(0, i) + (s2[i] === 'A' ? 'B' : 'A') + s2.slice(i + 1));
    const damaged = await rec(['hsm', 'restore', ...share(0), '--share', damagedFile, ...share(4)]);
    expect(onlyJson(damaged)).toMatchObject({ code: 'share_invalid' });
    expect((onlyJson(damaged) as { error: string }).error).toMatch(/share 2/);
    const ok = await rec([
      'hsm',
      'restore',
      ...share(4),
      ...share(1),
      ...share(2),
      '--expect-kcv',
      b.kcv as string,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(onlyJson(ok)).toMatchObject({ batch, kcv: b.kcv });
    const sealed = await soft(['hsm', 'seal', '--batch', batch]);
    expect(onlyJson(sealed)).toMatchObject({ sealed: true });
    const again = await soft([
      'hsm',
      'backup',
      '--batch',
      batch,
      '--to',
      pub,
      '--shares',
      '3',
      '--threshold',
      '2',
      '--out',
      dir,
    ]);
    expect(onlyJson(again)).toMatchObject({ code: 'key_not_exportable' });
    const tr = onlyJson(await soft(['hsm', 'transcript', '--batch', batch, '--out', path.join(work, 'tr2')]));
    expect(tr).toMatchObject({ verified: true });
  });
});
