/**
 * The outbox (docs/sync.md "Push", "Conflicts"): the station's queued operations by state —
 * pending, sent, rejected, conflict — in push order: operation, gateway, when, attempts and the
 * last error or the remote's answer. Rejected and conflicting ones open the conflict view. Below
 * 640 px the table's rows become cards (responsive.css).
 */
import type { ReactNode } from 'react';
import type { OutboxEntryView } from '../../../src-shared/contract/sync-views';
import { formatCount, formatTime } from '../../components/format';
import { Tabs } from '../../components/Tabs';
import { OUTBOX_FILTERS, useSync, type OutboxFilter } from '../../stores/sync-store';

const FILTER_TITLES: Record<OutboxFilter, string> = {
  pending: 'Pending',
  sent: 'Sent',
  rejected: 'Rejected',
  conflict: 'Conflict',
};

/** The remote's answer (or the station's own finding) in one line; null when there is none. */
export function answerText(e: OutboxEntryView): string | null {
  const a = e.answer;
  if (a === null) return null;
  if (!Array.isArray(a)) {
    return a.status === 0 ? `Not sent: ${a.error}` : `Remote answered ${a.status} ${a.code}: ${a.error}`;
  }
  const refused = a.filter((i) => i.code !== undefined);
  if (refused.length === 0) return null;
  return refused.map((i) => `${i.gateway}: ${i.error ?? i.code} (${i.code})`).join('; ');
}

/** The gateways of an entry: the first, and how many more. */
export function gatewaysText(e: OutboxEntryView): string {
  const first = e.items[0]?.gateway ?? '—';
  return e.items.length > 1 ? `${first} +${formatCount(e.items.length - 1)}` : first;
}

function Row({ e, lastError }: { e: OutboxEntryView; lastError: string | null }): ReactNode {
  const openEntry = useSync((s) => s.openEntry);
  const answer = answerText(e);
  const error = answer ?? (e.state === 'pending' && e.attempts > 0 ? lastError : null);
  const decide = e.state === 'rejected' || e.state === 'conflict';
  return (
    <tr data-seq={e.seq}>
      <td data-label="#" className="num">
        {e.seq}
      </td>
      <td data-label="Operation">{e.operation}</td>
      <td data-label="Gateway" className="mono">
        {gatewaysText(e)}
      </td>
      <td data-label="When" className="nowrap">
        {formatTime(e.createdAt)}
      </td>
      <td data-label="Attempts" className="num">
        {e.attempts}
      </td>
      <td data-label={answer !== null ? 'Remote’s answer' : 'Last error'} className="wrap-anywhere">
        {error ?? <span className="muted">—</span>}
      </td>
      <td data-label="" className="nowrap">
        {decide && (
          <button
            type="button"
            className="btn secondary"
            onClick={() => void openEntry(e.seq)}
            aria-label={`Open operation ${e.seq}`}
          >
            Open…
          </button>
        )}
      </td>
    </tr>
  );
}

/** The outbox card. */
export function OutboxCard(): ReactNode {
  const { filter, setFilter, entries, more, loadMore, status, shown } = useSync();
  const counts = status?.counts;
  const tabs = OUTBOX_FILTERS.map((id) => ({
    id,
    title: `${FILTER_TITLES[id]} (${formatCount(counts?.[id] ?? 0)})`,
  }));
  return (
    <div className="card stack" aria-label="Outbox">
      <h2>Outbox</h2>
      <Tabs label="Outbox state" value={filter} onChange={(f) => void setFilter(f)} tabs={tabs} />
      <div className="table-scroll">
        <table className="plain cards-narrow" aria-label={`Outbox: ${filter}`} aria-busy={shown !== filter}>
          <thead>
            <tr>
              <th>#</th>
              <th>Operation</th>
              <th>Gateway</th>
              <th>When</th>
              <th>Attempts</th>
              <th>Last error / remote’s answer</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <Row key={e.seq} e={e} lastError={status?.lastError ?? null} />
            ))}
            {entries.length === 0 && shown === filter && (
              <tr>
                <td colSpan={7} className="muted">
                  No {filter} operations.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {more && (
        <div>
          <button type="button" className="btn secondary" onClick={() => void loadMore()}>
            Show more
          </button>
        </div>
      )}
    </div>
  );
}
