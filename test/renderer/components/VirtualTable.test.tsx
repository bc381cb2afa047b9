// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualTable, visibleWindow, type Column } from '../../../src-renderer/components/VirtualTable';

const columns: Column<number>[] = [{ key: 'n', title: 'Number', width: '1fr', render: (n) => `row ${n}` }];

afterEach(cleanup);

describe('visibleWindow', () => {
  it('covers the viewport plus overscan, clamped to the rows', () => {
    expect(visibleWindow(0, 320, 32, 100_000, 5)).toEqual({ start: 0, end: 15, first: 0, last: 10 });
    expect(visibleWindow(32 * 50_000, 320, 32, 100_000, 5)).toEqual({
      start: 49_995,
      end: 50_015,
      first: 50_000,
      last: 50_010,
    });
    expect(visibleWindow(32 * 99_995, 320, 32, 100_000, 5).end).toBe(100_000);
  });
});

describe('VirtualTable', () => {
  it('puts only the rows in view into the DOM, even for 100 000 rows', () => {
    const getRow = vi.fn((i: number) => i);
    render(
      <VirtualTable
        ariaLabel="T"
        rowCount={100_000}
        getRow={getRow}
        columns={columns}
        initialHeight={320}
        overscan={4}
      />,
    );
    const rows = screen.getAllByRole('row');
    expect(rows.length).toBeLessThan(20);
    expect(screen.getByText('row 0')).toBeTruthy();
    expect(getRow.mock.calls.length).toBeLessThan(20);
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('100001');
  });

  it('moves the selection with the keyboard and activates it with Enter', () => {
    const onSelect = vi.fn();
    const onActivate = vi.fn();
    const { rerender } = render(
      <VirtualTable
        ariaLabel="T"
        rowCount={50}
        getRow={(i) => i}
        columns={columns}
        selectedIndex={null}
        onSelect={onSelect}
        onActivate={onActivate}
      />,
    );
    const grid = screen.getByRole('grid');
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(0);
    rerender(
      <VirtualTable
        ariaLabel="T"
        rowCount={50}
        getRow={(i) => i}
        columns={columns}
        selectedIndex={7}
        onSelect={onSelect}
        onActivate={onActivate}
      />,
    );
    fireEvent.keyDown(grid, { key: 'End' });
    expect(onSelect).toHaveBeenLastCalledWith(49);
    fireEvent.keyDown(grid, { key: 'Enter' });
    expect(onActivate).toHaveBeenCalledWith(7);
  });

  it('shows a placeholder for rows not loaded yet and a message when empty', () => {
    const { rerender } = render(
      <VirtualTable ariaLabel="T" rowCount={3} getRow={() => undefined} columns={columns} />,
    );
    expect(screen.getAllByText('loading…')).toHaveLength(3);
    rerender(
      <VirtualTable
        ariaLabel="T"
        rowCount={0}
        getRow={() => undefined}
        columns={columns}
        empty="Nothing here"
      />,
    );
    expect(screen.getByText('Nothing here')).toBeTruthy();
  });
});
