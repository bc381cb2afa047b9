/**
 * Top bar: the owner the operator works for, the server, sync and HSM state (refreshed in the
 * background), who is signed in, and Sign out (HTTP bridge only).
 */
import type { ReactNode } from 'react';
import { useDashboard } from '../stores/dashboard-store';
import { useSession } from '../stores/session-store';
import { OwnerOptions } from '../components/OwnerOptions';

/** HSM state chip: unlocked (green), locked (amber), token removed (red), unknown (grey). */
function HsmChip(): ReactNode {
  const status = useDashboard((s) => s.status);
  const error = useDashboard((s) => s.error);
  if (!status) return <span className="chip">{error ? 'Station unreachable' : 'HSM …'}</span>;
  const { hsm } = status;
  if (hsm.tokenRemoved === true) {
    return (
      <span className="chip err" title={hsm.detail} role="status" aria-label="HSM state">
        Token removed
      </span>
    );
  }
  const kind = hsm.kind === 'pkcs11' ? 'Token' : 'HSM';
  return (
    <span className={`chip ${hsm.locked ? 'warn' : 'ok'}`} title={hsm.detail}>
      {kind} {hsm.locked ? 'locked' : 'unlocked'} · {hsm.keyCount} {hsm.keyCount === 1 ? 'key' : 'keys'}
    </span>
  );
}

/**
 * Sync chip (docs/sync.md): shown while the station is linked to a remote — online (green) with
 * the pending count, offline (amber), or needing a decision (rejected or conflicting operations).
 */
export function SyncChip(): ReactNode {
  const sync = useDashboard((s) => s.status?.sync);
  if (!sync?.linked) return null;
  const decide = sync.rejected + sync.conflict;
  const state = sync.online === null ? 'not synced yet' : sync.online ? 'online' : 'offline';
  const tone = decide > 0 || sync.online === false ? 'warn' : sync.online ? 'ok' : '';
  const title = [
    `Remote ${sync.url ?? ''}`,
    `last success ${sync.lastSuccessAt ?? 'never'}`,
    ...(sync.lastError !== null ? [`last error: ${sync.lastError}`] : []),
  ].join(' · ');
  return (
    <span className={`chip ${tone}`} title={title} aria-label="Sync status">
      Sync {state} · {sync.pending} pending{decide > 0 ? ` · ${decide} to decide` : ''}
    </span>
  );
}

/** Props of {@link TopBar}. */
interface TopBarProps {
  /** the folded navigation (narrow windows) is open */
  menuOpen: boolean;
  onMenu: () => void;
}

/** The top bar; on narrow windows it starts with the menu button that opens the navigation. */
export function TopBar({ menuOpen, onMenu }: TopBarProps): ReactNode {
  const { session, owners, ownerId, setOwner, logout } = useSession();
  const status = useDashboard((s) => s.status);
  const bound = session?.operator.ownerId ?? null;
  const url = status?.urls[0];
  return (
    <header className="topbar">
      <button
        type="button"
        className="btn secondary menu-btn"
        aria-expanded={menuOpen}
        aria-controls="sidebar"
        onClick={onMenu}
      >
        <span className="bars" aria-hidden="true" />
        Menu
      </button>
      <label>
        <span className="owner-label">Owner</span>
        <select
          aria-label="Owner"
          value={ownerId ?? ''}
          disabled={bound !== null}
          onChange={(e) => setOwner(e.target.value || null)}
        >
          {ownerId === null && <option value="">— choose an owner —</option>}
          <OwnerOptions owners={owners} />
        </select>
      </label>
      <span className="spacer" />
      {url && (
        <span className="chip plain mono server-url" title="Join server (CUPS and Owner API)">
          {url}
        </span>
      )}
      <SyncChip />
      <HsmChip />
      {session && (
        <span
          className="muted who"
          title={`signed in over ${session.transport === 'ipc' ? 'the desktop app' : 'HTTPS'}`}
        >
          {session.operator.name} · {session.operator.role}
        </span>
      )}
      {session?.transport === 'http' && (
        <button type="button" className="btn secondary" onClick={() => void logout()}>
          Sign out
        </button>
      )}
    </header>
  );
}
