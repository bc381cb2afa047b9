/**
 * Child process of `cups.bench.ts`: the join server under test and, on the same certificate, a bare
 * `node:https` server that answers every `POST /update-info` with 14 zero bytes (the best any CUPS
 * server could do). Running them in their own process keeps the client's TLS work off their core.
 *
 * The join server's code is loaded from the tree named by `$GWJS_BENCH_ROOT` (default: this
 * repository), so `cups.bench.ts` can run an older revision beside the current one in the same run.
 * Only what every revision since the CUPS benchmark's introduction has is used: `bench/bench-station.ts`
 * (`startBenchStation`, `vectorPin`), `src-shared/ids.ts` (`parseId`), `src-shared/cups-wire.ts`
 * (`parseUpdateInfoBody`) and the core's `owner`, `factory` and `cups.updateInfo`/`cups.forget`.
 *
 * Protocol: sends `{url, bareUrl, files}` once both listen; answers `cpu` with `{cpu}` (this
 * process's user + system CPU time so far, µs); answers `{core: body}` (an in-sync station's JSON
 * report) with `{coreCpu}`: CPU µs per `cups.updateInfo` call, in-process without TLS or HTTP, for
 * the in-sync poll, a poll that is sent the stored tcCred, and an in-sync poll whose gateway state
 * is not cached; exits on `stop`.
 */
import { createServer } from 'node:https';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const GATEWAY = '00-00-00-FF-FE-00-0A-BC';

const root = process.env.GWJS_BENCH_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = async <T>(rel: string): Promise<T> =>
  (await import(pathToFileURL(path.join(root, rel)).href)) as T;
const { startBenchStation, vectorPin } =
  await load<typeof import('./bench-station')>('bench/bench-station.ts');
const { parseId } = await load<typeof import('../src-shared/ids')>('src-shared/ids.ts');
const { parseUpdateInfoBody } =
  await load<typeof import('../src-shared/cups-wire')>('src-shared/cups-wire.ts');

const bench = await startBenchStation();
const { core, cliContext, tls } = bench.station;
const principal = await core.access.authenticate(bench.apiKey);
const ctx = { principal, address: 'bench' };
const claim = await core.owner.claim(ctx, bench.ownerId, [
  { gateway: GATEWAY, claim: vectorPin(parseId(GATEWAY).id) },
]);
const trust = Buffer.from(tls.caCertPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('base64');
const setup = await core.owner.setup(ctx, bench.ownerId, [
  {
    gateway: GATEWAY,
    lnsUri: 'wss://lns.example.com:443',
    lnsTrust: trust,
    lnsKey: Buffer.from('Authorization: Bearer lns-token').toString('base64'),
  },
]);
if (claim[0]?.error !== undefined || setup[0]?.error !== undefined) {
  throw new Error(`bench setup failed: ${JSON.stringify({ claim, setup })}`);
}
const bundle = await core.factory.personalize(cliContext, GATEWAY, {
  cupsUri: bench.station.cupsUri,
  trustPem: tls.caCertPem,
});
const authorization = (bundle.files['cups.key'] ?? '').replace(/^Authorization: */, '').trim();
const hex = parseId(GATEWAY).id.toString(16).padStart(16, '0').toUpperCase();

/** CPU µs per call of `poll` over `n` calls (after `n / 10` warm-up calls). */
async function cpuPerCall(n: number, poll: () => Promise<void>): Promise<number> {
  for (let i = 0; i < n / 10; i++) await poll();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await poll();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/** The in-process CUPS figures (see the module comment). */
async function coreFigures(body: string): Promise<Record<string, number>> {
  const inSync = parseUpdateInfoBody(Buffer.from(body, 'utf8'));
  const needsTcCred = { ...inSync, tcCredCrc: 0 };
  const auth = { secure: true, authorization };
  const poll = (req: typeof inSync, expectBytes: (n: number) => boolean) => async () => {
    const a = await core.cups.updateInfo(req, auth, 'bench');
    if (a.status !== 200 || !expectBytes(a.body.length)) {
      throw new Error(
        `core poll: unexpected answer ${a.status} ${a.status === 200 ? a.body.length : a.reason}`,
      );
    }
  };
  const inSyncPoll = poll(inSync, (n) => n === 14);
  return {
    'in-sync': await cpuPerCall(20_000, inSyncPoll),
    'sends-tc-cred': await cpuPerCall(
      2_000,
      poll(needsTcCred, (n) => n > 14),
    ),
    'in-sync.state-not-cached': await cpuPerCall(2_000, async () => {
      core.cups.forget(hex);
      await inSyncPoll();
    }),
  };
}

const ZERO14 = Buffer.alloc(14);
const bare = createServer(
  {
    cert: tls.certPem,
    key: tls.keyPem,
    ca: tls.caCertPem,
    requestCert: true,
    rejectUnauthorized: false,
    keepAliveTimeout: 30_000,
  },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '14' });
      res.end(ZERO14);
    });
  },
);
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const addr = bare.address();
const barePort = typeof addr === 'object' && addr !== null ? addr.port : 0;

process.on('message', (m) => {
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ cpu: user + system });
    return;
  }
  if (typeof m === 'object' && m !== null && 'core' in m) {
    coreFigures(String((m as { core: unknown }).core)).then(
      (coreCpu) => process.send!({ coreCpu }),
      (e: unknown) => process.send!({ coreError: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  if (m !== 'stop') return;
  bare.closeAllConnections();
  bare.close();
  void bench.close().then(() => process.exit(0));
});
process.send!({ url: bench.server.url, bareUrl: `https://127.0.0.1:${barePort}`, files: bundle.files });
