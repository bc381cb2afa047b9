/**
 * The conflict view's data and its actions (docs/sync.md "Conflicts", "Screens") between two real
 * instances on 127.0.0.1: `StationSync.versions` shows this station's state and the remote's (the
 * mirror) of each gateway of an operation in one shape, with the remote's refusal; `resolve` is
 * audited per gateway in the transaction that marks the operation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
const LNS = 'ws://lns.example.com:1887';
const REMOTE_LNS = 'ws://remote.example.com:1887';

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('StationSync.versions and audited resolve', () => {
  it('shows a setup conflict side by side: the local setup and the remote setup made meanwhile', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    await station.core.sync.syncNow(ctx);
    await remote.api('setup', remote.ownerA.apiKey, {
      ownerid: p.owner,
      gateway: gw1.eui,
      lnsUri: REMOTE_LNS,
    });
    await station.core.owner.setup(ctx, p.owner, [{ gateway: gw1.eui, lnsUri: LNS }]);
    await station.core.sync.syncNow(ctx);
    const [c] = await station.core.sync.entries({ states: ['conflict'] });
    const v = await station.core.sync.versions(c!.seq);
    expect(v.entry.seq).toBe(c!.seq);
    expect(v.gateways).toHaveLength(1);
    const g = v.gateways[0]!;
    expect(g.gateway).toBe(gw1.id6);
    expect(g.local?.setup?.lnsUri).toBe(LNS);
    expect(g.remote?.setup?.lnsUri).toBe(REMOTE_LNS);
    expect(g.remoteKnown).toBe(true);
    expect(g.remoteChange?.kind).toBe('setup');
    // both sides hold the gateway (each records its own claim time: the remote's is when the push arrived)
    expect(g.local?.claimedAt).toEqual(expect.any(String));
    expect(g.remote?.claimedAt).toEqual(expect.any(String));
    expect(g.answer).toEqual({
      code: 'conflict',
      error: 'the remote changed these gateways since this operation was made',
    });

    await station.core.sync.resolve(ctx, c!.seq, 'drop');
    const audit = await station.core.audit.list(ctx, { action: 'sync.', target: gw1.id6 });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'sync.drop',
      target: gw1.id6,
      detail: { seq: c!.seq, opId: c!.opId, operation: 'setup', was: 'conflict' },
    });
    await expect(station.core.sync.resolve(ctx, c!.seq, 'drop')).rejects.toMatchObject({ code: 'conflict' });
    await expect(station.core.sync.versions(9999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('shows a claim conflict: held here, not held there, with the remote’s refusal; re-apply is audited with the new operation', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await remote.api('claim', remote.ownerB.apiKey, {
      ownerid: remote.ownerB.id6,
      gateway: gw2.eui,
      claim: gw2.pin,
    });
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: gw2.pin }]);
    await station.core.sync.syncNow(ctx);
    const [c] = await station.core.sync.entries({ states: ['conflict'] });
    const { gateways } = await station.core.sync.versions(c!.seq);
    expect(gateways).toEqual([
      {
        gateway: gw2.id6,
        local: expect.objectContaining({ origin: 'batch', setup: null }),
        remote: null,
        remoteKnown: false,
        remoteChange: null,
        answer: { code: 'claimed_by_other', error: expect.stringMatching(/another owner/) },
      },
    ]);
    expect(gateways[0]!.local!.claimedAt).not.toBeNull();
    const resolved = await station.core.sync.resolve(ctx, c!.seq, 'reapply', { [gw2.eui]: gw2.pin });
    expect(resolved.state).toBe('dropped');
    const [again] = await station.core.sync.entries({ states: ['pending'] });
    const [entry] = await station.core.audit.list(ctx, { action: 'sync.reapply', target: gw2.id6 });
    expect(entry!.detail).toEqual({
      seq: c!.seq,
      opId: c!.opId,
      operation: 'claim',
      was: 'conflict',
      requeuedAs: again!.opId,
    });
    expect(entry!.actor).toBe('cli:cli');
  });

  it('starts the loop when a link is made in a process that runs it (the Sync screen of gwjs serve)', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    await station.core.sync.unlink(ctx);
    station.core.sync.startLoop(); // gwjs serve at start: no link yet
    expect((await station.core.sync.status()).looping).toBe(false);
    await station.core.sync.link(ctx, {
      url: remote.url,
      caPem: remote.caPem,
      ownerId: remote.ownerA.id6,
      apiKey: remote.ownerA.apiKey,
    });
    expect((await station.core.sync.status()).looping).toBe(true);
    await station.core.sync.unlink(ctx);
    expect((await station.core.sync.status()).looping).toBe(false);
    await station.core.sync.stopLoop();
    await station.core.sync.link(ctx, {
      url: remote.url,
      caPem: remote.caPem,
      ownerId: remote.ownerA.id6,
      apiKey: remote.ownerA.apiKey,
    });
    expect((await station.core.sync.status()).looping).toBe(false);
  });
});
