/**
 * The type of the bridge's handler table (IPC and HTTP bridge): one handler per channel of
 * `src-shared/ipc.ts`, typed by the channel's schemas. Apart from `handlers.ts` so that the
 * per-namespace tables (`factory-handlers.ts`) and the assembled table do not import each other.
 */
import type { Channel, ParsedRequestOf, ResponseOf } from '../../src-shared/ipc';
import type { BridgeCaller } from './caller';

/** One channel's handler: parsed request in, response out; throws DomainError on failure. */
export type Handler<C extends Channel> = (
  caller: BridgeCaller,
  request: ParsedRequestOf<C>,
) => Promise<ResponseOf<C>>;

/** A handler for every channel (the compiler checks it is complete and typed per channel). */
export type HandlerTable = { [C in Channel]: Handler<C> };
