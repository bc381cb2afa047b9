/**
 * Pre-generation of a batch (docs/factory-line.md): start a job over the next free EUIs (bundles and
 * ZPL labels into the line's output folder), watch progress, rate and ETA, cancel and resume.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ProgressBar } from '../../components/ProgressBar';
import { formatEta, resumable, useJobs } from '../../stores/factory-jobs';
import type { FactoryBatch } from '../../../src-shared/factory-channels';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/Field';
import { PlainTable } from '../../components/PlainTable';

/** Jobs of `batch`. */
export function JobsPanel({ batch }: { batch: FactoryBatch }): ReactNode {
  const { jobs, error, busy, load, start, cancel, resume } = useJobs();
  const [count, setCount] = useState('1000');
  const [first, setFirst] = useState('');
  const [zip, setZip] = useState(false);
  const [labels, setLabels] = useState(true);
  useEffect(() => {
    void load(batch.id);
  }, [batch.id, load]);
  const n = Number(count);
  const valid = Number.isInteger(n) && n >= 1 && n <= 1_000_000;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid && !busy)
      void start({
        batchId: batch.id,
        count: n,
        zip,
        labels,
        ...(first.trim() ? { first: first.trim() } : {}),
      });
  };
  return (
    <div className="card stack" aria-label="Pre-generation">
      <h2>Pre-generate bundles and labels</h2>
      <form className="row gap" onSubmit={submit}>
        <TextField
          label="Units"
          value={count}
          onChange={setCount}
          input={{ id: 'job-count', style: { width: 110 } }}
        />
        <TextField
          label="From (empty = next free)"
          value={first}
          onChange={setFirst}
          input={{ id: 'job-first', className: 'mono' }}
        />
        <label className="row gap">
          <input type="checkbox" checked={labels} onChange={(e) => setLabels(e.target.checked)} /> ZPL labels
        </label>
        <label className="row gap">
          <input type="checkbox" checked={zip} onChange={(e) => setZip(e.target.checked)} /> zip
        </label>
        <button type="submit" className="btn" id="job-start" disabled={!valid || busy}>
          Start
        </button>
      </form>
      <ErrorNotice error={error} context="factory" />
      {jobs.length > 0 && (
        <PlainTable columns={['Job', 'Range', 'Progress', 'Rate', 'ETA', '']}>
          {jobs.map((j) => (
            <tr key={j.id} data-job={j.id} data-state={j.state}>
              <td className="mono">
                {j.id}
                <div className="muted">{j.state}</div>
              </td>
              <td className="mono">
                {j.first} … {j.last}
              </td>
              <td style={{ minWidth: 260 }}>
                <ProgressBar done={j.done} total={j.total} label="units" />
                {j.error && <div className="bad">{j.error}</div>}
              </td>
              <td className="num">{j.ratePerSecond === null ? '–' : `${Math.round(j.ratePerSecond)}/s`}</td>
              <td className="num">{j.state === 'running' ? formatEta(j.etaSeconds) : '–'}</td>
              <td>
                {j.state === 'running' && (
                  <button type="button" className="btn secondary" onClick={() => void cancel(j.id)}>
                    Cancel
                  </button>
                )}
                {resumable(j) && (
                  <button type="button" className="btn secondary" onClick={() => void resume(j.id)}>
                    Resume
                  </button>
                )}
              </td>
            </tr>
          ))}
        </PlainTable>
      )}
      <small className="muted">
        Output: the line’s folder — bundles in <code>&lt;folder&gt;/&lt;EUI&gt;/</code>, labels in{' '}
        <code>&lt;folder&gt;/labels/</code>. Cancel keeps every unit written so far; Resume continues after
        the last one, never re-using or skipping an EUI.
      </small>
    </div>
  );
}
