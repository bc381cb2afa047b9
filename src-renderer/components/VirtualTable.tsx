/**
 * A windowed table: only the rows in view (plus a small overscan) are in the DOM, so 100 000 rows
 * scroll as fast as 100. Rows have a fixed height; the data source is a `getRow(index)` function so
 * pages can be fetched lazily (undefined = not loaded yet, shown as a placeholder row).
 * Keyboard: ↑/↓, PageUp/PageDown, Home/End move the selection; Enter activates it.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** One column: a CSS grid track width (`8rem`, `1fr`, `minmax(…)`), a title and a cell renderer. */
export interface Column<Row> {
  key: string;
  title: string;
  width: string;
  render: (row: Row, index: number) => ReactNode;
  /** extra class on every cell of the column (e.g. `mono`, `num`) */
  className?: string;
}

/** Props of {@link VirtualTable}. */
interface VirtualTableProps<Row> {
  rowCount: number;
  getRow: (index: number) => Row | undefined;
  columns: readonly Column<Row>[];
  ariaLabel: string;
  rowHeight?: number;
  /** height used until the container has been measured (tests, first paint) */
  initialHeight?: number;
  overscan?: number;
  selectedIndex?: number | null;
  onSelect?: (index: number) => void;
  onActivate?: (index: number) => void;
  /** called with the first and one-past-last index in view, so missing pages can be fetched */
  onRangeChange?: (start: number, end: number) => void;
  /** text shown when `rowCount` is 0 */
  empty?: ReactNode;
  /** changes whenever loaded data changes, to re-render rows whose data arrived */
  dataVersion?: number;
  /** when this value changes the table scrolls back to the top (a new filter) */
  scrollResetKey?: string;
}

/** Computes the window of rows to render for a scroll position (exported for tests). */
export function visibleWindow(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  rowCount: number,
  overscan: number,
): { start: number; end: number; first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight));
  const last = Math.min(rowCount, Math.ceil((scrollTop + viewport) / rowHeight));
  return { start: Math.max(0, first - overscan), end: Math.min(rowCount, last + overscan), first, last };
}

/** The windowed table. See the module comment. */
export function VirtualTable<Row>(props: VirtualTableProps<Row>): ReactNode {
  const {
    rowCount,
    getRow,
    columns,
    ariaLabel,
    rowHeight = 32,
    initialHeight = 480,
    overscan = 8,
    selectedIndex = null,
    onSelect,
    onActivate,
    onRangeChange,
    empty,
    scrollResetKey,
  } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(initialHeight);
  const headerHeight = rowHeight + 4;
  const template = columns.map((c) => c.width).join(' ');

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = (): void => {
      if (el.clientHeight > 0) setViewport(el.clientHeight - headerHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [headerHeight]);

  const frame = useRef(0);
  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [scrollResetKey]);

  const clampedTop = Math.min(scrollTop, Math.max(0, rowCount * rowHeight - viewport));
  const win = visibleWindow(clampedTop, viewport, rowHeight, rowCount, overscan);

  useEffect(() => {
    onRangeChange?.(win.start, win.end);
  }, [win.start, win.end, onRangeChange]);

  const scrollIntoView = (index: number): void => {
    const el = scroller.current;
    if (!el) return;
    const top = index * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + viewport) el.scrollTop = top + rowHeight - viewport;
    setScrollTop(el.scrollTop);
  };

  const move = (to: number): void => {
    if (rowCount === 0) return;
    const index = Math.max(0, Math.min(rowCount - 1, to));
    onSelect?.(index);
    scrollIntoView(index);
  };

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const cur = selectedIndex ?? -1;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(cur + 1),
      ArrowUp: () => move(cur - 1),
      PageDown: () => move(cur + page),
      PageUp: () => move(cur - page),
      Home: () => move(0),
      End: () => move(rowCount - 1),
      Enter: () => {
        if (selectedIndex !== null) onActivate?.(selectedIndex);
      },
    };
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
    }
  };

  const rows: ReactNode[] = [];
  for (let i = win.start; i < win.end; i++) {
    const row = getRow(i);
    const selected = i === selectedIndex;
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected}
        className={`vt-row${selected ? ' selected' : ''}${i % 2 ? ' odd' : ''}`}
        style={{ top: i * rowHeight, height: rowHeight, gridTemplateColumns: template }}
        onClick={() => onSelect?.(i)}
        onDoubleClick={() => onActivate?.(i)}
      >
        {row === undefined ? (
          <div role="gridcell" className="vt-cell vt-loading" style={{ gridColumn: '1 / -1' }}>
            loading…
          </div>
        ) : (
          columns.map((c) => (
            <div role="gridcell" key={c.key} className={`vt-cell${c.className ? ` ${c.className}` : ''}`}>
              {c.render(row, i)}
            </div>
          ))
        )}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className="vt"
      role="grid"
      aria-label={ariaLabel}
      aria-rowcount={rowCount + 1}
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div
        role="row"
        aria-rowindex={1}
        className="vt-head"
        style={{ gridTemplateColumns: template, height: headerHeight }}
      >
        {columns.map((c) => (
          <div role="columnheader" key={c.key} className="vt-cell">
            {c.title}
          </div>
        ))}
      </div>
      {rowCount === 0 ? (
        <div className="vt-empty">{empty ?? 'Nothing to show.'}</div>
      ) : (
        <div className="vt-body" style={{ height: rowCount * rowHeight }}>
          {rows}
        </div>
      )}
    </div>
  );
}
