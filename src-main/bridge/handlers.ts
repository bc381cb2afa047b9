/**
 * The one handler table behind both doors of the renderer (IPC and the HTTP bridge): each channel
 * of `src-shared/ipc.ts` maps its parsed request to one core or station call (DESIGN §1 "a door
 * validates, calls one service method, maps the result"). No business rule lives here beyond
 * deciding in whose name the core is called (see `caller.ts`).
 */
import { DomainError } from '../../src-shared/errors';
import { formatId6, parseId } from '../../src-shared/ids';
import {
  channelsFor,
  type Channel,
  type ParsedRequestOf,
  type ResponseOf,
  type SetupFieldsInput,
} from '../../src-shared/ipc';
import type { Core, SetupFields, SetupItem } from '../core/api';
import type { FactoryLineServices } from '../core/factory-line';
import type { StationServices } from '../core/station';
import { defined } from './defined';
import { createFactoryHandlers } from './factory-handlers';
import { assertOwnerAllowed, ownerContext, parseOwner, stationContext, type BridgeCaller } from './caller';

/** One channel's handler: parsed request in, response out; throws DomainError on failure. */
export type Handler<C extends Channel> = (
  caller: BridgeCaller,
  request: ParsedRequestOf<C>,
) => Promise<ResponseOf<C>>;

/** A handler for every channel (the compiler checks it is complete and typed per channel). */
export type HandlerTable = { [C in Channel]: Handler<C> };

/** What the handlers call. */
export interface BridgeDeps {
  core: Core;
  station: StationServices;
  /** the factory line (docs/factory-line.md); without it the factory channels answer not_configured */
  factory?: FactoryLineServices | undefined;
}

const setupFields = (f: SetupFieldsInput | undefined): SetupFields => (f ? defined(f) : {});

/** Builds the handler table. */
export function createHandlers({ core, station, factory }: BridgeDeps): HandlerTable {
  return {
    ...createFactoryHandlers(factory),
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

    'gateways:query': async (caller, req) => {
      let ownerId = req.ownerId ?? null;
      if (caller.ownerId !== null) {
        if (ownerId !== null) assertOwnerAllowed(caller, parseOwner(ownerId).id);
        ownerId = caller.ownerId;
      } else if (ownerId !== null) {
        ownerId = parseOwner(ownerId).id6;
      }
      return station.gateways.query({ ...req, ownerId });
    },
    'gateways:info': (caller, req) =>
      core.owner.info(ownerContext(caller, req.ownerId), req.ownerId, req.gateways),
    'gateways:claim': (caller, req) =>
      core.owner.claim(ownerContext(caller, req.ownerId), req.ownerId, req.items),
    'gateways:setup': async (caller, req) => {
      const ctx = ownerContext(caller, req.ownerId);
      const template = req.templateId
        ? await station.templates.fieldsOf(req.ownerId, req.templateId)
        : undefined;
      const base = { ...setupFields(template), ...setupFields(req.common) };
      const items: SetupItem[] = req.items.map((item) => ({ ...base, ...defined(item) }));
      return core.owner.setup(ctx, req.ownerId, items);
    },
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

    'owners:list': async (caller) => {
      const owners = await core.access.listOwners(stationContext(caller));
      return caller.ownerId === null ? owners : owners.filter((o) => o.id === caller.ownerId);
    },
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
      if (caller.role !== 'admin' || caller.ownerId !== null) {
        // Non-admins read the trail of one gateway (detail panel) or of their own owner.
        if (req.target === undefined) {
          throw new DomainError('forbidden', 'target: only admins list the whole audit log; name a gateway');
        }
        if (caller.ownerId !== null) await assertTargetOfOwner(station, caller, req.target);
      }
      return core.audit.list(stationContext(caller), defined(req));
    },

    'hsm:unlock': (caller, req) => station.hsm.unlock(stationContext(caller), req.passphrase),
    'hsm:lock': (caller) => station.hsm.lock(stationContext(caller)),

    'operators:list': () => station.operators.list(),
    'operators:create': (caller, req) => station.operators.create(stationContext(caller), req),
    'operators:update': (caller, req) => station.operators.update(stationContext(caller), req),
  };
}

/** A bound operator may read the audit trail of its owner or of one of its owner's gateways. */
async function assertTargetOfOwner(
  station: StationServices,
  caller: BridgeCaller,
  target: string,
): Promise<void> {
  let id6: string;
  try {
    id6 = formatId6(parseId(target).id);
  } catch {
    throw new DomainError(
      'forbidden',
      `target: ${JSON.stringify(target)} is not a gateway of owner ${caller.ownerId}`,
    );
  }
  if (id6 === caller.ownerId) return;
  const page = await station.gateways.query({ ownerId: caller.ownerId, search: id6, offset: 0, limit: 1 });
  if (page.total === 0) {
    throw new DomainError('forbidden', `target: ${id6} is not a gateway of owner ${caller.ownerId}`);
  }
}
