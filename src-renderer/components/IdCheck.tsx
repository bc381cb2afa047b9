/** The live identity check under a gateway id field: canonical forms, or why the input is not an id. */
import type { ReactNode } from 'react';
import type { IdAnalysis } from '../stores/identity-store';

/** Shows `✓ ID6 · EUI-64` plus warnings, or the problem; nothing for an empty field. */
export function IdCheck({ analysis, id }: { analysis: IdAnalysis; id?: string }): ReactNode {
  if (!analysis.ok) {
    if (analysis.empty) return <small id={id}>ID6, EUI-64, MAC or 16 hex digits.</small>;
    return (
      <small id={id} className="bad" role="status">
        {analysis.error}
      </small>
    );
  }
  return (
    <small id={id} role="status">
      <span className="good">✓</span> <code>{analysis.id6}</code> · <code>{analysis.eui64}</code>
      {analysis.mac && (
        <>
          {' '}
          · MAC <code>{analysis.mac}</code>
        </>
      )}
      {analysis.warnings
        .filter((w) => w.kind !== 'from-mac')
        .map((w) => (
          <span key={w.kind} className="warn-line">
            ⚠ {w.text}
          </span>
        ))}
    </small>
  );
}
