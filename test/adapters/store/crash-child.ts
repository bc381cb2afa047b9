/**
 * Child process for the crash test: `node --import tsx crash-child.ts DIR`.
 * Loads everything, prints `warm`, then waits for a `go` line on stdin (so the parent can start
 * it ahead of time). Then opens the store with a tiny checkpointBytes (a checkpoint every few dozen
 * commits), prints `ready`, and runs three concurrent writers of 'full' single-row transactions,
 * printing `ack ID` after each commit promise resolves and `ckpt`, `ckpt-exported`,
 * `ckpt-renamed`, `ckpt-done` as a checkpoint progresses — until
 * the parent SIGKILLs it.
 */
import { createInterface } from 'node:readline';
import { openSqljsStore, preloadSqlJs } from '../../../src-main/adapters/store/sqljs-store';
import type { Logger } from '../../../src-main/core/ports';
import { CRASH_MIGRATIONS } from './crash-fixtures';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: crash-child.ts DIR\n');
  process.exit(2);
}
const say = (line: string) => process.stdout.write(line + '\n'); // synchronous for pipes on POSIX

await preloadSqlJs();
say('warm');
await new Promise<void>((resolve) => {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === 'go') {
      rl.close();
      resolve();
    }
  });
});

const CHECKPOINT_LINES: Record<string, string> = {
  'checkpoint started': 'ckpt',
  'checkpoint snapshot exported': 'ckpt-exported',
  'checkpoint snapshot renamed': 'ckpt-renamed',
  'checkpoint finished': 'ckpt-done',
};
const logger: Logger = {
  info() {},
  warn() {},
  error(obj, msg) {
    process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`);
  },
  debug(_obj, msg) {
    const line = CHECKPOINT_LINES[msg ?? ''];
    if (line) say(line);
  },
};
const store = await openSqljsStore({ dir, migrations: CRASH_MIGRATIONS, checkpointBytes: 4096, logger });
const max = await store.read((tx) => tx.get<{ m: number | null }>('SELECT max(id) AS m FROM acks'));
let next = (max?.m ?? 0) + 1;
say('ready');

async function writer(w: number): Promise<never> {
  for (;;) {
    const id = next++;
    await store.transaction((tx) =>
      tx.run('INSERT INTO acks (id, writer, note) VALUES (?, ?, ?)', [id, w, `w${w}`]),
    );
    say(`ack ${id}`);
  }
}
await Promise.all([writer(1), writer(2), writer(3)]);
