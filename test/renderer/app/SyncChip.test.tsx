// @vitest-environment happy-dom
/**
 * The top bar's sync chip (docs/sync.md): hidden without a remote link; online with the pending
 * count; offline; and a count of operations waiting for the installer's decision.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationStatus } from '../../../src-shared/ipc';
import { SyncChip } from '../../../src-renderer/app/TopBar';
import { useDashboard } from '../../../src-renderer/stores/dashboard-store';

const base: StationStatus = {
  version: '0',
  urls: [],
  tlsFingerprint: null,
  caFingerprint: null,
  hsm: { kind: 'software', locked: false, keyCount: 0, detail: '' },
  counters: { gateways: 0, personalized: 0, claimed: 0, configured: 0, owners: 0, cups: {}, ownerApi: {} },
  recentContacts: [],
};
const linked = {
  linked: true,
  url: 'https://js.example.com:8443',
  online: true,
  lastSuccessAt: '2030-01-01T00:00:00.000Z',
  lastError: null,
  pending: 3,
  rejected: 0,
  conflict: 0,
};

afterEach(cleanup);
beforeEach(() => useDashboard.setState(useDashboard.getInitialState(), true));

describe('SyncChip', () => {
  it('is hidden while the station has no remote link', () => {
    useDashboard.setState({ status: { ...base, sync: { ...linked, linked: false } } });
    render(<SyncChip />);
    expect(screen.queryByLabelText('Sync status')).toBeNull();
  });

  it('shows online and the pending count, offline in amber, and operations to decide', () => {
    useDashboard.setState({ status: { ...base, sync: linked } });
    const { rerender } = render(<SyncChip />);
    const chip = () => screen.getByLabelText('Sync status');
    expect(chip().textContent).toBe('Sync online · 3 pending');
    expect(chip().className).toContain('ok');
    useDashboard.setState({
      status: { ...base, sync: { ...linked, online: false, lastError: 'pull: refused' } },
    });
    rerender(<SyncChip />);
    expect(chip().className).toContain('warn');
    expect(chip().getAttribute('title')).toContain('last error: pull: refused');
    useDashboard.setState({ status: { ...base, sync: { ...linked, conflict: 1, rejected: 1 } } });
    rerender(<SyncChip />);
    expect(chip().textContent).toBe('Sync online · 3 pending · 2 to decide');
  });
});
