// @vitest-environment happy-dom
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { IdListSummary } from '../../../src-renderer/components/IdListSummary';
import { parseIdList } from '../../../src-renderer/stores/id-list';

afterEach(cleanup);

describe('IdListSummary', () => {
  it('says what to do while the list is empty', () => {
    const { container } = render(<IdListSummary rows={[]} empty="Paste the ids to delete." />);
    expect(container.textContent).toBe('Paste the ids to delete.');
    expect(container.querySelector('small.bad')).toBeNull();
  });

  it('counts usable ids with grouped digits, and names the first three problems', () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `::${(i + 1).toString(16)}`);
    const good = render(<IdListSummary rows={parseIdList(ids.join('\n'))} empty="" />);
    expect(good.container.textContent).toBe('1,200 gateways');
    good.unmount();
    const rows = parseIdList(['::1', 'nope', '::1', 'x:y', 'zz'].join('\n'));
    const { container } = render(<IdListSummary rows={rows} empty="" />);
    const text = container.textContent!;
    expect(text.startsWith('1 gateway · 4 not usable: ')).toBe(true);
    expect(text.split('; ')).toHaveLength(3);
    expect(text).toContain('"nope"');
    expect(container.querySelector('small.bad')).not.toBeNull();
  });
});
