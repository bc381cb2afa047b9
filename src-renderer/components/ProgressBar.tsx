/** A labelled progress bar for long bulk operations, with an optional Cancel button. */
import type { ReactNode } from 'react';
import type { BulkRunState } from '../stores/bulk-run';
import { formatCount } from './format';

/** Props of {@link ProgressBar}. */
interface ProgressBarProps {
  done: number;
  total: number;
  label: string;
  onCancel?: (() => void) | undefined;
  cancelling?: boolean;
}

/** Shows `done / total` as a bar and a count; Cancel stops after the chunk in flight. */
export function ProgressBar({ done, total, label, onCancel, cancelling }: ProgressBarProps): ReactNode {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="progress-text">
        {label}: {formatCount(done)} / {formatCount(total)} ({pct} %)
      </span>
      {onCancel && (
        <button type="button" className="btn secondary" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
    </div>
  );
}

/** Props of {@link RunProgress}. */
interface RunProgressProps {
  run: Pick<BulkRunState, 'running' | 'progress' | 'cancelling'>;
  label: string;
  onCancel: () => void;
}

/** The progress bar of a bulk store's run (claim, setup, delete); nothing while no run is going. */
export function RunProgress({ run, label, onCancel }: RunProgressProps): ReactNode {
  if (!run.running || !run.progress) return null;
  return (
    <ProgressBar
      label={label}
      done={run.progress.done}
      total={run.progress.total}
      onCancel={onCancel}
      cancelling={run.cancelling}
    />
  );
}
