/**
 * Keyboard shortcuts of the shell (keyboard-first: an installer can do the whole job without a
 * mouse). Pure mapping from a key event to an action, so it is testable without a DOM.
 */
import { ROUTES, type ScreenId } from './routes';

/** What a key press asks the shell to do. */
type ShortcutAction = { kind: 'go'; screen: ScreenId } | { kind: 'help' } | { kind: 'search' } | null;

/** The key event fields the mapping reads. */
interface KeyLike {
  key: string;
  /** physical key (`Digit1`): Alt+digit gives other characters on some layouts */
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** true when focus is in a text field (then single-key shortcuts are off) */
  inField: boolean;
}

/** Shortcut list for the help dialog. */
export const SHORTCUT_HELP: readonly { keys: string; does: string }[] = [
  ...ROUTES.map((r) => ({ keys: `Alt+${r.key}`, does: `Open ${r.title}` })),
  { keys: '/', does: 'Search gateways' },
  { keys: '↑ ↓ PgUp PgDn Home End', does: 'Move in the gateways table' },
  { keys: 'Enter', does: 'Submit the form / open the selected gateway' },
  { keys: 'Ctrl+Enter', does: 'Submit from a multi-line list' },
  { keys: 'Esc', does: 'Close the detail panel or dialog' },
  { keys: '?', does: 'Show this help' },
];

/** Maps a key press to a shell action, or null when the shell should not react. */
export function shortcutFor(e: KeyLike): ShortcutAction {
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    const route = ROUTES.find((r) => e.code === `Digit${r.key}` || e.key === r.key);
    if (route) return { kind: 'go', screen: route.id };
  }
  if (e.inField || e.altKey || e.ctrlKey || e.metaKey) return null;
  if (e.key === '?') return { kind: 'help' };
  if (e.key === '/') return { kind: 'search' };
  return null;
}

/** True when the element takes typed text (input, textarea, select, contenteditable). */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'file', 'range'].includes(type);
  }
  return (el as HTMLElement).isContentEditable === true;
}
