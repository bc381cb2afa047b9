/**
 * The station's network settings behind Settings → Network (docs/station-ui.md "Network"): the
 * listen address (one of this machine's addresses, read here with `os.networkInterfaces`, or every
 * interface), the public host names, and the CUPS URI bundles carry — saved in `station.json` —
 * and the server certificate re-issued from the station CA for the public hosts (an IP as IP SAN
 * **and** DNS SAN, a name as DNS SAN: mbedTLS in the Basics Station matches DNS names only, STACK
 * "Basics Station wire details"). The new certificate, the public hosts and the CUPS URI apply at
 * once (new bundles, CUPS answers, the dashboard); the listen address applies at the next start —
 * a live rebind would cut off the browser and the gateways connected on the old address — and the
 * view shows it as pending until then (docs/station-ui.md "Network").
 */
import { X509Certificate } from 'node:crypto';
import type { NetworkView } from '../../src-shared/channels/network';
import { DomainError } from '../../src-shared/errors';
import { ensureServerTls, type ServerTls } from '../adapters/tls/local-ca';
import type { NetworkControl } from '../bridge/network-handlers';
import { machineAddresses } from './lan-door';
import { readSettings, stationCupsUri, writeSettings, type StationSettings } from './station';

/** Listen addresses that are not one interface's. */
const ANY_ADDRESS = ['0.0.0.0', '::'];

/** What {@link NetworkSettings} needs. */
export interface NetworkSettingsDeps {
  dataDir: string;
  /** what this process listens on and carries now (its port: the one it listens on) */
  running: { host: string; port: number; cupsUri: string };
  /** hands a re-issued server certificate to the running server */
  onCertificate?: ((tls: ServerTls) => void) | undefined;
  /**
   * applies saved public hosts and CUPS URI to the running process: `cupsUri` is what bundles and
   * CUPS answers carry from now on, `publicHosts` the names its URLs are shown with
   */
  onApplied?: ((live: { cupsUri: string; publicHosts: string[] }) => void) | undefined;
}

/**
 * The host a server's URL is shown with (docs/running.md): the first public host given for this
 * run (`--public-host`), else — listening on every interface, which is no URL host — the first
 * saved public host; undefined = the listen address itself.
 */
export function shownHostOf(
  listenHost: string,
  flagPublicHosts: readonly string[],
  savedPublicHosts: readonly string[],
): string | undefined {
  if (flagPublicHosts[0] !== undefined) return flagPublicHosts[0];
  return ANY_ADDRESS.includes(listenHost) ? (savedPublicHosts[0] ?? undefined) : undefined;
}

/**
 * Uses a CUPS URI saved in Settings → Network at once (docs/station-ui.md "Network"): the station
 * and its core answer with it, and the factory line's bundles carry it by default.
 */
export function applyCupsUri(
  station: { cupsUri: string; core: { setServerCupsUri(uri: string): void } },
  factory: { setDefaultCupsUri(uri: string): void },
  cupsUri: string,
): void {
  station.cupsUri = cupsUri;
  station.core.setServerCupsUri(cupsUri);
  factory.setDefaultCupsUri(cupsUri);
}

/** The station's network settings (see the module comment). */
export class NetworkSettings implements NetworkControl {
  readonly #running: { host: string; cupsUri: string };

  constructor(private readonly deps: NetworkSettingsDeps) {
    this.#running = { host: deps.running.host, cupsUri: deps.running.cupsUri };
  }

  async view(): Promise<NetworkView> {
    const settings = await this.#settings();
    const tls = await ensureServerTls(this.deps.dataDir, { publicHosts: settings.publicHosts });
    return this.#viewOf(settings, tls);
  }

  /**
   * Validates and saves; re-issues the server certificate when it does not cover the hosts.
   * @throws DomainError('invalid_request') naming `host`, `publicHosts` or `cupsUri`
   */
  async save(input: { host: string; publicHosts: string[]; cupsUri: string | null }): Promise<NetworkView> {
    const host = input.host.trim().replace(/^\[(.*)\]$/, '$1');
    const mine = machineAddresses().map((a) => a.address);
    if (!ANY_ADDRESS.includes(host) && !mine.includes(host)) {
      throw new DomainError(
        'invalid_request',
        `host: ${JSON.stringify(input.host)} is not an address of this machine (${[...mine, ...ANY_ADDRESS].join(', ')})`,
        { field: 'host' },
      );
    }
    const publicHosts = input.publicHosts.map((h) => h.trim()).filter((h) => h !== '');
    if (publicHosts.length === 0) {
      throw new DomainError('invalid_request', 'publicHosts: give at least one host name or address', {
        field: 'publicHosts',
      });
    }
    const cupsUri =
      input.cupsUri === null || input.cupsUri.trim() === '' ? null : checkCupsUri(input.cupsUri);
    const settings = await this.#settings();
    // the certificate first: a bad host name is refused before anything is written
    let tls: ServerTls;
    try {
      tls = await ensureServerTls(this.deps.dataDir, { publicHosts });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'invalid_request') {
        throw new DomainError('invalid_request', e.message, { field: 'publicHosts' });
      }
      throw e;
    }
    const next: StationSettings = { ...settings, host, publicHosts };
    if (cupsUri === null) delete next.cupsUri;
    else next.cupsUri = cupsUri;
    await writeSettings(this.deps.dataDir, next);
    if (tls.created) this.deps.onCertificate?.(tls);
    // public hosts and CUPS URI at once; the listen address waits for the next start
    const live = stationCupsUri(next, this.deps.running.port);
    this.#running.cupsUri = live;
    this.deps.onApplied?.({ cupsUri: live, publicHosts });
    return this.#viewOf(next, tls);
  }

  async #settings(): Promise<StationSettings> {
    const s = await readSettings(this.deps.dataDir);
    if (s === undefined)
      throw new DomainError('not_configured', `network: ${this.deps.dataDir} holds no station`);
    return s;
  }

  #viewOf(settings: StationSettings, tls: ServerTls): NetworkView {
    const effectiveCupsUri = stationCupsUri(settings, this.deps.running.port);
    const sans = new X509Certificate(tls.certPem).subjectAltName ?? '';
    const parts = sans.split(', ').filter((p) => p !== '');
    return {
      available: true,
      addresses: machineAddresses(),
      saved: {
        host: settings.host,
        port: settings.port,
        publicHosts: settings.publicHosts,
        cupsUri: settings.cupsUri ?? null,
      },
      effectiveCupsUri,
      running: { ...this.#running },
      certificate: {
        ipSans: parts.filter((p) => p.startsWith('IP Address:')).map((p) => p.slice('IP Address:'.length)),
        dnsSans: parts.filter((p) => p.startsWith('DNS:')).map((p) => p.slice('DNS:'.length)),
        fingerprint256: tls.fingerprint256,
      },
      restartNeeded: settings.host !== this.#running.host,
    };
  }
}

/** A CUPS URI bundles may carry: `https://host:port` without a path. */
function checkCupsUri(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new DomainError('invalid_request', `cupsUri: ${JSON.stringify(raw)} is not a URI`, {
      field: 'cupsUri',
    });
  }
  if (
    u.protocol !== 'https:' ||
    (u.pathname !== '/' && u.pathname !== '') ||
    u.search !== '' ||
    u.hash !== ''
  ) {
    throw new DomainError(
      'invalid_request',
      `cupsUri: ${JSON.stringify(raw)} must be https://host:port without a path`,
      {
        field: 'cupsUri',
      },
    );
  }
  return u.origin;
}
