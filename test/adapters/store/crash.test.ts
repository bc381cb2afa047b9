import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openSqljsStore } from '../../../src-main/adapters/store/sqljs-store';
import { makeTempDir } from '../../helpers/tmp-dir';
import { CRASH_MIGRATIONS } from './crash-fixtures';
import { memoryLogger } from './store-fixtures';

const TRIALS = 20;
const CHILD = 'test/adapters/store/crash-child.ts';

/** A child started ahead of time: resolves `warm` once loaded; waits for `go`. */
interface WarmChild {
  child: ChildProcessWithoutNullStreams;
  warm: Promise<void>;
  lines: AsyncIterableIterator<string>;
  closed: Promise<void>;
}

function startChild(dir: string): WarmChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const warm = (async () => {
    const first = await lines.next();
    if (first.value !== 'warm')
      throw new Error(`crash child did not start: ${String(first.value)} ${stderr}`);
  })();
  warm.catch(() => undefined);
  return { child, warm, lines, closed };
}

/** When to SIGKILL: at a checkpoint phase (the kill lands in the work that follows it) or at random. */
type KillPolicy = 'ckpt' | 'ckpt-exported' | 'ckpt-renamed' | 'random';

/**
 * Lets the child run until the policy says kill. Returns the acknowledged ids, and whether the
 * child died inside a checkpoint (its output is synchronous, so a `ckpt` without `ckpt-done`
 * before EOF means the checkpoint never finished).
 */
async function runTrial(
  c: WarmChild,
  policy: KillPolicy,
): Promise<{ acked: number[]; inCheckpoint: boolean }> {
  await c.warm;
  c.child.stdin.write('go\n');
  const acked: number[] = [];
  const kill = () => c.child.kill('SIGKILL');
  let randomTimer: NodeJS.Timeout | undefined;
  const safety = setTimeout(kill, 8000);
  let inCheckpoint = false;
  for await (const line of c.lines) {
    if (line === 'ckpt') inCheckpoint = true;
    if (line === 'ckpt-done') inCheckpoint = false;
    if (line === 'ready' && policy === 'random') randomTimer = setTimeout(kill, 5 + Math.random() * 150);
    else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
    else if (line === policy && acked.length > 0) kill();
  }
  clearTimeout(safety);
  if (randomTimer) clearTimeout(randomTimer);
  await c.closed;
  return { acked, inCheckpoint };
}

describe('SqljsStore crash durability', () => {
  it(`keeps every acknowledged 'full' write across ${TRIALS} SIGKILLs, some during checkpoints`, async () => {
    const dir = makeTempDir('store-crash');
    // ~2 MB of padding so every checkpoint takes a while to write and sync
    const setup = await openSqljsStore({ dir, migrations: CRASH_MIGRATIONS });
    await setup.transaction(async (tx) => {
      for (let i = 0; i < 512; i++)
        await tx.run('INSERT INTO pad (id, data) VALUES (?, ?)', [i, new Uint8Array(4096)]);
    });
    await setup.close();

    const policies: KillPolicy[] = ['ckpt', 'ckpt-exported', 'ckpt-renamed', 'random'];
    // children start two trials ahead, so their start-up (tsx, sql.js) overlaps earlier trials
    const ready = [startChild(dir), startChild(dir)];
    let totalAcked = 0;
    let checkpointCrashes = 0;
    let tmpLeft = 0;
    let staleSkipped = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const current = ready.shift()!;
      if (trial + ready.length + 1 < TRIALS) ready.push(startChild(dir));
      const { acked, inCheckpoint } = await runTrial(current, policies[trial % policies.length]!);
      totalAcked += acked.length;
      if (inCheckpoint) checkpointCrashes++;

      const leftTmp = existsSync(join(dir, 'station.db.tmp'));
      const { logger, lines } = memoryLogger();
      const store = await openSqljsStore({ dir, migrations: CRASH_MIGRATIONS, logger });
      const opened = lines.find((l) => l.msg === 'store opened')?.obj as { skipped: number } | undefined;
      if (leftTmp) tmpLeft++;
      if ((opened?.skipped ?? 0) > 0) staleSkipped++;
      const { n, m } = (await store.read((tx) =>
        tx.get<{ n: number; m: number | null }>('SELECT count(*) AS n, max(id) AS m FROM acks'),
      ))!;
      const present = new Set(
        (await store.read((tx) => tx.all<{ id: number }>('SELECT id FROM acks'))).map((r) => r.id),
      );
      const missing = acked.filter((id) => !present.has(id));
      expect(missing, `trial ${trial}: acknowledged ids lost`).toEqual([]);
      expect(n, `trial ${trial}: ids are a prefix 1..max`).toBe(m ?? 0);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      // alternate between a clean close (checkpoint) and leaving the journal for the next replay
      if (trial % 2 === 0) await store.close();
      else store.abandon();
    }
    for (const spare of ready) spare.child.kill('SIGKILL');
    expect(totalAcked).toBeGreaterThan(TRIALS);
    // the kills did land inside checkpoints, including the windows with a half-written
    // station.db.tmp and with an already-checkpointed journal not yet truncated
    expect(checkpointCrashes).toBeGreaterThan(0);
    expect(tmpLeft + staleSkipped).toBeGreaterThan(0);
  }, 60_000);
});
