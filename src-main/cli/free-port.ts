/** A free TCP port, for `serve --port 0` (the port must be known before the core is built) and tests. */
import { createServer } from 'node:net';

/** Resolves a TCP port that is free on `host` right now (another process may still take it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0 }, () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}
