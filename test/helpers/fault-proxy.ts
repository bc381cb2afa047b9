/**
 * A fault-injecting proxy between a station and its remote (docs/sync.md "Must show"): it
 * terminates TLS with the remote's own server certificate (so the station's pinned trust holds),
 * reads the HTTP/1.1 requests of each connection, and per request applies the next fault of a
 * schedule — drop the connection part-way through the request (the remote never sees it whole),
 * or part-way through the response (the remote applied it, the station never learns the answer),
 * delay it, or send it twice (a second connection to the remote whose answer is thrown away).
 */
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer, type TLSSocket } from 'node:tls';

/** What happens to one request. */
export type Fault =
  | { kind: 'none' }
  | { kind: 'drop-request'; fraction: number }
  | { kind: 'drop-response'; afterBytes: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'duplicate' };

/** A running proxy. */
export interface FaultProxy {
  url: string;
  /** the fault for each next request (called once per request) */
  schedule: () => Fault;
  /** faults applied so far, by kind */
  applied: Record<Fault['kind'], number>;
  /** refuses new connections and cuts the open ones while `down` (the link is cut) */
  down: boolean;
  close(): Promise<void>;
}

/** Finds the end of one complete request in `buf` (headers + Content-Length body), or -1. */
function requestEnd(buf: Buffer): number {
  const head = buf.indexOf('\r\n\r\n');
  if (head < 0) return -1;
  const m = /\r\ncontent-length: *(\d+)/i.exec(buf.subarray(0, head).toString('latin1'));
  const end = head + 4 + (m ? Number(m[1]) : 0);
  return buf.length >= end ? end : -1;
}

/** Starts a proxy on 127.0.0.1 in front of `target` (host:port of the remote). */
export async function startFaultProxy(options: {
  targetPort: number;
  certPem: string;
  keyPem: string;
  caPem: string;
}): Promise<FaultProxy> {
  const sockets = new Set<{ destroy(): void }>();
  const upstream = (): TLSSocket => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port: options.targetPort,
      ca: options.caPem,
      servername: 'localhost',
    });
    s.on('error', () => s.destroy());
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    return s;
  };
  const proxy: FaultProxy = {
    url: '',
    schedule: () => ({ kind: 'none' }),
    applied: { none: 0, 'drop-request': 0, 'drop-response': 0, delay: 0, duplicate: 0 },
    down: false,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const server = createServer({ cert: options.certPem, key: options.keyPem }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (proxy.down) {
      client.destroy();
      return;
    }
    const up = upstream();
    let pending = Buffer.alloc(0);
    /** bytes of the current response still allowed through; Infinity = no cut */
    let allowance = Infinity;
    let chain = Promise.resolve();
    const cut = () => {
      client.destroy();
      up.destroy();
    };
    up.on('data', (chunk: Buffer) => {
      if (allowance === Infinity) {
        client.write(chunk);
        return;
      }
      const pass = chunk.subarray(0, Math.max(0, allowance));
      allowance -= chunk.length;
      if (pass.length > 0) client.write(pass);
      if (allowance <= 0) cut();
    });
    up.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (proxy.down) {
        cut();
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      for (let end = requestEnd(pending); end > 0; end = requestEnd(pending)) {
        const req = pending.subarray(0, end);
        pending = pending.subarray(end);
        const fault = proxy.schedule();
        proxy.applied[fault.kind]++;
        chain = chain.then(async () => {
          switch (fault.kind) {
            case 'drop-request':
              up.write(req.subarray(0, Math.max(1, Math.floor(req.length * fault.fraction))));
              setImmediate(cut);
              return;
            case 'drop-response':
              allowance = fault.afterBytes;
              up.write(req);
              return;
            case 'delay':
              await new Promise((r) => setTimeout(r, fault.ms));
              up.write(req);
              return;
            case 'duplicate': {
              const twin = upstream();
              twin.on('data', () => undefined);
              twin.on('secureConnect', () => twin.write(req));
              setTimeout(() => twin.destroy(), 2000).unref();
              up.write(req);
              return;
            }
            case 'none':
              up.write(req);
          }
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
