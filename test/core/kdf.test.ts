import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftwareHsm } from '../../src-main/adapters/hsm/software-hsm';
import {
  CUPS_TOKEN_LENGTH,
  KDF_ID,
  claimPinFromGmk,
  cupsKeyFileContent,
  cupsTokenFromGmk,
  deriveCupsToken,
  deriveGmk,
  kcvInput,
  kcvOf,
} from '../../src-main/core/kdf';
import { DomainError } from '../../src-shared/errors';
import { formatPin } from '../../src-shared/pin';
import vectors from '../vectors/kdf.json';

let dir: string;
let hsm: SoftwareHsm;
let brk: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gwjs-kdf-'));
  hsm = await SoftwareHsm.open(path.join(dir, 'keystore.json'), { scryptN: 2 ** 10 });
  await hsm.initialize('kdf test passphrase');
  brk = await hsm.importRootKey('vectors', Buffer.from(vectors.vectors[0]!.brk, 'hex'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('kdf (SPEC §2) through the software HSM', () => {
  it('names the hierarchy GWJS-v1 as the vectors do', () => {
    expect(KDF_ID).toBe(vectors.kdf);
  });

  for (const v of vectors.vectors) {
    it(`matches the vector for EUI ${v.eui}, generation ${v.gen}`, async () => {
      expect(await hsm.kcv(brk)).toBe(v.kcv);
      const gmk = await deriveGmk(hsm, brk, BigInt(`0x${v.eui}`));
      expect(hex(gmk)).toBe(v.gmk);
      const pin = claimPinFromGmk(gmk);
      expect(pin).toBe(v.pin);
      expect(formatPin(pin)).toBe(v.pinDisplay);
      const token = cupsTokenFromGmk(gmk, v.gen);
      expect(token).toBe(v.token);
      expect(token).toHaveLength(CUPS_TOKEN_LENGTH);
      expect(cupsKeyFileContent(token)).toBe(v.cupsKey);
      expect(await deriveCupsToken(hsm, brk, BigInt(`0x${v.eui}`), v.gen)).toBe(v.token);
    });
  }

  it('kcvOf takes the first three MAC bytes as uppercase hex', async () => {
    expect(kcvOf(Uint8Array.of(0x1c, 0xce, 0x9b, 0xff))).toBe('1CCE9B');
    expect(kcvOf(await hsm.hmac(brk, kcvInput()))).toBe('1CCE9B');
    expect(() => kcvOf(new Uint8Array(2))).toThrow(RangeError);
  });

  it('kcvInput returns a fresh copy each time', () => {
    const a = kcvInput();
    a.fill(0);
    expect(Buffer.from(kcvInput()).toString('ascii')).toBe('GWJS-KCV-v1');
  });

  it('produces different tokens for different generations and EUIs', async () => {
    const gmk = await deriveGmk(hsm, brk, 0x58a0cbfffe800102n);
    const tokens = new Set([0, 1, 2, 0xffffffff].map((g) => cupsTokenFromGmk(gmk, g)));
    expect(tokens.size).toBe(4);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('rejects an EUI outside 64 bits with invalid_id', async () => {
    for (const eui of [-1n, 1n << 64n]) {
      const e = await deriveGmk(hsm, brk, eui).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('invalid_id');
    }
  });

  it('rejects a GMK that is not 32 bytes and a generation that is not a u32', () => {
    expect(() => claimPinFromGmk(new Uint8Array(31))).toThrow(RangeError);
    expect(() => cupsTokenFromGmk(new Uint8Array(33), 0)).toThrow(RangeError);
    const gmk = new Uint8Array(32);
    for (const g of [-1, 1.5, 2 ** 32, Number.NaN])
      expect(() => cupsTokenFromGmk(gmk, g)).toThrow(RangeError);
  });

  it('passes hsm_locked through when the HSM is locked', async () => {
    hsm.lock();
    try {
      const e = await deriveGmk(hsm, brk, 1n).catch((x: unknown) => x);
      expect((e as DomainError).code).toBe('hsm_locked');
    } finally {
      await hsm.unlock('kdf test passphrase');
    }
  });

  it('derives GMK + CUPS token fast enough for every CUPS request', async () => {
    const n = 20_000;
    for (let i = 0; i < 1000; i++) await deriveCupsToken(hsm, brk, BigInt(i), 0); // warm-up
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await deriveCupsToken(hsm, brk, 0x58a0cbfffe800000n + BigInt(i), 0);
    const sequential = n / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => deriveCupsToken(hsm, brk, BigInt(i), 1)));
    const concurrent = n / ((performance.now() - t0) / 1000);
    console.log(
      `deriveGmk + cupsTokenFromGmk (software HSM): ${Math.round(sequential)} ops/s sequential, ` +
        `${Math.round(concurrent)} ops/s with ${n} in flight`,
    );
    expect(sequential).toBeGreaterThan(5_000);
  });
});
