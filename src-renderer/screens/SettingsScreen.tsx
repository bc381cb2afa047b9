/**
 * Settings: this browser's preferences, the session, the HSM (admins unlock it with the keystore
 * passphrase, or lock it), and (admins) the station's operator accounts with their roles — admin
 * (everything), installer (claim, set up, delete), factory (batches).
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ROLES, type Role } from '../../src-shared/ipc';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { ScreenHeader } from '../components/ScreenHeader';
import { useDashboard } from '../stores/dashboard-store';
import { useSession } from '../stores/session-store';
import { useSettings } from '../stores/settings-store';
import { OwnerOptions } from '../components/OwnerOptions';
import { Field, TextField } from '../components/Field';
import { CeremonyWizard } from './settings/CeremonyWizard';
import { HsmCard } from './settings/HsmCard';
import { NetworkCard } from './settings/NetworkCard';
import { PlainTable } from '../components/PlainTable';

const ROLE_TEXT: Record<Role, string> = {
  admin: 'admin — everything, including owners, API keys, templates and operators',
  installer: 'installer — claim, set up, delete and transfer gateways',
  factory: 'factory — batches and personalization',
};

function Operators(): ReactNode {
  const st = useSettings();
  const owners = useSession((s) => s.owners);
  const me = useSession((s) => s.session?.operator.name);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('installer');
  const [password, setPassword] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const loadOperators = st.loadOperators;
  useEffect(() => {
    void loadOperators();
  }, [loadOperators]);
  // Only an installer is bound to an owner; every creation starts the next form afresh.
  const bindable = role === 'installer';
  const create = (e: FormEvent) => {
    e.preventDefault();
    void st
      .createOperator({ name, role, password, ownerId: bindable && ownerId ? ownerId : null })
      .then((ok) => {
        if (ok) {
          setName('');
          setPassword('');
          setOwnerId('');
        }
      });
  };
  const [resetFor, setResetFor] = useState('');
  const [resetTo, setResetTo] = useState('');
  const reset = (e: FormEvent) => {
    e.preventDefault();
    void st.updateOperator({ name: resetFor, password: resetTo }).then((ok) => {
      if (ok) setResetTo('');
    });
  };
  return (
    <div className="card stack">
      <h2>Operator accounts</h2>
      <ErrorNotice error={st.error} />
      {st.notice && <Notice kind="ok">{st.notice}</Notice>}
      <PlainTable columns={['Name', 'Role', 'Owner', 'Since', 'State', '']} label="Operators">
        {st.operators.map((op) => (
          <tr key={op.name}>
            <td>{op.name}</td>
            <td>{op.role}</td>
            <td className="mono">{op.ownerId ?? 'any'}</td>
            <td>{formatTime(op.createdAt)}</td>
            <td>
              {op.disabled ? (
                <span className="chip err">disabled</span>
              ) : (
                <span className="chip ok">active</span>
              )}
            </td>
            <td>
              {op.name !== me && (
                <button
                  type="button"
                  className="btn link"
                  onClick={() => void st.updateOperator({ name: op.name, disabled: !op.disabled })}
                >
                  {op.disabled ? 'Enable' : 'Disable'}
                </button>
              )}
            </td>
          </tr>
        ))}
      </PlainTable>
      <form className="stack" onSubmit={create} aria-label="Create operator">
        <h3>New operator</h3>
        <div className="grid-4">
          <Field label="Name">
            <input type="text" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </Field>
          <Field label="Role">
            <select
              value={role}
              onChange={(e) => {
                setRole(e.target.value as Role);
                setOwnerId('');
              }}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            input={{ autoComplete: 'new-password', minLength: 10 }}
          />
          {bindable && (
            <Field label="Only for owner">
              <select value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
                <option value="">any owner</option>
                <OwnerOptions owners={owners} />
              </select>
            </Field>
          )}
        </div>
        <small className="muted">{ROLE_TEXT[role]}. Passwords: at least 10 characters.</small>
        <div>
          <button type="submit" className="btn" disabled={!name || password.length < 10}>
            Create operator
          </button>
        </div>
      </form>
      <form className="stack" onSubmit={reset} aria-label="Reset a password">
        <h3>Reset a password</h3>
        <div className="grid-2">
          <Field label="Operator">
            <select
              value={resetFor}
              onChange={(e) => setResetFor(e.target.value)}
              aria-label="Operator to reset"
            >
              <option value="">— choose —</option>
              {st.operators.map((op) => (
                <option key={op.name} value={op.name}>
                  {op.name} ({op.role})
                </option>
              ))}
            </select>
          </Field>
          <TextField
            label="New password"
            type="password"
            value={resetTo}
            onChange={setResetTo}
            input={{ autoComplete: 'new-password', 'aria-label': 'New password for the operator' }}
          />
        </div>
        <small className="muted">
          Ends the operator’s sessions: it signs in again with the new password.
        </small>
        <div>
          <button type="submit" className="btn secondary" disabled={!resetFor || resetTo.length < 10}>
            Set password
          </button>
        </div>
      </form>
    </div>
  );
}

/** The signed-in operator changes its own password (browser sessions; the desktop user has none). */
function ChangePassword(): ReactNode {
  const { passwordBusy, passwordError, passwordNotice, changePassword } = useSettings();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && again !== next;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void changePassword(current, next).then((ok) => {
      setCurrent('');
      if (ok) {
        setNext('');
        setAgain('');
      }
    });
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Change my password">
      <h3>Change my password</h3>
      <TextField
        label="Current password"
        type="password"
        value={current}
        onChange={setCurrent}
        input={{ autoComplete: 'current-password' }}
      />
      <TextField
        label="New password"
        hint="At least 10 characters."
        type="password"
        value={next}
        onChange={setNext}
        input={{ autoComplete: 'new-password' }}
      />
      <Field
        label="Repeat new password"
        hint={mismatch && <small className="bad">The two passwords differ.</small>}
      >
        <input
          type="password"
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          autoComplete="new-password"
          aria-invalid={mismatch}
        />
      </Field>
      <ErrorNotice error={passwordError} />
      {passwordNotice && <Notice kind="ok">{passwordNotice}</Notice>}
      <div>
        <button
          type="submit"
          className="btn secondary"
          disabled={passwordBusy || !current || next.length < 10 || next !== again}
        >
          Change password
        </button>
      </div>
    </form>
  );
}

/** The settings screen. */
export function SettingsScreen(): ReactNode {
  const { prefs, setPrefs } = useSettings();
  const session = useSession((s) => s.session);
  const can = useSession((s) => s.can);
  const status = useDashboard((s) => s.status);
  return (
    <section className="screen" aria-label="Settings">
      <ScreenHeader title="Settings" />
      <div className="grid-2">
        <div className="card stack">
          <h2>This session</h2>
          <dl className="kv">
            <dt>Operator</dt>
            <dd>{session?.operator.name ?? '—'}</dd>
            <dt>Role</dt>
            <dd>{session ? ROLE_TEXT[session.operator.role] : '—'}</dd>
            <dt>Connection</dt>
            <dd>{session?.transport === 'ipc' ? 'desktop app (IPC)' : 'browser (HTTPS bridge)'}</dd>
            <dt>Station version</dt>
            <dd>{status?.version ?? '—'}</dd>
          </dl>
          {session?.transport === 'http' && <ChangePassword />}
        </div>
        <HsmCard />
        {can('network:save') && <NetworkCard />}
        {can('ceremony:transportKey') && <CeremonyWizard />}
        <div className="card stack">
          <h2>Bulk operations</h2>
          <Field
            label="Gateways per request"
            style={{ maxWidth: 260 }}
            hint="Smaller requests update the progress bar more often and cancel sooner."
          >
            <input
              type="number"
              min={1}
              max={10000}
              value={prefs.chunkSize}
              onChange={(e) => {
                const n = Number(e.target.value);
                if (Number.isInteger(n) && n >= 1 && n <= 10_000) setPrefs({ chunkSize: n });
              }}
            />
          </Field>
        </div>
      </div>
      {can('operators:list') && <Operators />}
    </section>
  );
}
