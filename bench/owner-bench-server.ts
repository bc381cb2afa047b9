/**
 * Child process of `owner-api.bench.ts`: one bench join server (`bench/bench-station.ts`) of the
 * tree named by `$GWJS_BENCH_ROOT` (default: this repository), so the benchmark can run an older
 * revision beside the current one in the same run (`baseline.ts`). Only `startBenchStation` is used,
 * which every revision since the Owner API benchmark's introduction has.
 *
 * Protocol: sends `{url, ca, apiKey, ownerId}` once it listens; answers `cpu` with `{cpu}` (this
 * process's user + system CPU time so far, µs); exits on `stop`.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.env.GWJS_BENCH_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startBenchStation } = (await import(
  pathToFileURL(path.join(root, 'bench/bench-station.ts')).href
)) as typeof import('./bench-station');

const bench = await startBenchStation();
process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpu: user + system });
    return;
  }
  if (m !== 'stop') return;
  void bench.close().then(() => process.exit(0));
});
process.send!({
  url: bench.server.url,
  ca: bench.station.tls.caCertPem,
  apiKey: bench.apiKey,
  ownerId: bench.ownerId,
});
