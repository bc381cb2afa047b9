/**
 * Lists of gateway ids typed, pasted or imported for setup and delete: one id per line, or several
 * separated by commas, semicolons, tabs or spaces (the first column of a CSV also works). Each id is
 * checked locally; later duplicates are marked.
 */
import type { UiError } from '../app/error-text';
import { isHeaderRow, parseDelimited } from './csv';
import { analyzeId } from './identity-store';

/** One id of a list. */
export interface IdRow {
  line: number;
  input: string;
  id6: string | null;
  problem: UiError | null;
}

/** Reads a list of ids; `firstColumnOnly` keeps only the first field of each line (CSV import). */
export function parseIdList(text: string, firstColumnOnly = false): IdRow[] {
  const rows = parseDelimited(text);
  const body = rows[0] && isHeaderRow(rows[0]) ? rows.slice(1) : rows;
  const seen = new Set<string>();
  const out: IdRow[] = [];
  for (const row of body) {
    const fields = firstColumnOnly ? row.fields.slice(0, 1) : row.fields.filter((f) => f !== '');
    for (const input of fields) {
      const a = analyzeId(input);
      let problem: UiError | null = null;
      if (!a.ok) problem = { code: 'invalid_id', message: `"${input}": ${a.error}` };
      else if (seen.has(a.id6))
        problem = { code: 'duplicate_in_request', message: `${a.id6} is listed earlier` };
      if (a.ok) seen.add(a.id6);
      out.push({ line: row.line, input, id6: a.ok ? a.id6 : null, problem });
    }
  }
  return out;
}
