import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../src-shared/errors';
import { SoftwareHsm, resolvePassphrase } from '../../../src-main/adapters/hsm/software-hsm';

/** Fast scrypt for most tests; the default cost is exercised once. */
const FAST = { scryptN: 2 ** 10 };
const PASS = 'correct horse battery';
const BRK = Uint8Array.from({ length: 32 }, (_, i) => i);
const BRK_HEX = Buffer.from(BRK).toString('hex');
const BRK_B64 = Buffer.from(BRK).toString('base64');

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gwjs-hsm-'));
  file = path.join(dir, 'keystore.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDomainError(p: Promise<unknown> | (() => unknown), code: string, message?: RegExp) {
  let caught: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).code).toBe(code);
  if (message) expect((caught as DomainError).message).toMatch(message);
}

async function freshHsm(): Promise<SoftwareHsm> {
  const hsm = await SoftwareHsm.open(file, FAST);
  await hsm.initialize(PASS);
  return hsm;
}

describe('SoftwareHsm', () => {
  it('starts uninitialized and locked when no keystore file exists', async () => {
    const hsm = await SoftwareHsm.open(file, FAST);
    expect(hsm.isInitialized()).toBe(false);
    expect(await hsm.status()).toMatchObject({ kind: 'software', locked: true, keyCount: 0 });
    await expectDomainError(hsm.generateRootKey('b1'), 'hsm_locked');
    await expectDomainError(hsm.unlock(PASS), 'hsm_locked', /not initialized/);
  });

  it('initialize writes a 0600 keystore atomically and leaves the HSM unlocked', async () => {
    const hsm = await freshHsm();
    expect(hsm.isInitialized()).toBe(true);
    expect(hsm.isUnlocked()).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['keystore.json']);
    const json = JSON.parse(await readFile(file, 'utf8'));
    expect(json).toMatchObject({
      format: 'gwjs-software-keystore',
      version: 1,
      cipher: 'aes-256-gcm',
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
      keys: [],
    });
    expect(Buffer.from(json.kdf.salt, 'base64')).toHaveLength(32);
  });

  it('imports a root key, reports its KCV and computes HMAC-SHA256 with it', async () => {
    const hsm = await freshHsm();
    const handle = await hsm.importRootKey('batch A', BRK);
    expect(await hsm.kcv(handle)).toBe('1CCE9B');
    expect(await hsm.hasKey(handle)).toBe(true);
    expect(await hsm.hasKey('sw-unknown')).toBe(false);
    const { createHmac } = await import('node:crypto');
    const data = Buffer.from('hello');
    const expected = createHmac('sha256', Buffer.from(BRK)).update(data).digest();
    expect(Buffer.from(await hsm.hmac(handle, data))).toEqual(expected);
    expect(hsm.rootKeyInfo()).toEqual([
      { handle, label: 'batch A', kcv: '1CCE9B', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
  });

  it('never writes a root key in plaintext and exposes no key through the object', async () => {
    const hsm = await freshHsm();
    const handle = await hsm.importRootKey('batch A', BRK);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(BRK_HEX);
    expect(text).not.toContain(BRK_B64);
    const rec = JSON.parse(text).keys[0];
    expect(rec).toMatchObject({ handle, label: 'batch A', kcv: '1CCE9B' });
    expect(Buffer.from(rec.ciphertext, 'base64')).toHaveLength(32);
    expect(Buffer.from(rec.nonce, 'base64')).toHaveLength(12);
    expect(Buffer.from(rec.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(hsm)).not.toContain(BRK_HEX);
    expect(Object.values(hsm).some((v) => v instanceof Map)).toBe(false);
  });

  it('does not keep a reference to the imported buffer', async () => {
    const hsm = await freshHsm();
    const raw = Uint8Array.from(BRK);
    const handle = await hsm.importRootKey('batch A', raw);
    raw.fill(0);
    expect(await hsm.kcv(handle)).toBe('1CCE9B');
  });

  it('generates distinct 32-byte root keys', async () => {
    const hsm = await freshHsm();
    const a = await hsm.generateRootKey('a');
    const b = await hsm.generateRootKey('b');
    expect(a).not.toBe(b);
    expect(await hsm.kcv(a)).toMatch(/^[0-9A-F]{6}$/);
    expect(Buffer.from(await hsm.hmac(a, new Uint8Array(1)))).not.toEqual(
      Buffer.from(await hsm.hmac(b, new Uint8Array(1))),
    );
    expect((await hsm.status()).keyCount).toBe(2);
  });

  it('reopens locked; the right passphrase restores the same keys, a wrong one is refused', async () => {
    const first = await freshHsm();
    const handle = await first.importRootKey('batch A', BRK);
    const mac = await first.hmac(handle, Buffer.from('x'));

    const hsm = await SoftwareHsm.open(file, FAST);
    expect(await hsm.status()).toMatchObject({ locked: true, keyCount: 1 });
    expect(await hsm.hasKey(handle)).toBe(true);
    await expectDomainError(hsm.hmac(handle, Buffer.from('x')), 'hsm_locked');
    await expectDomainError(hsm.kcv(handle), 'hsm_locked');
    await expectDomainError(hsm.unlock('wrong passphrase!'), 'hsm_locked', /^wrong passphrase$/);
    expect(hsm.isUnlocked()).toBe(false);
    await hsm.unlock(PASS);
    expect(await hsm.hmac(handle, Buffer.from('x'))).toEqual(mac);
    expect(await hsm.status()).toMatchObject({ locked: false, keyCount: 1 });
  });

  it('lock() drops the keys: key operations fail with hsm_locked until unlocked again', async () => {
    const hsm = await freshHsm();
    const handle = await hsm.importRootKey('batch A', BRK);
    hsm.lock();
    hsm.lock();
    await expectDomainError(hsm.hmac(handle, new Uint8Array(0)), 'hsm_locked');
    await expectDomainError(hsm.generateRootKey('b'), 'hsm_locked');
    await expectDomainError(hsm.importRootKey('c', BRK), 'hsm_locked');
    await hsm.unlock(PASS);
    expect(await hsm.kcv(handle)).toBe('1CCE9B');
  });

  it('changePassphrase re-seals every key; the old passphrase stops working', async () => {
    const hsm = await freshHsm();
    const handle = await hsm.importRootKey('batch A', BRK);
    const before = JSON.parse(await readFile(file, 'utf8'));
    await expectDomainError(hsm.changePassphrase('not the passphrase', 'new passphrase 1'), 'hsm_locked');
    await expectDomainError(hsm.changePassphrase(PASS, 'short'), 'invalid_request', /newPassphrase/);
    await hsm.changePassphrase(PASS, 'new passphrase 1');
    expect(await hsm.kcv(handle)).toBe('1CCE9B');
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.kdf.salt).not.toBe(before.kdf.salt);
    expect(after.keys[0].ciphertext).not.toBe(before.keys[0].ciphertext);

    const reopened = await SoftwareHsm.open(file, FAST);
    await expectDomainError(reopened.unlock(PASS), 'hsm_locked', /wrong passphrase/);
    await reopened.unlock('new passphrase 1');
    expect(await reopened.kcv(handle)).toBe('1CCE9B');
  });

  it('changePassphrase works while locked and keeps it locked', async () => {
    const hsm = await freshHsm();
    const handle = await hsm.importRootKey('batch A', BRK);
    hsm.lock();
    await hsm.changePassphrase(PASS, 'another passphrase');
    expect(hsm.isUnlocked()).toBe(false);
    await hsm.unlock('another passphrase');
    expect(await hsm.kcv(handle)).toBe('1CCE9B');
  });

  it('rejects a tampered key record with hsm_error', async () => {
    const hsm = await freshHsm();
    await hsm.importRootKey('batch A', BRK);
    const json = JSON.parse(await readFile(file, 'utf8'));
    const ct = Buffer.from(json.keys[0].ciphertext, 'base64');
    ct[0]! ^= 1;
    json.keys[0].ciphertext = ct.toString('base64');
    await writeFile(file, JSON.stringify(json));
    const reopened = await SoftwareHsm.open(file, FAST);
    await expectDomainError(reopened.unlock(PASS), 'hsm_error', /failed authentication/);
    expect(reopened.isUnlocked()).toBe(false);
  });

  it('binds each sealed key to its handle (swapped handles fail authentication)', async () => {
    const hsm = await freshHsm();
    await hsm.importRootKey('a', BRK);
    await hsm.generateRootKey('b');
    const json = JSON.parse(await readFile(file, 'utf8'));
    const [a, b] = json.keys;
    [a.handle, b.handle] = [b.handle, a.handle];
    await writeFile(file, JSON.stringify(json));
    const reopened = await SoftwareHsm.open(file, FAST);
    await expectDomainError(reopened.unlock(PASS), 'hsm_error');
  });

  it('refuses a file that is not a keystore, and absurd scrypt parameters', async () => {
    await writeFile(file, 'not json');
    await expectDomainError(SoftwareHsm.open(file, FAST), 'hsm_error', /not JSON/);
    await freshHsmAt(path.join(dir, 'ok.json'));
    const json = JSON.parse(await readFile(path.join(dir, 'ok.json'), 'utf8'));
    json.kdf.N = 2 ** 30;
    await writeFile(file, JSON.stringify(json));
    await expectDomainError(SoftwareHsm.open(file, FAST), 'hsm_error', /scrypt N/);
  });

  it('validates inputs: key length, label, passphrase length, double initialization', async () => {
    const hsm = await SoftwareHsm.open(file, FAST);
    await expectDomainError(hsm.initialize('short'), 'invalid_request', /at least 8/);
    await hsm.initialize(PASS);
    await expectDomainError(hsm.initialize(PASS), 'conflict');
    await expectDomainError(
      hsm.importRootKey('x', new Uint8Array(16)),
      'invalid_request',
      /32 bytes, got 16/,
    );
    await expectDomainError(hsm.generateRootKey(''), 'invalid_request', /label/);
    await expectDomainError(hsm.generateRootKey('a\nb'), 'invalid_request', /label/);
    await expectDomainError(hsm.hmac('sw-0000', new Uint8Array(0)), 'not_found');
    await expectDomainError(() => SoftwareHsm.open(file, { scryptN: 1000 }), 'invalid_request', /scryptN/);
  });

  it('serializes concurrent key creation: every key reaches the file', async () => {
    const hsm = await freshHsm();
    const handles = await Promise.all(Array.from({ length: 6 }, (_, i) => hsm.generateRootKey(`k${i}`)));
    expect(new Set(handles).size).toBe(6);
    const reopened = await SoftwareHsm.open(file, FAST);
    expect(reopened.rootKeyInfo().map((k) => k.handle)).toEqual(handles);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('uses scrypt N = 2^15 by default and unlocks in well under a second', async () => {
    const hsm = await SoftwareHsm.open(file);
    await hsm.initialize(PASS);
    expect(JSON.parse(await readFile(file, 'utf8')).kdf.N).toBe(2 ** 15);
    hsm.lock();
    const t0 = performance.now();
    await hsm.unlock(PASS);
    const ms = performance.now() - t0;
    console.log(`software HSM unlock with scrypt N=2^15: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000);
  });
});

async function freshHsmAt(f: string): Promise<SoftwareHsm> {
  const hsm = await SoftwareHsm.open(f, FAST);
  await hsm.initialize(PASS);
  return hsm;
}

describe('resolvePassphrase', () => {
  it('reads --hsm-passphrase-file without its trailing newline', async () => {
    const f = path.join(dir, 'pass.txt');
    await writeFile(f, 'file secret  \r\n');
    expect(resolvePassphrase({ file: f, env: {} })).toBe('file secret  ');
  });

  it('prefers the file over $GWJS_HSM_PASSPHRASE', async () => {
    const f = path.join(dir, 'pass.txt');
    await writeFile(f, 'from file\n');
    expect(resolvePassphrase({ file: f, env: { GWJS_HSM_PASSPHRASE: 'from env' } })).toBe('from file');
  });

  it('falls back to $GWJS_HSM_PASSPHRASE, else undefined', () => {
    expect(resolvePassphrase({ env: { GWJS_HSM_PASSPHRASE: 'from env' } })).toBe('from env');
    expect(resolvePassphrase({ env: { GWJS_HSM_PASSPHRASE: '' } })).toBeUndefined();
    expect(resolvePassphrase({ env: {} })).toBeUndefined();
  });

  it('rejects an unreadable or empty passphrase file', async () => {
    const f = path.join(dir, 'empty.txt');
    await writeFile(f, '\n');
    await expectDomainError(() => resolvePassphrase({ file: f, env: {} }), 'invalid_request', /is empty/);
    await expectDomainError(
      () => resolvePassphrase({ file: path.join(dir, 'missing'), env: {} }),
      'invalid_request',
      /ENOENT/,
    );
  });
});
