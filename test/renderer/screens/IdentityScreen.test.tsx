// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { IdentityScreen } from '../../../src-renderer/screens/IdentityScreen';

afterEach(cleanup);

describe('IdentityScreen', () => {
  it('shows ID6, EUI-64 and MAC side by side and warns about a locally administered MAC', () => {
    render(<IdentityScreen />);
    fireEvent.change(screen.getByLabelText(/Any id/), { target: { value: 'da:a1:19:12:34:56' } });
    expect(screen.getByTestId('id-ID6').textContent).toBe('daa1:19ff:fe12:3456');
    expect(screen.getByTestId('id-EUI-64').textContent).toBe('DA-A1-19-FF-FE-12-34-56');
    expect(screen.getByTestId('id-MAC').textContent).toBe('DA:A1:19:12:34:56');
    expect(screen.getByText(/Locally administered address/)).toBeTruthy();
  });

  it('explains the FFFE/euiprefix pitfall and rejected inputs', () => {
    render(<IdentityScreen />);
    const input = screen.getByLabelText(/Any id/);
    fireEvent.change(input, { target: { value: '::abc' } });
    expect(screen.getAllByText(/euiprefix/).length).toBeGreaterThan(1);
    fireEvent.change(input, { target: { value: '0x0abc' } });
    expect(screen.getByText(/without "0x"/)).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });
});
