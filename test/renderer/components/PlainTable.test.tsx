// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { PlainTable } from '../../../src-renderer/components/PlainTable';

afterEach(cleanup);

describe('PlainTable', () => {
  it('frames a named plain table: the captions (with their class or style), then the rows', () => {
    const { container } = render(
      <PlainTable
        label="Batches"
        className="batch-table"
        columns={[
          'Batch',
          { caption: 'Size', className: 'num' },
          { caption: 'When', style: { width: 160 } },
          '',
        ]}
      >
        <tr>
          <td>b1</td>
          <td>10</td>
          <td>today</td>
          <td />
        </tr>
      </PlainTable>,
    );
    const table = screen.getByRole('table', { name: 'Batches' });
    expect(table.parentElement!.className).toBe('table-scroll');
    expect(table.className).toBe('plain batch-table');
    const heads = [...container.querySelectorAll('thead th')] as HTMLElement[];
    expect(heads.map((h) => h.textContent)).toEqual(['Batch', 'Size', 'When', '']);
    expect(heads[1]!.className).toBe('num');
    expect(heads[2]!.style.width).toBe('160px');
    expect(heads[3]!.childNodes).toHaveLength(0);
    expect([...container.querySelectorAll('tbody td')].map((td) => td.textContent)).toEqual([
      'b1',
      '10',
      'today',
      '',
    ]);
  });

  it('has no header row without columns, and no name or extra class unless given', () => {
    const { container } = render(
      <PlainTable>
        <tr>
          <td>Ctrl+K</td>
        </tr>
      </PlainTable>,
    );
    const table = container.querySelector('table')!;
    expect(table.className).toBe('plain');
    expect(table.hasAttribute('aria-label')).toBe(false);
    expect(container.querySelector('thead')).toBeNull();
    expect(container.querySelector('tbody td')!.textContent).toBe('Ctrl+K');
  });
});
