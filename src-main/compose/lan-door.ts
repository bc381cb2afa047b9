/**
 * The LAN CUPS door (docs/sync.md "The LAN CUPS door"): a second HTTPS listener of the same core on
 * a LAN address the operator picks — CUPS `POST /update-info` and the Owner API, not the UI — with
 * its own server certificate from the station's CA for that address (IP SAN and DNS SAN), so
 * gateways on the site reach the station while the window and the bridge stay on 127.0.0.1. Opened
 * by `gwjs serve --lan ADDRESS` or the UI's switch (`station:setLanDoor`).
 */
import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import type { LanDoorView } from '../../src-shared/channels/lan';
import { DomainError } from '../../src-shared/errors';
import { startServer, type RunningServer } from '../adapters/http/server';
import type { TransportLimits } from '../adapters/http/transport';
import { ensureLanTls } from '../adapters/tls/local-ca';
import type { Core } from '../core/api';
import type { Logger } from '../core/ports';
import type { LanDoorControl } from '../bridge/lan-handlers';

/** Default port of the LAN door. */
export const DEFAULT_LAN_PORT = 8443;

/** What {@link LanDoor} needs. */
export interface LanDoorDeps {
  dataDir: string;
  core: Core;
  logger?: Logger | undefined;
  /** client CAs CUPS accepts besides the station's own (as `gwjs serve --client-ca`) */
  clientCaPems?: readonly string[] | undefined;
  transport?: Partial<TransportLimits> | undefined;
}

function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The addresses of this machine's interfaces. */
export function machineAddresses(): LanDoorView['addresses'] {
  const out: LanDoorView['addresses'] = [];
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' && a.family !== 'IPv6') continue;
      if (a.family === 'IPv6' && a.scopeid !== undefined && a.scopeid !== 0) continue; // link-local
      out.push({ address: a.address, family: a.family, interface: name, internal: a.internal });
    }
  }
  return out;
}

/** One LAN door (see the module comment). */
export class LanDoor implements LanDoorControl {
  #server: RunningServer | undefined;
  #active: LanDoorView['active'] = null;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: LanDoorDeps) {}

  view(): LanDoorView {
    return { available: true, addresses: machineAddresses(), active: this.#active };
  }

  /** The door's CUPS URI, when open. */
  get cupsUri(): string | null {
    return this.#active?.cupsUri ?? null;
  }

  set(address: string | null, port = DEFAULT_LAN_PORT): Promise<LanDoorView> {
    const run = this.#busy.then(() => (address === null ? this.#close() : this.#open(address, port)));
    this.#busy = run.catch(() => undefined);
    return run.then(() => this.view());
  }

  /**
   * @throws DomainError('invalid_request') naming `address` when it is not an IP address of this
   *   machine; ('conflict') when the port is taken.
   */
  async #open(address: string, port: number): Promise<void> {
    const host = address
      .trim()
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase();
    if (isIP(host) === 0 || !machineAddresses().some((a) => a.address.toLowerCase() === host)) {
      throw new DomainError(
        'invalid_request',
        `address: ${JSON.stringify(address)} is not an IP address of this machine (${machineAddresses()
          .map((a) => a.address)
          .join(', ')})`,
        { field: 'address' },
      );
    }
    await this.#close();
    const tls = await ensureLanTls(this.deps.dataDir, host);
    let server: RunningServer;
    try {
      server = await startServer({
        core: this.deps.core,
        tls: {
          certPem: tls.certPem,
          keyPem: tls.keyPem,
          caCertPem: tls.caCertPem,
          clientCaPems: this.deps.clientCaPems,
        },
        host,
        port,
        logger: this.deps.logger,
        transport: this.deps.transport,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new DomainError('conflict', `port: ${host}:${port} is in use (choose another LAN port)`, {
          field: 'port',
        });
      throw e;
    }
    this.#server = server;
    this.#active = {
      address: host,
      port: server.port,
      cupsUri: `https://${hostForUri(host)}:${server.port}`,
      certFingerprint: tls.fingerprint256,
    };
    this.deps.logger?.info({ cupsUri: this.#active.cupsUri }, 'LAN CUPS door open');
  }

  async #close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s !== undefined) {
      this.#active = null;
      await s.close();
      this.deps.logger?.info({}, 'LAN CUPS door closed');
    }
  }

  /** Closes the door (before the core closes). */
  async close(): Promise<void> {
    await this.#busy;
    await this.#close();
  }
}
