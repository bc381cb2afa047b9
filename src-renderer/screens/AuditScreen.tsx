/**
 * Audit log: who did what, when, from where — filtered by target id and by an action family picked
 * from a list, newest first. Admins see the whole log; other roles the trail of one gateway (or of
 * their owner) at a time, so for them nothing is listed until a target is typed.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { ErrorNotice, Notice } from '../components/ErrorNotice';
import { formatDetail, formatTime } from '../components/format';
import { ScreenHeader } from '../components/ScreenHeader';
import { useAudit } from '../stores/audit-store';
import { useSession } from '../stores/session-store';
import { PlainTable } from '../components/PlainTable';

/** Action families of the picker: the station matches every action starting with the value. */
const ACTION_FAMILIES: readonly { value: string; title: string }[] = [
  { value: '', title: 'Any action' },
  { value: 'claim', title: 'Claims (and wrong PINs, locks)' },
  { value: 'setup', title: 'Setups' },
  { value: 'delete', title: 'Deletes' },
  { value: 'transfer', title: 'Transfers' },
  { value: 'add', title: 'Added gateways' },
  { value: 'token.rotate', title: 'Token rotations' },
  { value: 'operator.login', title: 'Sign-ins (and failed ones)' },
  { value: 'operator.', title: 'Operator accounts' },
  { value: 'hsm.', title: 'HSM lock / unlock' },
  { value: 'personalize', title: 'Personalization' },
  { value: 'factory.', title: 'Factory line' },
  { value: 'batch.', title: 'Batches' },
  { value: 'owner.', title: 'Owners' },
  { value: 'api_key.', title: 'API keys' },
  { value: 'firmware.', title: 'Firmware' },
  { value: 'certificate.', title: 'Client certificates' },
];

/** The audit log screen. */
export function AuditScreen(): ReactNode {
  const a = useAudit();
  const session = useSession((s) => s.session);
  const wholeLog = session?.operator.role === 'admin' && session.operator.ownerId === null;
  const [target, setTarget] = useState(a.target);
  const [action, setAction] = useState(a.action);
  const needsTarget = !wholeLog && target.trim() === '';
  useEffect(() => {
    const t = setTimeout(() => {
      useAudit.getState().setFilter({ target, action });
      if (needsTarget) useAudit.getState().clear();
      else void useAudit.getState().load();
    }, 200);
    return () => clearTimeout(t);
  }, [target, action, needsTarget]);

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
        <select aria-label="Filter by action" value={action} onChange={(e) => setAction(e.target.value)}>
          {ACTION_FAMILIES.map((f) => (
            <option key={f.value} value={f.value}>
              {f.title}
            </option>
          ))}
        </select>
        {a.loading && <span className="muted">Loading…</span>}
      </div>
      {needsTarget && (
        <Notice kind="info">
          Type a gateway (or your owner) to see its history. The whole log is for admins.
        </Notice>
      )}
      <ErrorNotice error={a.error} />
      <div className="card" style={{ padding: 0 }}>
        <PlainTable
          columns={[{ caption: 'When', style: { width: 160 } }, 'Who', 'Action', 'Target', 'Detail', 'From']}
          label="Audit entries"
        >
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
          {a.entries.length === 0 && !a.loading && !needsTarget && (
            <tr>
              <td colSpan={6} className="muted" style={{ padding: 16 }}>
                No entries match.
              </td>
            </tr>
          )}
        </PlainTable>
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
