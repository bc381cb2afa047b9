/**
 * A confirmation in the page (role=dialog): what will happen, in words, then Confirm or Cancel.
 * Esc and a click beside it cancel. Extra fields (a PIN to give again) go in `children`.
 */
import { useEffect, type FormEvent, type ReactNode } from 'react';

/** Props of {@link ConfirmDialog}. */
interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean | undefined;
  busy?: boolean | undefined;
  /** false keeps Confirm disabled (a field still missing) */
  ready?: boolean | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}

/** The dialog. */
export function ConfirmDialog(p: ConfirmDialogProps): ReactNode {
  const { onCancel } = p;
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onCancel]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (p.ready !== false && !p.busy) p.onConfirm();
  };
  return (
    <div className="modal-backdrop" onClick={onCancel}>
      <form
        className="modal card stack"
        role="dialog"
        aria-modal="true"
        aria-label={p.title}
        onClick={(e) => e.stopPropagation()}
        onSubmit={submit}
      >
        <h2>{p.title}</h2>
        {p.children}
        <div className="row gap" style={{ justifyContent: 'flex-end' }}>
          <button type="button" className="btn secondary" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="submit"
            className={p.danger ? 'btn danger' : 'btn'}
            disabled={p.ready === false || p.busy === true}
            autoFocus
          >
            {p.confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
