/**
 * Sealed secrets on a real SoftHSM2 token (docs/twin-hsm.md "Sealed secrets"): AES-256-GCM on the
 * token under a non-extractable AES key generated there; the blob lives on the token as a private
 * data object. Checked through PKCS#11 itself: the key's attributes, the stored bytes are not the
 * plaintext, an edited blob is refused, a second session of the same token reads the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import { P11, acquireModule, releaseModule } from '../../../src-main/adapters/hsm/pkcs11-module';
import { DomainError } from '../../../src-shared/errors';
import { makeToken, type TestToken } from '../../helpers/softhsm';

let token: TestToken;
let hsm: Pkcs11Hsm;

beforeAll(async () => {
  token = makeToken('seal');
  hsm = Pkcs11Hsm.open({ module: token.module, tokenLabel: token.label });
  await hsm.unlock(token.pin);
});
afterAll(async () => {
  await hsm?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).code;
  }
  return undefined;
}

/** A raw logged-in session on the test token (the login state is per token and process). */
function rawSession() {
  const m = acquireModule(token.module);
  const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === token.label)!;
  const s = m.C_OpenSession(slot, P11.CKF_SERIAL_SESSION | P11.CKF_RW_SESSION);
  const find = (template: { type: number; value: number | string | Buffer | boolean }[]) => {
    m.C_FindObjectsInit(s, template);
    try {
      return m.C_FindObjects(s, 10);
    } finally {
      m.C_FindObjectsFinal(s);
    }
  };
  return {
    m,
    s,
    find,
    close() {
      m.C_CloseSession(s);
      releaseModule(token.module);
    },
  };
}

const dataOf = (name: string) => [
  { type: P11.CKA_CLASS, value: P11.CKO_DATA },
  { type: P11.CKA_APPLICATION, value: 'gwjs-sealed' },
  { type: P11.CKA_LABEL, value: name },
];

describe('Pkcs11Hsm sealed secrets on SoftHSM2', () => {
  it('seals, unseals, replaces and removes a secret', async () => {
    const secret = new TextEncoder().encode('gwjs_k_remote-api-key-0123456789');
    expect(await hsm.unsealSecret('sync.apiKey')).toBeUndefined();
    await hsm.sealSecret('sync.apiKey', secret);
    expect(Buffer.from((await hsm.unsealSecret('sync.apiKey'))!).toString()).toBe(
      'gwjs_k_remote-api-key-0123456789',
    );
    await hsm.sealSecret('sync.apiKey', new TextEncoder().encode('second'));
    expect(Buffer.from((await hsm.unsealSecret('sync.apiKey'))!).toString()).toBe('second');
    await hsm.sealSecret('other', new Uint8Array([1, 2, 3]));
    await hsm.sealSecret('sync.apiKey', null);
    expect(await hsm.unsealSecret('sync.apiKey')).toBeUndefined();
    expect([...(await hsm.unsealSecret('other'))!]).toEqual([1, 2, 3]);
    // one data object per name, never a pile of stale ones
    const raw = rawSession();
    try {
      expect(raw.find(dataOf('other'))).toHaveLength(1);
      expect(raw.find(dataOf('sync.apiKey'))).toHaveLength(0);
    } finally {
      raw.close();
    }
  });

  it('keeps only ciphertext on the token, under a non-extractable AES key made there', async () => {
    const plain = Buffer.from('plaintext-that-must-not-be-stored');
    await hsm.sealSecret('probe', plain);
    const raw = rawSession();
    try {
      const [obj] = raw.find(dataOf('probe'));
      const [value, priv] = raw.m.C_GetAttributeValue(raw.s, obj!, [
        { type: P11.CKA_VALUE },
        { type: P11.CKA_PRIVATE },
      ]);
      const blob = value!.value as Buffer;
      expect(blob.length).toBe(12 + plain.length + 16); // IV ‖ ciphertext ‖ GCM tag
      expect(blob.includes(plain)).toBe(false);
      expect((priv!.value as Buffer)[0]).toBe(1);
      const [key] = raw.find([
        { type: P11.CKA_CLASS, value: P11.CKO_SECRET_KEY },
        { type: P11.CKA_ID, value: Buffer.from('p11-seal-key') },
      ]);
      const attrs = raw.m.C_GetAttributeValue(raw.s, key!, [
        { type: P11.CKA_KEY_TYPE },
        { type: P11.CKA_SENSITIVE },
        { type: P11.CKA_EXTRACTABLE },
        { type: P11.CKA_VALUE_LEN },
      ]);
      expect((attrs[0]!.value as Buffer).readUInt32LE(0)).toBe(P11.CKK_AES);
      expect((attrs[1]!.value as Buffer)[0]).toBe(1);
      expect((attrs[2]!.value as Buffer)[0]).toBe(0);
      expect((attrs[3]!.value as Buffer).readUInt32LE(0)).toBe(32);
      expect(() => raw.m.C_GetAttributeValue(raw.s, key!, [{ type: P11.CKA_VALUE }])).toThrow(
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
      // the sealing key never shows up as a root key
      expect((await hsm.listKeys()).map((k) => k.handle)).not.toContain('p11-seal-key');
    } finally {
      raw.close();
    }
  });

  it('refuses an edited blob as store_corrupt', async () => {
    await hsm.sealSecret('edited', Buffer.from('original secret'));
    const raw = rawSession();
    try {
      const [obj] = raw.find(dataOf('edited'));
      const [value] = raw.m.C_GetAttributeValue(raw.s, obj!, [{ type: P11.CKA_VALUE }]);
      const blob = Buffer.from(value!.value as Buffer);
      blob[blob.length - 1]! ^= 0x01;
      raw.m.C_DestroyObject(raw.s, obj!);
      raw.m.C_CreateObject(raw.s, [
        { type: P11.CKA_CLASS, value: P11.CKO_DATA },
        { type: P11.CKA_TOKEN, value: true },
        { type: P11.CKA_PRIVATE, value: true },
        { type: P11.CKA_APPLICATION, value: 'gwjs-sealed' },
        { type: P11.CKA_LABEL, value: 'edited' },
        { type: P11.CKA_VALUE, value: blob },
      ]);
    } finally {
      raw.close();
    }
    expect(await codeOf(hsm.unsealSecret('edited'))).toBe('store_corrupt');
  });

  it('is read back by another opening of the token, and needs the PIN', async () => {
    await hsm.sealSecret('persisted', Buffer.from('across sessions'));
    hsm.lock();
    expect(await codeOf(hsm.unsealSecret('persisted'))).toBe('hsm_locked');
    expect(await codeOf(hsm.sealSecret('persisted', Buffer.from('x')))).toBe('hsm_locked');
    const again = Pkcs11Hsm.open({ module: token.module, tokenLabel: token.label });
    try {
      await again.unlock(token.pin);
      expect(Buffer.from((await again.unsealSecret('persisted'))!).toString()).toBe('across sessions');
    } finally {
      await again.close();
    }
    await hsm.unlock(token.pin);
    expect(await codeOf(hsm.sealSecret('bad name!', Buffer.from('x')))).toBe('invalid_request');
  });
});
