/**
 * Handlers of the factory channels (`src-shared/factory-channels.ts`): each maps its
 * parsed request to one factory-line service call. The channel map's roles gate them (admin and
 * factory operators; line settings admin only); the services record the operator as the actor.
 * Without a factory line (a station started without one) every channel answers `not_configured`.
 */
import { DomainError } from '../../src-shared/errors';
import type { FACTORY_CHANNELS } from '../../src-shared/factory-channels';
import type { FactoryLineServices } from '../core/factory-line';
import { stationContext } from '../core/station/operator-access';
import { defined } from './defined';
import type { Handler } from './handler-types';

/** A handler for every factory channel. */
type FactoryHandlerTable = { [C in keyof typeof FACTORY_CHANNELS]: Handler<C> };

/** Builds the factory handlers over `factory` (or refusing ones when the station has none). */
export function createFactoryHandlers(factory: FactoryLineServices | undefined): FactoryHandlerTable {
  const f = (): FactoryLineServices => {
    if (factory === undefined) {
      throw new DomainError('not_configured', 'factory line: this station runs without the factory line');
    }
    return factory;
  };
  return {
    'factory:batches': () => f().batches.list(),
    'factory:createBatch': (caller, req) => f().batches.create(stationContext(caller), defined(req)),
    'factory:configureBatch': (caller, req) => f().batches.configure(stationContext(caller), defined(req)),
    'factory:lineSettings': () => f().settings.get(),
    'factory:saveLineSettings': (caller, req) => f().settings.save(stationContext(caller), req),
    'factory:labelTemplates': () => f().settings.templates(),
    'factory:scan': (caller, req) => f().line.scan(stationContext(caller), defined(req)),
    'factory:print': (caller, req) => f().line.print(stationContext(caller), defined(req)),
    'factory:verify': (caller, req) => f().line.verify(stationContext(caller), req),
    'factory:linePosition': () => f().line.position(),
    'factory:leaveUnit': (_caller, req) => f().line.leave(req),
    'factory:history': (_caller, req) => f().line.history(req.batchId, req.limit),
    'factory:unit': (_caller, req) => f().line.unit(req.gateway),
    'factory:startJob': (caller, req) => f().jobs.start(stationContext(caller), defined(req)),
    'factory:jobs': (_caller, req) => f().jobs.list(req.batchId),
    'factory:cancelJob': (caller, req) => f().jobs.cancel(stationContext(caller), req.id),
    'factory:resumeJob': (caller, req) => f().jobs.resume(stationContext(caller), req.id),
    'factory:exportManifest': (caller, req) => f().manifests.export(stationContext(caller), defined(req)),
  };
}
