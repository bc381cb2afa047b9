/**
 * Wrapping a root key from one HSM to another (the key ceremony's HSM half, docs/twin-hsm.md) for
 * all four backend pairs on real SoftHSM2 tokens and real keystores: the unwrapped key has the same
 * KCV, is not exportable on the receiver, and a failed check or a wrong transport key changes nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import { SoftwareHsm } from '../../../src-main/adapters/hsm/software-hsm';
import type { Hsm } from '../../../src-main/core/ports';
import { DomainError } from '../../../src-shared/errors';
import { makeToken } from '../../helpers/softhsm';
import { makeTempDir } from '../../helpers/tmp-dir';

const opened: { close(): unknown }[] = [];
const hsms: Record<'tokenA' | 'tokenB' | 'softA' | 'softB', Hsm> = {} as never;

beforeAll(async () => {
  // all tokens first: SoftHSM2 sees a token made after C_Initialize only after a rescan
  const tokens = { tokenA: makeToken('tokenA'), tokenB: makeToken('tokenB') };
  for (const name of ['tokenA', 'tokenB'] as const) {
    const t = tokens[name];
    const h = Pkcs11Hsm.open({ module: t.module, tokenLabel: t.label, rsaBits: 2048 });
    await h.unlock(t.pin);
    opened.push(h);
    hsms[name] = h;
  }
  for (const name of ['softA', 'softB'] as const) {
    const dir = makeTempDir(name, { until: 'exit' });
    // SoftHSM2 wraps RSA-OAEP only with SHA-1: a software receiver of a token must ask for it
    const h = await SoftwareHsm.open(path.join(dir, 'keystore.json'), {
      scryptN: 2 ** 10,
      oaepHash: 'sha1',
      rsaBits: 2048,
    });
    await h.initialize('wrapping test passphrase');
    opened.push({ close: () => h.lock() });
    hsms[name] = h;
  }
});
afterAll(async () => {
  for (const o of opened) await o.close();
});

const pairs = [
  ['tokenA', 'tokenB'],
  ['softA', 'tokenB'],
  ['tokenA', 'softB'],
  ['softA', 'softB'],
] as const;

describe('exportWrapped → importWrapped across backends', () => {
  for (const [from, to] of pairs) {
    it(`${from} → ${to}: same KCV, same HMACs, not exportable on the receiver`, async () => {
      const sender = hsms[from];
      const receiver = hsms[to];
      const brk = await sender.generateRootKey(`brk ${from}`);
      const kcv = await sender.kcv(brk);
      const transport = await receiver.createTransportKey(`transport ${to}`);
      expect(await receiver.findTransportKey(transport.fingerprint)).toMatchObject({
        handle: transport.handle,
      });
      const wrapped = await sender.exportWrapped(brk, transport);
      expect(wrapped.length).toBe(256);
      let stagedKcv = '';
      const received = await receiver.importWrapped(
        transport.handle,
        wrapped,
        `brk from ${from}`,
        async (staged) => {
          stagedKcv = await receiver.kcv(staged);
        },
      );
      expect(stagedKcv).toBe(kcv);
      expect(await receiver.kcv(received)).toBe(kcv);
      const data = Buffer.from('GWJS-GMK-v1\x00\x00\x00\xff\xfe\x00\x0a\xbc', 'binary');
      expect(Buffer.from(await receiver.hmac(received, data))).toEqual(
        Buffer.from(await sender.hmac(brk, data)),
      );
      const info = (await receiver.listKeys()).find((k) => k.handle === received);
      expect(info).toMatchObject({ kind: 'root', kcv, exportable: false });
      const e = await receiver.exportWrapped(received, transport).catch((x: unknown) => x);
      expect((e as DomainError).code).toBe('key_not_exportable');
    });
  }

  it('keeps nothing when the check fails, and refuses a file for another transport key', async () => {
    const sender = hsms.tokenA;
    const receiver = hsms.tokenB;
    const brk = await sender.generateRootKey('brk');
    const mine = await receiver.createTransportKey('mine');
    const other = await hsms.softB.createTransportKey('other');
    const before = (await receiver.listKeys()).length;
    const wrapped = await sender.exportWrapped(brk, mine);
    const refused = await receiver
      .importWrapped(mine.handle, wrapped, 'x', async () => {
        throw new DomainError('kcv_mismatch', 'test: refused by the check');
      })
      .catch((x: unknown) => x);
    expect((refused as DomainError).code).toBe('kcv_mismatch');
    expect((await receiver.listKeys()).length).toBe(before);
    const wrongKey = await sender.exportWrapped(brk, other);
    for (const r of [receiver, hsms.softA]) {
      const t = r === receiver ? mine : await r.createTransportKey('t');
      const e = await r
        .importWrapped(t.handle, wrongKey, 'x', async () => undefined)
        .catch((x: unknown) => x);
      expect((e as DomainError).code).toBe('ceremony_wrong_key');
    }
    expect((await receiver.listKeys()).length).toBe(before);
  });

  it('seals a key so it can no longer be wrapped, on both backends', async () => {
    for (const h of [hsms.tokenA, hsms.softA]) {
      const brk = await h.generateRootKey('to seal');
      const t = await hsms.softB.createTransportKey('t');
      await h.exportWrapped(brk, t);
      await h.sealRootKey(brk);
      await h.sealRootKey(brk);
      const e = await h.exportWrapped(brk, t).catch((x: unknown) => x);
      expect((e as DomainError).code).toBe('key_not_exportable');
    }
  });
});
