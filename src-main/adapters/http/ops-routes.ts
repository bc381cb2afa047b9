/**
 * Operations endpoints of the HTTPS server (docs/server-mode.md): `/healthz` (the process
 * answers), `/readyz` (the store and HSM can serve: 503 otherwise, so a load balancer takes the
 * instance out), and `/metrics` in the Prometheus text format through prom-client — the core's
 * counters (`core/metrics.ts`: CUPS requests by outcome, Owner API items by operation and result,
 * hence claim failures and lockouts), the CUPS latency histogram, Owner API requests by route and
 * status, store transaction latency, the sync lag gauges and the process defaults. Every instance
 * has its own registry: counters are per process, Prometheus sums them over instances.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Core } from '../../core/api';

/** What `/readyz` asks: each check resolves true when that part can serve. */
export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** Latency buckets (seconds): a CUPS poll is sub-millisecond in memory, tens of ms through TLS + store. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The metrics of one server (see the module comment). */
export class OpsMetrics {
  readonly registry = new Registry();
  readonly cupsSeconds: Histogram;
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly httpSeconds: Histogram<'route'>;
  readonly storeSeconds: Histogram<'durability'>;

  constructor(core: Pick<Core, 'metrics' | 'sync'>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gwjs_' });
    const snapshot = () => core.metrics();
    new Counter({
      name: 'gwjs_cups_requests_total',
      help: 'CUPS POST /update-info requests by outcome (SPEC §3.6)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, n] of Object.entries(snapshot().cups)) this.inc({ outcome }, n);
      },
    });
    new Counter({
      name: 'gwjs_owner_api_items_total',
      help: 'Owner API items by operation and result (ok or the error code; SPEC §4.2)',
      labelNames: ['operation', 'result'],
      registers,
      collect() {
        this.reset();
        for (const [key, n] of Object.entries(snapshot().ownerApi)) {
          const dot = key.indexOf('.');
          this.inc({ operation: key.slice(0, dot), result: key.slice(dot + 1) }, n);
        }
      },
    });
    new Counter({
      name: 'gwjs_claim_failures_total',
      help: 'claims refused for a wrong PIN (counted toward the lockout)',
      registers,
      collect() {
        this.reset();
        this.inc(snapshot().ownerApi['claim.bad_claim'] ?? 0);
      },
    });
    new Counter({
      name: 'gwjs_claim_lockouts_total',
      help: 'claims refused because the gateway or owner is locked out',
      registers,
      collect() {
        this.reset();
        this.inc(snapshot().ownerApi['claim.claim_locked'] ?? 0);
      },
    });
    // sync lag (docs/sync.md "Sync lag"): read from the store at each scrape
    new Gauge({
      name: 'gwjs_sync_lag_seconds',
      help: 'seconds since the oldest outbox operation not yet pushed to the remote was made (0: none pending)',
      registers,
      async collect() {
        this.set((await core.sync.lag()).pushSeconds);
      },
    });
    new Gauge({
      name: 'gwjs_sync_pull_age_seconds',
      help: 'seconds since the last successful pull of the remote change feed (-1: not linked or never pulled)',
      registers,
      async collect() {
        this.set((await core.sync.lag()).pullSeconds ?? -1);
      },
    });
    this.cupsSeconds = new Histogram({
      name: 'gwjs_cups_request_duration_seconds',
      help: 'CUPS request latency, from the request to the end of the answer',
      buckets: BUCKETS,
      registers,
    });
    this.httpRequests = new Counter({
      name: 'gwjs_http_requests_total',
      help: 'Owner API and other non-CUPS HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers,
    });
    this.httpSeconds = new Histogram({
      name: 'gwjs_http_request_duration_seconds',
      help: 'Owner API and other non-CUPS HTTP request latency by route',
      labelNames: ['route'],
      buckets: BUCKETS,
      registers,
    });
    this.storeSeconds = new Histogram({
      name: 'gwjs_store_transaction_duration_seconds',
      help: 'store write transactions, begin to durable commit, by durability',
      labelNames: ['durability'],
      buckets: BUCKETS,
      registers,
    });
  }
}

/** Mounts `/readyz`, `/metrics` and the per-route request metrics on `app`. */
export function opsRoutes(app: FastifyInstance, metrics: OpsMetrics, readiness: ReadinessChecks): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.get('/readyz', async (_req, reply) => {
    const entries = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        let ok: boolean;
        try {
          ok = await withTimeout(check(), 2000);
        } catch {
          ok = false;
        }
        return [name, ok ? 'ok' : 'failing'] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, v]) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}

function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
