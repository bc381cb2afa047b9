// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaimScreen } from '../../../src-renderer/screens/ClaimScreen';
import { useClaim } from '../../../src-renderer/stores/claim-store';
import { useSession } from '../../../src-renderer/stores/session-store';
import { installFakeStation } from '../fake-station';

beforeEach(() => {
  useClaim.setState(useClaim.getInitialState(), true);
  useSession.setState({ ownerId: '1::1' });
});
afterEach(cleanup);

describe('ClaimScreen', () => {
  it('checks the id and PIN as they are typed and claims with Enter', async () => {
    const station = installFakeStation().on('gateways:claim', (r) =>
      r.items.map(() => ({ gateway: '0:ff:fe00:abc' })),
    );
    render(<ClaimScreen />);
    const id = screen.getByLabelText('Gateway id');
    const pin = screen.getByLabelText('Claim PIN');
    fireEvent.change(id, { target: { value: '00:00:00:00:0a:bc' } });
    expect(screen.getByText('0:ff:fe00:abc')).toBeTruthy();
    expect(screen.getByText('00-00-00-FF-FE-00-0A-BC')).toBeTruthy();
    fireEvent.change(pin, { target: { value: '6cvh eqsu' } });
    expect(screen.getByText(/which is not used in claim PINs/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Claim' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(pin, { target: { value: '6cvh eqsa' } });
    expect(screen.getByText('6CVH-EQSA')).toBeTruthy();
    fireEvent.submit(pin.closest('form')!);
    await screen.findByText(/Claimed 0:ff:fe00:abc/);
    // ready for the next label
    expect(document.activeElement).toBe(screen.getByLabelText('Gateway id'));
    expect(station.requests('gateways:claim')[0]!.items).toEqual([
      { gateway: '00:00:00:00:0a:bc', claim: '6CVHEQSA' },
    ]);
  });

  it('shows a refused claim in words from its code, never as JSON', async () => {
    installFakeStation().on('gateways:claim', () => [
      { gateway: '::1', code: 'claimed_by_other', error: 'gateway ::1 is claimed by another owner' },
    ]);
    render(<ClaimScreen />);
    fireEvent.change(screen.getByLabelText('Gateway id'), { target: { value: '::1' } });
    fireEvent.change(screen.getByLabelText('Claim PIN'), { target: { value: '6CVHEQSA' } });
    fireEvent.click(screen.getByRole('button', { name: 'Claim' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Another owner has already claimed this gateway');
    expect(alert.textContent).not.toContain('{');
  });

  it('imports a CSV file, shows rows with problems, and claims the rest with per-row results', async () => {
    installFakeStation().on('gateways:claim', (r) => r.items.map((i) => ({ gateway: i.gateway })));
    render(<ClaimScreen />);
    fireEvent.click(screen.getByRole('tab', { name: 'List / CSV' }));
    const file = new File(['gateway,pin\n::1,6CVHEQSA\n::2,6CVHEQSA\n1:::2,6CVHEQSA\n'], 'site-a.csv', {
      type: 'text/csv',
    });
    fireEvent.change(screen.getByLabelText('Import CSV'), { target: { files: [file] } });
    await screen.findByText(/From site-a\.csv\. 3 rows: 2 ready, 1 with problems/);
    expect(screen.getByText(/line 4:/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Claim 2 gateways' }));
    await screen.findByText('2 of 3 claimed.');
    await waitFor(() => expect(screen.getByText('not sent')).toBeTruthy());
  });

  it('asks for an owner before claiming', () => {
    installFakeStation();
    useSession.setState({ ownerId: null });
    render(<ClaimScreen />);
    expect(screen.getByText(/Choose the owner to claim for/)).toBeTruthy();
  });
});
