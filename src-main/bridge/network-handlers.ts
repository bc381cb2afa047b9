/**
 * Handlers of the network channels (`src-shared/channels/network.ts`): they map to the process's
 * {@link NetworkControl} (`compose/network-settings.ts`); a process without one answers
 * `not_configured`.
 */
import type { NETWORK_CHANNELS, NetworkView } from '../../src-shared/channels/network';
import { DomainError } from '../../src-shared/errors';
import type { Handler } from './handler-types';

/** The station's network settings, as the Network card uses them. */
export interface NetworkControl {
  view(): Promise<NetworkView>;
  save(input: { host: string; publicHosts: string[]; cupsUri: string | null }): Promise<NetworkView>;
}

/** A handler for every network channel. */
type NetworkHandlerTable = { [C in keyof typeof NETWORK_CHANNELS]: Handler<C> };

/** Builds the network handlers over `control` (undefined: not available in this process). */
export function createNetworkHandlers(control: NetworkControl | undefined): NetworkHandlerTable {
  const c = (): NetworkControl => {
    if (control === undefined) {
      throw new DomainError('not_configured', 'network: this process cannot change the network settings');
    }
    return control;
  };
  return {
    'network:get': () => c().view(),
    'network:save': (_caller, req) => c().save(req),
  };
}
