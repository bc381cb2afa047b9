/**
 * The firmware catalogue (SPEC §3.4, §4.2): upload verifies every signature, stores the image once,
 * merges signatures on re-upload, keeps owners apart, refuses to delete what a setup still waits
 * to deliver; the station's own HSM key signs on request and goes into bundles as sig-0.key.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  publicKeyFromStationKey,
  stationKeyOf,
  verifyUpdateSignature,
} from '../../../src-main/core/firmware/signature';
import {
  createCoreFixture,
  KDF_VECTORS,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../../helpers/core-fixture';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/cups.json', import.meta.url), 'utf8')) as {
  firmware: { imageHex: string; sigKeyHex: string; signatureDerHex: string; keyCrc: number; fwcrc: number };
};
const V = vectors.firmware;
const IMAGE = hexToBytes(V.imageHex);
const { gw1 } = KDF_VECTORS;

/** A fresh P-256 signer: its 64-byte sig-N.key and a function signing like openssl dgst -sha512 -sign. */
function signer() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const raw = stationKeyOf(publicKey);
  return {
    raw,
    keyCrc: crc32(raw),
    pem: new Uint8Array(Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string)),
    sign: (data: Uint8Array) => new Uint8Array(sign('sha512', data, { key: privateKey, dsaEncoding: 'der' })),
  };
}

describe('firmware catalogue', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  const vectorSignature = () => ({ key: hexToBytes(V.sigKeyHex), signature: hexToBytes(V.signatureDerHex) });

  it('uploads the SPEC vector: fwcrc = CRC-32 of the image, keys = CRC of the sig-0.key; list shows it', async () => {
    const r = await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: IMAGE,
      version: '2.0.0',
      signatures: [vectorSignature()],
    });
    expect(r).toMatchObject({
      fwcrc: V.fwcrc,
      keys: [V.keyCrc],
      size: IMAGE.length,
      version: '2.0.0',
      created: true,
    });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await f.core.firmware.list(f.ownerA.ctx, f.ownerA.id6)).toEqual([
      {
        fwcrc: V.fwcrc,
        fwcrcHex: `0x${V.fwcrc.toString(16).padStart(8, '0')}`,
        version: '2.0.0',
        size: IMAGE.length,
        sha256: r.sha256,
        owner: f.ownerA.id6,
        keys: [V.keyCrc],
        createdAt: '2030-01-01T00:00:00.000Z',
      },
    ]);
    // another owner sees nothing of it, and cannot name it in setup
    expect(await f.core.firmware.list(f.ownerB.ctx, f.ownerB.id6)).toEqual([]);
    expect((await f.core.audit.list(f.admin, { action: 'firmware.upload' }))[0]).toMatchObject({
      target: `firmware:0x${V.fwcrc.toString(16).padStart(8, '0')}`,
    });
  });

  it('re-uploading the same image adds signatures of other keys (PEM public key accepted) and keeps the first', async () => {
    const s = signer();
    await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: IMAGE,
      signatures: [vectorSignature()],
    });
    const r = await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: IMAGE,
      signatures: [{ key: s.pem, signature: s.sign(IMAGE) }, vectorSignature()],
    });
    expect(r.created).toBe(false);
    expect(r.keys).toEqual([V.keyCrc, s.keyCrc].sort((a, b) => a - b));
  });

  it('refuses a signature that does not verify, naming signatures[i] and the key, and stores nothing', async () => {
    const s = signer();
    const other = new Uint8Array(IMAGE);
    other[other.length - 1] = 0x21;
    await expect(
      f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
        image: IMAGE,
        signatures: [vectorSignature(), { key: s.raw, signature: s.sign(other) }],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_credential',
      message: expect.stringMatching(
        new RegExp(
          `^signatures\\[1\\]\\.signature: does not verify.*0x${s.keyCrc.toString(16).padStart(8, '0')}`,
        ),
      ),
    });
    expect(await f.core.firmware.list(f.ownerA.ctx, f.ownerA.id6)).toEqual([]);
  });

  it.each([
    [
      'an empty image',
      { image: new Uint8Array(0), signatures: [] },
      'invalid_request',
      /^firmware: the image is empty/,
    ],
    ['no signature', { image: IMAGE, signatures: [] }, 'invalid_request', /^signatures: at least one/],
    ['a bad version', { image: IMAGE, version: 'a\nb', signatures: [] }, 'invalid_request', /^version: /],
    [
      'a truncated key',
      { image: IMAGE, signatures: [{ key: new Uint8Array(10), signature: new Uint8Array(70) }] },
      'invalid_credential',
      /^signatures\[0\]\.key: /,
    ],
    [
      'the same key twice',
      {
        image: IMAGE,
        signatures: [
          { key: hexToBytes(V.sigKeyHex), signature: hexToBytes(V.signatureDerHex) },
          { key: hexToBytes(V.sigKeyHex), signature: hexToBytes(V.signatureDerHex) },
        ],
      },
      'duplicate_in_request',
      /^signatures\[1\]\.key: /,
    ],
  ])('refuses %s', async (_name, input, code, message) => {
    await expect(f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, input)).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message),
    });
  });

  it('keeps owners apart: the same image for another owner is already_exists; a shared (admin) image is usable by all', async () => {
    await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: IMAGE,
      signatures: [vectorSignature()],
    });
    await expect(
      f.core.firmware.upload(f.ownerB.ctx, f.ownerB.id6, { image: IMAGE, signatures: [vectorSignature()] }),
    ).rejects.toMatchObject({ code: 'already_exists' });
    await expect(
      f.core.firmware.upload(f.ownerA.ctx, null, { image: new Uint8Array([1]), signatures: [] }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const s = signer();
    const shared = new TextEncoder().encode('#!/bin/sh\necho shared > version.txt\n');
    const r = await f.core.firmware.upload(f.admin, null, {
      image: shared,
      signatures: [{ key: s.raw, signature: s.sign(shared) }],
    });
    expect((await f.core.firmware.list(f.ownerB.ctx, f.ownerB.id6)).map((x) => [x.fwcrc, x.owner])).toEqual([
      [r.fwcrc, null],
    ]);
    await f.core.owner.claim(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    expect(
      await f.core.owner.setup(f.ownerB.ctx, f.ownerB.id6, [{ gateway: gw1.id6, fwcrc: r.fwcrc }]),
    ).toEqual([{ gateway: gw1.id6 }]);
    // an owner cannot delete a shared image
    await expect(f.core.firmware.delete(f.ownerB.ctx, f.ownerB.id6, r.fwcrc)).rejects.toMatchObject({
      code: 'unknown_firmware',
    });
  });

  it('refuses to delete an image a setup still waits to deliver; deletes it once the setup no longer names it', async () => {
    const { fwcrc } = await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: IMAGE,
      signatures: [vectorSignature()],
    });
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc }]);
    await expect(f.core.firmware.delete(f.ownerA.ctx, f.ownerA.id6, fwcrc)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^fwcrc: .* still to be delivered by 1 setup/),
    });
    await expect(f.core.firmware.delete(f.ownerB.ctx, f.ownerB.id6, fwcrc)).rejects.toMatchObject({
      code: 'unknown_firmware',
    });
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: null }]);
    expect(await f.core.firmware.delete(f.ownerA.ctx, f.ownerA.id6, `0x${fwcrc.toString(16)}`)).toEqual({
      fwcrc,
    });
    expect(await f.core.firmware.list(f.ownerA.ctx, f.ownerA.id6)).toEqual([]);
    await expect(f.core.firmware.delete(f.ownerA.ctx, f.ownerA.id6, 'zz')).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});

describe('station update-signing key', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await createCoreFixture();
  });
  afterEach(async () => f.close());

  it('is created in the HSM by an admin, signs uploads on request, and its sig-0.key goes into bundles', async () => {
    await expect(f.core.signingKeys.create(f.ownerA.ctx)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(f.core.signingKeys.keyFile()).rejects.toMatchObject({ code: 'not_found' });
    const tokenBundle = await f.core.factory.personalize(f.admin, gw1.id6, {
      cupsUri: SERVER_CUPS_URI,
      trustPem: f.pki.caPem,
    });
    expect(tokenBundle.binaryFiles).toBeUndefined();

    const key = await f.core.signingKeys.create(f.admin);
    expect(key.publicKey).toEqual(await f.hsm.publicKey(key.handle));
    expect(key.keyCrc).toBe(crc32(key.publicKey));
    expect(await f.core.signingKeys.keyFile()).toEqual(key.publicKey);

    // owners may not use the station's key; an admin may, on upload or afterwards
    await expect(
      f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
        image: IMAGE,
        signatures: [],
        signWithStationKey: true,
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const up = await f.core.firmware.upload(f.admin, f.ownerA.id6, {
      image: IMAGE,
      signatures: [],
      signWithStationKey: true,
    });
    expect(up.keys).toEqual([key.keyCrc]);
    const s = signer();
    const other = new TextEncoder().encode('#!/bin/sh\necho 3 > version.txt\nrm -f /tmp/update.bin\n');
    const o = await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: other,
      signatures: [{ key: s.raw, signature: s.sign(other) }],
    });
    const signed = await f.core.firmware.signWithStationKey(f.admin, null, o.fwcrc);
    expect(signed.keys).toEqual([key.keyCrc, s.keyCrc].sort((a, b) => a - b));
    const stored = await f.store.read((tx) =>
      tx.get('SELECT signature FROM firmware_signatures WHERE fwcrc = ? AND key_crc = ?', [
        o.fwcrc,
        key.keyCrc,
      ]),
    );
    expect(
      verifyUpdateSignature(other, stored!.signature as Uint8Array, publicKeyFromStationKey(key.publicKey)),
    ).toBe(true);

    const bundle = await f.core.factory.personalize(f.admin, gw1.id6, {
      cupsUri: SERVER_CUPS_URI,
      trustPem: f.pki.caPem,
    });
    expect(bundle.binaryFiles).toEqual({ 'sig-0.key': key.publicKey });

    // a new key replaces the active one
    f.clock.advance(1000);
    const next = await f.core.signingKeys.create(f.admin, 'rollover');
    expect((await f.core.signingKeys.list(f.admin)).map((k) => [k.handle, k.active])).toEqual([
      [next.handle, true],
      [key.handle, false],
    ]);
    expect(await f.core.audit.list(f.admin, { action: 'signing_key.create' })).toHaveLength(2);
  });
});
