/**
 * The LAN CUPS door (docs/sync.md "The LAN CUPS door"): a second HTTPS listener of the same core on
 * a LAN address the operator picks — CUPS `POST /update-info` and the Owner API, not the UI — with
 * its own server certificate from the station's CA for that address (IP SAN and DNS SAN), so
 * gateways on the site reach the station while the window and the bridge stay on 127.0.0.1. Opened
 * by `gwjs serve --lan ADDRESS` or the UI's switch (`station:setLanDoor`). The switch's choice
 * (address, port, open or closed) is kept in station.json (`lanDoor`) and reopened at the next
 * start ({@link LanDoor.restore}); a saved address no longer on any interface leaves the door
 * closed with the reason shown (`startError`), never a failed start. `--lan` overrides the saved
 * choice for its run without changing it.
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
import { readSettings, writeSettings, type SavedLanDoor } from './station';

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
  /** keep the switch's choice in `<data>/station.json` (the desktop app, `gwjs serve`) */
  persist?: boolean | undefined;
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
  #openedBy: LanDoorView['openedBy'] = null;
  #saved: SavedLanDoor | null = null;
  #startError: string | null = null;

  constructor(private readonly deps: LanDoorDeps) {}

  view(): LanDoorView {
    return {
      available: true,
      addresses: machineAddresses(),
      active: this.#active,
      openedBy: this.#active === null ? null : this.#openedBy,
      saved: this.#saved,
      startError: this.#startError,
    };
  }

  /**
   * At start: reads the saved choice and reopens the door when it was open. A failure (the
   * address is on no interface of this machine now, the port is taken) is kept as `startError`
   * and logged, and the door stays closed — the station starts anyway.
   */
  async restore(): Promise<LanDoorView> {
    this.#saved = (await readSettings(this.deps.dataDir))?.lanDoor ?? null;
    const saved = this.#saved;
    if (saved?.open === true) {
      try {
        await this.#run(() => this.#open(saved.address, saved.port, 'saved'));
      } catch (e) {
        this.#startError = `the saved LAN door ${hostForUri(saved.address)}:${saved.port} was not opened: ${
          e instanceof Error ? e.message.replace(/^(address|port): /, '') : String(e)
        }`;
        this.deps.logger?.warn(
          { address: saved.address, port: saved.port, error: this.#startError },
          'LAN CUPS door not reopened',
        );
      }
    }
    return this.view();
  }

  /**
   * `gwjs serve --lan`: opens the door for this run over the saved choice, which stays as it is
   * (read first, so the caller can say what it overrides). @throws like {@link set}.
   */
  async override(address: string, port = DEFAULT_LAN_PORT): Promise<LanDoorView> {
    this.#saved = (await readSettings(this.deps.dataDir))?.lanDoor ?? null;
    await this.#run(() => this.#open(address, port, 'flag'));
    return this.view();
  }

  /** The door's CUPS URI, when open. */
  get cupsUri(): string | null {
    return this.#active?.cupsUri ?? null;
  }

  /** The switch: opens (or closes, for null) the door and keeps the choice for the next start. */
  set(address: string | null, port = DEFAULT_LAN_PORT): Promise<LanDoorView> {
    return this.#run(async () => {
      const was = this.#active;
      if (address === null) await this.#close();
      else await this.#open(address, port, 'switch');
      this.#startError = null;
      const now = this.#active;
      const choice: SavedLanDoor | null =
        now !== null
          ? { address: now.address, port: now.port, open: true }
          : was !== null
            ? { address: was.address, port: was.port, open: false }
            : this.#saved === null
              ? null
              : { ...this.#saved, open: false };
      if (choice !== null) await this.#save(choice);
    }).then(() => this.view());
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn);
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #save(choice: SavedLanDoor): Promise<void> {
    this.#saved = choice;
    if (this.deps.persist !== true) return;
    const settings = await readSettings(this.deps.dataDir);
    if (settings === undefined) return;
    await writeSettings(this.deps.dataDir, { ...settings, lanDoor: choice });
  }

  /**
   * @throws DomainError('invalid_request') naming `address` when it is not an IP address of this
   *   machine; ('conflict') when the port is taken.
   */
  async #open(address: string, port: number, by: NonNullable<LanDoorView['openedBy']>): Promise<void> {
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
    this.#openedBy = by;
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
