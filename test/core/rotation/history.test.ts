/**
 * Token rotation (SPEC §2) in the core: state and history in `info`, completion by authentication
 * with g + 1 or by the reported CRC of the g + 1 cupsCred, no lock-out while the gateway lags, and
 * refusal where the server does not deliver the gateway's cups.key.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
import { rotationView } from '../../../src-main/core/rotation/history';
import {
  createCoreFixture,
  KDF_VECTORS,
  SERVER_CUPS_URI,
  type CoreFixture,
} from '../../helpers/core-fixture';

const { gw1 } = KDF_VECTORS;
const ADDRESS = '192.0.2.44';
const bearer = (token: string): CupsAuth => ({ secure: true, authorization: `Bearer ${token}` });

describe('token rotation', () => {
  let f: CoreFixture;
  let credCrc: (token: string) => number;

  beforeEach(async () => {
    f = await createCoreFixture();
    credCrc = (token) => crc32(tokenBlob(f.pki.caDer, cupsKeyFileContent(token)));
    await f.core.owner.claim(f.ownerA.ctx, f.ownerA.id6, [{ gateway: gw1.id6, claim: gw1.pin }]);
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, lnsUri: 'ws://lns.example.com:80' },
    ]);
  });
  afterEach(async () => f.close());

  const report = (cupsCredCrc: number, over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest => ({
    router: parseId(gw1.id6).id,
    cupsUri: SERVER_CUPS_URI,
    tcUri: 'ws://lns.example.com:80',
    cupsCredCrc,
    tcCredCrc: EMPTY_CRED_CRC,
    station: '2.0.6',
    model: 'corecell',
    package: null,
    keys: [],
    ...over,
  });
  const poll = (token: string, reportedCrc: number) =>
    f.core.cups.updateInfo(report(reportedCrc), bearer(token), ADDRESS);
  const cupsCredOf = (a: CupsAnswer) =>
    a.status === 200
      ? decodeUpdateInfoResponse(a.body).cupsCred
      : (() => {
          throw new Error(`status ${a.status}`);
        })();
  const rotation = async (): Promise<GatewayInfo['rotation']> =>
    (await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]))[0]!.info!.rotation;

  it('shows idle, then in_flight with who started it, then the completed rotation (by authentication)', async () => {
    expect(await rotation()).toEqual({ state: 'idle', generation: 0, target: 0, history: [] });
    f.clock.advance(1000);
    expect(await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6])).toEqual([{ gateway: gw1.id6 }]);
    expect(await rotation()).toMatchObject({
      state: 'in_flight',
      generation: 0,
      target: 1,
      history: [
        {
          from: 0,
          to: 1,
          startedAt: '2030-01-01T00:00:01.000Z',
          startedBy: `api-key:${f.ownerA.principal.id}`,
          completedAt: null,
        },
      ],
    });
    // g keeps working and is handed the g + 1 cups.key
    expect(cupsCredOf(await poll(gw1.token0, credCrc(gw1.token0)))).toEqual(
      tokenBlob(f.pki.caDer, cupsKeyFileContent(gw1.token1)),
    );
    f.clock.advance(60_000);
    expect((await poll(gw1.token1, credCrc(gw1.token1))).status).toBe(200);
    expect(await rotation()).toMatchObject({
      state: 'idle',
      generation: 1,
      target: 1,
      history: [{ from: 0, to: 1, completedAt: '2030-01-01T00:01:01.000Z', completedHow: 'auth' }],
    });
    expect(await poll(gw1.token0, credCrc(gw1.token1))).toMatchObject({ status: 401 });
  });

  it('completes when the gateway reports the CRC of the g + 1 cupsCred, even on a request made with g', async () => {
    await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
    // e.g. the station connects with its cups-bak set (g) but reports its regular set (g + 1)
    const a = await poll(gw1.token0, credCrc(gw1.token1));
    expect(a.status).toBe(200);
    expect(cupsCredOf(a)).toBeUndefined();
    expect(await rotation()).toMatchObject({
      state: 'idle',
      generation: 1,
      history: [{ completedHow: 'crc' }],
    });
    expect((await f.core.audit.list(f.admin, { action: 'token.retire' }))[0]?.detail).toEqual({
      retired: 0,
      current: 1,
      how: 'crc',
    });
  });

  it('never locks out a gateway that does not pick up g + 1: g works for as long as it lags', async () => {
    await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
    for (let i = 0; i < 5; i++) {
      f.clock.advance(24 * 3600_000);
      const a = await poll(gw1.token0, credCrc(gw1.token0));
      expect(a.status).toBe(200);
      expect(cupsCredOf(a)).toEqual(tokenBlob(f.pki.caDer, cupsKeyFileContent(gw1.token1)));
    }
    expect((await rotation())?.state).toBe('in_flight');
    // rotating again while in flight changes nothing
    expect(await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6])).toEqual([{ gateway: gw1.id6 }]);
    expect((await rotation())?.history).toHaveLength(1);
  });

  it('refuses to rotate a gateway redirected to another CUPS, and added gateways', async () => {
    await f.core.owner.setup(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: gw1.id6, cupsUri: 'http://cups.owner.example:8080' },
    ]);
    const [r] = await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, [gw1.id6]);
    expect(r).toMatchObject({
      code: 'invalid_request',
      error: expect.stringMatching(/is redirected to http:\/\/cups\.owner\.example:8080/),
    });
    await f.core.owner.add(f.ownerA.ctx, f.ownerA.id6, [
      { gateway: 'b827:ebff:fe12:3456', flavorid: 'x', token: 'Bearer t' },
    ]);
    const [added] = await f.core.owner.rotate(f.ownerA.ctx, f.ownerA.id6, ['b827:ebff:fe12:3456']);
    expect(added?.code).toBe('invalid_request');
    expect(
      (await f.core.owner.info(f.ownerA.ctx, f.ownerA.id6, ['b827:ebff:fe12:3456']))[0]?.info?.rotation,
    ).toBeNull();
  });
});

describe('rotationView', () => {
  it('hides rotations that ended before the current owner claimed the gateway', () => {
    const old = {
      from: 0,
      to: 1,
      startedAt: '2030-01-01T00:00:00Z',
      startedBy: 'x',
      completedAt: '2030-01-02T00:00:00Z',
      completedHow: 'auth' as const,
    };
    const mine = {
      ...old,
      from: 1,
      to: 2,
      startedAt: '2030-02-01T00:00:00Z',
      completedAt: null,
      completedHow: null,
    };
    expect(rotationView(1, 2, [mine, old], '2030-01-15T00:00:00Z')).toEqual({
      state: 'in_flight',
      generation: 1,
      target: 2,
      history: [mine],
    });
  });
});
