/** Audit log: who did what, when, from where — filtered by target id and action, newest first. */
import { useEffect, useState, type ReactNode } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatDetail, formatTime } from '../components/format';
import { ScreenHeader } from '../components/ScreenHeader';
import { useAudit } from '../stores/audit-store';

/** The audit log screen. */
export function AuditScreen(): ReactNode {
  const a = useAudit();
  const [target, setTarget] = useState(a.target);
  const [action, setAction] = useState(a.action);
  useEffect(() => {
    const t = setTimeout(() => {
      useAudit.getState().setFilter({ target, action });
      void useAudit.getState().load();
    }, 200);
    return () => clearTimeout(t);
  }, [target, action]);

  return (
    <section className="screen" aria-label="Audit log">
      <ScreenHeader title="Audit log" focusSelector="#audit-target">
        <button type="button" className="btn secondary" onClick={() => void a.load()}>
          Refresh
        </button>
      </ScreenHeader>
      <div className="row gap">
        <input
          id="audit-target"
          type="search"
          className="mono"
          placeholder="Gateway or owner id (any form)"
          aria-label="Filter by target"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          style={{ minWidth: 280 }}
        />
        <input
          type="search"
          placeholder="Action, e.g. claim, setup, delete, login"
          aria-label="Filter by action"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          style={{ minWidth: 280 }}
        />
        {a.loading && <span className="muted">Loading…</span>}
      </div>
      <ErrorNotice error={a.error} />
      <div className="card" style={{ padding: 0 }}>
        <div className="table-scroll">
          <table className="plain" aria-label="Audit entries">
            <thead>
              <tr>
                <th style={{ width: 160 }}>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Detail</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {a.entries.map((e) => (
                <tr key={e.id}>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <strong>{e.action}</strong>
                  </td>
                  <td className="mono">{e.target ?? '—'}</td>
                  <td className="muted" style={{ maxWidth: 380, overflowWrap: 'anywhere' }}>
                    {formatDetail(e.detail)}
                  </td>
                  <td className="mono">{e.address ?? '—'}</td>
                </tr>
              ))}
              {a.entries.length === 0 && !a.loading && (
                <tr>
                  <td colSpan={6} className="muted" style={{ padding: 16 }}>
                    No entries match.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      {a.more && (
        <div>
          <button
            type="button"
            className="btn secondary"
            onClick={() => void a.loadOlder()}
            disabled={a.loading}
          >
            Load older entries
          </button>
        </div>
      )}
    </section>
  );
}
