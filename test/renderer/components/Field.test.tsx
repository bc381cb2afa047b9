// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Field } from '../../../src-renderer/components/Field';

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
});
