/** Shows an error from its code in human wording, with the server's message as detail. */
import type { ReactNode } from 'react';
import { wordingOf, type ErrorContext, type UiError } from '../app/error-text';

/** Props of {@link ErrorNotice}. */
interface ErrorNoticeProps {
  error: UiError | null | undefined;
  /** the screen the error belongs to, when that makes a code mean something more precise */
  context?: ErrorContext | undefined;
  /** extra sentence placed after the wording */
  hint?: string | undefined;
  /** false hides the server's message (sign-in: it would only repeat the wording) */
  detail?: boolean | undefined;
}

/** An alert box: the wording for `error.code`, then the server's detail in smaller text. */
export function ErrorNotice({ error, context, hint, detail = true }: ErrorNoticeProps): ReactNode {
  if (!error) return null;
  const wording = wordingOf(error.code, context);
  return (
    <div className="notice error" role="alert" data-code={error.code}>
      <strong>{wording}</strong>
      {hint && <span> {hint}</span>}
      {detail && error.message && error.message !== wording && <div className="detail">{error.message}</div>}
    </div>
  );
}

/** Props of {@link Notice}. */
interface NoticeProps {
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
