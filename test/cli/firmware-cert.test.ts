/**
 * `gwjs firmware …`, `gwjs cert …` and `gwjs personalize --auth client-cert` (SPEC §3.1, §3.4, §7)
 * through `main()` in-process on a real data directory, with real openssl signatures.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../src-shared/crc32';
import { main } from '../../src-main/cli/main';
import { KDF_VECTORS } from '../helpers/core-fixture';
import { makeTempDir } from '../helpers/tmp-dir';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>;
}

const PASS = { GWJS_HSM_PASSPHRASE: 'a long enough test passphrase' };
let data: string;
let scratch: string;

async function gwjs(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv, '--data', data, '--json'], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { GWJS_DATA: '', HOME: process.env.HOME, ...PASS },
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { code, stdout, stderr, json };
}

const GW = KDF_VECTORS.gw1;

beforeAll(async () => {
  scratch = makeTempDir('cli-fw', { until: 'exit' });
  data = path.join(scratch, 'station');
  expect((await gwjs('init')).code).toBe(0);
  const brk = path.join(scratch, 'brk.bin');
  writeFileSync(brk, Buffer.from(KDF_VECTORS.brkHex, 'hex'));
  const batch = await gwjs(
    'batch',
    'import',
    '--first',
    '00-00-00-FF-FE-00-00-00',
    '--last',
    '00-00-00-FF-FE-FF-FF-FF',
    '--root-key-file',
    brk,
  );
  expect(batch.code, batch.stderr).toBe(0);
  expect((await gwjs('owner', 'create', '--id', 'a::1')).code).toBe(0);
});

describe('gwjs firmware', () => {
  it('creates the station key, exports sig-0.key, uploads with an openssl signature plus the station’s, lists, signs, deletes', async () => {
    const created = await gwjs('firmware', 'key', 'create', '--out', path.join(scratch, 'sig-0.key'));
    expect(created.code, created.stderr).toBe(0);
    const sig0 = readFileSync(path.join(scratch, 'sig-0.key'));
    expect(sig0).toHaveLength(64);
    expect(created.json.keyCrc).toBe(crc32(sig0));
    const exported = await gwjs('firmware', 'key', 'export', '--out', path.join(scratch, 'again.key'));
    expect(exported.code).toBe(0);
    expect(readFileSync(path.join(scratch, 'again.key'))).toEqual(sig0);

    const image = path.join(scratch, 'update.bin');
    writeFileSync(image, '#!/bin/sh\necho 2.1.0 > version.txt\nrm -f /tmp/update.bin\n');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'vendor.pem'], {
      cwd: scratch,
    });
    execFileSync('openssl', ['ec', '-in', 'vendor.pem', '-pubout', '-out', 'vendor.pub'], {
      cwd: scratch,
      stdio: 'ignore',
    });
    execFileSync('openssl', ['dgst', '-sha512', '-sign', 'vendor.pem', '-out', 'update.sig', 'update.bin'], {
      cwd: scratch,
    });
    const up = await gwjs(
      'firmware',
      'upload',
      '--owner',
      'a::1',
      '--file',
      image,
      '--version',
      '2.1.0',
      '--station-sign',
      '--sig',
      `${path.join(scratch, 'vendor.pub')}:${path.join(scratch, 'update.sig')}`,
    );
    expect(up.code, up.stderr).toBe(0);
    expect(up.json.fwcrc).toBe(crc32(readFileSync(image)));
    expect(up.json.keys).toContain(crc32(sig0));
    expect(up.json.keys).toHaveLength(2);

    const list = await gwjs('firmware', 'list');
    expect((list.json.firmware as { fwcrc: number; owner: string }[]).map((f) => [f.fwcrc, f.owner])).toEqual(
      [[up.json.fwcrc, 'a::1']],
    );
    expect((await gwjs('firmware', 'sign', '--fwcrc', String(up.json.fwcrc))).json.keys).toEqual(
      up.json.keys,
    );

    // a signature that does not verify is bad input: exit 2, nothing stored
    const bad = await gwjs(
      'firmware',
      'upload',
      '--owner',
      'a::1',
      '--file',
      path.join(scratch, 'sig-0.key'),
      '--sig',
      `${path.join(scratch, 'vendor.pub')}:${path.join(scratch, 'update.sig')}`,
    );
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({
      code: 'invalid_credential',
      error: expect.stringMatching(/^signatures\[0\]\.signature: does not verify/),
    });

    expect((await gwjs('firmware', 'delete', '--fwcrc', 'zz')).code).toBe(2);
    const del = await gwjs('firmware', 'delete', '--fwcrc', `0x${(up.json.fwcrc as number).toString(16)}`);
    expect(del.code, del.stderr).toBe(0);
    expect((await gwjs('firmware', 'list')).json.firmware).toEqual([]);
  });
});

describe('gwjs cert and personalize --auth client-cert', () => {
  it('writes a certificate bundle (cups.crt + SEC1 cups.key, sig-0.key), issues, lists and revokes certificates', async () => {
    const out = path.join(scratch, 'bundles');
    expect((await gwjs('personalize', '--gateway', GW.id6, '--out', out, '--auth', 'x')).code).toBe(2);
    const p = await gwjs('personalize', '--gateway', GW.id6, '--out', out, '--auth', 'client-cert');
    expect(p.code, p.stderr).toBe(0);
    const dir = path.join(out, GW.hex);
    expect(p.json.files).toEqual([
      'cups-boot.crt',
      'cups-boot.key',
      'cups-boot.trust',
      'cups-boot.uri',
      'cups.crt',
      'cups.key',
      'cups.trust',
      'cups.uri',
      'gateway.json',
      'sig-0.key',
      'station.conf',
    ]);
    const cert = new X509Certificate(readFileSync(path.join(dir, 'cups.crt')));
    expect(cert.subject).toBe(`CN=${GW.hex}`);
    const keyPem = readFileSync(path.join(dir, 'cups.key'), 'utf8');
    expect(keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(statSync(path.join(dir, 'cups.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'sig-0.key'))).toEqual(readFileSync(path.join(scratch, 'sig-0.key')));

    const issued = await gwjs(
      'cert',
      'issue',
      '--gateway',
      GW.eui,
      '--out',
      path.join(scratch, 'certs'),
      '--days',
      '30',
    );
    expect(issued.code, issued.stderr).toBe(0);
    expect(readFileSync(path.join(scratch, 'certs', GW.hex, 'cups.crt'), 'utf8')).toMatch(
      /^-----BEGIN CERTIFICATE-----/,
    );
    expect((await gwjs('cert', 'issue', '--gateway', GW.id6, '--out', scratch, '--days', '0')).code).toBe(2);
    const listed = await gwjs('cert', 'list', '--gateway', GW.id6);
    expect((listed.json.certificates as unknown[]).length).toBe(2);
    const one = await gwjs(
      'cert',
      'revoke',
      '--gateway',
      GW.id6,
      '--fingerprint',
      issued.json.fingerprint as string,
    );
    expect(one.json).toEqual({ gateway: GW.id6, revoked: [issued.json.fingerprint] });
    const rest = await gwjs('cert', 'revoke', '--gateway', GW.id6);
    expect(rest.json.revoked).toEqual([p.json.certificate]);
  });
});
