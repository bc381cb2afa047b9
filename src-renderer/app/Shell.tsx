/**
 * The signed-in layout: sidebar navigation (screens the operator may use), the top bar and the
 * current screen. Owns the global shortcuts (Alt+digit, `/`, `?`) and the URL hash.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { AuditScreen } from '../screens/AuditScreen';
import { ClaimScreen } from '../screens/ClaimScreen';
import { DashboardScreen } from '../screens/DashboardScreen';
import { DeleteScreen } from '../screens/DeleteScreen';
import { BatchesScreen } from '../screens/factory/BatchesScreen';
import { LineScreen } from '../screens/factory/LineScreen';
import { GatewaysScreen } from '../screens/GatewaysScreen';
import { IdentityScreen } from '../screens/IdentityScreen';
import { OwnersScreen } from '../screens/OwnersScreen';
import { SettingsScreen } from '../screens/SettingsScreen';
import { SetupScreen } from '../screens/SetupScreen';
import { SyncScreen } from '../screens/sync/SyncScreen';
import { useDashboard } from '../stores/dashboard-store';
import { useNav } from '../stores/nav-store';
import { useSession } from '../stores/session-store';
import { ROUTES, type ScreenId } from './routes';
import { isTextField, shortcutFor, SHORTCUT_HELP } from './shortcuts';
import { TopBar } from './TopBar';
import { PlainTable } from '../components/PlainTable';

const SCREENS: Record<ScreenId, () => ReactNode> = {
  dashboard: DashboardScreen,
  gateways: GatewaysScreen,
  claim: ClaimScreen,
  setup: SetupScreen,
  delete: DeleteScreen,
  identity: IdentityScreen,
  owners: OwnersScreen,
  audit: AuditScreen,
  sync: SyncScreen,
  settings: SettingsScreen,
  batches: BatchesScreen,
  line: LineScreen,
};

/** How often the top bar refreshes the station status (HSM state), ms. */
const STATUS_EVERY_MS = 15_000;

function HelpDialog({ onClose }: { onClose: () => void }): ReactNode {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal card"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>Keyboard shortcuts</h2>
        <PlainTable>
          {SHORTCUT_HELP.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.does}</td>
            </tr>
          ))}
        </PlainTable>
        <div className="row gap" style={{ marginTop: 12, justifyContent: 'flex-end' }}>
          <button type="button" className="btn" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** The shell. */
export function Shell(): ReactNode {
  const screen = useNav((s) => s.screen);
  const go = useNav((s) => s.go);
  const can = useSession((s) => s.can);
  const session = useSession((s) => s.session);
  const [help, setHelp] = useState(false);
  // The sidebar folds into a menu below 1000 px (responsive.css); this opens it there.
  const [navOpen, setNavOpen] = useState(false);
  const choose = (id: ScreenId): void => {
    setNavOpen(false);
    go(id);
  };
  const routes = ROUTES.filter((r) => r.needs === null || can(r.needs));
  const visible = routes.some((r) => r.id === screen) ? screen : (routes[0]?.id ?? 'identity');

  // A factory operator's place is the line: it lands there rather than on the dashboard.
  const role = session?.operator.role;
  useEffect(() => {
    if (role === 'factory' && useNav.getState().screen === 'dashboard') go('line');
  }, [role, go]);

  useEffect(() => {
    const onHash = () => useNav.getState().fromHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const load = useDashboard.getState().load;
    void load();
    const timer = setInterval(() => void load(), STATUS_EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  // a pulled token shows within a second (docs/twin-hsm.md "Sessions, removal, recovery")
  const watchHsm = can('hsm:state');
  useEffect(() => (watchHsm ? useDashboard.getState().watchHsm() : undefined), [watchHsm]);

  useEffect(() => {
    if (!navOpen) return;
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setNavOpen(false);
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [navOpen]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor({
        key: e.key,
        code: e.code,
        altKey: e.altKey,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        inField: isTextField(document.activeElement),
      });
      if (!action) return;
      if (action.kind === 'go') {
        if (!routes.some((r) => r.id === action.screen)) return;
        e.preventDefault();
        go(action.screen);
      } else if (action.kind === 'help') {
        e.preventDefault();
        setHelp(true);
      } else if (action.kind === 'search') {
        e.preventDefault();
        if (useNav.getState().screen !== 'gateways') go('gateways');
        requestAnimationFrame(() => document.querySelector<HTMLInputElement>('#gateway-search')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [routes, go]);

  const Screen = SCREENS[visible];
  return (
    <div className={`shell${navOpen ? ' nav-open' : ''}`}>
      <div className="nav-scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
      <nav className="sidebar" id="sidebar" aria-label="Screens">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          gwjs station
        </div>
        <ul className="nav">
          {routes.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                aria-current={r.id === visible ? 'page' : undefined}
                onClick={() => choose(r.id)}
                title={`Alt+${r.key}`}
              >
                {r.title}
                <kbd>Alt+{r.key}</kbd>
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <button
            type="button"
            className="btn link"
            onClick={() => setHelp(true)}
            style={{ color: 'inherit' }}
          >
            Shortcuts <kbd>?</kbd>
          </button>
          {session && <div>{session.transport === 'ipc' ? 'Desktop' : 'Browser'} session</div>}
        </div>
      </nav>
      <TopBar menuOpen={navOpen} onMenu={() => setNavOpen((open) => !open)} />
      <main className="main" id="main">
        <Screen key={visible} />
      </main>
      {help && <HelpDialog onClose={() => setHelp(false)} />}
    </div>
  );
}
