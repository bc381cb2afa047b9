/**
 * Delete / transfer: un-claim gateways of the current owner (bulk, confirmed by typing the count),
 * or move one gateway to another owner in one step (its PIN checked first; nothing changes on failure).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { IdCheck } from '../components/IdCheck';
import { RunProgress } from '../components/ProgressBar';
import { ResultsTable } from '../components/ResultsTable';
import { ScreenHeader } from '../components/ScreenHeader';
import { useDelete } from '../stores/delete-store';
import { checkPin } from '../stores/claim-store';
import { analyzeId } from '../stores/identity-store';
import { useHandoff } from '../stores/nav-store';
import { useSession } from '../stores/session-store';
import { OwnerOptions } from '../components/OwnerOptions';
import { IdListSummary } from '../components/IdListSummary';
import { Field, TextField } from '../components/Field';

function Transfer({ ownerId }: { ownerId: string }): ReactNode {
  const owners = useSession((s) => s.owners);
  const { transfer, transferOne } = useDelete();
  const [gateway, setGateway] = useState('');
  const [to, setTo] = useState('');
  const [pin, setPin] = useState('');
  const [typed, setTyped] = useState('');
  const id = analyzeId(gateway);
  const p = checkPin(pin);
  const others = owners.filter((o) => o.id !== ownerId);
  const ready = id.ok && to !== '' && p.ok;
  // Like a delete, a transfer drops the gateway's setup: confirmed by typing the count (1).
  const confirmed = ready && typed.trim() === '1';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!confirmed || transfer?.busy) return;
    void transferOne(ownerId, to, gateway, pin).then((ok) => {
      setTyped('');
      if (ok) {
        setGateway('');
        setPin('');
      }
    });
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Transfer one gateway">
      <h2>Transfer one gateway to another owner</h2>
      <p className="muted" style={{ margin: 0 }}>
        Moves the gateway from owner <code>{ownerId}</code> to the new owner in one step, with the PIN from
        its label. The PIN is checked first; if anything fails, nothing changes. Its setup is dropped: the new
        owner sets it up. Without the PIN, delete it here and let the new owner claim it.
      </p>
      <div className="grid-3">
        <TextField
          label="Gateway id"
          hint={<IdCheck analysis={id} />}
          value={gateway}
          onChange={setGateway}
          input={{ className: 'mono', spellCheck: false, autoComplete: 'off' }}
        />
        <Field label="New owner">
          <select value={to} onChange={(e) => setTo(e.target.value)} aria-label="New owner">
            <option value="">— choose —</option>
            <OwnerOptions owners={others} />
          </select>
        </Field>
        <Field
          label="Claim PIN"
          hint={!p.ok && !p.empty ? <small className="bad">{p.error}</small> : undefined}
        >
          <input
            type="text"
            className="mono"
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            placeholder="XXXX-XXXX"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      {ready && (
        <Field
          label={
            <>
              Type <code>1</code> to confirm moving {id.ok ? id.id6 : gateway} to owner {to}
            </>
          }
          style={{ maxWidth: 420 }}
        >
          <input
            type="text"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-label="Transfer confirmation"
            autoComplete="off"
          />
        </Field>
      )}
      <div>
        <button type="submit" className="btn danger" disabled={!confirmed || transfer?.busy}>
          {transfer?.busy ? 'Transferring…' : 'Transfer'}
        </button>
      </div>
      {transfer?.done && (
        <Notice kind="ok">
          <strong>Transferred {transfer.done.gateway}</strong> from owner {transfer.done.from} to owner{' '}
          {transfer.done.to}.
        </Notice>
      )}
      {transfer?.error && (
        <>
          <ErrorNotice error={transfer.error} />
          <small className="muted">
            Nothing changed: the gateway is still owner {ownerId}’s, with its setup.
          </small>
        </>
      )}
    </form>
  );
}

/** The delete / transfer screen. */
export function DeleteScreen(): ReactNode {
  const d = useDelete();
  const ownerId = useSession((s) => s.ownerId);
  const can = useSession((s) => s.can);
  const [typed, setTyped] = useState('');
  useHandoff(useDelete.getState().addGateways);

  const valid = d.rows.filter((r) => !r.problem).length;
  const bad = d.rows.length - valid;
  const confirmWord = String(valid);
  const confirmed = typed.trim() === confirmWord && valid > 0 && bad === 0;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ownerId || !confirmed) return;
    d.setConfirmed(true);
    void useDelete
      .getState()
      .run(ownerId)
      .then(() => setTyped(''));
  };

  return (
    <section className="screen" aria-label="Delete or transfer">
      <ScreenHeader title="Delete / transfer" focusSelector="textarea">
        {ownerId && <span className="chip plain mono">owner {ownerId}</span>}
      </ScreenHeader>
      {!ownerId && <Notice kind="warn">Choose the owner in the top bar first.</Notice>}
      <form className="card stack" onSubmit={submit} aria-label="Delete gateways">
        <h2>Delete (un-claim)</h2>
        <p className="muted" style={{ margin: 0 }}>
          Drops the setup and the ownership. The gateway stops getting its configuration from CUPS and can be
          claimed again — by this owner or another one.
        </p>
        <Field label="Gateways" hint={<IdListSummary rows={d.rows} empty="Paste the ids to delete." />}>
          <textarea
            className="mono"
            rows={5}
            value={d.text}
            onChange={(e) => {
              d.setText(e.target.value);
              setTyped('');
            }}
            placeholder="One id per line (any form)"
            spellCheck={false}
            aria-label="Gateways to delete"
            disabled={d.running}
          />
        </Field>
        {valid > 0 && bad === 0 && (
          <label className="field" style={{ maxWidth: 420 }}>
            <span>
              Type <code>{confirmWord}</code> to confirm deleting {valid} gateway{valid === 1 ? '' : 's'}
            </span>
            <input
              type="text"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              aria-label="Confirmation"
            />
          </label>
        )}
        <div className="row gap">
          <button type="submit" className="btn danger" disabled={!ownerId || !confirmed || d.running}>
            Delete {valid || ''} gateway{valid === 1 ? '' : 's'}
          </button>
        </div>
        <RunProgress run={d} label="Deleting" onCancel={d.cancel} />
      </form>
      <ResultsTable results={d.results} done="deleted" cancelled={d.cancelled} />
      {ownerId && can('gateways:claim') && <Transfer ownerId={ownerId} />}
    </section>
  );
}
