/**
 * Owners and API keys (SPEC §4.1): owners of gateways, and the keys remote systems use for the
 * Owner API. A new key is shown once with a copy button; only its id and scopes stay visible.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { CopyButton } from '../components/CopyButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { IdCheck } from '../components/IdCheck';
import { ScreenHeader } from '../components/ScreenHeader';
import { analyzeId } from '../stores/identity-store';
import { SCOPE_CHOICES, useOwners, type ScopeChoice } from '../stores/owners-store';
import { useSession } from '../stores/session-store';
import { OwnerOptions } from '../components/OwnerOptions';
import { Field, TextField } from '../components/Field';
import { PlainTable } from '../components/PlainTable';

function NewKey(): ReactNode {
  const { newKey, dismissKey } = useOwners();
  if (!newKey) return null;
  return (
    <div className="card stack" role="alert" aria-label="New API key" style={{ borderColor: '#ecd08a' }}>
      <h2>New API key — copy it now</h2>
      <p style={{ margin: 0 }}>
        This is the only time the key is shown. The station keeps only a hash of it.
      </p>
      <div className="copyable">
        <code className="secret" data-testid="new-api-key">
          {newKey.apiKey}
        </code>
        <CopyButton text={newKey.apiKey} />
      </div>
      <div>
        <button type="button" className="btn" onClick={dismissKey}>
          I have stored it
        </button>
      </div>
    </div>
  );
}

/** The owners and API keys screen. */
export function OwnersScreen(): ReactNode {
  const o = useOwners();
  const can = useSession((s) => s.can);
  const reloadSessionOwners = useSession((s) => s.loadOwners);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [keyOwner, setKeyOwner] = useState<string>('');
  const [scopes, setScopes] = useState<ScopeChoice[]>(['read', 'claim', 'setup', 'delete']);
  const [label, setLabel] = useState('');
  const load = o.load;
  useEffect(() => {
    void load();
  }, [load]);
  const idCheck = analyzeId(id);

  const createOwner = (e: FormEvent) => {
    e.preventDefault();
    if (!idCheck.ok) return;
    void o.createOwner(id, name).then((ok) => {
      if (ok) {
        setId('');
        setName('');
        void reloadSessionOwners();
      }
    });
  };
  const createKey = (e: FormEvent) => {
    e.preventDefault();
    const adminKey = keyOwner === '*';
    if (!keyOwner || scopes.length === 0) return;
    void o
      .createKey(adminKey ? null : keyOwner, adminKey ? ['admin'] : scopes, label)
      .then((ok) => ok && setLabel(''));
  };
  const toggle = (s: ScopeChoice) =>
    setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);

  return (
    <section className="screen" aria-label="Owners and API keys">
      <ScreenHeader title="Owners & API keys" />
      <ErrorNotice error={o.error} />
      <NewKey />
      <div className="grid-2 top" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 3fr)' }}>
        <div className="card">
          <h2>Owners</h2>
          <PlainTable columns={['Id', 'Name', 'Since']} label="Owners">
            {o.owners.map((x) => (
              <tr key={x.id}>
                <td className="mono">{x.id}</td>
                <td>{x.name ?? '—'}</td>
                <td>{formatTime(x.createdAt)}</td>
              </tr>
            ))}
            {o.owners.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  No owners yet.
                </td>
              </tr>
            )}
          </PlainTable>
          {can('owners:create') && (
            <form
              className="stack"
              onSubmit={createOwner}
              style={{ marginTop: 14 }}
              aria-label="Create owner"
            >
              <h3>New owner</h3>
              <div className="grid-2">
                <TextField
                  label="Owner id"
                  hint={id && <IdCheck analysis={idCheck} />}
                  value={id}
                  onChange={setId}
                  input={{ className: 'mono', placeholder: 'e.g. 1::1' }}
                />
                <TextField label="Name" value={name} onChange={setName} input={{ placeholder: 'optional' }} />
              </div>
              <div>
                <button type="submit" className="btn" disabled={!idCheck.ok || o.busy}>
                  Create owner
                </button>
              </div>
            </form>
          )}
        </div>
        {can('apiKeys:list') && (
          <div className="card">
            <h2>API keys</h2>
            <PlainTable columns={['Key id', 'Owner', 'Scopes', 'State', '']} label="API keys">
              {o.keys.map((k) => (
                <tr key={k.id}>
                  <td className="mono" title={k.label ?? ''}>
                    {k.id}
                    {k.label && <div className="muted">{k.label}</div>}
                  </td>
                  <td className="mono">{k.ownerId ?? 'admin'}</td>
                  <td>
                    <span className="scopes">
                      {k.scopes.map((x) => (
                        <span key={x} className="chip plain">
                          {x}
                        </span>
                      ))}
                    </span>
                  </td>
                  <td>
                    {k.revokedAt ? (
                      <span className="chip err">revoked</span>
                    ) : (
                      <span className="chip ok">active</span>
                    )}
                  </td>
                  <td>
                    {!k.revokedAt && can('apiKeys:revoke') && (
                      <button
                        type="button"
                        className="btn link"
                        onClick={() => {
                          if (window.confirm(`Revoke key ${k.id}? Systems using it stop working at once.`))
                            void o.revoke(k.id);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
              {o.keys.length === 0 && (
                <tr>
                  <td colSpan={5} className="muted">
                    No API keys.
                  </td>
                </tr>
              )}
            </PlainTable>
            {can('apiKeys:create') && (
              <form
                className="stack"
                onSubmit={createKey}
                style={{ marginTop: 14 }}
                aria-label="Create API key"
              >
                <h3>New API key</h3>
                <div className="grid-2">
                  <Field label="For">
                    <select
                      value={keyOwner}
                      onChange={(e) => setKeyOwner(e.target.value)}
                      aria-label="Key owner"
                    >
                      <option value="">— choose —</option>
                      <OwnerOptions owners={o.owners} prefix="owner " />
                      <option value="*">admin key (any owner)</option>
                    </select>
                  </Field>
                  <TextField
                    label="Label"
                    value={label}
                    onChange={setLabel}
                    input={{ placeholder: 'what uses it' }}
                  />
                </div>
                {keyOwner !== '*' && (
                  <div className="radio-row" role="group" aria-label="Scopes">
                    {SCOPE_CHOICES.filter((s) => s !== 'admin').map((s) => (
                      <label key={s}>
                        <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} />
                        {s}
                      </label>
                    ))}
                  </div>
                )}
                <div>
                  <button
                    type="submit"
                    className="btn"
                    disabled={!keyOwner || o.busy || (keyOwner !== '*' && scopes.length === 0)}
                  >
                    Create key
                  </button>
                </div>
              </form>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
