/**
 * One labelled form field, the markup every form of the station shares: a caption above the
 * control (the `<label>` wraps both, so a click on the caption focuses the control and tests and
 * screen readers find the control by its caption), and an optional hint or live check below it.
 */
import type { CSSProperties, InputHTMLAttributes, ReactNode } from 'react';

/** Props of {@link Field}. */
interface FieldProps {
  /** the caption (also the control's accessible name, unless the control has an aria-label) */
  label: ReactNode;
  /** the control: one input, select or textarea (or a small row holding one) */
  children: ReactNode;
  /**
   * shown under the control: a string becomes a muted `<small>` (with `hintId`, for
   * `aria-describedby`); any other node (a live check such as `IdCheck`) is placed as it is
   */
  hint?: ReactNode;
  hintId?: string | undefined;
  className?: string | undefined;
  style?: CSSProperties | undefined;
}

/** A caption, its control, and an optional hint. */
export function Field({ label, children, hint, hintId, className, style }: FieldProps): ReactNode {
  return (
    <div className={className ? `field ${className}` : 'field'} style={style}>
      <label className="field-label">
        <span>{label}</span>
        {children}
      </label>
      {typeof hint === 'string' ? hint !== '' && <small id={hintId}>{hint}</small> : hint}
    </div>
  );
}

/** Props of {@link TextField}: a {@link Field} whose control is one text input. */
type TextFieldProps = Omit<FieldProps, 'children'> & {
  value: string;
  /** called with the new text on every change */
  onChange: (value: string) => void;
  /** `password` for a secret (default `text`) */
  type?: 'text' | 'password';
  /** the input's other attributes (id, className, placeholder, aria-describedby, style …) */
  input?: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'value' | 'onChange'>;
};

/** A caption over one text (or password) input bound to `value` (the field most forms are made of). */
export function TextField({ value, onChange, type = 'text', input, ...field }: TextFieldProps): ReactNode {
  return (
    <Field {...field}>
      <input type={type} {...input} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}
