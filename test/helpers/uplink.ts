/**
 * The site's uplink in sync tests (docs/sync.md "An offline day"): a TCP forwarder on 127.0.0.1 to the
 * remote that can be cut (every connection destroyed, the port closed) and restored.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../src-main/cli/free-port';

/** A TCP forwarder to `target` that can be cut and restored (the site's uplink). */
export class Uplink {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}
  /** Listens on `port` and forwards every connection to the remote. */
  async up(): Promise<void> {
    const server = createServer((s) => {
      const r = connect(this.target, '127.0.0.1');
      for (const x of [s, r]) {
        this.#sockets.add(x);
        x.on('close', () => this.#sockets.delete(x));
        x.on('error', () => x.destroy());
      }
      s.pipe(r).pipe(s);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }
  /** Cuts the link: every open connection destroyed, the port closed. */
  async down(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * A `linkUrl` for `startSyncPair`: the station links to the remote through an {@link Uplink} on a
 * free port, handed to `took` once it is up (the test cuts and restores it).
 */
export function throughUplink(took: (uplink: Uplink) => void): (remote: { url: string }) => Promise<string> {
  return async (remote) => {
    const port = await freePort();
    const uplink = new Uplink(port, Number(new URL(remote.url).port));
    await uplink.up();
    took(uplink);
    return `https://127.0.0.1:${port}`;
  };
}
