/**
 * The Sync screen's offline side (docs/sync.md "Site packs", "The LAN CUPS door"): the site pack —
 * which gateways this station may serve offline, chosen here and fetched from the remote at once —
 * and the LAN CUPS door switch.
 */
import { create } from 'zustand';
import { tryCall } from '../api';
import { toUiError, type UiError } from '../app/error-text';
import type { ResponseOf } from '../../src-shared/ipc';

type SitePack = ResponseOf<'sync:sitePack'>;
type LanDoor = ResponseOf<'station:lanDoor'>;

/** State and actions of the site store. */
interface SiteState {
  pack: SitePack | null;
  lan: LanDoor | null;
  error: UiError | null;
  done: string | null;
  busy: boolean;
  load(): Promise<void>;
  /** chooses the pack's gateways (null = every gateway of the owner) and fetches it */
  choose(gateways: string[] | null): Promise<boolean>;
  setLan(address: string | null, port?: number): Promise<void>;
}

/** The site store. */
export const useSite = create<SiteState>()((set) => ({
  pack: null,
  lan: null,
  error: null,
  done: null,
  busy: false,

  async load() {
    const [pack, lan] = await Promise.all([tryCall('sync:sitePack', {}), tryCall('station:lanDoor', {})]);
    set({ pack: pack.ok ? pack.value : null, lan: lan.ok ? lan.value : null });
    if (!pack.ok) set({ error: toUiError(pack.error) });
  },

  async choose(gateways) {
    set({ busy: true, error: null, done: null });
    const r = await tryCall('sync:sitePackChoose', { gateways });
    set({ busy: false });
    if (!r.ok) {
      set({ error: toUiError(r.error) });
      return false;
    }
    set({
      pack: r.value,
      done: `Site pack fetched: ${r.value.status.gateways} gateways this station may serve offline.`,
    });
    return true;
  },

  async setLan(address, port) {
    set({ busy: true, error: null, done: null });
    const r = await tryCall('station:setLanDoor', { address, ...(port !== undefined ? { port } : {}) });
    set({ busy: false });
    if (!r.ok) set({ error: toUiError(r.error) });
    else
      set({
        lan: r.value,
        done: r.value.active === null ? 'LAN door closed.' : `LAN door open: ${r.value.active.cupsUri}`,
      });
  },
}));
