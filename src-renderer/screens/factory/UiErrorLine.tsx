/**
 * An error of the factory screens: the station's message first (it names the batch, unit or
 * field exactly — e.g. which batch a range overlaps), the generic wording of the code after it.
 */
import type { ReactNode } from 'react';
import { wordingOf, type UiError } from '../../app/error-text';

/** Shows `error` (nothing when null). */
export function UiErrorLine({ error }: { error: UiError | null | undefined }): ReactNode {
  if (!error) return null;
  return (
    <div className="notice error" role="alert" data-code={error.code}>
      <strong>{error.message || wordingOf(error.code)}</strong>
      {error.message && <div className="detail">{wordingOf(error.code)}</div>}
    </div>
  );
}
