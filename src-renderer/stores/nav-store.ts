/**
 * Navigation: the screen on show, kept in the URL hash so reload and back/forward work. Other
 * screens can open a screen with a prefilled gateway (e.g. "Set up" from the gateway detail).
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import { screenFromHash, type ScreenId } from '../app/routes';

/** State and actions of the navigation store. */
interface NavState {
  screen: ScreenId;
  /** gateway ids handed to the next screen (Setup / Delete prefill), consumed by that screen */
  handoff: string[];
  go(screen: ScreenId, handoff?: string[]): void;
  /** returns the handed-over ids once and clears them */
  takeHandoff(): string[];
  /** syncs from the URL hash (back/forward) */
  fromHash(hash: string): void;
}

/** The navigation store. */
export const useNav = create<NavState>()((set, get) => ({
  screen: typeof location === 'undefined' ? 'dashboard' : screenFromHash(location.hash),
  handoff: [],
  go(screen, handoff = []) {
    set({ screen, handoff });
    if (typeof location !== 'undefined' && screenFromHash(location.hash) !== screen) {
      location.hash = `#/${screen}`;
    }
  },
  takeHandoff() {
    const ids = get().handoff;
    if (ids.length) set({ handoff: [] });
    return ids;
  },
  fromHash(hash) {
    const screen = screenFromHash(hash);
    if (screen !== get().screen) set({ screen });
  },
}));

/**
 * For a screen that takes handed-over gateways: on mount, gives the ids handed to it (if any) to
 * `add` — pass a stable function (a store action).
 */
export function useHandoff(add: (ids: readonly string[]) => void): void {
  const takeHandoff = useNav((s) => s.takeHandoff);
  useEffect(() => {
    const ids = takeHandoff();
    if (ids.length) add(ids);
  }, [takeHandoff, add]);
}
