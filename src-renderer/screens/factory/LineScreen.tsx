/**
 * The Line screen (docs/factory-line.md): one scanner field, Enter advances — scan the gateway (MAC or
 * EUI) → bundle written, label printed → scan the printed QR → verified, next unit. A mismatch
 * blocks the unit with a red banner and an alarm until the operator acknowledges it (Esc).
 * Counters, the label just printed, and the line's history beside it.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ScreenHeader } from '../../components/ScreenHeader';
import { Notice } from '../../components/ErrorNotice';
import { useBatches } from '../../stores/factory-batches';
import { cueOf, useLine, type LineStep } from '../../stores/factory-line';
import { useSession } from '../../stores/session-store';
import { isLoopbackUri } from '../../../src-shared/uri';
import { isTextField } from '../../app/shortcuts';
import { playCue } from './cue';
import { LineSettingsCard } from './LineSettingsCard';
import './factory.css';
import { Field } from '../../components/Field';
import { formatCount } from '../../components/format';
import { PlainTable } from '../../components/PlainTable';

const PROMPT: Record<LineStep['kind'], string> = {
  scan: 'Scan the gateway (MAC or EUI label on the unit)',
  verify: 'Scan the QR code of the label just printed',
  reason: 'Already personalized: type why it must be done again, then Enter',
  blocked: 'Unit blocked — set it aside, then acknowledge (Esc)',
};

function Counters(): ReactNode {
  const counts = useLine((s) => s.counts);
  const c = counts ?? { personalized: 0, printed: 0, verified: 0, blocked: 0 };
  return (
    <div className="line-counters" aria-label="Counters of this batch">
      {(['personalized', 'printed', 'verified', 'blocked'] as const).map((k) => (
        <div key={k} className={`stat ${k}`}>
          <div className="value" data-counter={k}>
            {formatCount(c[k])}
          </div>
          <div className="label">{k}</div>
        </div>
      ))}
    </div>
  );
}

function Banner(): ReactNode {
  const flash = useLine((s) => s.flash);
  if (flash === null) return null;
  return (
    <div
      className={`line-banner ${flash.kind}`}
      role={flash.kind === 'error' ? 'alert' : 'status'}
      data-flash={flash.kind}
    >
      <div className="title">{flash.title}</div>
      {flash.detail && <div className="detail">{flash.detail}</div>}
    </div>
  );
}

function ScanCard({ batchId }: { batchId: string }): ReactNode {
  const l = useLine();
  const input = useRef<HTMLInputElement>(null);
  const reason = useRef<HTMLInputElement>(null);
  const step = l.step;
  // "Print again" after a good print: the reason is asked for first (a reprint is audited).
  const [asking, setAsking] = useState(false);
  const [reprintReason, setReprintReason] = useState('');
  const reprintField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setAsking(false);
    setReprintReason('');
  }, [step]);
  useEffect(() => {
    if (asking) reprintField.current?.focus();
  }, [asking]);
  const reprint = (): void => {
    if (reprintReason.trim().length < 3) return;
    void l.retryPrint(reprintReason).then(() => setAsking(false));
  };

  // The scan field has the focus whenever it can take a scan: when the screen shows, when the
  // batches arrive (it is disabled until then), and after every action.
  const disabled = step.kind === 'blocked' || step.kind === 'reason' || batchId === '';
  useEffect(() => {
    if (step.kind === 'reason') reason.current?.focus();
    else if (!disabled) input.current?.focus();
  }, [step, l.flash?.seq, l.busy, disabled]);

  // A keyboard-wedge scan typed while the focus is elsewhere on this screen (a button, the page)
  // goes to the scan field: its first key moves the focus there before the character lands.
  useEffect(() => {
    const route = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.key.length !== 1) return;
      const field = input.current;
      if (!field || field.disabled || isTextField(document.activeElement)) return;
      field.focus();
    };
    window.addEventListener('keydown', route, true);
    return () => window.removeEventListener('keydown', route, true);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const kind = useLine.getState().step.kind;
      if (kind === 'blocked') useLine.getState().acknowledge();
      else if (kind !== 'scan') useLine.getState().cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void l.submit();
  };
  return (
    <form className="card stack line-scan" onSubmit={submit} aria-label="Scanner">
      <div className="row gap">
        <span className="line-step" data-step={step.kind}>
          {step.kind}
        </span>
        <span className="line-prompt">{PROMPT[step.kind]}</span>
      </div>
      {step.kind === 'verify' && (
        <div className="muted">
          Unit <strong className="mono">{step.unit.gateway}</strong> ({step.unit.eui}
          {step.unit.mac ? `, MAC ${step.unit.mac}` : ''})
        </div>
      )}
      <input
        ref={input}
        id="line-input"
        className="line-input"
        type="text"
        value={l.input}
        onChange={(e) => l.setInput(e.target.value)}
        disabled={disabled}
        autoComplete="off"
        spellCheck={false}
        aria-label={PROMPT[step.kind]}
        placeholder={step.kind === 'verify' ? 'GWJS:1:…' : 'B8:27:EB:… or 00-00-…'}
      />
      {step.kind === 'verify' && asking && (
        <div
          className="row gap"
          role="group"
          aria-label="Reason for printing again"
          style={{ alignItems: 'flex-end' }}
        >
          <Field label="Why print this label again? (audited)" style={{ flex: '1 1 260px' }}>
            <input
              ref={reprintField}
              id="line-reprint-reason"
              type="text"
              value={reprintReason}
              onChange={(e) => setReprintReason(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  reprint();
                }
              }}
              placeholder="e.g. label smudged, fell off"
            />
          </Field>
          <button
            type="button"
            className="btn secondary"
            onClick={reprint}
            disabled={l.busy || reprintReason.trim().length < 3}
          >
            Print again
          </button>
        </div>
      )}
      {step.kind === 'reason' && (
        <div className="stack">
          <div className="muted">{step.message}</div>
          <Field label={<>Reason for personalizing {step.input} again (audited)</>}>
            <input
              ref={reason}
              id="line-reason"
              type="text"
              value={l.reason}
              onChange={(e) => l.setReason(e.target.value)}
              placeholder="e.g. flashing failed, label damaged"
            />
          </Field>
        </div>
      )}
      <div className="row gap">
        <button type="submit" className="btn" disabled={l.busy || step.kind === 'blocked'}>
          {l.busy
            ? 'Working…'
            : step.kind === 'verify'
              ? 'Verify'
              : step.kind === 'reason'
                ? 'Personalize again'
                : 'Personalize'}
        </button>
        {step.kind === 'verify' && (
          <button
            type="button"
            className="btn secondary"
            onClick={() => {
              if (step.unit.state === 'printed') setAsking(true);
              else void l.retryPrint();
            }}
            disabled={l.busy}
          >
            {step.printFailed ? 'Retry print' : 'Print again'}
          </button>
        )}
        {(step.kind === 'verify' || step.kind === 'reason') && (
          <button type="button" className="btn secondary" onClick={() => l.cancel()}>
            Back to scan <kbd>Esc</kbd>
          </button>
        )}
        {step.kind === 'blocked' && (
          <button type="button" className="btn danger" id="line-ack" onClick={() => l.acknowledge()}>
            Unit set aside — acknowledge <kbd>Esc</kbd>
          </button>
        )}
      </div>
    </form>
  );
}

function LastUnit(): ReactNode {
  const last = useLine((s) => s.last);
  if (last === null) return null;
  return (
    <div className="card stack">
      <h2>Last label</h2>
      {last.labelPng && (
        <img
          className="label-preview"
          alt={`Label of ${last.unit.gateway}`}
          src={`data:image/png;base64,${last.labelPng}`}
        />
      )}
      <dl className="kv">
        <dt>Gateway</dt>
        <dd className="mono">
          {last.unit.gateway} · {last.unit.eui}
        </dd>
        <dt>Bundle</dt>
        <dd className="mono">{last.bundle.path}</dd>
        {last.bundle.zipPath && (
          <>
            <dt>Zip</dt>
            <dd className="mono">{last.bundle.zipPath}</dd>
          </>
        )}
        <dt>Label</dt>
        <dd>
          {last.print.status === 'printed'
            ? `printed (${last.print.bytes} bytes, ${last.print.printer})`
            : last.print.message}
        </dd>
        {last.hook && (
          <>
            <dt>Hook</dt>
            <dd className="mono">
              {last.hook.ok ? 'ok' : 'failed'} in {last.hook.elapsedMs} ms{' '}
              {last.hook.output.trim().slice(-200)}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

function History(): ReactNode {
  const history = useLine((s) => s.history);
  return (
    <div className="card">
      <h2>History</h2>
      {history.length === 0 ? (
        <p className="muted">No units on this batch yet.</p>
      ) : (
        <PlainTable columns={['When', 'Gateway', 'Step', 'Who']} className="history">
          {history.map((e) => (
            <tr key={e.id}>
              <td className="mono">{e.at.slice(11, 19)}</td>
              <td className="mono">{e.gateway}</td>
              <td className={`ev-${e.event}`}>{e.event.replace('_', ' ')}</td>
              <td>
                {e.actor.replace(/^operator:/, '')} @ {e.station}
              </td>
            </tr>
          ))}
        </PlainTable>
      )}
    </div>
  );
}

/** The Line screen. */
export function LineScreen(): ReactNode {
  const batches = useBatches((s) => s.batches);
  const loadBatches = useBatches((s) => s.load);
  const batchId = useLine((s) => s.batchId);
  const setBatch = useLine((s) => s.setBatch);
  const settings = useLine((s) => s.settings);
  const loadSettings = useLine((s) => s.loadSettings);
  const resume = useLine((s) => s.resume);
  const flash = useLine((s) => s.flash);
  const canEdit = useSession((s) => s.can('factory:saveLineSettings'));

  useEffect(() => {
    void loadBatches();
    void loadSettings();
    // the line's unit and step live in the store: a reload, or another screen of this station,
    // picks up the unit waiting for verification (docs/factory-line.md "The line")
    void resume();
    const onFocus = () => void resume();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [loadBatches, loadSettings, resume]);
  useEffect(() => {
    if (batchId === null && batches[0]) setBatch(batches[0].id);
  }, [batchId, batches, setBatch]);
  useEffect(() => {
    const cue = cueOf(flash);
    if (cue !== null) playCue(cue);
  }, [flash]);

  const batch = batches.find((b) => b.id === batchId);
  return (
    <section className="screen stack" aria-label="Factory line">
      <ScreenHeader title="Factory line" focusSelector="#line-input">
        <label className="row gap">
          <span>Active batch</span>
          <select id="line-batch" value={batchId ?? ''} onChange={(e) => setBatch(e.target.value || null)}>
            {batches.length === 0 && <option value="">(no batches)</option>}
            {batches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.id} · {b.firstEui64} … {b.lastEui64}
              </option>
            ))}
          </select>
        </label>
      </ScreenHeader>
      {batch && (
        <div className="muted">
          KCV <span className="kcv">{batch.kcv}</span> · {batch.model ?? batch.flavor ?? 'no model'} · bundles
          for <span className="mono">{batch.cupsUri ?? '(no CUPS URI)'}</span>
        </div>
      )}
      {batch?.cupsUri && isLoopbackUri(batch.cupsUri) && (
        <Notice kind="warn">
          Bundles of this batch carry the CUPS URI <code>{batch.cupsUri}</code>, which only this machine
          reaches: a real gateway cannot. Give the batch a public CUPS URI (Batches), or start the station
          with a public host name (<code>--public-host</code>).
        </Notice>
      )}
      {settings === null && (
        <Notice kind="warn">
          This station has no line settings yet (output folder, printer).{' '}
          {canEdit ? 'Set them below.' : 'An admin sets them on this screen.'}
        </Notice>
      )}
      {batches.length === 0 && <Notice kind="info">Create a batch on the Batches screen first.</Notice>}
      <div className="line-layout">
        <div className="stack">
          <ScanCard batchId={batchId ?? ''} />
          <Banner />
          <Counters />
          <History />
        </div>
        <div className="stack">
          <LastUnit />
          <LineSettingsCard canEdit={canEdit} />
        </div>
      </div>
    </section>
  );
}
