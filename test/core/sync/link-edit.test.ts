/**
 * Editing the sync link (docs/sync.md "Editing the link") between two real instances on 127.0.0.1:
 * a new URL of the same origin keeps the sealed API key (and the pinned CA) and the next round
 * goes through against the real remote; a URL of another origin (a TCP forwarder on another port)
 * is refused without a new key or the explicit `keepApiKey` confirmation, with a message naming the
 * field — in the core and in `gwjs sync link` (`--keep-api-key`) — and with it the key is kept.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { runGwjs } from '../../helpers/gwjs-cli';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';

const gw1 = KDF_VECTORS.gw1;
const gw2 = KDF_VECTORS.gw2;
let pair: SyncPair | undefined;
let forwarder: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (forwarder ? forwarder.close(() => r()) : r()));
  forwarder = undefined;
  await pair?.close();
  pair = undefined;
});

/** A TCP forwarder to the remote on another port: the same server at another origin. */
async function forwardTo(port: number): Promise<number> {
  forwarder = createServer((s) => {
    const up = connect(port, '127.0.0.1');
    sockets.add(s).add(up);
    s.pipe(up).pipe(s);
    s.on('error', () => up.destroy());
    up.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => forwarder!.listen(0, '127.0.0.1', r));
  return (forwarder.address() as { port: number }).port;
}

describe('editing the sync link', () => {
  it('keeps the sealed key for the same origin; another origin needs a new key or the confirmation', async () => {
    const p = (pair = await startSyncPair());
    const { station, remote } = p;
    const ctx = station.cliContext;
    const before = await station.core.sync.status();
    const fingerprint = before.caFingerprint!;

    // same origin (scheme, host, port): the CA given again with its fingerprint, the key kept
    const same = remote.url;
    const edited = await station.core.sync.link(ctx, {
      url: same,
      ownerId: p.owner,
      caPem: remote.caPem,
      caFingerprint: fingerprint.toUpperCase().match(/../g)!.join(':'),
    });
    expect(edited).toMatchObject({ linked: true, url: same, caFingerprint: fingerprint, ownerId: p.owner });
    // a wrong fingerprint is still refused, against the pinned CA too
    await expect(
      station.core.sync.link(ctx, { url: same, ownerId: p.owner, caFingerprint: 'ab'.repeat(32) }),
    ).rejects.toMatchObject({ attributes: { field: 'caFingerprint' } });
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw1.eui, claim: gw1.pin }]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ pending: 0, sent: 1 });
    const info = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw1.eui });
    expect(info.json).toMatchObject([{ gateway: gw1.id6, info: { owner: p.owner } }]);

    // another origin: refused, naming the field, and the link is left as it was
    const other = `https://127.0.0.1:${await forwardTo(Number(new URL(remote.url).port))}`;
    const refused = station.core.sync.link(ctx, { url: other, ownerId: p.owner });
    await expect(refused).rejects.toMatchObject({ code: 'invalid_request', attributes: { field: 'apiKey' } });
    await expect(refused).rejects.toThrow(
      `apiKey: ${other} is another host than ${new URL(remote.url).origin}: give the API key again, or confirm sending the stored key to ${other} (keepApiKey)`,
    );
    expect((await station.core.sync.status()).url).toBe(same);
    // another owner's link needs that owner's key, whatever the URL
    await station.core.access.createOwner(ctx, remote.ownerB.id6, 'owner b');
    await expect(
      station.core.sync.link(ctx, { url: same, ownerId: remote.ownerB.id6 }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      attributes: { field: 'apiKey' },
      message: expect.stringContaining(
        `apiKey: the link’s owner changes from ${p.owner} to ${remote.ownerB.id6}`,
      ),
    });

    // confirmed: the sealed key goes to the new origin, and the round through it succeeds
    expect(
      await station.core.sync.link(ctx, { url: other, ownerId: p.owner, keepApiKey: true }),
    ).toMatchObject({
      url: other,
      caFingerprint: fingerprint,
    });
    await station.core.owner.claim(ctx, p.owner, [{ gateway: gw2.eui, claim: gw2.pin }]);
    expect((await station.core.sync.syncNow(ctx)).counts).toMatchObject({ pending: 0, sent: 2 });
    const info2 = await remote.api('info', remote.ownerA.apiKey, { ownerid: p.owner, gateway: gw2.eui });
    expect(info2.json).toMatchObject([{ gateway: gw2.id6, info: { owner: p.owner } }]);
  });

  it('gwjs sync link edits the URL: --keep-api-key for another origin, the refusal names the flags', async () => {
    const p = (pair = await startSyncPair());
    await p.station.close();
    const env = { GWJS_HSM_PASSPHRASE: 'test passphrase' };
    const data = ['--data', p.stationDir];
    const same = p.remote.url;
    const ok = await runGwjs(['sync', 'link', ...data, '--url', same, '--json'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ linked: true, url: same, ownerId: p.owner });
    const text = await runGwjs(['sync', 'link', ...data, '--url', p.remote.url], env);
    expect(text.stdout).toContain('Link edited (kept the sealed API key and the pinned CA).');

    const other = `https://127.0.0.1:${await forwardTo(Number(new URL(p.remote.url).port))}`;
    const refused = await runGwjs(['sync', 'link', ...data, '--url', other], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `--api-key-file: ${other} is another host than ${new URL(p.remote.url).origin}: give the API key again, or confirm sending the stored key to ${other} (--keep-api-key)`,
    );
    const both = await runGwjs(
      ['sync', 'link', ...data, '--url', other, '--keep-api-key', '--api-key-file', '/dev/null'],
      env,
    );
    expect(both.stderr).toContain('--keep-api-key: not with --api-key-file');
    const kept = await runGwjs(['sync', 'link', ...data, '--url', other, '--keep-api-key', '--json'], env);
    expect(kept.code).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ url: other });
    // a round with the kept key through the new origin
    const round = await runGwjs(['sync', 'now', ...data, '--json'], env);
    expect(round.code, round.stderr).toBe(0);
    expect(JSON.parse(round.stdout)).toMatchObject({ online: true, lastError: null });
    await p.reopenStation();
  });
});
