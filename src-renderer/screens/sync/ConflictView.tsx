/**
 * The conflict view (docs/sync.md "Conflicts"): one rejected or conflicting operation — what this
 * station did, the remote's answer — and, per gateway, this station's version and the remote's
 * side by side, field by field, differences highlighted. Three ways out, each confirmed first and
 * audited by the station: re-apply (the local version wins, pushed again), drop (the local
 * operation is discarded), adopt the remote's.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { OperationVersions, Resolution } from '../../../src-shared/contract/sync-views';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { formatTime } from '../../components/format';
import { versionRows } from '../../stores/sync-diff';
import { useSync } from '../../stores/sync-store';
import { answerText } from './OutboxCard';

const ACTION_TITLES: Record<Resolution, string> = {
  reapply: 'Re-apply (local wins)',
  drop: 'Drop (discard local)',
  adopt: 'Adopt the remote’s',
};

/** What an action will do to this operation, in words (the confirmation's text). */
function consequence(action: Resolution, v: OperationVersions): string {
  const op = v.entry.operation;
  const n = v.entry.items.length;
  const what = `this ${op} of ${n === 1 ? v.entry.items[0]!.gateway : `${n} gateways`}`;
  switch (action) {
    case 'reapply':
      return `The local version wins: ${what} is queued again as a new operation, based on the remote’s current state, and pushed at the next round${op === 'claim' ? ' — with the claim PIN given again below' : ''}.`;
    case 'drop':
      return `The local operation is discarded: ${what} is never sent. This station’s own state is left as it is.`;
    case 'adopt':
      return op === 'claim'
        ? `The remote’s version stands: the local claim is undone on this station (the gateway is no longer held by this owner here), and nothing is sent.`
        : `The remote’s version stands: ${what} is not sent, and this station takes the remote’s state of ${n === 1 ? 'the gateway' : 'each gateway'} — ownership, setup and token generation, as shown on the right.`;
  }
}

function LocalOperation({ v }: { v: OperationVersions }): ReactNode {
  return (
    <div className="table-scroll">
      <table className="plain versions" aria-label="This station’s operation">
        <thead>
          <tr>
            <th>Gateway</th>
            <th>Request fields</th>
          </tr>
        </thead>
        <tbody>
          {v.entry.items.map((i, n) => (
            <tr key={`${i.gateway}-${n}`}>
              <td className="mono">{i.gateway}</td>
              <td className="wrap-anywhere">
                {Object.entries(i.fields).map(([k, val]) => (
                  <div key={k}>
                    <span className="muted">{k}</span> <code>{shorten(val)}</code>
                  </div>
                ))}
                {i.secrets.map((k) => (
                  <div key={k}>
                    <span className="muted">{k}</span> <em>held (secret, not shown)</em>
                  </div>
                ))}
                {Object.keys(i.fields).length === 0 && i.secrets.length === 0 && (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function shorten(v: string | number | boolean | null): string {
  const s = v === null ? 'null' : String(v);
  return s.length > 64 ? `${s.slice(0, 40)}… (${s.length} characters)` : s;
}

function GatewaySides({ g }: { g: OperationVersions['gateways'][number] }): ReactNode {
  const rows = versionRows(g);
  const differing = rows.filter((r) => r.differs).length;
  return (
    <div className="stack">
      <h3>
        <span className="mono" style={{ textTransform: 'none' }}>
          {g.gateway}
        </span>{' '}
        <span className={differing > 0 ? 'chip warn' : 'chip ok'}>
          {differing} field{differing === 1 ? '' : 's'} differ
        </span>
      </h3>
      {g.answer !== null && (
        <p className="notice warn" style={{ margin: 0 }}>
          Remote: {g.answer.error} <span className="muted">({g.answer.code})</span>
        </p>
      )}
      {g.remoteChange !== null && (
        <small className="muted">
          Remote’s latest change: {g.remoteChange.kind} at {formatTime(g.remoteChange.at)}
        </small>
      )}
      <div className="table-scroll">
        <table className="plain versions" aria-label={`Versions of ${g.gateway}`}>
          <thead>
            <tr>
              <th>Field</th>
              <th>This station</th>
              <th>Remote</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.field} className={r.differs ? 'differs' : undefined} data-field={r.field}>
                <th scope="row">
                  {r.label}
                  {r.differs && <span className="sr-tag"> (differs)</span>}
                </th>
                <td className="mono wrap-anywhere" data-side="local">
                  {r.local}
                </td>
                <td className="mono wrap-anywhere" data-side="remote">
                  {r.remote}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The conflict view of the open operation (nothing when none is open). */
export function ConflictView(): ReactNode {
  const { open, closeEntry, resolve, busy, error } = useSync();
  const [asking, setAsking] = useState<Resolution | null>(null);
  const [pins, setPins] = useState<Record<string, string>>({});
  const heading = useRef<HTMLHeadingElement>(null);
  const seq = open?.entry.seq;
  // opened from a row further down: bring the view (above the outbox) into sight, focus on its title
  useEffect(() => {
    if (seq === undefined) return;
    const h = heading.current;
    const main = h?.closest('main');
    if (h && main) main.scrollTop += h.getBoundingClientRect().top - main.getBoundingClientRect().top - 12;
    h?.focus({ preventScroll: true });
  }, [seq]);
  if (open === null) return null;
  const e = open.entry;
  const decidable = e.state === 'rejected' || e.state === 'conflict';
  const needsPins = asking === 'reapply' && e.operation === 'claim';
  const pinsReady = !needsPins || e.items.every((i) => (pins[i.gateway] ?? '').trim() !== '');
  const answer = answerText(e);
  return (
    <section className="card stack" aria-label={`Operation ${e.seq}`}>
      <div className="row gap" style={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <h2 style={{ margin: 0 }} ref={heading} tabIndex={-1}>
          Operation {e.seq}: {e.operation}
        </h2>
        <span className={e.state === 'conflict' ? 'chip warn' : 'chip err'}>{e.state}</span>
        <span className="spacer" style={{ flex: 1 }} />
        <button type="button" className="btn link" onClick={closeEntry}>
          Close
        </button>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        Made on this station {formatTime(e.createdAt)} · {e.attempts} attempt{e.attempts === 1 ? '' : 's'}
        {e.answeredAt !== null && <> · answered {formatTime(e.answeredAt)}</>}
      </p>
      {answer !== null && (
        <div className="notice error" role="note" aria-label="Remote’s answer">
          {answer}
        </div>
      )}
      <h3>This station’s operation</h3>
      <LocalOperation v={open} />
      <h3>Local and remote versions</h3>
      {open.gateways.map((g) => (
        <GatewaySides key={g.gateway} g={g} />
      ))}
      {decidable && (
        <div className="row gap" style={{ flexWrap: 'wrap' }}>
          {/* a factory record has no remote version to adopt (docs/sync.md "Factory records") */}
          {(open.entry.operation === 'factory'
            ? (['reapply', 'drop'] as const)
            : (['reapply', 'drop', 'adopt'] as const)
          ).map((a) => (
            <button
              key={a}
              type="button"
              className={a === 'drop' ? 'btn danger' : a === 'reapply' ? 'btn' : 'btn secondary'}
              onClick={() => setAsking(a)}
              disabled={busy}
            >
              {ACTION_TITLES[a]}…
            </button>
          ))}
        </div>
      )}
      {asking !== null && (
        <ConfirmDialog
          title={`${ACTION_TITLES[asking]}?`}
          confirmLabel={ACTION_TITLES[asking]}
          danger={asking === 'drop'}
          busy={busy}
          ready={pinsReady}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            const action = asking;
            void resolve(action, needsPins ? pins : undefined).then((ok) => {
              if (ok) {
                setAsking(null);
                setPins({});
              }
            });
          }}
        >
          <p style={{ margin: 0 }}>{consequence(asking, open)}</p>
          <p className="muted" style={{ margin: 0 }}>
            The station records this decision in the audit log under your name.
          </p>
          <ErrorNotice error={error} />
          {needsPins &&
            e.items.map((i) => (
              <Field key={i.gateway} label={`Claim PIN of ${i.gateway}`}>
                <input
                  type="text"
                  className="mono"
                  autoComplete="off"
                  value={pins[i.gateway] ?? ''}
                  onChange={(ev) => setPins({ ...pins, [i.gateway]: ev.target.value })}
                />
              </Field>
            ))}
        </ConfirmDialog>
      )}
    </section>
  );
}
