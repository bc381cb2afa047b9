/**
 * Update-signing keys of the software HSM (SPEC §3.4, port `Hsm.generateSigningKey/sign/publicKey`):
 * sealed at rest like the root keys, usable only unlocked, public half available while locked.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SoftwareHsm } from '../../../src-main/adapters/hsm/software-hsm';
import { publicKeyFromStationKey, verifyUpdateSignature } from '../../../src-main/core/firmware/signature';
import { makeTempDir } from '../../helpers/tmp-dir';

const FAST = { scryptN: 2 ** 10 };
const PASS = 'correct horse battery';
const DATA = new TextEncoder().encode('#!/bin/sh\necho 2.0.1 > version.txt\nrm -f /tmp/update.bin\n');

async function fresh(): Promise<{ hsm: SoftwareHsm; file: string }> {
  const file = path.join(makeTempDir('hsm-sign'), 'keystore.json');
  const hsm = await SoftwareHsm.open(file, FAST);
  await hsm.initialize(PASS);
  return { hsm, file };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'DomainError', code });
}

describe('SoftwareHsm signing keys', () => {
  it('generates a P-256 key whose signatures verify against its 64-byte public key', async () => {
    const { hsm } = await fresh();
    const handle = await hsm.generateSigningKey('update signing');
    expect(handle).toMatch(/^sw-sig-[0-9a-f]{16}$/);
    expect(await hsm.hasKey(handle)).toBe(true);
    const raw = await hsm.publicKey(handle);
    expect(raw).toHaveLength(64);
    const a = await hsm.sign(handle, DATA);
    const b = await hsm.sign(handle, DATA);
    expect(a).not.toEqual(b); // ECDSA is randomized
    for (const sig of [a, b])
      expect(verifyUpdateSignature(DATA, sig, publicKeyFromStationKey(raw))).toBe(true);
    expect(hsm.listSigningKeys()).toMatchObject([{ handle, label: 'update signing', publicKey: raw }]);
    // root keys are counted apart
    expect((await hsm.status()).keyCount).toBe(0);
  });

  it('seals the private key at rest: the file holds only AES-GCM ciphertext and the public key', async () => {
    const { hsm, file } = await fresh();
    const handle = await hsm.generateSigningKey('update signing');
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/PRIVATE KEY|"d"/);
    const json = JSON.parse(text) as { signingKeys: Record<string, string>[] };
    expect(json.signingKeys).toHaveLength(1);
    expect(Object.keys(json.signingKeys[0]!).sort()).toEqual(
      ['algorithm', 'ciphertext', 'createdAt', 'handle', 'label', 'nonce', 'publicKey', 'tag'].sort(),
    );
    expect(json.signingKeys[0]!.handle).toBe(handle);
  });

  it('survives a reopen: locked it only shows the public key, unlocked it signs again', async () => {
    const { hsm, file } = await fresh();
    const handle = await hsm.generateSigningKey('update signing');
    const raw = await hsm.publicKey(handle);
    hsm.lock();
    await expectCode(hsm.sign(handle, DATA), 'hsm_locked');
    await expectCode(hsm.generateSigningKey('another'), 'hsm_locked');
    const reopened = await SoftwareHsm.open(file, FAST);
    expect(await reopened.publicKey(handle)).toEqual(raw);
    await expectCode(reopened.sign(handle, DATA), 'hsm_locked');
    await reopened.unlock(PASS);
    expect(verifyUpdateSignature(DATA, await reopened.sign(handle, DATA), publicKeyFromStationKey(raw))).toBe(
      true,
    );
  });

  it('keeps signing keys across a passphrase change', async () => {
    const { hsm, file } = await fresh();
    const handle = await hsm.generateSigningKey('update signing');
    await hsm.generateRootKey('batch');
    await hsm.changePassphrase(PASS, 'another long passphrase');
    const reopened = await SoftwareHsm.open(file, FAST);
    await expectCode(reopened.unlock(PASS), 'hsm_locked');
    await reopened.unlock('another long passphrase');
    const sig = await reopened.sign(handle, DATA);
    expect(verifyUpdateSignature(DATA, sig, publicKeyFromStationKey(await reopened.publicKey(handle)))).toBe(
      true,
    );
  });

  it('keeps root keys and signing keys apart: HMAC with a signing handle and signing with a root handle fail', async () => {
    const { hsm } = await fresh();
    const sig = await hsm.generateSigningKey('update signing');
    const root = await hsm.generateRootKey('batch');
    await expectCode(hsm.hmac(sig, DATA), 'not_found');
    await expectCode(hsm.sign(root, DATA), 'not_found');
    await expectCode(hsm.publicKey(root), 'not_found');
    await expectCode(hsm.generateSigningKey(''), 'invalid_request');
  });

  it('refuses to unlock a keystore whose signing key record was tampered with', async () => {
    const { hsm, file } = await fresh();
    await hsm.generateSigningKey('update signing');
    const json = JSON.parse(await readFile(file, 'utf8')) as { signingKeys: { publicKey: string }[] };
    json.signingKeys[0]!.publicKey = Buffer.alloc(64, 1).toString('base64');
    await writeFile(file, JSON.stringify(json));
    const reopened = await SoftwareHsm.open(file, FAST);
    await expectCode(reopened.unlock(PASS), 'hsm_error');
  });
});
