// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorNotice } from '../../../src-renderer/components/ErrorNotice';

afterEach(cleanup);

describe('ErrorNotice', () => {
  it('leads with the wording of the code in its context, the station’s message as detail', () => {
    const message =
      'line settings: station "line-1" has no output folder yet; an admin sets it on the Line screen';
    render(<ErrorNotice error={{ code: 'not_configured', message }} context="factory" />);
    const alert = screen.getByRole('alert');
    expect(alert.getAttribute('data-code')).toBe('not_configured');
    expect(alert.querySelector('strong')!.textContent).toMatch(/^The factory line cannot do this/);
    expect(alert.querySelector('.detail')!.textContent).toBe(message);
  });

  it('can leave the detail out (sign-in)', () => {
    render(
      <ErrorNotice
        error={{ code: 'unauthorized', message: 'login: wrong name or password' }}
        context="login"
        detail={false}
      />,
    );
    expect(screen.getByRole('alert').textContent).toBe('Wrong operator name or password.');
  });
});
