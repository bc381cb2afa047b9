// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditScreen } from '../../../src-renderer/screens/AuditScreen';
import { AUDIT_PAGE } from '../../../src-renderer/stores/audit-store';
import { installFakeStation } from '../fake-station';

afterEach(cleanup);

describe('AuditScreen', () => {
  it('filters by a gateway typed in any form (sent as ID6) and pages back in time', async () => {
    const s = installFakeStation().on('audit:list', (r) =>
      Array.from({ length: r.before ? 3 : AUDIT_PAGE }, (_, i) => ({
        id: (r.before ?? 1000) - i - 1,
        at: '2026-01-01T00:00:00Z',
        actor: 'operator:ian',
        address: '10.0.0.1',
        action: 'claim',
        target: r.target ?? '::1',
        detail: { owner: '1::1' },
      })),
    );
    render(<AuditScreen />);
    fireEvent.change(screen.getByLabelText('Filter by target'), {
      target: { value: '00-00-00-FF-FE-00-0A-BC' },
    });
    await waitFor(() => expect(s.requests('audit:list').at(-1)).toMatchObject({ target: '0:ff:fe00:abc' }));
    await screen.findAllByText('0:ff:fe00:abc');
    expect(screen.getAllByText('owner: 1::1').length).toBe(AUDIT_PAGE);
    fireEvent.click(screen.getByRole('button', { name: 'Load older entries' }));
    await waitFor(() => expect(screen.getAllByText('owner: 1::1').length).toBe(AUDIT_PAGE + 3));
    expect(s.requests('audit:list').at(-1)).toMatchObject({ before: 900, limit: AUDIT_PAGE });
    expect(screen.queryByRole('button', { name: 'Load older entries' })).toBeNull();
  });
});
