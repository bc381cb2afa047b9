/**
 * The screens of the station, in sidebar order. Each screen has a shortcut (Alt + digit) and the
 * channel it needs; the sidebar hides screens the signed-in operator may not use.
 */
import type { Channel } from '../../src-shared/ipc';

/** Screen ids (also the URL hash: `#/claim`). */
const SCREEN_IDS = [
  'dashboard',
  'gateways',
  'claim',
  'setup',
  'delete',
  'identity',
  'owners',
  'audit',
  'sync',
  'settings',
  'batches',
  'line',
] as const;
/** One screen id. */
export type ScreenId = (typeof SCREEN_IDS)[number];

/** Sidebar entry of a screen. */
interface Route {
  id: ScreenId;
  title: string;
  /** Alt + this key opens the screen */
  key: string;
  /** the screen is shown only to operators allowed to call this channel (null = everyone) */
  needs: Channel | null;
}

/** All routes, in sidebar order. */
export const ROUTES: readonly Route[] = [
  { id: 'dashboard', title: 'Dashboard', key: '1', needs: 'station:status' },
  { id: 'gateways', title: 'Gateways', key: '2', needs: 'gateways:query' },
  { id: 'claim', title: 'Claim', key: '3', needs: 'gateways:claim' },
  { id: 'setup', title: 'Setup', key: '4', needs: 'gateways:setup' },
  { id: 'delete', title: 'Delete / transfer', key: '5', needs: 'gateways:delete' },
  { id: 'identity', title: 'Identity checker', key: '6', needs: null },
  { id: 'owners', title: 'Owners & API keys', key: '7', needs: 'owners:list' },
  { id: 'audit', title: 'Audit log', key: '8', needs: 'audit:list' },
  { id: 'sync', title: 'Sync', key: 's', needs: 'sync:status' },
  { id: 'settings', title: 'Settings', key: '9', needs: null },
  { id: 'batches', title: 'Batches', key: 'b', needs: 'factory:batches' },
  { id: 'line', title: 'Factory line', key: 'l', needs: 'factory:scan' },
];

/** Screen of a URL hash (`#/setup` → `setup`); unknown hashes open the dashboard. */
export function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (SCREEN_IDS as readonly string[]).includes(id) ? (id as ScreenId) : 'dashboard';
}
