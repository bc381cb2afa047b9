// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsScreen } from '../../../src-renderer/screens/SettingsScreen';
import { useSession } from '../../../src-renderer/stores/session-store';
import { useSettings } from '../../../src-renderer/stores/settings-store';
import { installFakeStation } from '../fake-station';

const op = (name: string, role: 'admin' | 'installer', disabled = false) => ({
  name,
  role,
  ownerId: null as string | null,
  createdAt: '2026-01-01T00:00:00Z',
  disabled,
});

beforeEach(() => {
  useSettings.setState({ operators: [], error: null, notice: null });
  useSession.setState({
    owners: [{ id: '1::1', name: 'Acme' }],
    session: {
      transport: 'http',
      operator: { name: 'ann', role: 'admin', ownerId: null },
      channels: ['operators:list', 'operators:create', 'operators:update'],
    },
  });
});
afterEach(cleanup);

describe('SettingsScreen', () => {
  it('creates an installer bound to an owner, and disables another operator', async () => {
    const operators = [op('ann', 'admin')];
    const s = installFakeStation()
      .on('operators:list', () => operators)
      .on('operators:create', (r) => {
        const created = { ...op(r.name, r.role as 'installer'), ownerId: r.ownerId ?? null };
        operators.push(created);
        return created;
      })
      .on('operators:update', (r) => ({ ...op(r.name, 'installer'), disabled: r.disabled ?? false }));
    render(<SettingsScreen />);
    await screen.findByText('ann');
    const form = screen.getByRole('form', { name: 'Create operator' });
    fireEvent.change(form.querySelector('input[type=text]')!, { target: { value: 'ian' } });
    fireEvent.change(form.querySelector('input[type=password]')!, { target: { value: 'long-enough-1' } });
    fireEvent.change(form.querySelectorAll('select')[1]!, { target: { value: '1::1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create operator' }));
    await screen.findByText('Operator ian created.');
    expect(s.requests('operators:create')).toEqual([
      { name: 'ian', role: 'installer', password: 'long-enough-1', ownerId: '1::1' },
    ]);
    // you cannot disable yourself; others can be disabled
    const rows = screen.getAllByRole('row');
    expect(rows.find((r) => r.textContent?.startsWith('ann'))?.textContent).not.toContain('Disable');
    fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await screen.findByText('Operator ian updated.');
    expect(s.requests('operators:update')).toEqual([{ name: 'ian', disabled: true }]);
  });

  it('keeps the bulk chunk size as a preference', () => {
    installFakeStation();
    useSession.setState({
      session: {
        transport: 'ipc',
        operator: { name: 'desktop', role: 'installer', ownerId: null },
        channels: [],
      },
    });
    render(<SettingsScreen />);
    fireEvent.change(screen.getByLabelText('Gateways per request'), { target: { value: '250' } });
    expect(useSettings.getState().prefs.chunkSize).toBe(250);
    expect(JSON.parse(localStorage.getItem('gwjs.prefs')!)).toEqual({ chunkSize: 250 });
    expect(screen.queryByText('Operator accounts')).toBeNull();
  });
});
