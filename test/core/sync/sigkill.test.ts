/**
 * SIGKILL of the station in the middle of a push, then a restart (docs/sync.md "Must show"): the
 * outbox resumes where the store says it is, the operation in flight when the process died is
 * retried with its operation id and answered from the remote's stored first answer, and in the
 * end every operation was applied exactly once.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KDF_VECTORS } from '../../helpers/core-fixture';
import { startSyncPair, type SyncPair } from '../../helpers/sync-pair';
import { createHmac } from 'node:crypto';
import { crockford32 } from '../../../src-shared/pin';

const CHILD = fileURLToPath(new URL('./helpers/sync-child.ts', import.meta.url));
const BRK = Buffer.from(KDF_VECTORS.brkHex, 'hex');
const pinOf = (hex: string) => {
  const gmk = createHmac('sha256', BRK)
    .update(Buffer.concat([Buffer.from('GWJS-GMK-v1'), Buffer.from(hex, 'hex')]))
    .digest();
  return crockford32(createHmac('sha256', gmk).update('GWJS-PIN-v1').digest().subarray(0, 5));
};

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('station killed mid-sync', () => {
  it('resumes the outbox after a restart: nothing lost, nothing applied twice', async () => {
    const p = (pair = await startSyncPair());
    const ctx = p.station.cliContext;
    const gateways = Array.from({ length: 40 }, (_, i) => {
      const hex = `000000FFFE${(0x200000 + i).toString(16).toUpperCase()}`;
      return { hex, eui: hex.match(/../g)!.join('-'), pin: pinOf(hex) };
    });
    await p.station.core.owner.claim(
      ctx,
      p.owner,
      gateways.map((g) => ({ gateway: g.eui, claim: g.pin })),
    );
    const SETUPS = 3;
    for (let round = 0; round < SETUPS; round++) {
      for (const g of gateways) {
        await p.station.core.owner.setup(ctx, p.owner, [
          { gateway: g.eui, lnsUri: `ws://lns${round}.example.com:1887` },
        ]);
      }
    }
    const total = 1 + SETUPS * gateways.length;
    expect((await p.station.core.sync.status()).counts.pending).toBe(total);
    await p.station.close();

    const remoteSetups = async () =>
      Number(
        (
          await p.remote.station.store.read((tx) =>
            tx.get("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'setup'"),
          )
        )?.n ?? 0,
      );
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, p.stationDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      child.on('exit', (code, sig) => r(sig ?? code)),
    );
    // kill it once the remote has applied some of the setups, well before the end
    const killAt = 20 + Math.floor(Math.random() * 60);
    for (let i = 0; i < 3000 && (await remoteSetups()) < killAt; i++)
      await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect(await exited, stderr).toBe('SIGKILL');
    const appliedBeforeKill = await remoteSetups();
    expect(appliedBeforeKill).toBeGreaterThanOrEqual(killAt);
    expect(appliedBeforeKill).toBeLessThan(SETUPS * gateways.length);

    const station = await p.reopenStation();
    const resumed = await station.core.sync.status();
    expect(resumed.counts.pending).toBeGreaterThan(0);
    expect(resumed.counts.pending + resumed.counts.sent).toBe(total);
    const after = await station.core.sync.syncNow(station.cliContext);
    expect(after.counts).toMatchObject({ pending: 0, sent: total, rejected: 0, conflict: 0 });
    expect(await remoteSetups()).toBe(SETUPS * gateways.length);
    const info = await p.remote.station.core.owner.info(
      p.remote.station.cliContext,
      p.owner,
      gateways.map((g) => g.eui),
    );
    for (const i of info) expect(i.info?.setup?.lns.uri).toBe(`ws://lns${SETUPS - 1}.example.com:1887`);
    console.log(
      `sigkill: killed after ${appliedBeforeKill} of ${SETUPS * gateways.length} setups applied remotely; resumed ${resumed.counts.pending} pending`,
    );
  }, 120_000);
});
