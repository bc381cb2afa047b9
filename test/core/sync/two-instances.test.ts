/**
 * Push, pull and conflicts between two real instances on 127.0.0.1 (docs/sync.md): a station
 * (twin of the remote's batch) makes owner operations locally, they land in its outbox in the
 * transaction of their effect, and a sync round pushes them to the remote with their operation
 * ids; a remote change made elsewhere is pulled into the mirror and a local operation it
 * overtook is a conflict — never pushed over it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

const LNS = 'ws://lns.example.com:1887';

describe('station ↔ remote sync', () => {
  it('queues local operations with their effect and pushes them once, in order', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    expect(await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }])).toEqual([
      { gateway: gw1.id6 },
    ]);
    await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: LNS }]);
    // a locally failed item is not queued
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: 'AAAA-AAAA' }]);
    const pending = await station.core.sync.entries({ states: ['pending'] });
    expect(pending.map((e) => e.operation)).toEqual(['claim', 'setup']);
    expect(new Set(pending.map((e) => e.opId)).size).toBe(2);

    const status = await station.core.sync.syncNow(ctx);
    expect(status.counts).toMatchObject({ pending: 0, sent: 2 });
    expect(status.online).toBe(true);
    expect(status.lastSuccessAt).not.toBeNull();
    const info = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui });
    expect(info.json).toMatchObject([
      { gateway: gw1.id6, info: { owner: p.owner, setup: { lns: { uri: LNS } } } },
    ]);
    // the remote's feed carries the station's op ids; the mirror holds them
    const feed = await remote.api('changes', remote.ownerA.apiKey, { ownerid: p.owner });
    const ids = (feed.json as { changes: { opId: string | null }[] }).changes.map((c) => c.opId);
    expect(ids).toEqual([pending[1]!.opId]);
    // claim PINs are blanked once the claim is answered
    const sent = await station.core.sync.entries({ states: ['sent'] });
    expect(sent[0]!.items).toEqual([{ gateway: gw1.eui, claim: '' }]);
    // a second round sends nothing and applies nothing twice
    await station.core.sync.syncNow(ctx);
    const audit = await remote.station.core.audit.list(remote.station.cliContext, {
      action: 'claim',
      target: gw1.id6,
    });
    expect(audit).toHaveLength(1);
  });

  it('marks a claim of a gateway claimed remotely by another owner a conflict, and adopt undoes the local claim', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await remote.api('claim', remote.ownerB.apiKey, {
      ownerid: remote.ownerB.id6,
      gateway: gw2.eui,
      claim: gw2.pin,
    });
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: gw2.pin }]);
    const status = await station.core.sync.syncNow(ctx);
    expect(status.counts).toMatchObject({ pending: 0, conflict: 1 });
    const [entry] = await station.core.sync.entries({ states: ['conflict'] });
    expect(entry!.answer).toEqual([expect.objectContaining({ gateway: gw2.id6, code: 'claimed_by_other' })]);
    await station.core.sync.resolve(ctx, entry!.seq, 'adopt');
    const local = await station.core.owner.info(ctx, p.owner, [gw2.eui]);
    expect(local[0]!.code).toBe('not_claimed');
    // the adopt's local delete is not queued
    expect((await station.core.sync.status()).counts).toMatchObject({ pending: 0, adopted: 1 });
  });

  it('never pushes a setup over a remote setup made meanwhile: conflict with both versions; re-apply sends it', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    await station.core.sync.syncNow(ctx);
    // someone sets the gateway up on the remote directly; the station sets it up offline
    await remote.api('setup', remote.ownerA.apiKey, {
      ownerid: p.owner,
      gateway: gw1.eui,
      lnsUri: 'ws://remote.example.com:1887',
    });
    await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: LNS }]);
    const status = await station.core.sync.syncNow(ctx);
    expect(status.counts).toMatchObject({ pending: 0, conflict: 1, sent: 1 });
    const [c] = await station.core.sync.entries({ states: ['conflict'] });
    expect(c!.items).toEqual([{ gateway: gw1.eui, lnsUri: LNS }]);
    expect(c!.remote).toEqual([
      expect.objectContaining({
        hex: gw1.hex,
        mirror: expect.objectContaining({
          kind: 'setup',
          state: expect.objectContaining({
            setup: expect.objectContaining({ lnsUri: 'ws://remote.example.com:1887' }),
          }),
        }),
      }),
    ]);
    // the remote kept its version
    const before = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui });
    expect(before.json).toMatchObject([
      { info: { setup: { lns: { uri: 'ws://remote.example.com:1887' } } } },
    ]);
    await station.core.sync.resolve(ctx, c!.seq, 'reapply');
    const after = await station.core.sync.syncNow(ctx);
    expect(after.counts).toMatchObject({ pending: 0, dropped: 1, sent: 2 });
    const now = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui });
    expect(now.json).toMatchObject([{ info: { setup: { lns: { uri: LNS } } } }]);
  });

  it('reports a remote it cannot reach as offline and keeps the outbox', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    await remote.server.close();
    await expect(station.core.sync.syncNow(ctx)).rejects.toThrow(/pull: /);
    const status = await station.core.sync.status();
    expect(status).toMatchObject({ online: false, counts: { pending: 1 } });
    expect(status.lastError).toMatch(/ECONNREFUSED|socket|connect/);
  });
});
