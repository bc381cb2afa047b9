/**
 * Claim: one gateway by id + PIN (live check as it is typed; Enter claims), a list by paste or CSV
 * import (checked per row, sent in chunks with a progress bar and Cancel), or labels read with the
 * camera (SPEC §6 QR codes; TTIGPRO1 and unknown codes are explained).
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { IdCheck } from '../components/IdCheck';
import { RunProgress } from '../components/ProgressBar';
import { QrScanner } from '../components/QrScanner';
import { ResultsTable } from '../components/ResultsTable';
import { ScreenHeader } from '../components/ScreenHeader';
import { Tabs } from '../components/Tabs';
import { ManifestImport } from './factory/ManifestImport';
import { useAdd } from '../stores/add-store';
import { checkPin, useClaim } from '../stores/claim-store';
import { analyzeId } from '../stores/identity-store';
import { useSession } from '../stores/session-store';
import { wordingOf } from '../app/error-text';
import { Field } from '../components/Field';
import { formatCount } from '../components/format';

type Mode = 'single' | 'bulk' | 'scan' | 'manifest' | 'add';

function NeedOwner(): ReactNode {
  return <Notice kind="warn">Choose the owner to claim for in the top bar first.</Notice>;
}

function SingleClaim({ ownerId }: { ownerId: string | null }): ReactNode {
  const { gateway, pin, singleBusy, singleResult, setGateway, setPin, claimOne } = useClaim();
  const id = analyzeId(gateway);
  const p = checkPin(pin);
  const ready = id.ok && p.ok && ownerId !== null && !singleBusy;
  const idInput = useRef<HTMLInputElement>(null);
  // After a claim succeeded the form is empty again: back to the id field for the next label.
  useEffect(() => {
    if (singleResult?.status === 'ok') idInput.current?.focus();
  }, [singleResult]);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (ready) void claimOne(ownerId);
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Claim one gateway" style={{ maxWidth: 640 }}>
      <Field label="Gateway id" hint={<IdCheck analysis={id} id="claim-id-check" />}>
        <input
          type="text"
          className="mono"
          name="gateway"
          ref={idInput}
          value={gateway}
          onChange={(e) => setGateway(e.target.value)}
          aria-invalid={!id.ok && !id.empty}
          aria-describedby="claim-id-check"
          autoComplete="off"
          spellCheck={false}
          placeholder="e.g. 58a0:cbff:fe80:102 or 58-A0-CB-FF-FE-80-01-02"
          data-autofocus
        />
      </Field>
      <Field
        label="Claim PIN"
        hint={
          <>
            {p.ok ? (
              <small id="claim-pin-check" role="status">
                <span className="good">✓</span> <code>{p.display}</code>
              </small>
            ) : p.empty ? (
              <small id="claim-pin-check">8 characters; O, I and L are read as 0, 1 and 1.</small>
            ) : (
              <small id="claim-pin-check" className="bad" role="status">
                {p.error}
              </small>
            )}
          </>
        }
      >
        <input
          type="text"
          className="mono"
          name="pin"
          value={pin}
          onChange={(e) => setPin(e.target.value)}
          aria-invalid={!p.ok && !p.empty}
          aria-describedby="claim-pin-check"
          autoComplete="off"
          spellCheck={false}
          placeholder="XXXX-XXXX (on the label)"
          style={{ maxWidth: 220 }}
        />
      </Field>
      <div className="row gap">
        <button type="submit" className="btn" disabled={!ready}>
          {singleBusy ? 'Claiming…' : 'Claim'}
        </button>
        <span className="muted">
          <kbd>Enter</kbd> claims
        </span>
      </div>
      {singleResult?.status === 'ok' && (
        <Notice kind="ok">
          <strong>Claimed {singleResult.gateway}</strong> for owner {ownerId}. Set it up next, or claim
          another one.
        </Notice>
      )}
      {singleResult && singleResult.status !== 'ok' && <ErrorNotice error={singleResult.error} />}
    </form>
  );
}

function BulkClaim({ ownerId }: { ownerId: string | null }): ReactNode {
  const c = useClaim();
  const problems = c.bulkRows.filter((r) => r.problem);
  const ready = c.bulkRows.length - problems.length;
  const start = (): void => {
    if (ownerId !== null && c.bulkRows.length > 0 && !c.running) void c.claimMany(ownerId);
  };
  const importFile = async (file: File): Promise<void> => {
    c.setBulkText(await file.text(), file.name);
  };
  return (
    <div className="stack">
      <div className="card stack">
        <Field
          label="Gateways and PINs"
          hint={
            <>
              <small>
                {c.bulkSource ? `From ${c.bulkSource}. ` : ''}
                {c.bulkRows.length === 0
                  ? 'Paste a list or import a CSV file (columns gateway and pin; a header row is optional).'
                  : `${formatCount(c.bulkRows.length)} rows: ${formatCount(ready)} ready` +
                    (problems.length ? `, ${formatCount(problems.length)} with problems (not sent)` : '')}
              </small>
            </>
          }
        >
          <textarea
            className="mono"
            rows={9}
            value={c.bulkText}
            onChange={(e) => c.setBulkText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                start();
              }
            }}
            placeholder={
              'One gateway per line: id and PIN, separated by a comma, semicolon, tab or space.\n' +
              'gateway,pin\n58-A0-CB-FF-FE-80-01-02,S07V-YTHR\n0:ff:fe00:abc,6CVHEQSA\n' +
              'Scanned label codes (GWJS:1:…) work too.'
            }
            spellCheck={false}
            aria-label="Gateways and PINs"
            data-autofocus
            disabled={c.running}
          />
        </Field>
        <div className="row gap">
          <button
            type="button"
            className="btn"
            onClick={start}
            disabled={!ownerId || ready === 0 || c.running}
          >
            Claim {ready ? formatCount(ready) : ''} gateway{ready === 1 ? '' : 's'}
          </button>
          <label className="btn secondary file-btn">
            Import CSV…
            <input
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              aria-label="Import CSV"
              disabled={c.running}
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void importFile(f);
                e.target.value = '';
              }}
            />
          </label>
          <span className="muted">
            <kbd>Ctrl+Enter</kbd> claims
          </span>
        </div>
        {problems.length > 0 && !c.running && c.results.length === 0 && (
          <div className="notice warn" role="status">
            <strong>Rows with problems will not be sent:</strong>
            <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
              {problems.slice(0, 8).map((r) => (
                <li key={r.line}>
                  line {r.line}: {wordingOf(r.problem!.code, 'gateways')}{' '}
                  <span className="muted">{r.problem!.message}</span>
                </li>
              ))}
              {problems.length > 8 && <li>… and {formatCount(problems.length - 8)} more</li>}
            </ul>
          </div>
        )}
        <RunProgress run={c} label="Claiming" onCancel={c.cancel} />
      </div>
      <ResultsTable results={c.results} done="claimed" cancelled={c.cancelled} />
    </div>
  );
}

function ScanClaim({ ownerId }: { ownerId: string | null }): ReactNode {
  const { scans, onScan } = useClaim();
  return (
    <div className="grid-2">
      <div className="card">
        <h2>Camera</h2>
        <QrScanner onCode={(text) => void onScan(text, ownerId)} />
      </div>
      <div className="card" aria-label="Scanned codes">
        <h2>Scanned</h2>
        {scans.length === 0 && (
          <p className="muted">Codes appear here as they are read. Station labels are claimed at once.</p>
        )}
        <div className="stack">
          {scans.map((s) => {
            const o = s.outcome;
            if (o.kind === 'gwjs') {
              const r = s.result;
              return (
                <div
                  key={s.at + o.text}
                  className={`notice ${s.busy ? 'info' : r?.status === 'ok' ? 'ok' : r ? 'error' : 'warn'}`}
                >
                  <div>
                    <strong className="mono">{o.id6}</strong> <span className="mono muted">{o.eui64}</span> ·
                    PIN <code>{o.pinDisplay}</code>
                  </div>
                  {s.busy && <div>Claiming…</div>}
                  {r?.status === 'ok' && <div>Claimed for owner {ownerId}.</div>}
                  {r && r.status !== 'ok' && r.error && (
                    <div>
                      {wordingOf(r.error.code, 'gateways')} <span className="muted">{r.error.message}</span>
                    </div>
                  )}
                  {!r && !s.busy && ownerId === null && (
                    <div>Choose an owner in the top bar, then scan again.</div>
                  )}
                </div>
              );
            }
            return (
              <div key={s.at + o.text} className="notice warn">
                <strong>
                  {o.kind === 'ttig'
                    ? 'TTIGPRO1 code (The Things Indoor Gateway Pro)'
                    : 'Not a station label'}
                </strong>
                {o.kind === 'ttig' && o.id6 && (
                  <div>
                    Gateway <code>{o.id6}</code> · <code>{o.eui64}</code>
                  </div>
                )}
                <div>{o.explanation}</div>
                <div className="detail">{o.text}</div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function AddGateway({ ownerId }: { ownerId: string | null }): ReactNode {
  const a = useAdd();
  const id = analyzeId(a.gateway);
  const ready = id.ok && a.flavorid.trim() !== '' && a.token.trim() !== '' && ownerId !== null && !a.busy;
  return (
    <form
      className="card stack"
      aria-label="Add a gateway"
      style={{ maxWidth: 640 }}
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) void a.add(ownerId);
      }}
    >
      <p className="muted" style={{ margin: 0 }}>
        For a gateway outside every factory batch: it authenticates to CUPS with its own token (its{' '}
        <code>cups.key</code> holds <code>Authorization: &lt;token&gt;</code>). Gateways with a label and PIN
        are claimed instead.
      </p>
      <Field label="Gateway id" hint={<IdCheck analysis={id} />}>
        <input
          type="text"
          className="mono"
          value={a.gateway}
          onChange={(e) => a.set({ gateway: e.target.value })}
          aria-invalid={!id.ok && !id.empty}
          spellCheck={false}
          data-autofocus
        />
      </Field>
      <div className="grid-2">
        <Field label="Flavor">
          <input type="text" value={a.flavorid} onChange={(e) => a.set({ flavorid: e.target.value })} />
        </Field>
        <Field label="Token">
          <input
            type="password"
            className="mono"
            value={a.token}
            onChange={(e) => a.set({ token: e.target.value })}
            autoComplete="off"
          />
        </Field>
      </div>
      <div>
        <button type="submit" className="btn" disabled={!ready}>
          {a.busy ? 'Adding…' : 'Add gateway'}
        </button>
      </div>
      {a.result?.status === 'ok' && (
        <Notice kind="ok">
          <strong>Added {a.result.gateway}</strong> for owner {ownerId}.
        </Notice>
      )}
      {a.result && a.result.status !== 'ok' && <ErrorNotice error={a.result.error} />}
    </form>
  );
}

/** The claim screen. */
export function ClaimScreen(): ReactNode {
  const ownerId = useSession((s) => s.ownerId);
  const can = useSession((s) => s.can);
  const [mode, setMode] = useState<Mode>('single');
  return (
    <section className="screen" aria-label="Claim">
      <ScreenHeader title="Claim gateways" focusSelector="[data-autofocus]">
        {ownerId && <span className="chip plain mono">owner {ownerId}</span>}
      </ScreenHeader>
      <Tabs<Mode>
        label="How to claim"
        value={mode}
        onChange={setMode}
        tabs={[
          { id: 'single', title: 'One gateway' },
          { id: 'bulk', title: 'List / CSV' },
          { id: 'scan', title: 'Scan QR' },
          { id: 'manifest', title: 'Manifest' },
          ...(can('gateways:add') ? [{ id: 'add' as const, title: 'Add (no batch)' }] : []),
        ]}
      />
      {ownerId === null && <NeedOwner />}
      {mode === 'single' && <SingleClaim ownerId={ownerId} />}
      {mode === 'bulk' && <BulkClaim ownerId={ownerId} />}
      {mode === 'scan' && <ScanClaim ownerId={ownerId} />}
      {mode === 'add' && <AddGateway ownerId={ownerId} />}
      {mode === 'manifest' && (
        <ManifestImport
          onOpened={(list, source) => {
            useClaim.getState().setBulkText(list, source);
            setMode('bulk');
          }}
        />
      )}
    </section>
  );
}
