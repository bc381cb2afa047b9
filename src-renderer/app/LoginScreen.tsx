/**
 * Sign-in for the HTTP bridge (headless `gwjs serve` opened in a browser), and the first-run form
 * that trades the one-time setup password printed by `gwjs serve` for the first admin account.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { useSession } from '../stores/session-store';
import { Field } from '../components/Field';

/** The login (or first-run) card. */
export function LoginScreen({ firstRun }: { firstRun: boolean }): ReactNode {
  const { busy, error, ended, login, firstRun: doFirstRun } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [setupPassword, setSetupPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (firstRun) {
      if (password !== repeat) {
        setMismatch(true);
        return;
      }
      setMismatch(false);
      void doFirstRun(setupPassword, name, password);
    } else void login(name, password);
  };

  return (
    <div className="login-wrap">
      <form className="login" onSubmit={submit} aria-label={firstRun ? 'First run' : 'Sign in'}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          gwjs station
        </div>
        {firstRun ? (
          <p className="muted">
            First start: enter the one-time setup password that <code>gwjs serve</code> printed, and choose
            the first administrator account.
          </p>
        ) : (
          <p className="muted">Sign in with your operator account.</p>
        )}
        {firstRun && (
          <Field label="Setup password">
            <input
              type="password"
              value={setupPassword}
              onChange={(e) => setSetupPassword(e.target.value)}
              autoFocus
              autoComplete="one-time-code"
              required
            />
          </Field>
        )}
        <Field label="Operator name">
          <input
            type="text"
            name="username"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus={!firstRun}
            autoComplete="username"
            required
          />
        </Field>
        <Field label="Password" hint={firstRun ? 'At least 10 characters.' : undefined}>
          <input
            type="password"
            name="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={firstRun ? 'new-password' : 'current-password'}
            required
            minLength={firstRun ? 10 : 1}
          />
        </Field>
        {firstRun && (
          <Field
            label="Repeat password"
            hint={mismatch && <small className="bad">The two passwords differ.</small>}
          >
            <input
              type="password"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              autoComplete="new-password"
              aria-invalid={mismatch}
              required
            />
          </Field>
        )}
        {ended && !error && <Notice kind="warn">Your session has ended. Please sign in again.</Notice>}
        <ErrorNotice
          error={error}
          context={firstRun ? 'first-run' : 'login'}
          detail={error?.code !== 'unauthorized'}
        />
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Signing in…' : firstRun ? 'Create administrator and sign in' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
