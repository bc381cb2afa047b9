/**
 * Owner API bulk operations over HTTPS (SPEC §4.2): one request claiming 10 000 gateways, then one
 * mixed setup request configuring the same 10 000 (top-level LNS URI, trust and token, items with
 * just the gateway id). Target ≤ 1 s each, measured from the first byte sent to the last received.
 */
import { request } from 'node:https';
import { pathToFileURL } from 'node:url';
import { euiHex } from '../src-shared/ids';
import { BATCH_FIRST, startBenchStation, vectorPin } from './bench-station';
import type { BenchResult } from './bench-types';

const N = 10_000;

/** POSTs JSON and returns the parsed answer and the wall time in ms. */
function post(
  url: string,
  ca: string,
  key: string,
  body: unknown,
): Promise<{ ms: number; status: number; json: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          resolve({
            ms,
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function checkAllOk(what: string, r: { status: number; json: unknown }): void {
  const items = r.json as { error?: string }[];
  const failed = Array.isArray(items) ? items.filter((i) => i.error !== undefined) : [];
  if (r.status !== 200 || !Array.isArray(items) || items.length !== N || failed.length > 0) {
    throw new Error(
      `${what}: status ${r.status}, ${failed.length} failed, e.g. ${JSON.stringify(failed[0] ?? r.json).slice(0, 200)}`,
    );
  }
}

/** Runs the Owner API bulk benchmarks (also used by bench/run.ts). */
export async function run(): Promise<BenchResult[]> {
  const bench = await startBenchStation();
  try {
    const { url } = bench.server;
    const ca = bench.station.tls.caCertPem;
    const euis = Array.from({ length: N }, (_, i) => BATCH_FIRST + 0x10000n + BigInt(i));
    const claimBody = {
      ownerid: bench.ownerId,
      gateways: euis.map((e) => ({ gateway: euiHex(e), claim: vectorPin(e) })),
    };
    const trust = Buffer.from(ca.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
    const setupBody = {
      ownerid: bench.ownerId,
      lnsUri: 'wss://lns.example.com:443',
      lnsTrust: trust,
      lnsKey: Buffer.from('Authorization: Bearer lns-token').toString('base64'),
      gateways: euis.map((e) => ({ gateway: euiHex(e) })),
    };
    // warm-up: a small request of each kind (JIT, statement cache)
    await post(`${url}/api/v1/gateway/info`, ca, bench.apiKey, { ownerid: bench.ownerId, gateways: ['::1'] });

    const claim = await post(`${url}/api/v1/gateway/claim`, ca, bench.apiKey, claimBody);
    checkAllOk('claim', claim);
    const setup = await post(`${url}/api/v1/gateway/setup`, ca, bench.apiKey, setupBody);
    checkAllOk('setup', setup);
    return [
      { name: 'owner-api.claim.bulk-10000', value: Math.round(claim.ms), unit: 'ms', target: '≤ 1000 ms' },
      { name: 'owner-api.setup.mixed-10000', value: Math.round(setup.ms), unit: 'ms', target: '≤ 1000 ms' },
    ];
  } finally {
    await bench.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await run());
}
