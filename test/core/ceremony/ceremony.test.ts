/**
 * The key ceremony between two real stations (docs/twin-hsm.md) for all four backend pairs —
 * token→token, software→token, token→software, software→software — on SoftHSM2 tokens and sealed
 * keystores, through the composition root the CLI uses. Claim PINs and CUPS tokens of 1 000 EUIs
 * agree between the twins; refused imports change nothing; the transcript chain verifies and
 * catches an edited entry.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimPinFromGmk, cupsTokenFromGmk, deriveGmk } from '../../../src-main/core/kdf';
import { verifyChain } from '../../../src-main/core/ceremony/transcript';
import { openStation, writeSettings, type Station } from '../../../src-main/compose/station';
import { Pkcs11Hsm } from '../../../src-main/adapters/hsm/pkcs11-hsm';
import { DomainError } from '../../../src-shared/errors';
import { makeToken, type TestToken } from '../../helpers/softhsm';
import { makeTempDir } from '../../helpers/tmp-dir';

const PASS = 'ceremony test passphrase';
type Kind = 'token' | 'software';
const stations: Station[] = [];
const tokens: TestToken[] = [];

async function station(kind: Kind, name: string): Promise<Station> {
  const dataDir = makeTempDir(`cer-${name}`, { until: 'exit' });
  const token = kind === 'token' ? tokens.shift()! : undefined;
  const s = await openStation({
    dataDir,
    scryptN: 2 ** 10,
    ...(token ? { pin: token.pin } : { passphrase: PASS }),
    init: {
      hsm: token
        ? { backend: 'pkcs11', module: token.module, tokenLabel: token.label }
        : { backend: 'software', oaepHash: 'sha1' },
    },
  });
  await writeSettings(s.dataDir, s.settings);
  stations.push(s);
  return s;
}

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return (e as DomainError).code;
}

const pairs: [Kind, Kind][] = [
  ['token', 'token'],
  ['software', 'token'],
  ['token', 'software'],
  ['software', 'software'],
];

beforeAll(() => {
  // every token before the module initializes (SoftHSM2 scans at C_Initialize)
  for (let i = 0; i < 5; i++) tokens.push(makeToken(`cer${i}`));
});
afterAll(async () => {
  for (const s of stations) await s.close();
});

describe('key ceremony between twin stations', () => {
  let base = 0x58a0cbfffe000000n;
  for (const [fromKind, toKind] of pairs) {
    it(`${fromKind} → ${toKind}: the twins derive the same PINs and CUPS tokens for 1 000 EUIs`, async () => {
      const factory = await station(fromKind, `${fromKind}-f`);
      const server = await station(toKind, `${toKind}-s`);
      const first = base;
      const last = base + 0xffffn;
      base += 0x10000n;
      const ctxF = factory.cliContext;
      const ctxS = server.cliContext;
      const hex = (e: bigint) => e.toString(16).padStart(16, '0');
      const batch = await factory.core.batches.create(ctxF, {
        first: hex(first),
        last: hex(last),
        flavor: 'lab',
      });

      // 1. receiving side: transport key
      const transport = await server.core.ceremony.createTransportKey(ctxS);
      expect(transport.file.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      // 2. sending side: export wrapped to it
      const exported = await factory.core.ceremony.exportBatch(ctxF, batch.id, transport.text);
      expect(exported.file).toMatchObject({
        batch: { id: batch.id, flavor: 'lab' },
        kcv: batch.kcv,
        algorithm: 'RSA-OAEP-SHA1',
        transportKey: transport.file.fingerprint,
        sender: { hsm: fromKind === 'token' ? 'pkcs11' : 'software' },
      });
      // 3. receiving side: import, with the KCV the sender reads out
      const imported = await server.core.ceremony.importBatch(ctxS, exported.text, { expectKcv: batch.kcv });
      expect(imported.kcv).toBe(batch.kcv);
      expect(imported.batch).toMatchObject({
        id: batch.id,
        firstEui: batch.firstEui,
        lastEui: batch.lastEui,
      });

      const hf = (await factory.core.batches.get(batch.id)).brkHandle;
      const hs = (await server.core.batches.get(batch.id)).brkHandle;
      for (let i = 0n; i < 1000n; i++) {
        const eui = first + i * 61n;
        const [gf, gs] = [await deriveGmk(factory.hsm, hf, eui), await deriveGmk(server.hsm, hs, eui)];
        expect(claimPinFromGmk(gs)).toBe(claimPinFromGmk(gf));
        expect(cupsTokenFromGmk(gs, 0)).toBe(cupsTokenFromGmk(gf, 0));
      }
      // the received key cannot leave the server's HSM; on a token it is sensitive, non-extractable
      expect(await code(server.core.ceremony.exportBatch(ctxS, batch.id, transport.text))).toBe(
        'key_not_exportable',
      );
      if (server.hsm instanceof Pkcs11Hsm) {
        expect(server.hsm.rootKeyAttributes(hs)).toMatchObject({ sensitive: true, extractable: false });
      }
      // both transcripts verify
      for (const [s, ctx] of [
        [factory, ctxF],
        [server, ctxS],
      ] as const) {
        const t = await s.core.ceremony.transcript(ctx, batch.id);
        expect(t.chains.every((c) => c.check.ok)).toBe(true);
        expect(t.chains[0]!.entries.map((e) => e.action)).toEqual([
          s === factory ? 'ceremony.export' : 'ceremony.import',
        ]);
        expect(t.chains[0]!.entries[0]!.facts).toMatchObject({
          kcv: batch.kcv,
          fileSha256: exported.fileSha256,
        });
      }
      expect((await server.core.ceremony.transcript(ctxS, batch.id)).chains.map((c) => c.chain)).toHaveLength(
        2,
      );
    });
  }

  it('refuses a tampered file, a wrong KCV, another transport key and an overlapping range — and changes nothing', async () => {
    const factory = await station('software', 'f2');
    const server = await station('token', 's2');
    const other = await station('software', 'o2');
    const ctxF = factory.cliContext;
    const ctxS = server.cliContext;
    const batch = await factory.core.batches.create(ctxF, {
      first: '0000000000010000',
      last: '000000000001ffff',
    });
    const transport = await server.core.ceremony.createTransportKey(ctxS);
    const good = (await factory.core.ceremony.exportBatch(ctxF, batch.id, transport.text)).text;
    const edit = (
      f: (o: { batch: { last: string }; wrappedKey: string; mac: string; kcv: string }) => void,
    ) => {
      const o = JSON.parse(good);
      f(o);
      return JSON.stringify(o);
    };
    const snapshot = async () => ({
      batches: await server.core.batches.list(ctxS),
      keys: (await server.hsm.listKeys()).length,
    });
    const before = await snapshot();
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b[10]! ^= 1;
      return b.toString('base64');
    };
    expect(
      await code(
        server.core.ceremony.importBatch(
          ctxS,
          edit((o) => (o.batch.last = '00000000000fffff')),
        ),
      ),
    ).toBe('ceremony_tampered');
    expect(
      await code(
        server.core.ceremony.importBatch(
          ctxS,
          edit((o) => (o.wrappedKey = flip(o.wrappedKey))),
        ),
      ),
    ).toBe('ceremony_tampered');
    expect(
      await code(
        server.core.ceremony.importBatch(
          ctxS,
          edit((o) => (o.mac = flip(o.mac))),
        ),
      ),
    ).toBe('ceremony_tampered');
    expect(
      await code(
        server.core.ceremony.importBatch(
          ctxS,
          edit((o) => (o.kcv = '000000')),
        ),
      ),
    ).toBe('kcv_mismatch');
    expect(await code(server.core.ceremony.importBatch(ctxS, good, { expectKcv: 'ABCDEF' }))).toBe(
      'kcv_mismatch',
    );
    expect(await code(server.core.ceremony.importBatch(ctxS, 'not json'))).toBe('ceremony_tampered');
    // a file for another station's transport key
    const otherTransport = await other.core.ceremony.createTransportKey(other.cliContext);
    const forOther = (await factory.core.ceremony.exportBatch(ctxF, batch.id, otherTransport.text)).text;
    expect(await code(server.core.ceremony.importBatch(ctxS, forOther))).toBe('ceremony_wrong_key');
    // a transport.pub whose fingerprint was changed
    const badPub = JSON.stringify({ ...transport.file, fingerprint: 'ab'.repeat(32) });
    expect(await code(factory.core.ceremony.exportBatch(ctxF, batch.id, badPub))).toBe('invalid_request');
    // an overlapping range on the receiver
    await server.core.batches.create(ctxS, { first: '0000000000018000', last: '0000000000018fff' });
    const mid = await snapshot();
    expect(await code(server.core.ceremony.importBatch(ctxS, good))).toBe('batch_conflict');
    expect(await snapshot()).toEqual(mid);
    expect(mid.batches.length).toBe(before.batches.length + 1);
    expect(mid.keys).toBe(before.keys + 1);
    // nothing refused left a transcript entry
    expect(
      (await server.core.ceremony.transcript(ctxS, batch.id).catch(() => null))?.chains[0]?.entries ?? [],
    ).toEqual([]);
  });

  it('the transcript chain detects an edited, a removed and a reordered entry', async () => {
    const factory = await station('software', 'f3');
    const server = await station('software', 's3');
    const ctx = factory.cliContext;
    const batch = await factory.core.batches.create(ctx, {
      first: '0000000000020000',
      last: '000000000002ffff',
    });
    for (let i = 0; i < 3; i++) {
      const t = await server.core.ceremony.createTransportKey(server.cliContext, `t${i}`);
      await factory.core.ceremony.exportBatch(ctx, batch.id, t.text);
    }
    await factory.core.ceremony.seal(ctx, batch.id);
    const t = await factory.core.ceremony.transcript(ctx, batch.id);
    const entries = t.chains[0]!.entries;
    expect(entries.map((e) => e.action)).toEqual([
      'ceremony.export',
      'ceremony.export',
      'ceremony.export',
      'ceremony.seal',
    ]);
    expect(verifyChain(entries)).toEqual({ ok: true, entries: 4 });
    const edited = entries.map((e, i) => (i === 1 ? { ...e, facts: { ...e.facts, kcv: '000000' } } : e));
    expect(verifyChain(edited)).toMatchObject({
      ok: false,
      brokenAt: { seq: 2, reason: expect.stringMatching(/edited/) },
    });
    expect(verifyChain([entries[0]!, entries[2]!, entries[3]!])).toMatchObject({
      ok: false,
      brokenAt: { seq: 2 },
    });
    expect(verifyChain([entries[1]!, entries[0]!])).toMatchObject({ ok: false, brokenAt: { seq: 1 } });
    // an edit in the stored audit log is found too, and stops the next step
    await factory.store.transaction((tx) =>
      tx.run('UPDATE audit_log SET detail = replace(detail, \'"kcv":"\', \'"kcv":"X\') WHERE id = ?', [
        entries[1]!.id,
      ]),
    );
    const after = await factory.core.ceremony.transcript(ctx, batch.id);
    expect(after.chains[0]!.check).toMatchObject({ ok: false, brokenAt: { seq: 2 } });
    expect(await code(factory.core.ceremony.seal(ctx, batch.id))).toBe('store_corrupt');
  });

  it('keeps the root key bytes out of every file of the data directory', async () => {
    const s = await station('token', 'files');
    const brk = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const row = await s.core.batches.import(
      s.cliContext,
      { first: '0000000000030000', last: '000000000003ffff' },
      brk,
    );
    expect(row.kcv).toBe('1CCE9B');
    await s.store.checkpoint();
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(s.dataDir);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const needle of [brk, Buffer.from(brk.toString('hex')), Buffer.from(brk.toString('base64'))]) {
        expect(bytes.includes(needle), `${f} holds the root key`).toBe(false);
      }
    }
  });
});
