/**
 * The PKCS#11 backend on real SoftHSM2 tokens: SPEC §2 vectors with the HMAC on the token, the
 * root key's attributes read back through PKCS#11, signing, CKR_* → DomainError, removal and
 * recovery, sessions under concurrent load.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import {
  P11,
  acquireModule,
  releaseModule,
  toDomainError,
} from '../../../src-main/adapters/hsm/pkcs11-module';
import { publicKeyFromStationKey, verifyUpdateSignature } from '../../../src-main/core/firmware/signature';
import { claimPinFromGmk, cupsTokenFromGmk, deriveCupsToken, deriveGmk } from '../../../src-main/core/kdf';
import { DomainError } from '../../../src-shared/errors';
import { makeToken, type TestToken } from '../../helpers/softhsm';
import vectors from '../../vectors/kdf.json';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).code;
  }
  return undefined;
}

let token: TestToken;
let hsm: Pkcs11Hsm;
let brk: string;
/** made before the module is initialized: SoftHSM2 sees tokens created later only after a rescan */
let lockToken: TestToken;

beforeAll(async () => {
  token = makeToken('vec');
  lockToken = makeToken('lock');
  hsm = Pkcs11Hsm.open({ module: token.module, tokenLabel: token.label, rsaBits: 2048 });
  await hsm.unlock(token.pin);
  brk = await hsm.importRootKey('vectors (test only)', Buffer.from(vectors.vectors[0]!.brk, 'hex'));
});
afterAll(async () => {
  await hsm?.close();
});

describe('Pkcs11Hsm on SoftHSM2 (SPEC §2 vectors)', () => {
  for (const v of vectors.vectors) {
    it(`matches the vector for EUI ${v.eui}, generation ${v.gen}, HMAC on the token`, async () => {
      expect(await hsm.kcv(brk)).toBe(v.kcv);
      const gmk = await deriveGmk(hsm, brk, BigInt(`0x${v.eui}`));
      expect(hex(gmk)).toBe(v.gmk);
      expect(claimPinFromGmk(gmk)).toBe(v.pin);
      expect(cupsTokenFromGmk(gmk, v.gen)).toBe(v.token);
      expect(await deriveCupsToken(hsm, brk, BigInt(`0x${v.eui}`), v.gen)).toBe(v.token);
    });
  }

  it('holds root keys as CKA_SENSITIVE=true, CKA_EXTRACTABLE=false (read through PKCS#11)', async () => {
    const generated = await hsm.generateRootKey('generated');
    for (const h of [brk, generated]) {
      expect(hsm.rootKeyAttributes(h)).toMatchObject({ sensitive: true, extractable: false });
    }
    // and an independent session (as pkcs11-tool would) sees the same on every gwjs root key object
    const m = acquireModule(token.module);
    try {
      const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
      const s = m.C_OpenSession(slot, P11.CKF_SERIAL_SESSION);
      m.C_FindObjectsInit(s, [{ type: P11.CKA_ID, value: Buffer.from(generated, 'ascii') }]);
      const objs = m.C_FindObjects(s, 10);
      m.C_FindObjectsFinal(s);
      expect(objs).toHaveLength(1);
      const [sens, extr, value] = m.C_GetAttributeValue(s, objs[0]!, [
        { type: P11.CKA_SENSITIVE },
        { type: P11.CKA_EXTRACTABLE },
        { type: P11.CKA_VALUE_LEN },
      ]);
      expect(sens!.value).toEqual(Buffer.from([1]));
      expect(extr!.value).toEqual(Buffer.from([0]));
      expect((value!.value as Buffer).readUInt32LE(0)).toBe(32);
      m.C_CloseSession(s);
    } finally {
      releaseModule(token.module);
    }
  });

  it('lists keys with KCVs and whether they can be exported; sealing removes the export copy', async () => {
    const h = await hsm.generateRootKey('to seal');
    const before = (await hsm.listKeys()).find((k) => k.handle === h)!;
    expect(before).toMatchObject({ kind: 'root', label: 'to seal', exportable: true });
    expect(before.kcv).toBe(await hsm.kcv(h));
    await hsm.sealRootKey(h);
    expect((await hsm.listKeys()).find((k) => k.handle === h)).toMatchObject({ exportable: false });
    expect(hsm.rootKeyAttributes(h)).toMatchObject({ sensitive: true, extractable: false });
    expect((await hsm.listKeys()).find((k) => k.handle === brk)?.kcv).toBe('1CCE9B');
  });

  it('signs firmware with an ECDSA P-256 key on the token (SHA-512, DER) that verifies', async () => {
    const h = await hsm.generateSigningKey('fw');
    const pub = await hsm.publicKey(h);
    expect(pub).toHaveLength(64);
    const image = Buffer.from('update image bytes '.repeat(100));
    const sig = await hsm.sign(h, image);
    expect(sig[0]).toBe(0x30);
    expect(verifyUpdateSignature(image, sig, publicKeyFromStationKey(pub))).toBe(true);
    expect(await hsm.hasKey(h)).toBe(true);
    hsm.lock();
    expect(hex(await hsm.publicKey(h))).toBe(hex(pub)); // available while locked
    await hsm.unlock(token.pin);
  });

  it('answers concurrent HMACs correctly on one session (CUPS load)', async () => {
    const euis = Array.from({ length: 2000 }, (_, i) => 0x58a0cbfffe800000n + BigInt(i));
    const results = await Promise.all(euis.map((e) => deriveCupsToken(hsm, brk, e, 0)));
    const again = [];
    for (const e of euis.slice(0, 50)) again.push(await deriveCupsToken(hsm, brk, e, 0));
    expect(results.slice(0, 50)).toEqual(again);
    expect(new Set(results).size).toBe(euis.length);
  });

  it('maps a wrong PIN, a locked token and an unknown handle to their own codes', async () => {
    hsm.lock();
    expect(await codeOf(hsm.hmac(brk, new Uint8Array(1)))).toBe('hsm_locked');
    expect(await codeOf(hsm.unlock('not-the-pin'))).toBe('hsm_pin_incorrect');
    expect(await codeOf(hsm.unlock(''))).toBe('hsm_pin_incorrect');
    await hsm.unlock(token.pin);
    expect(await codeOf(hsm.hmac('p11-brk-0000000000000000', new Uint8Array(1)))).toBe('not_found');
    expect(await codeOf(hsm.exportWrapped(brk, { spki: new Uint8Array(10), oaepHash: 'sha1' }))).toBe(
      'invalid_request',
    );
  });

  it('keeps a wrong PIN a wrong PIN however often it is tried (the station throttles, not SoftHSM2)', async () => {
    const h = Pkcs11Hsm.open({ module: lockToken.module, tokenLabel: lockToken.label });
    try {
      for (let i = 0; i < 5; i++) expect(await codeOf(h.unlock(`wrong-${i}`))).toBe('hsm_pin_incorrect');
      await h.unlock(lockToken.pin);
      expect(h.isUnlocked()).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('gives every CKR_* an operator can cause its own code (tokens that block PINs, fill up…)', () => {
    const cases: [string, string][] = [
      ['CKR_PIN_INCORRECT', 'hsm_pin_incorrect'],
      ['CKR_PIN_LOCKED', 'hsm_pin_locked'],
      ['CKR_TOKEN_NOT_PRESENT', 'hsm_token_removed'],
      ['CKR_DEVICE_REMOVED', 'hsm_token_removed'],
      ['CKR_MECHANISM_INVALID', 'hsm_mechanism_unsupported'],
      ['CKR_DEVICE_MEMORY', 'hsm_token_full'],
      ['CKR_USER_NOT_LOGGED_IN', 'hsm_locked'],
      ['CKR_FUNCTION_FAILED', 'hsm_error'],
    ];
    for (const [ckr, code] of cases) {
      const e = toDomainError(Object.assign(new Error(ckr), { code: 1 }), 'C_Test');
      expect(e.code).toBe(code);
      expect(e.message).toContain(ckr);
    }
  });

  it('refuses an absent token with a clear message', async () => {
    expect(await codeOf(() => Pkcs11Hsm.open({ module: token.module, tokenLabel: 'no-such-token' }))).toBe(
      'hsm_token_removed',
    );
    expect(await codeOf(() => Pkcs11Hsm.open({ module: '/nonexistent/libp11.so', tokenLabel: 'x' }))).toBe(
      'not_configured',
    );
  });

  it('locks at once when the token goes away and recovers with the PIN, without a restart', async () => {
    const kcv = await hsm.kcv(brk);
    const changes: boolean[] = [];
    const off = hsm.onStatusChange((s) => changes.push(s.tokenRemoved === true));
    // pulled: every session on the token closed from outside (as a removal does)
    const m = acquireModule(token.module);
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
    m.C_CloseAllSessions(slot);
    releaseModule(token.module);
    expect(await codeOf(hsm.kcv(brk))).toBe('hsm_token_removed');
    expect(await codeOf(hsm.kcv(brk))).toBe('hsm_token_removed');
    expect(await hsm.status()).toMatchObject({ locked: true, tokenRemoved: true });
    await hsm.unlock(token.pin);
    expect(await hsm.kcv(brk)).toBe(kcv);
    expect(await hsm.status()).toMatchObject({ locked: false, tokenRemoved: false });
    await new Promise((r) => setTimeout(r, 10));
    off();
    expect(changes).toContain(true);
  });

  it('recovers after the module was finalized (the harshest removal)', async () => {
    const m = acquireModule(token.module);
    m.C_Finalize();
    releaseModule(token.module);
    expect(await codeOf(hsm.kcv(brk))).toBe('hsm_token_removed');
    await hsm.unlock(token.pin);
    expect(await hsm.kcv(brk)).toBe('1CCE9B');
  });

  it('keeps transport keys unwrap-only and finds them by fingerprint', async () => {
    const t = await hsm.createTransportKey('transport');
    expect(t.fingerprint).toBe(createHash('sha256').update(t.spki).digest('hex'));
    expect(await hsm.findTransportKey(t.fingerprint)).toMatchObject({ handle: t.handle, oaepHash: 'sha1' });
    expect(await hsm.findTransportKey('00'.repeat(32))).toBeUndefined();
    expect((await hsm.listKeys()).filter((k) => k.kind === 'transport').map((k) => k.fingerprint)).toContain(
      t.fingerprint,
    );
  });
});
