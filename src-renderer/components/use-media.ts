/**
 * `useNarrow()`: true while the window is phone-sized (the 640 px breakpoint of
 * styles/responsive.css), for components that render differently there rather than restyle (the
 * windowed tables choose fewer columns).
 */
import { useSyncExternalStore } from 'react';

/** The phone breakpoint of styles/responsive.css. */
const PHONE_QUERY = '(max-width: 640px)';

function subscribe(onChange: () => void): () => void {
  if (typeof matchMedia === 'undefined') return () => undefined;
  const mq = matchMedia(PHONE_QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

const narrowNow = (): boolean => typeof matchMedia !== 'undefined' && matchMedia(PHONE_QUERY).matches;

/** True while the window matches {@link PHONE_QUERY}. */
export function useNarrow(): boolean {
  return useSyncExternalStore(subscribe, narrowNow, () => false);
}
