/**
 * Handlers of the LAN door channels (`src-shared/channels/lan.ts`): the switch maps to the
 * process's {@link LanDoorControl}; a process without one (tests, tools) shows the door as not
 * available and refuses to open it.
 */
import type { LAN_CHANNELS } from '../../src-shared/channels/lan';
import { DomainError } from '../../src-shared/errors';
import type { LanDoorView } from '../../src-shared/channels/lan';
import type { Handler } from './handler-types';

/** What the UI's switch calls: the process's LAN door (`compose/lan-door.ts`). */
export interface LanDoorControl {
  view(): LanDoorView;
  /** Opens the door on `address` (closing a door open elsewhere first), or closes it for null. */
  set(address: string | null, port?: number): Promise<LanDoorView>;
}

/** A handler for every LAN door channel. */
type LanHandlerTable = { [C in keyof typeof LAN_CHANNELS]: Handler<C> };

const UNAVAILABLE: LanDoorView = {
  available: false,
  addresses: [],
  active: null,
  openedBy: null,
  saved: null,
  startError: null,
};

/** Builds the LAN door handlers over `door` (undefined: not available in this process). */
export function createLanHandlers(door: LanDoorControl | undefined): LanHandlerTable {
  return {
    'station:lanDoor': async () => door?.view() ?? UNAVAILABLE,
    'station:setLanDoor': async (_caller, req) => {
      if (door === undefined) {
        if (req.address === null) return UNAVAILABLE;
        throw new DomainError(
          'not_configured',
          'lan: this process has no LAN door (gwjs serve, desktop app)',
        );
      }
      return door.set(req.address, req.port);
    },
  };
}
