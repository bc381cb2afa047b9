/**
 * The line under a pasted list of gateway ids (Delete, Setup): how many are usable, and why the
 * first three of the others are not.
 */
import type { ReactNode } from 'react';
import type { IdRow } from '../stores/id-list';
import { formatCount } from './format';

/** Summary of `rows`; `empty` is shown while the list is empty. */
export function IdListSummary({ rows, empty }: { rows: readonly IdRow[]; empty: string }): ReactNode {
  const bad = rows.filter((r) => r.problem);
  const valid = rows.length - bad.length;
  return (
    <small className={bad.length ? 'bad' : undefined}>
      {rows.length === 0
        ? empty
        : `${formatCount(valid)} gateway${valid === 1 ? '' : 's'}` +
          (bad.length
            ? ` · ${formatCount(bad.length)} not usable: ${bad
                .slice(0, 3)
                .map((r) => r.problem!.message)
                .join('; ')}`
            : '')}
    </small>
  );
}
