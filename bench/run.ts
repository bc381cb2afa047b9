/**
 * `npm run bench`: runs every `bench/*.bench.ts` module (each exports `run(): Promise<BenchResult[]>`)
 * one after the other and prints one table — value, the same-run baseline where there is one, the
 * ratio and the target. Figures are printed, never asserted. `npm run bench -- cups owner` runs
 * only the modules whose file name contains one of the words.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { BenchResult } from './bench-types';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

function table(rows: BenchResult[]): string {
  const head = ['benchmark', 'value', 'unit', 'baseline', 'ratio', 'target'];
  const cells = rows.map((r) => [
    r.name,
    String(r.value),
    r.unit,
    r.baseline === undefined ? '' : String(r.baseline),
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    r.target ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === 2 || i === 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const results: BenchResult[] = [];
const failures: string[] = [];
for (const file of modules) {
  const started = performance.now();
  process.stderr.write(`bench: ${file} …\n`);
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
      run?: () => Promise<BenchResult[]>;
    };
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    results.push(...(await mod.run()));
    process.stderr.write(`bench: ${file} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    process.stderr.write(
      `bench: ${file} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  }
}
console.log(`\n${table(results)}`);
if (failures.length > 0) {
  console.log(`\nfailed: ${failures.join('; ')}`);
  process.exitCode = 1;
}
