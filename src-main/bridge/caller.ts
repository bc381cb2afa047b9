/**
 * Who calls the bridge: a local operator (the core's rules for operators are in
 * `core/station/operator-access.ts`) and the transport the call came by.
 */
import type { OperatorRef } from '../core/station/operator-access';

/** The caller of one bridge call. `ownerId` (ID6) binds the operator to one owner. */
export interface BridgeCaller extends OperatorRef {
  transport: 'ipc' | 'http';
}

/** The desktop user of the Electron window: a local admin (whoever can open the app owns the data dir). */
export const DESKTOP_CALLER: BridgeCaller = {
  name: 'desktop',
  role: 'admin',
  ownerId: null,
  transport: 'ipc',
};
