/**
 * Label rendering throughput (SPEC §6): `node --import tsx bench/labels.bench.ts`.
 * - ZPL: label model + ZPL for the default template, labels/s — part of the pre-generation budget
 *   (≥ 200 units/s for derive + bundle + ZPL), so it should cost a small fraction of it;
 * - PNG: the on-screen preview at printer resolution, labels/s and ms per preview;
 * - PDF: one multi-page document, labels/s.
 * Each runs after a warm-up (font glyph caches, JIT) on EUIs of a fixed pseudo-random sequence.
 */
import { pathToFileURL } from 'node:url';
import { buildLabelModel, type LabelModel } from '../src-main/core/labels/label-model';
import { loadLabelTemplate } from '../src-main/adapters/printers/label-templates';
import { renderPdf } from '../src-main/adapters/printers/pdf';
import { renderPng } from '../src-main/adapters/printers/png';
import { renderZpl } from '../src-main/adapters/printers/zpl';
import type { BenchResult } from './bench-types';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `n` gateways with PINs from a fixed xorshift sequence (no HSM: this measures rendering only). */
function gateways(n: number): Array<{ id: bigint; pin: string }> {
  let s = 0x6a776a73;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return Array.from({ length: n }, () => {
    const id = (BigInt(next()) << 32n) | BigInt(next());
    let pin = '';
    for (let i = 0; i < 8; i++) pin += CROCKFORD[next() % 32];
    return { id, pin };
  });
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** Measures labels/s of `render` over `inputs` after rendering `warmup` of them untimed. */
async function throughput(
  inputs: Array<{ id: bigint; pin: string }>,
  warmup: number,
  render: (m: LabelModel) => unknown,
): Promise<{ perSecond: number; msEach: number }> {
  for (const g of inputs.slice(0, warmup)) await render(buildLabelModel(g));
  const t0 = performance.now();
  for (const g of inputs) await render(buildLabelModel(g));
  const ms = performance.now() - t0;
  return { perSecond: (inputs.length * 1000) / ms, msEach: ms / inputs.length };
}

/** Runs the label benchmarks; returns the results (also used by the bench runner). */
export async function run(): Promise<BenchResult[]> {
  const template = await loadLabelTemplate('default-50x30');
  const zpl = await throughput(gateways(5000), 200, (m) => renderZpl(m, template));
  const png = await throughput(gateways(200), 20, (m) => renderPng(m, template));

  const pdfInputs = gateways(200);
  await renderPdf(pdfInputs.slice(0, 10).map(buildLabelModel), template);
  const t0 = performance.now();
  await renderPdf(pdfInputs.map(buildLabelModel), template);
  const pdfPerSecond = (pdfInputs.length * 1000) / (performance.now() - t0);

  return [
    {
      name: 'labels.zpl.default-50x30',
      value: Math.round(zpl.perSecond),
      unit: 'labels/s',
      target: '≥ 2000 labels/s',
    },
    {
      name: 'labels.png.default-50x30',
      value: round(png.perSecond),
      unit: 'labels/s',
      target: '≥ 20 labels/s',
    },
    { name: 'labels.png.default-50x30.each', value: round(png.msEach, 2), unit: 'ms', target: '≤ 50 ms' },
    { name: 'labels.pdf.default-50x30.200pages', value: round(pdfPerSecond), unit: 'labels/s' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) {
    const extra = r.target ? `target ${r.target}` : '';
    console.log(`${r.name.padEnd(40)} ${String(r.value).padStart(10)} ${r.unit.padEnd(9)} ${extra}`);
  }
}
