/**
 * Transport limits over real sockets (docs/cups.md "Connections"): a connection that never starts
 * TLS is closed after the handshake timeout, connections beyond the cap are refused, and the
 * answers node's HTTP parser gives before any route (bad Content-Length, NUL in a header) carry the
 * `{error, code}` envelope (SPEC §4.2).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server-fixture';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A raw TCP connection that sends nothing; resolves once open. */
function idle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Milliseconds until the server closes `s`, or `Infinity` once `ms` passed. */
function closedWithin(s: Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), ms);
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** Sends raw request bytes over TLS and returns everything the server writes until it closes. */
function rawTls(server: TestServer, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = tlsConnect(
      { host: '127.0.0.1', port: server.port, ca: server.caPem, servername: 'localhost' },
      () => s.end(Buffer.from(bytes, 'latin1')),
    );
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** Status line and JSON body of a raw answer. */
function parse(raw: string): { status: string; json: unknown } {
  const at = raw.indexOf('\r\n\r\n');
  return { status: raw.slice(0, raw.indexOf('\r\n')), json: JSON.parse(raw.slice(at + 4)) };
}

describe('HTTPS transport limits', () => {
  it('closes a connection that never starts TLS after the handshake timeout', async () => {
    t = await startTestServer({ transport: { tlsHandshakeTimeoutMs: 300 } });
    const s = await idle(t.port);
    const after = await closedWithin(s, 5_000);
    s.destroy();
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(5_000);
    expect((await t.request('/healthz')).status).toBe(200);
  });

  it('refuses connections beyond the cap and accepts again once one closes', async () => {
    t = await startTestServer({ transport: { maxConnections: 3 } });
    const held = await Promise.all([idle(t.port), idle(t.port), idle(t.port)]);
    await new Promise((r) => setTimeout(r, 100));
    const extra = await idle(t.port);
    expect(await closedWithin(extra, 2_000)).toBeLessThan(2_000);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await t.request('/healthz')).status).toBe(200);
  });

  it('answers a bad Content-Length and a NUL in a header with the {error, code} envelope', async () => {
    t = await startTestServer();
    for (const head of [
      'POST /update-info HTTP/1.1\r\nHost: x:1\r\nContent-Length: 12x\r\n\r\n{}',
      'POST /api/v1/gateway/info HTTP/1.1\r\nHost: x:1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'POST /update-info HTTP/1.1\r\nHost: x:1\r\nX-Note: a\u0000b\r\nContent-Length: 2\r\n\r\n{}',
    ]) {
      const answer = parse(await rawTls(t, head));
      expect(answer.status).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer.json).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(/\S/) });
    }
    expect((await t.request('/healthz')).status).toBe(200);
  });
});
