/**
 * The station's plain data table (docs/station-ui.md): a horizontally scrolling frame around a
 * `table.plain` with one header row of column captions (or none); the rows are the children.
 */
import type { CSSProperties, ReactNode } from 'react';

/** A column caption with its own class or style (e.g. `num` for right-aligned counts). */
interface ColumnHead {
  caption: string;
  className?: string;
  style?: CSSProperties;
}

/** Props of {@link PlainTable}. */
interface PlainTableProps {
  /** the column captions, in order; `''` for a column without one (row actions); none: no header row */
  columns?: readonly (string | ColumnHead)[];
  /** the table's accessible name */
  label?: string;
  /** classes after `plain` */
  className?: string;
  /** the body rows (`<tr>` elements) */
  children: ReactNode;
}

/** A scrolling plain table: the captions, then the rows. */
export function PlainTable({ columns, label, className, children }: PlainTableProps): ReactNode {
  return (
    <div className="table-scroll">
      <table className={className ? `plain ${className}` : 'plain'} aria-label={label}>
        {columns !== undefined && (
          <thead>
            <tr>
              {columns.map((c, i) =>
                typeof c === 'string' ? (
                  <th key={i}>{c === '' ? undefined : c}</th>
                ) : (
                  <th key={i} className={c.className} style={c.style}>
                    {c.caption}
                  </th>
                ),
              )}
            </tr>
          </thead>
        )}
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
