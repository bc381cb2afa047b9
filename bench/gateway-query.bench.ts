/**
 * The station's Gateways table query (`core/station/gateway-query.ts`, docs/station-ui.md) at
 * 100 000 gateways, against the same queries at 1 000 gateways measured in the same run: the ratio
 * is the cost growth of a 100× larger fleet (paging, deep offsets, id search, state filters all run
 * on indexes, so the target is a small constant factor, not 100×).
 */
import { createGatewayQueryService, type GatewayQueryService } from '../src-main/core/station/gateway-query';
import { fillFleet, fleetEui } from '../test/helpers/gateway-fleet';
import { movableClock, openTestStore } from '../test/helpers/station-store';
import type { BenchResult } from './bench-types';

const hex = fleetEui;

async function fleet(n: number) {
  const t = await openTestStore();
  await fillFleet(t.store, n);
  return { t, q: createGatewayQueryService({ store: t.store, clock: movableClock() }) };
}

/** The queries the Gateways screen makes, each with the fleet size it should scale with. */
const queries = (n: number): [string, (q: GatewayQueryService) => Promise<unknown>][] => [
  ['first-page', (q) => q.query({ ownerId: '::1', offset: 0, limit: 100 })],
  ['deep-page', (q) => q.query({ ownerId: '::1', offset: Math.floor(n * 0.8), limit: 100 })],
  ['exact-search', (q) => q.query({ ownerId: '::1', search: hex(Math.floor(n / 2)), offset: 0, limit: 100 })],
  [
    'prefix-search',
    (q) => q.query({ ownerId: '::1', search: hex(n - 1).slice(0, 12), offset: 0, limit: 100 }),
  ],
  ['configured', (q) => q.query({ ownerId: '::1', state: 'configured', offset: 0, limit: 100 })],
  ['failing', (q) => q.query({ ownerId: '::1', state: 'failing', offset: 0, limit: 100 })],
];

/** Median ms of `runs` calls after two warm-up calls. */
async function median(fn: () => Promise<unknown>, runs = 15): Promise<number> {
  await fn();
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)]!;
}

export async function run(): Promise<BenchResult[]> {
  const small = await fleet(1_000);
  const big = await fleet(100_000);
  try {
    const out: BenchResult[] = [];
    const smallQ = queries(1_000);
    const bigQ = queries(100_000);
    for (let i = 0; i < bigQ.length; i++) {
      const [name, bigFn] = bigQ[i]!;
      const baseline = await median(() => smallQ[i]![1](small.q));
      const value = await median(() => bigFn(big.q));
      out.push({
        name: `gateway-query.${name}.100k-vs-1k`,
        value: Number(value.toFixed(2)),
        unit: 'ms',
        baseline: Number(baseline.toFixed(2)),
        ratio: value / baseline,
        target: '≤ 50 ms at 100 000',
      });
    }
    return out;
  } finally {
    await small.t.close();
    await big.t.close();
  }
}
