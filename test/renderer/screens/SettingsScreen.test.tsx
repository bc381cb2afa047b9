// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsScreen } from '../../../src-renderer/screens/SettingsScreen';
import { useSession } from '../../../src-renderer/stores/session-store';
import { useSettings } from '../../../src-renderer/stores/settings-store';
import { useDashboard } from '../../../src-renderer/stores/dashboard-store';
import type { StationStatus } from '../../../src-shared/ipc';
import { FakeFailure, installFakeStation } from '../fake-station';

const hsm = (locked: boolean) => ({
  kind: 'software' as const,
  locked,
  keyCount: 2,
  detail: 'keystore.json',
});
const status = (locked: boolean): StationStatus => ({
  version: '1',
  urls: [],
  tlsFingerprint: null,
  caFingerprint: null,
  hsm: hsm(locked),
  counters: { gateways: 0, personalized: 0, claimed: 0, configured: 0, owners: 0, cups: {}, ownerApi: {} },
  recentContacts: [],
});

const op = (name: string, role: 'admin' | 'installer', disabled = false) => ({
  name,
  role,
  ownerId: null as string | null,
  createdAt: '2026-01-01T00:00:00Z',
  disabled,
});

beforeEach(() => {
  useSettings.setState({ operators: [], error: null, notice: null, hsmError: null, hsmNotice: null });
  useDashboard.setState(useDashboard.getInitialState(), true);
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

  it('unlocks the HSM with the passphrase, says "wrong passphrase" in words, and locks it again', async () => {
    const s = installFakeStation()
      .on('operators:list', () => [])
      .on('station:status', () => status(true))
      .on('hsm:unlock', (r) => {
        if (r.passphrase !== 'the right one')
          throw new FakeFailure('hsm_locked', 'passphrase: wrong passphrase');
        return hsm(false);
      })
      .on('hsm:lock', () => hsm(true));
    useSession.setState({
      session: {
        transport: 'http',
        operator: { name: 'ann', role: 'admin', ownerId: null },
        channels: ['hsm:unlock', 'hsm:lock'],
      },
    });
    render(<SettingsScreen />);
    const card = screen.getByLabelText('HSM');
    await waitFor(() => expect(card.textContent).toContain('locked'));
    const form = within(card).getByRole('form', { name: 'Unlock HSM' });
    const input = within(form).getByLabelText('Passphrase') as HTMLInputElement;
    expect(input.type).toBe('password');
    fireEvent.change(input, { target: { value: 'a wrong one' } });
    fireEvent.submit(form);
    expect(input.value).toBe(''); // cleared at once, kept nowhere
    const alert = await within(card).findByRole('alert');
    expect(alert.textContent).toBe('Wrong passphrase. The HSM stays locked.');
    fireEvent.change(input, { target: { value: 'the right one' } });
    fireEvent.submit(form);
    await within(card).findByText('HSM unlocked: 2 root keys available.');
    expect(useDashboard.getState().status?.hsm.locked).toBe(false); // the top bar follows
    expect(within(card).queryByRole('form', { name: 'Unlock HSM' })).toBeNull();
    expect(JSON.stringify(useSettings.getState())).not.toContain('the right one');
    fireEvent.click(within(card).getByRole('button', { name: 'Lock HSM' }));
    await within(card).findByText('HSM locked: the root keys left memory.');
    expect(s.requests('hsm:unlock')).toEqual([
      { passphrase: 'a wrong one' },
      { passphrase: 'the right one' },
    ]);
    expect(s.requests('hsm:lock')).toEqual([{}]);
  });

  it('shows the HSM state without the unlock form to operators who may not unlock', async () => {
    installFakeStation().on('station:status', () => status(true));
    useSession.setState({
      session: {
        transport: 'http',
        operator: { name: 'ian', role: 'installer', ownerId: null },
        channels: [],
      },
    });
    render(<SettingsScreen />);
    const card = screen.getByLabelText('HSM');
    await within(card).findByText('Claims and key derivation wait until an admin unlocks it.');
    expect(within(card).queryByRole('form')).toBeNull();
  });
});
