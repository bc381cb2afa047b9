/**
 * Firmware delivery as `info` reports it (SPEC §3.4): not yet due → pending → sent (with the key
 * and the package at send time) → done once the gateway reports another package; no matching key
 * says why; concurrent polls deliver at most once; a new fwafter re-arms the delivery.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  EMPTY_CRED_CRC,
  decodeUpdateInfoResponse,
  tokenBlob,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth, GatewayInfo } from '../../../src-main/core/api';
import { cupsKeyFileContent } from '../../../src-main/core/kdf';
import {
  createCoreFixture,
  KDF_VECTORS,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../../helpers/core-fixture';

const V = (
  JSON.parse(readFileSync(new URL('../../vectors/cups.json', import.meta.url), 'utf8')) as {
    firmware: { imageHex: string; sigKeyHex: string; signatureDerHex: string; keyCrc: number; fwcrc: number };
  }
).firmware;
const { gw1 } = KDF_VECTORS;
const ADDRESS = '198.51.100.9';
const auth: CupsAuth = { secure: true, authorization: `Bearer ${gw1.token0}` };

describe('firmware delivery state', () => {
  let f: CoreFixture;
  let cupsCredCrc: number;

  beforeEach(async () => {
    f = await createCoreFixture();
    cupsCredCrc = crc32(tokenBlob(f.pki.caDer, cupsKeyFileContent(gw1.token0)));
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.firmware.upload(f.ownerA.ctx, f.ownerA.id6, {
      image: hexToBytes(V.imageHex),
      signatures: [{ key: hexToBytes(V.sigKeyHex), signature: hexToBytes(V.signatureDerHex) }],
    });
  });
  afterEach(async () => f.close());

  const report = (over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest => ({
    router: parseId(gw1.id6).id,
    cupsUri: SERVER_CUPS_URI,
    tcUri: null,
    cupsCredCrc,
    tcCredCrc: EMPTY_CRED_CRC,
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: '1.0.0',
    keys: [V.keyCrc],
    ...over,
  });
  const poll = (over: Partial<UpdateInfoRequest> = {}) => f.core.cups.updateInfo(report(over), auth, ADDRESS);
  const updateOf = (a: CupsAnswer) => {
    if (a.status !== 200) throw new Error(`status ${a.status}`);
    return decodeUpdateInfoResponse(a.body).update;
  };
  const firmware = async (): Promise<GatewayInfo['firmware']> =>
    (await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]))[0]!.info!.firmware;

  it('goes not_yet_due → pending → sent → done, recording the key and the package at send time', async () => {
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, fwcrc: V.fwcrc, fwafter: '2030-01-01T06:00:00Z' },
    ]);
    expect(await firmware()).toMatchObject({
      state: 'not_yet_due',
      detail: 'not before 2030-01-01T06:00:00.000Z',
    });
    expect(updateOf(await poll())).toBeUndefined();

    f.clock.set(Date.parse('2030-01-01T06:00:00Z'));
    expect(await firmware()).toMatchObject({ state: 'pending', keyCrc: V.keyCrc });
    expect(updateOf(await poll())).toEqual(hexToBytes(V.imageHex));
    expect(await firmware()).toMatchObject({
      state: 'sent',
      sentAt: '2030-01-01T06:00:00.000Z',
      keyCrc: V.keyCrc,
      packageBefore: '1.0.0',
      packageAfter: null,
    });

    // the station never reports the result; the same package later is still "sent"
    f.clock.advance(60_000);
    expect(updateOf(await poll())).toBeUndefined();
    expect((await firmware())?.state).toBe('sent');
    f.clock.advance(60_000);
    expect(updateOf(await poll({ package: '2.0.0' }))).toBeUndefined();
    expect(await firmware()).toMatchObject({
      state: 'done',
      packageBefore: '1.0.0',
      packageAfter: '2.0.0',
      detail: expect.stringMatching(/^installed: the gateway reported package "2\.0\.0"/),
    });
    const rows = await f.store.read((tx) =>
      tx.all('SELECT eui, fwcrc, key_crc, package, address FROM firmware_deliveries'),
    );
    expect(rows).toEqual([
      { eui: gw1.hex, fwcrc: V.fwcrc, key_crc: V.keyCrc, package: '1.0.0', address: ADDRESS },
    ]);
    expect((await f.core.audit.list(f.admin, { action: 'firmware.sent' }))[0]?.detail).toMatchObject({
      fwcrc: V.fwcrc,
      keyCrc: V.keyCrc,
      package: '1.0.0',
    });
  });

  it('says why nothing is sent when no reported key matches a signature', async () => {
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: V.fwcrc }]);
    expect(updateOf(await poll({ keys: [0x11111111] }))).toBeUndefined();
    const fw = await firmware();
    expect(fw?.state).toBe('no_matching_key');
    expect(fw?.detail).toContain('0x11111111');
    expect(fw?.detail).toContain(`0x${V.keyCrc.toString(16).padStart(8, '0')}`);
    // the station installs sig-0.key: the next poll gets the update
    expect(updateOf(await poll())).toBeDefined();
  });

  it('delivers at most once to concurrent polls of one gateway', async () => {
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: V.fwcrc }]);
    const answers = await Promise.all(Array.from({ length: 8 }, () => poll()));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.filter((a) => updateOf(a) !== undefined)).toHaveLength(1);
    expect(await f.store.read((tx) => tx.all('SELECT eui FROM firmware_deliveries'))).toHaveLength(1);
  });

  it('re-arms the once-only delivery when setup gives a new fwafter, not when it repeats the same one', async () => {
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: V.fwcrc }]);
    expect(updateOf(await poll())).toBeDefined();
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, fwcrc: V.fwcrc }]);
    expect(updateOf(await poll())).toBeUndefined();
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, fwafter: '2030-01-01T00:00:00Z' },
    ]);
    expect((await firmware())?.state).toBe('pending');
    expect(updateOf(await poll())).toBeDefined();
    expect(await f.store.read((tx) => tx.all('SELECT eui FROM firmware_deliveries'))).toHaveLength(2);
  });
});
