/**
 * Per-row results of a bulk run (claim, setup, delete): a summary line and a windowed table (bulk
 * runs can have thousands of rows), showing only the rows that need attention by default.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { wordingOf } from '../app/error-text';
import { summarize, type RowResult } from '../stores/bulk-results';
import { VirtualTable, type Column } from './VirtualTable';
import { formatCount } from './format';

const STATUS_TEXT: Record<RowResult['status'], string> = {
  ok: 'done',
  failed: 'failed',
  invalid: 'not sent',
  cancelled: 'cancelled',
};
const STATUS_TONE: Record<RowResult['status'], string> = {
  ok: 'ok',
  failed: 'err',
  invalid: 'err',
  cancelled: 'warn',
};

const COLUMNS: readonly Column<RowResult>[] = [
  { key: 'line', title: 'Line', width: '56px', className: 'num', render: (r) => r.line },
  {
    key: 'input',
    title: 'Gateway',
    width: 'minmax(170px, 1fr)',
    className: 'mono',
    render: (r) => r.gateway ?? r.input,
  },
  {
    key: 'status',
    title: 'Result',
    width: '100px',
    render: (r) => <span className={`chip ${STATUS_TONE[r.status]}`}>{STATUS_TEXT[r.status]}</span>,
  },
  {
    key: 'why',
    title: 'Why',
    width: 'minmax(260px, 3fr)',
    render: (r) =>
      r.error ? (
        <span title={r.error.message}>
          {wordingOf(r.error.code, 'gateways')}
          {r.error.message && <span className="muted"> — {r.error.message}</span>}
        </span>
      ) : (
        ''
      ),
  },
];

/** Props of {@link ResultsTable}. */
interface ResultsTableProps {
  results: readonly RowResult[];
  /** verb for the summary: "claimed", "set up", "deleted" */
  done: string;
  cancelled?: boolean;
}

/** Summary + table of per-row results. */
export function ResultsTable({ results, done, cancelled }: ResultsTableProps): ReactNode {
  const counts = summarize(results);
  const problems = counts.failed + counts.invalid + counts.cancelled;
  const [onlyProblems, setOnlyProblems] = useState(true);
  const shown = useMemo(
    () => (onlyProblems && problems > 0 ? results.filter((r) => r.status !== 'ok') : results),
    [results, onlyProblems, problems],
  );
  if (results.length === 0) return null;
  return (
    <div className="stack results" aria-label="Results">
      <div className={`notice ${problems === 0 ? 'ok' : counts.ok === 0 ? 'error' : 'warn'}`} role="status">
        <strong>
          {formatCount(counts.ok)} of {formatCount(results.length)} {done}.
        </strong>
        {counts.failed > 0 && ` ${formatCount(counts.failed)} failed.`}
        {counts.invalid > 0 && ` ${formatCount(counts.invalid)} not sent (invalid).`}
        {counts.cancelled > 0 && ` ${formatCount(counts.cancelled)} cancelled.`}
        {cancelled && ' The run was cancelled.'}
      </div>
      {problems > 0 && (
        <label className="row gap">
          <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.target.checked)} />
          Show only the rows that need attention
        </label>
      )}
      <div style={{ height: Math.min(360, 36 + Math.max(1, shown.length) * 32 + 4), display: 'flex' }}>
        <VirtualTable
          ariaLabel="Per-row results"
          rowCount={shown.length}
          getRow={(i) => shown[i]}
          columns={COLUMNS}
          initialHeight={Math.min(320, shown.length * 32)}
        />
      </div>
    </div>
  );
}
