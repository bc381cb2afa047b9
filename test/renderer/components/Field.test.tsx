// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Field, TextField } from '../../../src-renderer/components/Field';

afterEach(cleanup);

describe('Field', () => {
  it('names its control by the caption and puts a string hint under it', () => {
    render(
      <Field label="Gateway id" hint="ID6, EUI-64 or MAC" hintId="gw-hint">
        <input type="text" aria-describedby="gw-hint" />
      </Field>,
    );
    const input = screen.getByLabelText('Gateway id');
    expect(input.tagName).toBe('INPUT');
    expect(document.getElementById('gw-hint')!.textContent).toBe('ID6, EUI-64 or MAC');
    expect(input.closest('.field')).not.toBeNull();
  });

  it('places a node hint as it is, and nothing for an empty one', () => {
    const { container } = render(
      <>
        <Field label="PIN" hint={<small className="bad">8 characters</small>}>
          <input type="text" />
        </Field>
        <Field label="Name" hint="">
          <input type="text" />
        </Field>
      </>,
    );
    expect(container.querySelectorAll('small')).toHaveLength(1);
    expect(container.querySelector('small.bad')!.textContent).toBe('8 characters');
  });

  it('TextField: a text input named by its caption, with its attributes, reporting each change as text', () => {
    const seen: string[] = [];
    render(
      <TextField
        label="Flavor"
        value="corecell"
        onChange={(v) => seen.push(v)}
        input={{ id: 'flavor', className: 'mono', placeholder: 'e.g. corecell-v2' }}
      />,
    );
    const input = screen.getByLabelText('Flavor') as HTMLInputElement;
    expect([input.id, input.type, input.className, input.placeholder, input.value]).toEqual([
      'flavor',
      'text',
      'mono',
      'e.g. corecell-v2',
      'corecell',
    ]);
    fireEvent.change(input, { target: { value: 'corecell-v3' } });
    expect(seen).toEqual(['corecell-v3']);
  });

  it('TextField of type password: a password input, its attributes kept', () => {
    render(
      <TextField
        label="New password"
        type="password"
        value=""
        onChange={() => undefined}
        input={{ autoComplete: 'new-password' }}
      />,
    );
    const input = screen.getByLabelText('New password') as HTMLInputElement;
    expect([input.type, input.autocomplete]).toEqual(['password', 'new-password']);
  });
});
