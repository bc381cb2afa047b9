/**
 * Dashboard status (the Dashboard screen): where the server listens and with which certificate,
 * the HSM state, counters from the store and the core's per-outcome metrics, and the latest CUPS
 * contacts. What the server looks like comes from the composition root ({@link ServerInfo}).
 */
import type { StationStatus } from '../../../src-shared/ipc';
import type { Metrics } from '../api';
import { euiHex, parseIdField } from '../../../src-shared/ids';
import type { Hsm, SqlValue, Store } from '../ports';
import type { GatewayQueryService } from './gateway-query';

/** What the composition root knows about the running HTTPS server. */
export interface ServerInfo {
  urls: string[];
  /** SHA-256 of the server certificate, `AB:CD:…` */
  tlsFingerprint: string | null;
  /** SHA-256 of the CA certificate gateways trust */
  caFingerprint: string | null;
}

/** Builds the dashboard status. */
export interface StatusService {
  /**
   * The dashboard. With `scope.ownerId` (an operator bound to one owner) the gateway counters and
   * recent contacts cover that owner's gateways only, and the per-outcome request counters (which
   * mix every owner's traffic) are left out; the server, TLS and HSM state are the station's.
   */
  status(scope?: { ownerId: string | null }): Promise<StationStatus>;
}

/** Creates the status service. */
export function createStatusService(deps: {
  store: Store;
  hsm: Hsm;
  metrics: () => Metrics;
  serverInfo: () => ServerInfo;
  activity: GatewayQueryService['activity'];
  version: string;
  /** the sync status (docs/sync.md), when the station has a sync service */
  sync?: (() => Promise<NonNullable<StationStatus['sync']>>) | undefined;
}): StatusService {
  return {
    async status(scope) {
      const ownerId = scope?.ownerId ?? null;
      const ownerHex = ownerId === null ? null : euiHex(parseIdField(ownerId, 'ownerId'));
      const counts = await deps.store.read(async (tx) => {
        const n = async (sql: string, params: SqlValue[] = []) =>
          Number((await tx.get<{ n: number | string }>(sql, params))?.n ?? 0);
        if (ownerHex !== null) {
          const owned = await n('SELECT COUNT(*) AS n FROM gateways WHERE owner_id = ?', [ownerHex]);
          return {
            gateways: owned,
            personalized: await n(
              'SELECT COUNT(*) AS n FROM factory_units u JOIN gateways g ON g.eui = u.eui WHERE g.owner_id = ?',
              [ownerHex],
            ),
            claimed: owned,
            configured: await n(
              'SELECT COUNT(*) AS n FROM setups s JOIN gateways g ON g.eui = s.eui WHERE g.owner_id = ?',
              [ownerHex],
            ),
            owners: 1,
          };
        }
        return {
          gateways: await n('SELECT COUNT(*) AS n FROM gateways'),
          personalized: await n('SELECT COUNT(*) AS n FROM factory_units'),
          claimed: await n('SELECT COUNT(*) AS n FROM gateways WHERE owner_id IS NOT NULL'),
          configured: await n('SELECT COUNT(*) AS n FROM setups'),
          owners: await n('SELECT COUNT(*) AS n FROM owners'),
        };
      });
      let hsm: StationStatus['hsm'];
      try {
        hsm = await deps.hsm.status();
      } catch (e) {
        hsm = {
          kind: 'software',
          locked: true,
          keyCount: 0,
          detail: `HSM not answering: ${(e as Error).message}`,
        };
      }
      const metrics = ownerId === null ? deps.metrics() : { cups: {}, ownerApi: {} };
      const server = deps.serverInfo();
      const recent = await deps.activity({ limit: 20, ownerId });
      return {
        version: deps.version,
        urls: server.urls,
        tlsFingerprint: server.tlsFingerprint,
        caFingerprint: server.caFingerprint,
        hsm,
        counters: { ...counts, cups: metrics.cups, ownerApi: metrics.ownerApi },
        recentContacts: recent.items.reverse(),
        ...(deps.sync !== undefined ? { sync: await deps.sync() } : {}),
      };
    },
  };
}
