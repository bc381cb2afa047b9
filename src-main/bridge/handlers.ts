/**
 * The one handler table behind both doors of the renderer (IPC and the HTTP bridge): each channel
 * of `src-shared/ipc.ts` maps its parsed request to one core or station call (DESIGN §1 "a door
 * validates, calls one service method, maps the result"). The rules for operators — in whose
 * name the core is called, what a bound operator sees — are the core's
 * (`core/station/operator-access.ts`); this table only maps.
 */
import { DomainError } from '../../src-shared/errors';
import { channelsFor } from '../../src-shared/ipc';
import type { Core } from '../core/api';
import type { FactoryLineServices } from '../core/factory-line';
import type { StationServices } from '../core/station';
import {
  assertAuditAllowed,
  assertOwnerAllowed,
  ownerContext,
  ownerFilter,
  parseOwner,
  stationContext,
  visibleOwners,
} from '../core/station/operator-access';
import { defined } from './defined';
import { createFactoryHandlers } from './factory-handlers';
import { createHsmHandlers, type CeremonyDoor } from './hsm-handlers';
import { createSyncHandlers } from './sync-handlers';
import { createLanHandlers, type LanDoorControl } from './lan-handlers';
import { createNetworkHandlers, type NetworkControl } from './network-handlers';
import type { HandlerTable } from './handler-types';

export type { Handler, HandlerTable } from './handler-types';

/** What the handlers call. */
interface BridgeDeps {
  core: Core;
  station: StationServices;
  /** the factory line (docs/factory-line.md); without it the factory channels answer not_configured */
  factory?: FactoryLineServices | undefined;
  /** the key ceremony (docs/twin-hsm.md); without it the ceremony channels answer not_configured */
  ceremony?: CeremonyDoor | undefined;
  /** the LAN CUPS door's switch (docs/sync.md); without it the door shows as not available */
  lanDoor?: LanDoorControl | undefined;
  /** the station's network settings (Settings → Network); absent = not_configured */
  network?: NetworkControl | undefined;
}

/** Builds the handler table. */
export function createHandlers({
  core,
  station,
  factory,
  ceremony,
  lanDoor,
  network,
}: BridgeDeps): HandlerTable {
  return {
    ...createFactoryHandlers(factory),
    ...createHsmHandlers(station.hsmAdmin, ceremony),
    ...createSyncHandlers(core),
    ...createLanHandlers(lanDoor),
    ...createNetworkHandlers(network),
    'session:whoami': async (caller) => ({
      transport: caller.transport,
      operator: { name: caller.name, role: caller.role, ownerId: caller.ownerId },
      channels: channelsFor(caller.role),
    }),

    'session:changePassword': async (caller, req) => {
      if (caller.transport === 'ipc') {
        throw new DomainError('invalid_request', 'password: the desktop user has no operator password');
      }
      await station.operators.changePassword(caller.name, req.current, req.password, caller.address);
      return { ok: true as const };
    },
    'station:status': (caller) => station.status.status({ ownerId: caller.ownerId }),
    'station:activity': (caller, req) =>
      station.gateways.activity({ after: req.after, limit: req.limit, ownerId: caller.ownerId }),

    'gateways:query': (caller, req) =>
      station.gateways.query({ ...req, ownerId: ownerFilter(caller, req.ownerId) }),
    'gateways:info': (caller, req) =>
      core.owner.info(ownerContext(caller, req.ownerId), req.ownerId, req.gateways),
    'gateways:claim': (caller, req) =>
      core.owner.claim(ownerContext(caller, req.ownerId), req.ownerId, req.items),
    'gateways:setup': (caller, req) =>
      core.owner.setup(ownerContext(caller, req.ownerId), req.ownerId, req.items, {
        common: req.common,
        templateId: req.templateId,
      }),
    'gateways:delete': (caller, req) =>
      core.owner.delete(ownerContext(caller, req.ownerId), req.ownerId, req.gateways),
    'gateways:transfer': (caller, req) =>
      core.owner.transfer(
        ownerContext(caller, req.ownerId),
        { gateway: req.gateway, from: req.ownerId, to: req.to, claim: req.claim },
        ownerContext(caller, req.to),
      ),
    'gateways:add': (caller, req) =>
      core.owner.add(ownerContext(caller, req.ownerId), req.ownerId, req.items),

    'templates:list': async (caller, req) => {
      assertOwnerAllowed(caller, parseOwner(req.ownerId).id);
      return station.templates.list(req.ownerId);
    },
    'templates:save': (caller, req) =>
      station.templates.save(stationContext(caller), {
        ownerId: req.ownerId,
        id: req.id,
        name: req.name,
        fields: req.fields,
      }),
    'templates:delete': async (caller, req) => {
      await station.templates.delete(stationContext(caller), req.ownerId, req.id);
      return { ok: true as const };
    },
    'setup:checkReachability': (caller, req) =>
      station.reachability.check({
        uri: req.uri,
        trust: req.trust,
        timeoutMs: req.timeoutMs,
        caller: `${caller.transport}:${caller.name}`,
      }),

    'owners:list': async (caller) =>
      visibleOwners(caller, await core.access.listOwners(stationContext(caller))),
    'owners:create': (caller, req) =>
      req.name === undefined
        ? core.access.createOwner(stationContext(caller), req.id)
        : core.access.createOwner(stationContext(caller), req.id, req.name),
    'apiKeys:list': (caller, req) =>
      req.ownerId === undefined
        ? core.access.listApiKeys(stationContext(caller))
        : core.access.listApiKeys(stationContext(caller), req.ownerId),
    'apiKeys:create': (caller, req) =>
      req.label === undefined
        ? core.access.createApiKey(stationContext(caller), req.ownerId, req.scopes)
        : core.access.createApiKey(stationContext(caller), req.ownerId, req.scopes, req.label),
    'apiKeys:revoke': async (caller, req) => {
      await core.access.revokeApiKey(stationContext(caller), req.id);
      return { ok: true as const };
    },

    'batches:list': (caller) => core.batches.list(stationContext(caller)),
    'batches:create': (caller, req) => core.batches.create(stationContext(caller), defined(req)),

    'audit:list': async (caller, req) => {
      await assertAuditAllowed(caller, req.target, station.gateways);
      return core.audit.list(stationContext(caller), defined(req));
    },

    'hsm:unlock': (caller, req) => station.hsm.unlock(stationContext(caller), req.passphrase),
    'hsm:lock': (caller) => station.hsm.lock(stationContext(caller)),

    'operators:list': () => station.operators.list(),
    'operators:create': (caller, req) => station.operators.create(stationContext(caller), req),
    'operators:update': (caller, req) => station.operators.update(stationContext(caller), req),
  };
}
