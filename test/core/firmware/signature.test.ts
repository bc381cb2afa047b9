/**
 * Update signatures as the station checks them (SPEC §3.4): the vector, a signature made by the
 * station's software HSM key and one made by `openssl dgst -sha512 -sign` all verify with Node's
 * crypto against the 64-byte sig-N.key form; every accepted key form normalizes to those 64 bytes.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  checkSignatureDer,
  parseStationPublicKey,
  publicKeyFromStationKey,
  stationKeyOf,
  verifyUpdateSignature,
} from '../../../src-main/core/firmware/signature';
import { SoftwareHsm } from '../../../src-main/adapters/hsm/software-hsm';
import { makeTempDir } from '../../helpers/tmp-dir';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/cups.json', import.meta.url), 'utf8')) as {
  firmware: { imageHex: string; sigKeyHex: string; signatureDerHex: string; keyCrc: number; fwcrc: number };
};
const fw = vectors.firmware;
const image = hexToBytes(fw.imageHex);
const sigKey = hexToBytes(fw.sigKeyHex);
const signature = hexToBytes(fw.signatureDerHex);

function openssl(args: string[], cwd: string): Buffer {
  return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('verifyUpdateSignature', () => {
  it('verifies the SPEC vector against its 64-byte sig-0.key, whose CRC is the vector keyCrc', () => {
    expect(crc32(sigKey)).toBe(fw.keyCrc);
    expect(verifyUpdateSignature(image, signature, publicKeyFromStationKey(sigKey))).toBe(true);
  });

  it('rejects a signature of another image, a flipped bit and another key', () => {
    const key = publicKeyFromStationKey(sigKey);
    const other = new Uint8Array(image);
    other[0] = other[0]! ^ 1;
    expect(verifyUpdateSignature(other, signature, key)).toBe(false);
    const bad = new Uint8Array(signature);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(verifyUpdateSignature(image, bad, key)).toBe(false);
    const stranger = stationKeyOf(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey);
    expect(verifyUpdateSignature(image, signature, publicKeyFromStationKey(stranger))).toBe(false);
  });

  it('verifies a signature made by openssl dgst -sha512 -sign against the 64-byte key form (tail -c 64 of the DER public key)', () => {
    const dir = makeTempDir('fw-openssl');
    writeFileSync(join(dir, 'update.bin'), image);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'key.pem'], dir);
    openssl(['dgst', '-sha512', '-sign', 'key.pem', '-out', 'update.sig', 'update.bin'], dir);
    const spkiDer = openssl(['ec', '-in', 'key.pem', '-pubout', '-outform', 'DER'], dir);
    // what the Basics Station docs do to make sig-0.key
    const raw = new Uint8Array(spkiDer.subarray(spkiDer.length - 64));
    const sig = new Uint8Array(readFileSync(join(dir, 'update.sig')));
    checkSignatureDer(sig);
    expect(verifyUpdateSignature(image, sig, publicKeyFromStationKey(raw))).toBe(true);
    // and the PEM public key normalizes to the same 64 bytes
    const pem = openssl(['ec', '-in', 'key.pem', '-pubout'], dir);
    expect(parseStationPublicKey(new Uint8Array(pem)).raw).toEqual(raw);
  });

  it('verifies a signature made by the software HSM key with Node and with openssl against the exported sig-0.key', async () => {
    const dir = makeTempDir('fw-hsm');
    const hsm = await SoftwareHsm.open(join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
    await hsm.initialize('test passphrase');
    const handle = await hsm.generateSigningKey('update signing');
    const raw = await hsm.publicKey(handle);
    expect(raw).toHaveLength(64);
    const sig = await hsm.sign(handle, image);
    checkSignatureDer(sig);
    expect(sig.length).toBeGreaterThanOrEqual(68);
    expect(sig.length).toBeLessThanOrEqual(72);
    expect(verifyUpdateSignature(image, sig, publicKeyFromStationKey(raw))).toBe(true);
    // openssl, given the public key rebuilt from the 64 bytes, agrees
    const pem = publicKeyFromStationKey(raw).export({ type: 'spki', format: 'pem' });
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, 'update.bin'), image);
    writeFileSync(join(dir, 'update.sig'), sig);
    const out = openssl(
      ['dgst', '-sha512', '-verify', 'pub.pem', '-signature', 'update.sig', 'update.bin'],
      dir,
    );
    expect(out.toString()).toMatch(/Verified OK/);
  });
});

describe('parseStationPublicKey', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const raw = stationKeyOf(pair.publicKey);
  const spki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' });

  it.each([
    ['the 64-byte sig-N.key', raw],
    ['an uncompressed point 04 ‖ X ‖ Y', Uint8Array.of(4, ...raw)],
    ['DER SubjectPublicKeyInfo', spki],
    ['PEM PUBLIC KEY text', new Uint8Array(Buffer.from(pem))],
  ])('accepts %s and normalizes it to X ‖ Y with its CRC', (_name, input) => {
    const k = parseStationPublicKey(input);
    expect(k.raw).toEqual(raw);
    expect(k.keyCrc).toBe(crc32(raw));
  });

  it.each([
    ['63 bytes', new Uint8Array(63), /expected a 64-byte sig-N.key/],
    ['64 bytes off the curve', new Uint8Array(64).fill(1), /not a point on P-256/],
    [
      'a P-384 key',
      new Uint8Array(
        generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
          type: 'spki',
          format: 'der',
        }),
      ),
      /EC curve secp384r1/,
    ],
    [
      'an RSA key',
      new Uint8Array(
        generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }),
      ),
      /rsa key/,
    ],
    [
      'a private key PEM',
      new Uint8Array(Buffer.from(pair.privateKey.export({ type: 'sec1', format: 'pem' }) as string)),
      /is a private key/,
    ],
    ['garbage DER', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), /no SubjectPublicKeyInfo/],
  ])('rejects %s naming the field', (_name, input, message) => {
    expect(() => parseStationPublicKey(input, 'signatures[0].key')).toThrow(message);
    expect(() => parseStationPublicKey(input, 'signatures[0].key')).toThrow(/^signatures\[0\]\.key: /);
  });
});

describe('checkSignatureDer', () => {
  it.each([
    ['empty', new Uint8Array(0), /is empty/],
    ['longer than 128 bytes', new Uint8Array(129).fill(0x30), /at most 128/],
    ['raw r ‖ s (64 bytes, not DER)', new Uint8Array(64).fill(7), /not a DER ECDSA signature/],
    ['a SEQUENCE with one INTEGER', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), /not a DER ECDSA signature/],
    ['trailing bytes', Uint8Array.of(...signature, 0), /not a DER ECDSA signature/],
  ])('rejects %s', (_name, sig, message) => {
    expect(() => checkSignatureDer(sig)).toThrow(message);
  });

  it('accepts the vector signature', () => {
    expect(() => checkSignatureDer(signature)).not.toThrow();
  });
});
