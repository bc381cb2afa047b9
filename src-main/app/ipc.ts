/**
 * The IPC door (DESIGN §1): one `ipcMain.handle` for every channel, answering with the envelope.
 * It trusts only calls from the app's own page (`app://station`), then hands the call to the same
 * dispatcher as the HTTP bridge. Takes an `ipcMain`-shaped port so tests need no Electron.
 */
import { IPC_INVOKE, type Envelope } from '../../src-shared/ipc';
import type { BridgeCaller } from '../bridge/caller';
import { dispatch, failure } from '../bridge/dispatch';
import type { HandlerTable } from '../bridge/handlers';
import type { Logger } from '../core/ports';
import { isAppUrl } from './security';

/** What the IPC door reads of an `IpcMainInvokeEvent`. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
}

/** The subset of Electron's `ipcMain` used here. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Options of {@link registerIpc}. */
interface IpcDoorOptions {
  handlers: HandlerTable;
  /** the desktop operator */
  caller: BridgeCaller;
  logger?: Logger | undefined;
  /** which frames may call (default: the app's own page) */
  isTrustedUrl?: (url: string) => boolean;
}

/** Registers the IPC door; returns the function that removes it. */
export function registerIpc(ipcMain: IpcMainPort, options: IpcDoorOptions): () => void {
  const trusted = options.isTrustedUrl ?? isAppUrl;
  ipcMain.handle(IPC_INVOKE, async (event, channel, request): Promise<Envelope<unknown>> => {
    const url = event.senderFrame?.url ?? '';
    if (!trusted(url)) {
      options.logger?.warn({ url: url.slice(0, 200) }, 'IPC call from an untrusted frame refused');
      return failure('forbidden', 'IPC: calls are accepted from the station window only');
    }
    return dispatch(options.handlers, options.caller, channel, request, options.logger);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}
