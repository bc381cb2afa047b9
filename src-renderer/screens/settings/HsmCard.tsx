/**
 * Settings → HSM (docs/station-ui.md, docs/twin-hsm.md): the HSM's state; admins unlock it with
 * the keystore passphrase or the token's user PIN (cleared from the form at once, never kept in
 * any state) or lock it, see the keys it holds (label, kind, KCV — never values) and choose the
 * backend: the software keystore, or a token of a PKCS#11 module present on this machine.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { HsmKeyView } from '../../../src-shared/ipc';
import { ErrorNotice, Notice } from '../../components/ErrorNotice';
import { Field, TextField } from '../../components/Field';
import { useDashboard } from '../../stores/dashboard-store';
import { useHsm } from '../../stores/hsm-store';
import { useSession } from '../../stores/session-store';
import { useSettings } from '../../stores/settings-store';

/**
 * Where `npm start` keeps a generated passphrase: `<data>/hsm-passphrase`, beside the keystore
 * named in the software HSM's detail (`keystore /…/keystore.json`).
 */
function passphraseFileOf(detail: string): string {
  const keystore = /(\S*)keystore\.json/.exec(detail)?.[1];
  return keystore ? `${keystore}hsm-passphrase` : '<data>/hsm-passphrase';
}

/** The state chip of the card: unlocked, locked, or token removed. */
function StateChip({ locked, removed }: { locked: boolean; removed: boolean }): ReactNode {
  if (removed) return <span className="chip err">token removed</span>;
  return <span className={`chip ${locked ? 'warn' : 'ok'}`}>{locked ? 'locked' : 'unlocked'}</span>;
}

/** HSM state, unlock/lock, keys and backend. */
export function HsmCard(): ReactNode {
  const hsm = useDashboard((s) => s.status?.hsm ?? null);
  const load = useDashboard((s) => s.load);
  const can = useSession((s) => s.can);
  const { hsmBusy, hsmError, hsmNotice, unlockHsm, lockHsm } = useSettings();
  const loadKeys = useHsm((s) => s.loadKeys);
  const [secret, setSecret] = useState('');
  useEffect(() => {
    if (hsm === null) void load();
  }, [hsm, load]);
  const unlocked = hsm?.locked === false;
  const mayList = can('hsm:keys');
  useEffect(() => {
    if (unlocked && mayList) void loadKeys();
  }, [unlocked, mayList, loadKeys, hsm?.keyCount, hsm?.detail]);
  const token = hsm?.kind === 'pkcs11';
  const removed = hsm?.tokenRemoved === true;
  useEffect(() => {
    // what happened before the token went away is no news any more
    if (removed) useHsm.setState({ notice: null });
  }, [removed]);
  const unlock = (e: FormEvent) => {
    e.preventDefault();
    const typed = secret;
    setSecret('');
    void unlockHsm(typed);
  };
  return (
    <div className="card stack" aria-label="HSM">
      <h2>HSM</h2>
      {hsm ? (
        <dl className="kv">
          <dt>State</dt>
          <dd>
            <StateChip locked={hsm.locked} removed={hsm.tokenRemoved === true} />
          </dd>
          <dt>Root keys</dt>
          <dd>{hsm.keyCount}</dd>
          <dt>Kind</dt>
          <dd>
            {token ? 'PKCS#11 token' : 'software keystore'} <span className="muted mono">{hsm.detail}</span>
          </dd>
        </dl>
      ) : (
        <p className="muted">Asking the station…</p>
      )}
      {hsm?.tokenRemoved === true && (
        <Notice kind="warn">
          The token was removed: CUPS answers 503 to every gateway until it is plugged in again and unlocked
          with its PIN.
        </Notice>
      )}
      <ErrorNotice error={hsmError} context="hsm-unlock" detail={hsmError?.code !== 'hsm_locked'} />
      {hsmNotice && <Notice kind="ok">{hsmNotice}</Notice>}
      {hsm?.locked && can('hsm:unlock') && (
        <form className="row gap wrap-end" onSubmit={unlock} aria-label="Unlock HSM">
          <TextField
            label={token ? 'User PIN' : 'Passphrase'}
            style={{ flex: 1 }}
            type="password"
            value={secret}
            onChange={setSecret}
            input={{ autoComplete: 'off', spellCheck: false }}
          />
          <button type="submit" className="btn" disabled={hsmBusy || secret === ''}>
            {hsmBusy ? 'Unlocking…' : 'Unlock'}
          </button>
        </form>
      )}
      {hsm?.locked && can('hsm:unlock') && hsm.kind === 'software' && (
        <small className="muted" data-testid="passphrase-source">
          The passphrase is the one the station was created with: the file given with{' '}
          <code>--hsm-passphrase-file</code>, or <code>$GWJS_HSM_PASSPHRASE</code> — or, when the first{' '}
          <code>npm start</code> generated it, the first line of{' '}
          <code className="mono">{passphraseFileOf(hsm.detail)}</code>.
        </small>
      )}
      {unlocked && can('hsm:lock') && (
        <div className="row gap">
          <button type="button" className="btn secondary" disabled={hsmBusy} onClick={() => void lockHsm()}>
            Lock HSM
          </button>
          <small className="muted" data-testid="lock-warning">
            Locking stops CUPS for the whole fleet: every gateway poll is answered 503 until the HSM is
            unlocked again. Claims, transfers, personalization and new batches stop too.
          </small>
        </div>
      )}
      {hsm?.locked && !can('hsm:unlock') && (
        <small className="muted">Claims and key derivation wait until an admin unlocks it.</small>
      )}
      {unlocked && mayList && <KeyList />}
      {can('hsm:use') && <BackendChooser />}
    </div>
  );
}

const KIND_TEXT: Record<HsmKeyView['kind'], string> = {
  root: 'root key',
  signing: 'signing key',
  transport: 'transport key',
};

/** The keys the HSM holds: label, kind, KCV (root keys) or fingerprint (transport keys). */
function KeyList(): ReactNode {
  const keys = useHsm((s) => s.keys);
  if (keys === null) return null;
  return (
    <div className="stack" aria-label="HSM keys">
      <h3>Keys</h3>
      {keys.length === 0 ? (
        <p className="muted">No keys yet.</p>
      ) : (
        <ul className="key-list">
          {keys.map((k) => (
            <li key={k.handle} data-handle={k.handle}>
              <span className="key-label">{k.label}</span>
              <span className="muted">
                {KIND_TEXT[k.kind]}
                {k.kind === 'root' &&
                  (k.exportable ? ' · can be wrapped to its twin' : ' · never leaves the HSM')}
              </span>
              <span
                className="mono key-kcv"
                data-testid="key-kcv"
                title={k.fingerprint ? `SHA-256 ${k.fingerprint}` : 'key check value'}
              >
                {k.kcv ?? (k.fingerprint ? `fp ${k.fingerprint.slice(0, 8)}…` : '—')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Choosing the backend: software keystore, or module + token + user PIN. */
function BackendChooser(): ReactNode {
  const { current, modules, tokens, tokensOf, busy, error, notice, loadBackend, loadTokens, useBackend } =
    useHsm();
  const [backend, setBackend] = useState<'software' | 'pkcs11'>('pkcs11');
  const [module, setModule] = useState('');
  const [tokenKey, setTokenKey] = useState('');
  const [secret, setSecret] = useState('');
  /** switching is rare: the form opens on demand (and its secret field stays apart from Unlock's) */
  const [open, setOpen] = useState(false);
  useEffect(() => {
    void loadBackend();
  }, [loadBackend]);
  useEffect(() => {
    if (current !== null) setBackend(current.backend);
    if (current?.backend === 'pkcs11') setModule(current.module);
  }, [current]);
  useEffect(() => {
    if (module === '' && modules[0]) setModule(modules[0].path);
  }, [module, modules]);
  useEffect(() => {
    if (backend === 'pkcs11' && module !== '') void loadTokens(module);
  }, [backend, module, loadTokens]);
  const chosen = tokens.find((t) => `${t.label}\u0000${t.serial}` === tokenKey) ?? tokens[0];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const typed = secret;
    setSecret('');
    if (backend === 'software')
      void useBackend({ backend: 'software', passphrase: typed }).then((ok) => ok && setOpen(false));
    else if (chosen) {
      void useBackend({
        backend: 'pkcs11',
        module,
        ...(chosen.label !== '' ? { tokenLabel: chosen.label } : { tokenSerial: chosen.serial }),
        pin: typed,
      }).then((ok) => ok && setOpen(false));
    }
  };
  const currentText =
    current === null
      ? '…'
      : current.backend === 'software'
        ? 'software keystore'
        : `token “${current.tokenLabel ?? current.tokenSerial ?? ''}” via ${current.module}`;
  const heading = (
    <>
      <h3>Backend</h3>
      <p className="muted">
        In use: <span data-testid="backend-current">{currentText}</span>. Switching needs the new HSM’s PIN or
        passphrase; it is refused when the new HSM lacks the root key of a batch.
      </p>
    </>
  );
  if (!open) {
    return (
      <div className="stack" aria-label="HSM backend">
        {heading}
        {notice && <Notice kind="ok">{notice}</Notice>}
        <div>
          <button type="button" className="btn secondary" aria-expanded={false} onClick={() => setOpen(true)}>
            Change backend…
          </button>
        </div>
      </div>
    );
  }
  return (
    <form className="stack" aria-label="HSM backend" onSubmit={submit}>
      {heading}
      <div className="row gap" role="radiogroup" aria-label="Backend">
        <label className="row gap-s">
          <input
            type="radio"
            name="hsm-backend"
            checked={backend === 'pkcs11'}
            onChange={() => setBackend('pkcs11')}
          />
          PKCS#11 token
        </label>
        <label className="row gap-s">
          <input
            type="radio"
            name="hsm-backend"
            checked={backend === 'software'}
            onChange={() => setBackend('software')}
          />
          Software keystore
        </label>
      </div>
      {backend === 'pkcs11' && (
        <>
          {modules.length === 0 ? (
            <Notice kind="info">
              No known PKCS#11 module is installed here (SoftHSM2, OpenSC, yubihsm_pkcs11). Another module is
              set with <code>gwjs init --pkcs11-module PATH</code>.
            </Notice>
          ) : (
            <Field label="Module">
              <select value={module} onChange={(e) => setModule(e.target.value)}>
                {modules.map((m) => (
                  <option key={m.path} value={m.path}>
                    {m.name} — {m.path}
                  </option>
                ))}
              </select>
            </Field>
          )}
          {module !== '' && (
            <Field label="Token">
              <select
                value={chosen ? `${chosen.label}\u0000${chosen.serial}` : ''}
                onChange={(e) => setTokenKey(e.target.value)}
                disabled={tokens.length === 0}
              >
                {tokens.length === 0 && (
                  <option value="">
                    {tokensOf === module ? 'no token in this module’s slots' : 'looking…'}
                  </option>
                )}
                {tokens.map((t) => (
                  <option key={`${t.label}\u0000${t.serial}`} value={`${t.label}\u0000${t.serial}`}>
                    {t.label || '(no label)'} — serial {t.serial} — {t.model}
                    {t.pinLocked ? ' — PIN blocked' : !t.pinInitialized ? ' — no user PIN' : ''}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </>
      )}
      <div className="row gap wrap-end">
        <Field
          label={backend === 'pkcs11' ? 'User PIN of the token' : 'Keystore passphrase'}
          style={{ flex: 1 }}
        >
          <input
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <button
          type="submit"
          className="btn"
          disabled={busy || secret === '' || (backend === 'pkcs11' && chosen === undefined)}
        >
          {busy ? 'Opening…' : backend === 'pkcs11' ? 'Use this token' : 'Use the software keystore'}
        </button>
      </div>
      <ErrorNotice error={error} context="hsm-unlock" />
      {notice && <Notice kind="ok">{notice}</Notice>}
      <div>
        <button type="button" className="btn secondary" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </form>
  );
}
