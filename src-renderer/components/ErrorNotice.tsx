/** Shows an error from its code in human wording, with the server's message as detail. */
import type { ReactNode } from 'react';
import { wordingOf, type UiError } from '../app/error-text';

/** Props of {@link ErrorNotice}. */
export interface ErrorNoticeProps {
  error: UiError | null | undefined;
  /** extra sentence placed after the wording */
  hint?: string;
}

/** An alert box: the wording for `error.code`, then the server's detail in smaller text. */
export function ErrorNotice({ error, hint }: ErrorNoticeProps): ReactNode {
  if (!error) return null;
  const wording = wordingOf(error.code);
  return (
    <div className="notice error" role="alert">
      <strong>{wording}</strong>
      {hint && <span> {hint}</span>}
      {error.message && error.message !== wording && <div className="detail">{error.message}</div>}
    </div>
  );
}

/** Props of {@link Notice}. */
export interface NoticeProps {
  kind: 'ok' | 'info' | 'warn';
  children: ReactNode;
}

/** A non-error notice (success, information, warning). */
export function Notice({ kind, children }: NoticeProps): ReactNode {
  return (
    <div className={`notice ${kind}`} role="status">
      {children}
    </div>
  );
}
