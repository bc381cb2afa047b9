// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OwnersScreen } from '../../../src-renderer/screens/OwnersScreen';
import { useOwners } from '../../../src-renderer/stores/owners-store';
import { useSession } from '../../../src-renderer/stores/session-store';
import { installFakeStation } from '../fake-station';

const summary = {
  id: 'k1',
  ownerId: '1::1',
  scopes: ['read' as const],
  createdAt: '',
  revokedAt: null,
  label: 'erp',
};

beforeEach(() => {
  useOwners.setState(useOwners.getInitialState(), true);
  useSession.setState({
    session: {
      transport: 'http',
      operator: { name: 'ann', role: 'admin', ownerId: null },
      channels: ['owners:list', 'owners:create', 'apiKeys:list', 'apiKeys:create', 'apiKeys:revoke'],
    },
  });
});
afterEach(cleanup);

describe('OwnersScreen', () => {
  it('shows a new API key once, with a copy button, until it is dismissed', async () => {
    const s = installFakeStation()
      .on('owners:list', () => [{ id: '1::1', name: 'Acme', createdAt: '2026-01-01T00:00:00Z' }])
      .on('apiKeys:list', () => [summary])
      .on('apiKeys:create', () => ({ apiKey: 'gwjs_k1_SECRET', summary }));
    render(<OwnersScreen />);
    await screen.findByText('erp');
    fireEvent.change(screen.getByLabelText('Key owner'), { target: { value: '1::1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect((await screen.findByTestId('new-api-key')).textContent).toBe('gwjs_k1_SECRET');
    expect(screen.getByText(/only time the key is shown/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(s.requests('apiKeys:create')[0]).toEqual({
      ownerId: '1::1',
      scopes: ['read', 'claim', 'setup', 'delete'],
    });
    fireEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    await waitFor(() => expect(screen.queryByTestId('new-api-key')).toBeNull());
  });

  it('hides API keys from operators whose role may not manage them', async () => {
    installFakeStation().on('owners:list', () => []);
    useSession.setState({
      session: {
        transport: 'http',
        operator: { name: 'ian', role: 'installer', ownerId: null },
        channels: ['owners:list'],
      },
    });
    render(<OwnersScreen />);
    await screen.findByText('No owners yet.');
    expect(screen.queryByText('API keys')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create owner' })).toBeNull();
  });
});
