// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetupScreen } from '../../../src-renderer/screens/SetupScreen';
import { useSession } from '../../../src-renderer/stores/session-store';
import { useSetup } from '../../../src-renderer/stores/setup-store';
import { installFakeStation } from '../fake-station';

const PEM = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';

beforeEach(() => {
  useSetup.getState().reset();
  useSession.setState({
    ownerId: '1::1',
    session: {
      transport: 'http',
      operator: { name: 'ann', role: 'admin', ownerId: null },
      channels: ['templates:save', 'templates:list', 'gateways:setup', 'setup:checkReachability'],
    },
  });
});
afterEach(cleanup);

describe('SetupScreen', () => {
  it('reads a picked trust file in the browser, says what it is, and reports a failed reachability check', async () => {
    const s = installFakeStation()
      .on('templates:list', () => [])
      .on('setup:checkReachability', (r) => ({
        ok: false,
        reason: 'untrusted',
        message: `the certificate of ${r.uri.replace('wss://', '')} is not signed by the given trust`,
        peer: {
          subject: 'CN=lns.example.com',
          issuer: 'CN=Other CA',
          fingerprint: 'AA',
          validTo: '2030-01-01',
        },
        elapsedMs: 5,
      }));
    render(<SetupScreen />);
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'Enter settings' }).getAttribute('aria-selected')).toBe('true'),
    );
    const lns = screen.getByRole('group', { name: 'LNS settings' });
    fireEvent.click(lns.querySelector('input[type=checkbox]')!);
    fireEvent.change(screen.getByLabelText('Address'), { target: { value: 'wss://lns.example.com:443' } });
    const file = new File([PEM], 'ca.pem', { type: 'application/x-pem-file' });
    fireEvent.change(document.querySelector('input[name=lnsTrust]')!, { target: { files: [file] } });
    await screen.findByText('PEM certificate');
    fireEvent.change(screen.getByLabelText('Gateway token'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check targets only' }));
    await screen.findByText(/is not signed by the given trust/);
    expect(s.requests('setup:checkReachability')[0]).toEqual({
      uri: 'wss://lns.example.com:443',
      trust: btoa(PEM),
    });
    expect(screen.getByText(/issued by CN=Other CA/)).toBeTruthy();
  });

  it('applies a template to pasted gateways and shows per-gateway results', async () => {
    const s = installFakeStation()
      .on('templates:list', () => [
        {
          id: 't1',
          ownerId: '1::1',
          name: 'Site A',
          fields: { lnsUri: 'ws://10.0.0.1:1700' },
          secrets: [],
          createdAt: '',
          updatedAt: '',
        },
      ])
      .on('gateways:setup', (r) =>
        r.items.map((i) =>
          i.gateway === '::2'
            ? { gateway: '::2', code: 'not_claimed' as const, error: 'gateway: ::2 is not claimed' }
            : { gateway: i.gateway },
        ),
      );
    render(<SetupScreen />);
    await screen.findByText('LNS: ws://10.0.0.1:1700');
    fireEvent.change(screen.getByLabelText('Gateways to set up'), { target: { value: '::1\n::2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check and apply to 2 gateways' }));
    await screen.findByText('1 of 2 set up.');
    expect(screen.getByText('This gateway is not claimed by this owner.')).toBeTruthy();
    expect(s.requests('gateways:setup')[0]).toEqual({
      ownerId: '1::1',
      templateId: 't1',
      items: [{ gateway: '::1' }, { gateway: '::2' }],
    });
  });
});
