/**
 * Setup: pick a saved template (installers) or fill in the CUPS / LNS form (addresses, trust,
 * token or client certificate and key), list the gateways, check that every TLS target answers a
 * handshake against the given trust, then apply to all of them in chunks with per-gateway results.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { checkServiceUri } from '../../src-shared/uri';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { CredentialPicker } from '../components/CredentialPicker';
import { RunProgress } from '../components/ProgressBar';
import { ResultsTable } from '../components/ResultsTable';
import { ScreenHeader } from '../components/ScreenHeader';
import { Tabs } from '../components/Tabs';
import { useHandoff } from '../stores/nav-store';
import { useSession } from '../stores/session-store';
import { describeFields, isSecureUri, type AuthMode, type SideForm } from '../stores/setup-fields';
import { useSetup, type TargetCheck } from '../stores/setup-store';
import { IdListSummary } from '../components/IdListSummary';
import { Field } from '../components/Field';
import { formatCount } from '../components/format';

const MODES: readonly { id: AuthMode; title: string }[] = [
  { id: 'token', title: 'Token' },
  { id: 'client-cert', title: 'Client certificate' },
  { id: 'server-auth', title: 'Server check only' },
];

function SideFieldset({ kind, side }: { kind: 'cups' | 'lns'; side: SideForm }): ReactNode {
  const update = useSetup((s) => s.updateSide);
  const set = (patch: Partial<SideForm>) => update(kind, patch);
  const name = kind === 'cups' ? 'CUPS' : 'LNS';
  const uri = side.uri.trim();
  const problem = uri ? checkServiceUri(uri, kind) : undefined;
  const secure = isSecureUri(uri);
  const [showToken, setShowToken] = useState(false);
  return (
    <fieldset aria-label={`${name} settings`}>
      <legend>
        <label className="row gap">
          <input
            type="checkbox"
            checked={side.enabled}
            onChange={(e) => set({ enabled: e.target.checked })}
          />
          {kind === 'cups' ? 'CUPS server (configuration updates)' : 'LNS (LoRaWAN network server)'}
        </label>
      </legend>
      {!side.enabled ? (
        <p className="muted" style={{ margin: 0 }}>
          {kind === 'cups'
            ? 'Kept as stored: gateways keep using this station as their CUPS server.'
            : 'Kept as stored on each gateway.'}
        </p>
      ) : (
        <div className="stack">
          <Field
            label="Address"
            hint={
              <>
                {problem ? (
                  <small className="bad">{problem}</small>
                ) : (
                  <small>
                    {kind === 'cups' ? 'https://host:port' : 'wss://host:port'} — no path.{' '}
                    {uri && !secure && 'Plain connection: no credentials are sent.'}
                  </small>
                )}
              </>
            }
          >
            <input
              type="text"
              className="mono"
              name={`${kind}Uri`}
              value={side.uri}
              onChange={(e) => set({ uri: e.target.value })}
              placeholder={kind === 'cups' ? 'https://cups.example.com:443' : 'wss://lns.example.com:8887'}
              aria-invalid={problem !== undefined}
              spellCheck={false}
            />
          </Field>
          {secure && (
            <>
              <CredentialPicker
                label="Trust (CA certificate of the server)"
                name={`${kind}Trust`}
                file={side.trust}
                onChange={(trust) => set({ trust })}
                hint="PEM or DER. The gateway only connects when the server's chain ends in this certificate."
              />
              <div className="field">
                <span>Gateway authentication</span>
                <div className="radio-row" role="radiogroup" aria-label={`${name} authentication`}>
                  {MODES.map((m) => (
                    <label key={m.id}>
                      <input
                        type="radio"
                        name={`${kind}-mode`}
                        checked={side.mode === m.id}
                        onChange={() => set({ mode: m.id })}
                      />
                      {m.title}
                    </label>
                  ))}
                </div>
              </div>
              {side.mode === 'token' && (
                <div className="field">
                  <label className="field-title" htmlFor={`${kind}-token`}>
                    Gateway token
                  </label>
                  <div className="row gap">
                    <input
                      id={`${kind}-token`}
                      type={showToken ? 'text' : 'password'}
                      className="mono"
                      name={`${kind}Token`}
                      style={{ flex: 1 }}
                      value={side.token}
                      onChange={(e) => set({ token: e.target.value })}
                      autoComplete="off"
                      spellCheck={false}
                      placeholder="the API key or token, or a full header line: Authorization: Bearer …"
                    />
                    <button type="button" className="btn secondary" onClick={() => setShowToken(!showToken)}>
                      {showToken ? 'Hide' : 'Show'}
                    </button>
                  </div>
                  <small>
                    Sent by the gateway as “Authorization: Bearer …” unless you type another header.
                  </small>
                </div>
              )}
              {side.mode === 'client-cert' && (
                <>
                  <CredentialPicker
                    label="Client certificate"
                    name={`${kind}Crt`}
                    file={side.cert}
                    onChange={(cert) => set({ cert })}
                  />
                  <CredentialPicker
                    label="Client private key"
                    name={`${kind}Key`}
                    file={side.key}
                    onChange={(key) => set({ key })}
                    hint="EC keys are converted to the SEC1 form the station reads."
                  />
                </>
              )}
            </>
          )}
        </div>
      )}
    </fieldset>
  );
}

function CheckResults({ checks }: { checks: readonly TargetCheck[] }): ReactNode {
  if (checks.length === 0) return null;
  return (
    <div className="stack" aria-label="Reachability">
      {checks.map((c) => (
        <div
          key={c.side}
          className={`notice ${c.state === 'checking' ? 'info' : c.state === 'done' ? 'ok' : 'error'}`}
          role="status"
        >
          <strong>
            {c.side === 'cups' ? 'CUPS' : 'LNS'} <span className="mono">{c.uri}</span>:{' '}
            {c.state === 'checking'
              ? 'checking…'
              : c.state === 'done'
                ? 'reachable, certificate trusted'
                : 'check failed'}
          </strong>
          {c.result && c.state !== 'done' && <div>{c.result.message}</div>}
          {c.result?.peer && (
            <div className="detail">
              {c.result.peer.subject} · issued by {c.result.peer.issuer} · valid to {c.result.peer.validTo}
            </div>
          )}
          {c.error && <ErrorNotice error={c.error} />}
        </div>
      ))}
    </div>
  );
}

/** The setup screen. */
export function SetupScreen(): ReactNode {
  const s = useSetup();
  const ownerId = useSession((x) => x.ownerId);
  const can = useSession((x) => x.can);
  const [templateName, setTemplateName] = useState('');
  const isAdmin = can('templates:save');

  useEffect(() => {
    if (ownerId) void useSetup.getState().loadTemplates(ownerId);
  }, [ownerId]);
  useHandoff(useSetup.getState().addGateways);

  const template = s.templates.find((t) => t.id === s.templateId) ?? null;
  const failedCheck = s.checks.some((c) => c.state === 'failed');
  const valid = s.gatewayRows.filter((r) => !r.problem).length;

  const importList = async (file: File) => s.setGatewaysText(await file.text());

  return (
    <section className="screen" aria-label="Setup">
      <ScreenHeader title="Set up gateways">
        {ownerId && <span className="chip plain mono">owner {ownerId}</span>}
      </ScreenHeader>
      {!ownerId && (
        <Notice kind="warn">Choose the owner whose gateways you set up in the top bar first.</Notice>
      )}
      <Tabs<'template' | 'form'>
        label="Settings source"
        value={s.source}
        onChange={s.setSource}
        tabs={[
          { id: 'template', title: `From a template${s.templates.length ? ` (${s.templates.length})` : ''}` },
          { id: 'form', title: 'Enter settings' },
        ]}
      />
      {s.source === 'template' ? (
        <div className="card stack">
          <ErrorNotice error={s.templatesError} />
          {s.templates.length === 0 ? (
            <p className="muted" style={{ margin: 0 }}>
              No templates for this owner yet.{' '}
              {isAdmin
                ? 'Enter the settings once and save them as a template.'
                : 'Ask an administrator to create one.'}
            </p>
          ) : (
            <>
              <Field label="Template">
                <select
                  aria-label="Template"
                  value={s.templateId ?? ''}
                  onChange={(e) => s.pickTemplate(e.target.value || null)}
                  style={{ maxWidth: 420 }}
                >
                  {s.templates.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </Field>
              {template && (
                <ul className="mono" style={{ margin: 0, paddingLeft: 18 }} aria-label="Template settings">
                  {describeFields(template.fields, template.secrets).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
              {template && isAdmin && ownerId && (
                <div>
                  <button
                    type="button"
                    className="btn link"
                    onClick={() => void s.deleteTemplate(ownerId, template.id)}
                  >
                    Delete this template
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      ) : (
        <div className="stack">
          <div className="grid-2 top">
            <SideFieldset kind="cups" side={s.cups} />
            <SideFieldset kind="lns" side={s.lns} />
          </div>
          {isAdmin && ownerId && (
            <form
              className="row gap"
              onSubmit={(e) => {
                e.preventDefault();
                if (templateName.trim())
                  void s.saveTemplate(ownerId, templateName.trim()).then((ok) => ok && setTemplateName(''));
              }}
            >
              <input
                type="text"
                aria-label="Template name"
                placeholder="Template name, e.g. “Site A — TTN EU1”"
                value={templateName}
                onChange={(e) => setTemplateName(e.target.value)}
                style={{ minWidth: 300 }}
              />
              <button type="submit" className="btn secondary" disabled={!templateName.trim()}>
                Save as template
              </button>
            </form>
          )}
        </div>
      )}
      <div className="card stack">
        <Field
          label="Gateways"
          hint={
            <IdListSummary
              rows={s.gatewayRows}
              empty="Paste ids, or import a list (first column of a CSV)."
            />
          }
        >
          <textarea
            className="mono"
            rows={5}
            aria-label="Gateways to set up"
            value={s.gatewaysText}
            onChange={(e) => s.setGatewaysText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && ownerId) {
                e.preventDefault();
                void s.apply(ownerId);
              }
            }}
            placeholder="One id per line (any form), or several separated by commas"
            spellCheck={false}
            disabled={s.running}
          />
        </Field>
        <div className="row gap">
          <button
            type="button"
            className="btn"
            disabled={!ownerId || s.running || valid === 0}
            onClick={() => ownerId && void s.apply(ownerId)}
          >
            Check and apply to {valid ? formatCount(valid) : ''} gateway{valid === 1 ? '' : 's'}
          </button>
          <button
            type="button"
            className="btn secondary"
            disabled={s.running}
            onClick={() => void s.checkTargets()}
          >
            Check targets only
          </button>
          <label className="btn secondary file-btn">
            Import list…
            <input
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              aria-label="Import gateway list"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void importList(f);
              }}
            />
          </label>
          {failedCheck && (
            <label className="row gap">
              <input
                type="checkbox"
                checked={s.ignoreFailedChecks}
                onChange={(e) => s.setIgnoreFailedChecks(e.target.checked)}
              />
              Apply anyway (the target may come up later)
            </label>
          )}
        </div>
        {s.problems.length > 0 && (
          <div className="notice error" role="alert">
            <strong>Not applied yet:</strong>
            <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
              {s.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        <CheckResults checks={s.checks} />
        {s.message?.kind === 'ok' && <Notice kind="ok">{s.message.text}</Notice>}
        {s.message?.kind === 'error' && (
          <div className="notice error" role="alert">
            <strong>{s.message.text}</strong>
            {s.message.error && <ErrorNotice error={s.message.error} />}
          </div>
        )}
        <RunProgress run={s} label="Setting up" onCancel={s.cancel} />
      </div>
      <ResultsTable results={s.results} done="set up" cancelled={s.cancelled} />
    </section>
  );
}
