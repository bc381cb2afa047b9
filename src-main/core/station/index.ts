/**
 * The station's UI-facing services, beside the Owner API core: operator accounts and
 * sessions, the gateways table and activity feed, setup templates, reachability checks, the
 * dashboard status and unlocking the HSM. `createStationServices` wires them from ports; the composition roots
 * (`src-main/app`, `src-main/cli`) call it once.
 */
import type { StationStatus } from '../../../src-shared/ipc';
import type { BatchRow, Metrics } from '../api';
import type { RequestContext } from '../context';
import type { Clock, Hsm, Random, Store } from '../ports';
import { createGatewayQueryService, type GatewayQueryService } from './gateway-query';
import { createHsmAdminService, type HsmAdminService, type HsmBackendControl } from './hsm-admin';
import { createHsmControlService, type HsmControlService, type HsmLockControl } from './hsm-control';
import { createOperatorService, type OperatorService, type OperatorServiceOptions } from './operators';
import { createReachabilityService, type ReachabilityService, type TlsProbe } from './reachability';
import { createStatusService, type ServerInfo, type StatusService } from './status';
import { createTemplateService, type TemplateService } from './templates';

export type { GatewayQueryService } from './gateway-query';
export { isLockable, type HsmControlService, type HsmLockControl } from './hsm-control';
export type { HsmAdminService, HsmBackendControl } from './hsm-admin';
export type { OperatorService, OperatorIdentity, NewSession } from './operators';
export type { ReachabilityService, TlsProbe } from './reachability';
export type { ServerInfo, StatusService } from './status';
export type { TemplateService } from './templates';

/** Everything the bridge needs beyond the {@link Core}. */
export interface StationServices {
  operators: OperatorService;
  gateways: GatewayQueryService;
  templates: TemplateService;
  reachability: ReachabilityService;
  status: StatusService;
  hsm: HsmControlService;
  /** Settings → HSM: backend, tokens, keys (docs/twin-hsm.md) */
  hsmAdmin: HsmAdminService;
}

/** Dependencies of {@link createStationServices}. */
interface StationDeps {
  store: Store;
  hsm: Hsm;
  clock: Clock;
  random: Random;
  probe: TlsProbe;
  metrics: () => Metrics;
  /** live view of the HTTPS server (URLs can change after start) */
  serverInfo: () => ServerInfo;
  version: string;
  operators?: OperatorServiceOptions;
  /** how the HSM is unlocked by passphrase (the software keystore); absent = not from the UI */
  hsmControl?: HsmLockControl | undefined;
  /** switching the HSM backend from Settings; absent = the backend is fixed */
  hsmBackend?: HsmBackendControl | undefined;
  /** the batches, for the ceremony's sending side */
  batches?: { list(ctx: RequestContext): Promise<BatchRow[]> } | undefined;
  /** the sync status for the dashboard and the top bar (docs/sync.md) */
  sync?: (() => Promise<NonNullable<StationStatus['sync']>>) | undefined;
}

/** Wires the station services. */
export function createStationServices(deps: StationDeps): StationServices {
  const gateways = createGatewayQueryService(deps);
  return {
    operators: createOperatorService({ ...deps, ...(deps.operators ?? {}) }),
    gateways,
    templates: createTemplateService(deps),
    reachability: createReachabilityService(deps),
    status: createStatusService({
      store: deps.store,
      hsm: deps.hsm,
      metrics: deps.metrics,
      serverInfo: deps.serverInfo,
      activity: (input) => gateways.activity(input),
      version: deps.version,
      sync: deps.sync,
    }),
    hsm: createHsmControlService({ ...deps, control: deps.hsmControl }),
    hsmAdmin: createHsmAdminService({
      store: deps.store,
      clock: deps.clock,
      hsm: deps.hsm,
      backend: deps.hsmBackend,
      batches: deps.batches,
    }),
  };
}
