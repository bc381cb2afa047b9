/**
 * Child process of `cups.bench.ts`: the join server under test and, on the same certificate, a bare
 * `node:https` server that answers every `POST /update-info` with 14 zero bytes (the best any CUPS
 * server could do). Running them in their own process keeps the client's TLS work off their core.
 * Protocol: sends `{url, bareUrl, files}` once both listen; answers the message `cpu` with
 * `{cpu}` (this process's user + system CPU time so far, µs); exits on the message `stop`.
 */
import { createServer } from 'node:https';
import { startBenchStation, vectorPin } from './bench-station';
import { parseId } from '../src-shared/ids';

const GATEWAY = '00-00-00-FF-FE-00-0A-BC';

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
  if (m !== 'stop') return;
  bare.closeAllConnections();
  bare.close();
  void bench.close().then(() => process.exit(0));
});
process.send!({ url: bench.server.url, bareUrl: `https://127.0.0.1:${barePort}`, files: bundle.files });
