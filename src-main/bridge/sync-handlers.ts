/**
 * Handlers of the sync channels (`src-shared/channels/sync.ts`, docs/sync.md "Screens"): each maps
 * its parsed request to one call of the station's sync service (`core/sync/service.ts`). Admins
 * link and unlink; installers see the outbox and resolve operations — an operator bound to an owner
 * only while the station syncs that owner. The service records the operator as the actor.
 */
import type { SYNC_CHANNELS } from '../../src-shared/channels/sync';
import { DomainError } from '../../src-shared/errors';
import type { Core } from '../core/api';
import { entryView } from '../core/sync/views';
import {
  assertOwnerAllowed,
  parseOwner,
  stationContext,
  type OperatorRef,
} from '../core/station/operator-access';
import { defined } from './defined';
import type { Handler } from './handler-types';

/** A handler for every sync channel. */
type SyncHandlerTable = { [C in keyof typeof SYNC_CHANNELS]: Handler<C> };

/** Builds the sync handlers over the core's sync service. */
export function createSyncHandlers(core: Core): SyncHandlerTable {
  const sync = core.sync;
  /** A bound operator sees the outbox only of the owner the station syncs. */
  const allowed = async (caller: OperatorRef): Promise<void> => {
    if (caller.ownerId === null) return;
    const { ownerId } = await sync.status();
    if (ownerId === null)
      throw new DomainError('forbidden', 'sync: this station is not linked; only an admin sees its outbox');
    assertOwnerAllowed(caller, parseOwner(ownerId).id);
  };
  const sitePackView = async () => ({
    status: await sync.sitePackStatus(),
    gateways: await sync.sitePackGateways(),
    candidates: await sync.sitePackCandidates(),
  });
  return {
    'sync:status': async (caller) => {
      const s = await sync.status();
      if (caller.ownerId !== null && s.ownerId !== null) assertOwnerAllowed(caller, parseOwner(s.ownerId).id);
      return s;
    },
    'sync:link': (caller, req) => sync.link(stationContext(caller), defined(req)),
    'sync:unlink': async (caller) => {
      await sync.unlink(stationContext(caller));
      return { ok: true as const };
    },
    'sync:now': async (caller) => {
      await allowed(caller);
      return sync.syncNowReport(stationContext(caller));
    },
    'sync:outbox': async (caller, req) => {
      if (caller.ownerId !== null) {
        const { ownerId } = await sync.status();
        // an unlinked station syncs no owner: a bound installer sees an empty outbox, not a refusal
        if (ownerId === null) return { entries: [], more: false };
        assertOwnerAllowed(caller, parseOwner(ownerId).id);
      }
      return sync.outboxPage(req);
    },
    'sync:versions': async (caller, req) => {
      await allowed(caller);
      return sync.versions(req.seq);
    },
    'sync:sitePack': async (caller) => {
      await allowed(caller);
      return sitePackView();
    },
    'sync:sitePackChoose': async (caller, req) => {
      await allowed(caller);
      await sync.fetchSitePack(stationContext(caller), req.gateways);
      return sitePackView();
    },
    'sync:claims': async (caller) => {
      await allowed(caller);
      return sync.claims();
    },
    'sync:resolve': async (caller, req) => {
      await allowed(caller);
      return entryView(await sync.resolve(stationContext(caller), req.seq, req.action, req.pins ?? {}));
    },
  };
}
