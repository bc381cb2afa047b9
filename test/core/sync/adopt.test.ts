/**
 * "Adopt the remote's" for every operation kind between two real instances on 127.0.0.1
 * (docs/sync.md "Conflicts"): after the adopt, the station's own state of each gateway of the
 * conflicting operation equals the remote's (the change feed's shape, fresh from the remote), the
 * outbox entry is `adopted` with nothing queued, and the gateway's next poll at the station's local
 * CUPS is answered as the remote answers it — the same bytes where the setup names the CUPS
 * credentials, the same token generation where the server issues them (rotation). The station's
 * store is sql.js and PostgreSQL in turn (the adopt writes run in one transaction on either).
 */
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToBase64, utf8 } from '../../../src-shared/bytes';
import { crc32 } from '../../../src-shared/crc32';
import {
  decodeUpdateInfoResponse,
  parseCredBlob,
  type UpdateInfoRequest,
} from '../../../src-shared/cups-wire';
import { parseId } from '../../../src-shared/ids';
import type { CupsAnswer, CupsAuth } from '../../../src-main/core/api';
import { KDF_VECTORS, OUTSIDE_ID } from '../../helpers/core-fixture';
import { freshPgSchema, pgUrlWithSchema } from '../../helpers/pg-schema';
import { startSyncPair, type SyncPair, type SyncPairOptions } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const EMPTY_CRC = 2077607535;

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

function report(router: string, over: Partial<UpdateInfoRequest> = {}): UpdateInfoRequest {
  return {
    router: parseId(router).id,
    cupsUri: null,
    tcUri: null,
    cupsCredCrc: EMPTY_CRC,
    tcCredCrc: EMPTY_CRC,
    station: '2.0.6(corecell/std) 2022-01-20 12:00:00',
    model: 'corecell',
    package: null,
    keys: [],
    ...over,
  };
}
const bearer = (token: string): CupsAuth => ({ secure: true, authorization: `Bearer ${token}` });

/** A full setup with the CUPS side named (so both servers answer the same bytes). */
function redirectSetup(p: SyncPair, gateway: string, tag: string) {
  const caDer = new Uint8Array(new X509Certificate(p.remote.caPem).raw);
  return {
    ownerid: p.owner,
    gateway,
    cupsUri: `https://cups-${tag}.example.com:443`,
    cupsTrust: bytesToBase64(caDer),
    cupsKey: bytesToBase64(utf8(`Authorization: Bearer cups-${tag}`)),
    lnsUri: `wss://lns-${tag}.example.com:443`,
    lnsTrust: bytesToBase64(caDer),
    lnsKey: bytesToBase64(utf8(`Authorization: Bearer lns-${tag}`)),
  };
}

/** The remote's own change-feed state of each gateway for the owner (null: not held). */
async function remoteStates(p: SyncPair, hexes: readonly string[]): Promise<Record<string, unknown>> {
  const feed = await p.remote.api('changes', p.remote.ownerA.apiKey, { ownerid: p.owner });
  const changes = (feed.json as { changes: { gateway: string; state: unknown }[] }).changes;
  const out: Record<string, unknown> = {};
  for (const h of hexes) {
    const c = changes.find((x) => parseId(x.gateway).id === BigInt(`0x${h}`));
    out[h] = c === undefined ? null : c.state;
  }
  return out;
}

/** Adopts the only conflicting (or rejected) operation; checks local = mirror = the remote itself. */
async function adoptAndCompare(p: SyncPair, state: 'conflict' | 'rejected', hexes: string[]) {
  const { station } = p;
  const ctx = station.cliContext;
  const [entry] = await station.core.sync.entries({ states: [state] });
  expect(entry).toBeDefined();
  const resolved = await station.core.sync.resolve(ctx, entry!.seq, 'adopt');
  expect(resolved.state).toBe('adopted');
  const versions = await station.core.sync.versions(entry!.seq);
  const truth = await remoteStates(p, hexes);
  for (const v of versions.gateways) {
    const hex = parseId(v.gateway).id.toString(16).toUpperCase().padStart(16, '0');
    expect({ gateway: v.gateway, local: v.local }).toEqual({ gateway: v.gateway, local: v.remote });
    expect({ gateway: v.gateway, local: v.local }).toEqual({ gateway: v.gateway, local: truth[hex] });
  }
  // nothing queued by the adopt, and nothing left to push
  expect((await station.core.sync.status()).counts.pending).toBe(0);
  const after = await station.core.sync.syncNow(ctx);
  expect(after.counts.pending).toBe(0);
  return entry!;
}

/** The same poll at the remote and at the station's local CUPS. */
async function pollBoth(p: SyncPair, req: UpdateInfoRequest, auth: CupsAuth) {
  const remote = await p.remote.station.core.cups.updateInfo(req, auth, '127.0.0.21');
  const local = await p.station.core.cups.updateInfo(req, auth, '127.0.0.22');
  return { remote, local };
}

function bodyOf(a: CupsAnswer) {
  return decodeUpdateInfoResponse((a as { body: Uint8Array }).body);
}

const BACKENDS: [string, () => SyncPairOptions][] = [
  ['sql.js', () => ({})],
  ['PostgreSQL', () => ({ db: pgUrlWithSchema(freshPgSchema('adopt')) })],
];

describe.each(BACKENDS)('adopt the remote’s version (station store: %s)', (_name, backend) => {
  it('claim: a gateway the remote gave another owner is un-claimed here', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    await remote.api('claim', remote.ownerB.apiKey, {
      ownerid: remote.ownerB.id6,
      gateway: gw2.eui,
      claim: gw2.pin,
    });
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: gw2.pin }]);
    await station.core.owner.setup(ctx, p.owner, [
      { gateway: gw2.eui, lnsUri: 'ws://local.example.com:1887' },
    ]);
    await station.core.sync.syncNow(ctx);
    // the setup after the refused claim is refused too; adopt the claim first
    const [claim] = await station.core.sync.entries({ states: ['conflict'] });
    expect(claim!.operation).toBe('claim');
    await adoptAndCompare(p, 'conflict', [gw2.hex]);
    expect((await station.core.owner.info(ctx, p.owner, [gw2.eui]))[0]!.code).toBe('not_claimed');
    // CUPS: not configured for the owner here (the remote answers from owner b's state)
    const { local } = await pollBoth(p, report(gw2.id6), bearer(gw2.token0));
    expect(local.status).toBe(404);
  });

  it('setup: the remote’s setup (or its delete) replaces the local one; CUPS answers the same bytes', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [
      { gateway: gw1.eui, claim: gw1.pin },
      { gateway: gw2.eui, claim: gw2.pin },
    ]);
    await station.core.sync.syncNow(ctx);
    expect(
      (await remote.api('setup', remote.ownerA.apiKey, redirectSetup(p, gw1.eui, 'remote'))).status,
    ).toBe(200);
    expect(
      (await remote.api('delete', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw2.eui })).status,
    ).toBe(200);
    await station.core.owner.setup(ctx, p.owner, [
      { gateway: gw1.eui, lnsUri: 'ws://local.example.com:1887' },
      { gateway: gw2.eui, lnsUri: 'ws://local.example.com:1887' },
    ]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ conflict: 1 });
    await adoptAndCompare(p, 'conflict', [gw1.hex, gw2.hex]);
    const { remote: r, local } = await pollBoth(p, report(gw1.id6), bearer(gw1.token0));
    expect(r.status).toBe(200);
    expect(local).toEqual(r);
    expect(bodyOf(local).tcUri).toBe('wss://lns-remote.example.com:443');
    const second = await pollBoth(p, report(gw2.id6), bearer(gw2.token0));
    expect(second.local.status).toBe(second.remote.status);
    expect(second.local.status).toBe(404);
  });

  it('writes nothing when the remote’s credentials are not known here (link down, no site pack)', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    await station.core.sync.syncNow(ctx);
    expect(
      (await remote.api('setup', remote.ownerA.apiKey, redirectSetup(p, gw1.eui, 'remote'))).status,
    ).toBe(200);
    await station.core.owner.delete(ctx, p.owner, [gw1.eui]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ conflict: 1 });
    const [entry] = await station.core.sync.entries({ states: ['conflict'] });
    const before = await station.core.sync.versions(entry!.seq);
    await remote.server.close();
    await expect(station.core.sync.resolve(ctx, entry!.seq, 'adopt')).rejects.toThrow(
      /adopt: the remote’s cups credentials of 0:ff:fe00:abc are not known here .*fetch the site pack/,
    );
    expect((await station.core.sync.entry(entry!.seq)).state).toBe('conflict');
    expect(await station.core.sync.versions(entry!.seq)).toEqual(before);
    expect(before.gateways[0]!.local).toBeNull();
  });

  it('delete: a gateway deleted here but set up at the remote is claimed and set up again here', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    await station.core.sync.syncNow(ctx);
    expect(
      (await remote.api('setup', remote.ownerA.apiKey, redirectSetup(p, gw1.eui, 'remote'))).status,
    ).toBe(200);
    await station.core.owner.delete(ctx, p.owner, [gw1.eui]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ conflict: 1 });
    const entry = await adoptAndCompare(p, 'conflict', [gw1.hex]);
    expect(entry.operation).toBe('delete');
    const info = await station.core.owner.info(ctx, p.owner, [gw1.eui]);
    expect(info[0]).toMatchObject({
      info: { owner: p.owner, setup: { lns: { uri: 'wss://lns-remote.example.com:443' } } },
    });
    const { remote: r, local } = await pollBoth(p, report(gw1.id6), bearer(gw1.token0));
    expect(r.status).toBe(200);
    expect(local).toEqual(r);
    // and polled again with what it was given: in sync at both
    const held = report(gw1.id6, {
      cupsUri: 'https://cups-remote.example.com:443',
      tcUri: 'wss://lns-remote.example.com:443',
      cupsCredCrc: crc32(bodyOf(r).cupsCred!),
      tcCredCrc: crc32(bodyOf(r).tcCred!),
    });
    const again = await pollBoth(p, held, bearer(gw1.token0));
    expect(again.local).toEqual(again.remote);
    expect(again.local).toMatchObject({ status: 200, outcome: 'in_sync' });
  });

  it('add: a gateway the remote’s owner added with another token takes the remote’s token and setup', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    const remoteToken = 'remote-added-token-0123456789';
    expect(
      (
        await remote.api('add', remote.ownerA.apiKey, {
          ownerid: p.owner,
          gateway: OUTSIDE_ID,
          flavorid: 'test',
          token: remoteToken,
        })
      ).status,
    ).toBe(200);
    expect(
      (await remote.api('setup', remote.ownerA.apiKey, redirectSetup(p, OUTSIDE_ID, 'remote'))).status,
    ).toBe(200);
    expect(
      await station.core.owner.add(ctx, p.owner, [
        { gateway: OUTSIDE_ID, flavorid: 'test', token: 'local-token-42' },
      ]),
    ).toEqual([{ gateway: OUTSIDE_ID }]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ conflict: 1 });
    const hex = parseId(OUTSIDE_ID).id.toString(16).toUpperCase().padStart(16, '0');
    const entry = await adoptAndCompare(p, 'conflict', [hex]);
    expect(entry.operation).toBe('add');
    const auth: CupsAuth = { secure: true, authorization: remoteToken };
    const { remote: r, local } = await pollBoth(p, report(OUTSIDE_ID), auth);
    expect(r.status).toBe(200);
    expect(local).toEqual(r);
    // the local token is refused like at the remote
    const old = await pollBoth(p, report(OUTSIDE_ID), { secure: true, authorization: 'local-token-42' });
    expect(old.local.status).toBe(401);
    expect(old.remote.status).toBe(401);
  });

  it('rotate: the remote’s token generation is taken, so local CUPS accepts the token the remote issued', async () => {
    const p = (pair = await startSyncPair(backend()));
    const { station, remote } = p;
    const ctx = station.cliContext;
    const lns = { ownerid: p.owner, gateway: gw1.eui, lnsUri: 'ws://lns-remote.example.com:1887' };
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    expect(await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: lns.lnsUri }])).toEqual([
      { gateway: gw1.id6 },
    ]);
    await station.core.sync.syncNow(ctx);
    // at the remote: two rotations, each picked up by the gateway (g 0 → 1 → 2)
    const rcups = remote.station.core.cups;
    let token: string = gw1.token0;
    for (let i = 0; i < 2; i++) {
      expect(
        (await remote.api('rotate', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui })).status,
      ).toBe(200);
      const given = await rcups.updateInfo(report(gw1.id6), bearer(token), '127.0.0.30');
      expect(given).toMatchObject({ status: 200 });
      const header = parseCredBlob(bodyOf(given).cupsCred!).token!;
      token = /^Authorization: Bearer (\S+)\r\n$/.exec(header)![1]!;
      expect((await rcups.updateInfo(report(gw1.id6), bearer(token), '127.0.0.30')).status).toBe(200);
    }
    expect(token).not.toBe(gw1.token1);
    // offline here: the station rotates on its own (g 0 → 1)
    await station.core.owner.rotate(ctx, p.owner, [gw1.eui]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ conflict: 1 });
    const entry = await adoptAndCompare(p, 'conflict', [gw1.hex]);
    expect(entry.operation).toBe('rotate');
    const v = await station.core.sync.versions(entry.seq);
    expect(v.gateways[0]!.local).toMatchObject({ tokenGeneration: 2, tokenTarget: 2 });
    // the remote's current token is accepted here; the ones it retired are refused as there
    const now = await pollBoth(p, report(gw1.id6), bearer(token));
    expect(now.remote.status).toBe(200);
    expect(now.local.status).toBe(200);
    const [rb, lb] = [bodyOf(now.remote), bodyOf(now.local)];
    expect(lb.tcUri).toBe(rb.tcUri);
    expect(parseCredBlob(lb.cupsCred!).token).toBe(parseCredBlob(rb.cupsCred!).token);
    expect(parseCredBlob(lb.cupsCred!).token).toBe(`Authorization: Bearer ${token}\r\n`);
    for (const retired of [gw1.token0, gw1.token1]) {
      const old = await pollBoth(p, report(gw1.id6), bearer(retired));
      expect([old.remote.status, old.local.status]).toEqual([401, 401]);
    }
  });
});
