// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpTransport, setTransport } from '../../../src-renderer/api';
import { App } from '../../../src-renderer/app/App';
import { useNav } from '../../../src-renderer/stores/nav-store';
import { useSession } from '../../../src-renderer/stores/session-store';
import { CHANNELS, channelsFor, type StationStatus } from '../../../src-shared/ipc';
import { installFakeStation } from '../fake-station';

const status: StationStatus = {
  version: '0.1.0',
  urls: ['https://127.0.0.1:8443'],
  tlsFingerprint: 'AB:CD',
  caFingerprint: 'EF:01',
  hsm: { kind: 'software', locked: false, keyCount: 2, detail: 'keystore.json' },
  counters: {
    gateways: 3,
    personalized: 0,
    claimed: 2,
    configured: 1,
    owners: 1,
    cups: { ok: 5 },
    ownerApi: {},
  },
  recentContacts: [],
};

/** The bridge's login endpoints, answered like the real HTTP bridge does (envelope JSON). */
function bridgeFetch(password: string) {
  const seen: string[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = String(url);
    seen.push(path);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (path.endsWith('/bridge/state'))
      return json(200, { ok: true, value: { setupRequired: false, session: null } });
    if (path.endsWith('/bridge/login')) {
      const body = JSON.parse(String(init?.body)) as { name: string; password: string };
      if (body.password !== password) {
        return json(401, {
          ok: false,
          error: { code: 'unauthorized', message: 'login: wrong name or password' },
        });
      }
      return json(200, {
        ok: true,
        value: {
          transport: 'http',
          operator: { name: body.name, role: 'installer', ownerId: null },
          channels: channelsFor('installer'),
        },
      });
    }
    return json(404, {});
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

beforeEach(() => {
  useSession.setState(useSession.getInitialState(), true);
  useNav.setState({ screen: 'dashboard' });
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  setTransport(undefined);
});

describe('App', () => {
  it('signs in over the HTTP bridge, says so in words when the password is wrong, then shows the shell', async () => {
    const station = installFakeStation('http')
      .on('owners:list', () => [{ id: '1::1', name: 'Acme', createdAt: '' }])
      .on('station:status', () => status);
    const { fetch } = bridgeFetch('correct horse');
    setTransport(station.transport, { fetch });
    render(<App />);
    fireEvent.change(await screen.findByLabelText('Operator name'), { target: { value: 'ian' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong operator name or password.');
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('navigation', { name: 'Screens' });
    // the only owner is chosen for the operator
    expect((screen.getByLabelText('Owner') as HTMLSelectElement).value).toBe('1::1');
    expect(screen.getByText('ian · installer')).toBeTruthy();
    await screen.findByText('HSM unlocked · 2 keys');
  });

  it('opens screens with Alt+digit and lands the focus in the screen', async () => {
    const station = installFakeStation('ipc')
      .on('session:whoami', () => ({
        transport: 'ipc' as const,
        operator: { name: 'desktop', role: 'admin' as const, ownerId: null },
        channels: Object.keys(CHANNELS),
      }))
      .on('owners:list', () => [])
      .on('station:status', () => status);
    setTransport(station.transport);
    render(<App />);
    await screen.findByRole('heading', { name: 'Dashboard' });
    act(() => {
      fireEvent.keyDown(window, { key: '3', code: 'Digit3', altKey: true });
    });
    await screen.findByRole('heading', { name: 'Claim gateways' });
    await waitFor(() => expect(document.activeElement?.getAttribute('name')).toBe('gateway'));
    act(() => {
      fireEvent.keyDown(window, { key: '6', code: 'Digit6', altKey: true });
    });
    await waitFor(() => expect(document.activeElement?.id).toBe('identity-input'));
    // single-key shortcuts are off while typing in a field
    fireEvent.keyDown(document.activeElement!, { key: '?' });
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => {
      (document.activeElement as HTMLElement).blur();
      fireEvent.keyDown(document.body, { key: '?' });
    });
    expect(screen.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });

  it('says the station cannot be reached (by its code) when nothing answers, and tries again', async () => {
    let calls = 0;
    const fetch = (() => {
      calls++;
      return Promise.reject(new TypeError('Failed to fetch'));
    }) as typeof globalThis.fetch;
    setTransport(createHttpTransport({ fetch }), { fetch });
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('station_unreachable');
    expect(alert.textContent).toContain('The station cannot be reached');
    expect(alert.textContent).toContain('Failed to fetch');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(calls).toBe(2));
  });
});
