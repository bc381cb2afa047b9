/**
 * The sync channels (`src-shared/channels/sync.ts`, docs/sync.md): each maps to one call of the
 * core's station sync. A bound operator (one owner only) sees the station's sync of its own owner
 * only: the link's owner must be its owner.
 */
import { DomainError } from '../../src-shared/errors';
import { formatId6, parseId } from '../../src-shared/ids';
import type { Core } from '../core/api';
import { stationContext } from '../core/station/operator-access';
import type { BridgeCaller } from './caller';
import type { HandlerTable } from './handler-types';

type SyncChannel = 'sync:sitePack' | 'sync:sitePackChoose' | 'sync:outbox' | 'sync:resolve' | 'sync:claims';

/** Builds the sync handlers over `core.sync`. */
export function createSyncHandlers(core: Core): Pick<HandlerTable, SyncChannel> {
  const sync = core.sync;
  /** @throws DomainError('forbidden') for a bound operator of another owner than the link's */
  const allowed = async (caller: BridgeCaller) => {
    if (caller.ownerId === null) return;
    const s = await sync.status();
    if (s.ownerId === null || formatId6(parseId(s.ownerId).id) !== formatId6(parseId(caller.ownerId).id))
      throw new DomainError('forbidden', 'sync: this station syncs another owner than the operator’s');
  };
  const view = async () => ({ status: await sync.sitePackStatus(), gateways: await sync.sitePackGateways() });
  return {
    'sync:sitePack': async (caller) => {
      await allowed(caller);
      return view();
    },
    'sync:sitePackChoose': async (caller, req) => {
      await allowed(caller);
      await sync.fetchSitePack(stationContext(caller), req.gateways);
      return view();
    },
    'sync:outbox': async (caller, req) => {
      await allowed(caller);
      return sync.entries({
        ...(req.states !== undefined ? { states: req.states } : {}),
        ...(req.afterSeq !== undefined ? { afterSeq: req.afterSeq } : {}),
        ...(req.limit !== undefined ? { limit: req.limit } : {}),
      });
    },
    'sync:resolve': async (caller, req) => {
      await allowed(caller);
      return sync.resolve(stationContext(caller), req.seq, req.action, req.pins ?? {});
    },
    'sync:claims': async (caller) => {
      await allowed(caller);
      return sync.claims();
    },
  };
}
