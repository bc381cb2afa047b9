import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTlsProbe } from '../../../src-main/adapters/net/node-tls-probe';
import { ensureServerTls, issueCertificate, loadOrCreateCa } from '../../../src-main/adapters/tls/local-ca';
import { createReachabilityService, stationAcceptsHost } from '../../../src-main/core/station/reachability';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

describe('stationAcceptsHost', () => {
  it('matches DNS names and one-label wildcards only', () => {
    expect(stationAcceptsHost('lns.example.com', ['LNS.example.com'])).toBe(true);
    expect(stationAcceptsHost('a.example.com', ['*.example.com'])).toBe(true);
    expect(stationAcceptsHost('a.b.example.com', ['*.example.com'])).toBe(false);
    expect(stationAcceptsHost('127.0.0.1', ['localhost'])).toBe(false);
  });
});

describe('reachability service with the node:tls probe', () => {
  const dirs: string[] = [];
  const servers: (Server | NetServer)[] = [];
  let goodPort = 0;
  let wrongNamePort = 0;
  let plainPort = 0;
  let closedPort = 0;
  let caPem = '';
  let otherCaPem = '';
  const service = createReachabilityService({
    probe: createNodeTlsProbe(),
    clock: { now: () => Date.now() },
  });

  beforeAll(async () => {
    const d1 = mkdtempSync(join(tmpdir(), 'gwjs-reach-'));
    const d2 = mkdtempSync(join(tmpdir(), 'gwjs-reach-'));
    dirs.push(d1, d2);
    const tls = await ensureServerTls(d1, { publicHosts: [] });
    caPem = tls.caCertPem;
    otherCaPem = (await ensureServerTls(d2, { publicHosts: [] })).caCertPem;
    const good = createServer({ cert: tls.certPem, key: tls.keyPem }, (s) => s.end());
    const { ca } = await loadOrCreateCa(d1);
    const wrong = await issueCertificate(ca, {
      commonName: 'other',
      sans: ['other.example'],
      usage: 'server',
      days: 1,
    });
    const wrongName = createServer({ cert: wrong.certPem, key: wrong.keyPem }, (s) => s.end());
    const plain = createNetServer((s) => s.end());
    const closed = createNetServer();
    servers.push(good, wrongName, plain);
    goodPort = await listen(good);
    wrongNamePort = await listen(wrongName);
    plainPort = await listen(plain);
    closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('succeeds when the server chains to the given trust and is issued for the host', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const r = await service.check({ uri: `https://${host}:${goodPort}`, trust: b64(caPem) });
      expect(r).toMatchObject({ ok: true, reason: 'ok' });
      expect(r.peer?.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    }
  });

  it('fails on a wrong trust and says so', async () => {
    const r = await service.check({ uri: `wss://localhost:${goodPort}`, trust: b64(otherCaPem) });
    expect(r).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(r.message).toContain(`localhost:${goodPort}`);
    expect(r.peer).not.toBeNull();
  });

  it('fails when the certificate is trusted but not issued for the host', async () => {
    const r = await service.check({ uri: `https://localhost:${wrongNamePort}`, trust: b64(caPem) });
    expect(r).toMatchObject({ ok: false, reason: 'hostname' });
    expect(r.message).toContain('other.example');
  });

  it('tells refused connections, bad URIs, bad trust and plain endpoints apart', async () => {
    expect(await service.check({ uri: `https://127.0.0.1:${closedPort}`, trust: b64(caPem) })).toMatchObject({
      ok: false,
      reason: 'refused',
    });
    expect(await service.check({ uri: 'https://localhost:443/path' })).toMatchObject({
      ok: false,
      reason: 'invalid_uri',
    });
    expect(
      await service.check({ uri: `https://localhost:${goodPort}`, trust: 'bm90IGEgY2VydA==' }),
    ).toMatchObject({
      ok: false,
      reason: 'invalid_trust',
    });
    expect(await service.check({ uri: `http://127.0.0.1:${plainPort}` })).toMatchObject({
      ok: true,
      reason: 'plain',
    });
  });

  it('times out on a server that never answers the handshake', async () => {
    const held: import('node:net').Socket[] = [];
    const silent = createNetServer((s) => void held.push(s));
    const port = await listen(silent);
    const r = await service.check({ uri: `https://127.0.0.1:${port}`, trust: b64(caPem), timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, reason: 'timeout' });
    expect(r.elapsedMs).toBeLessThan(3000);
    for (const s of held) s.destroy();
    await new Promise((res) => silent.close(res));
  });
});
