/**
 * Reading lists that operators paste or import (CSV files from the factory, spreadsheets, a column
 * of scanned QR payloads). Pure functions: text in, rows out; nothing here throws on bad input.
 */

/** One non-empty input line split into fields, with its 1-based line number for messages. */
interface TextRow {
  line: number;
  fields: string[];
}

const DELIMITERS = [',', ';', '\t'] as const;

/** Picks the delimiter that appears most often outside quotes in the first lines (`,` by default). */
function detectDelimiter(lines: readonly string[]): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let count = 0;
    for (const l of lines.slice(0, 20)) count += l.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Splits one line at `delimiter`, honouring double quotes (`""` inside quotes is one quote). */
function splitLine(line: string, delimiter: string | null): string[] {
  if (delimiter === null) return line.trim().split(/\s+/);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/**
 * Splits pasted text or a CSV file into rows. The delimiter (`,` `;` or tab) is detected; text
 * without any of them is split on whitespace, so "ID PIN" per line works too. Blank lines and
 * lines starting with `#` are skipped. A UTF-8 byte order mark is ignored.
 */
export function parseDelimited(text: string): TextRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const meaningful = lines.filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const delimiter = detectDelimiter(meaningful);
  const rows: TextRow[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '' || l.trimStart().startsWith('#')) return;
    rows.push({ line: i + 1, fields: splitLine(l, delimiter) });
  });
  return rows;
}

const HEADER_WORDS = /^(gateway|gateways|id|id6|eui|eui-?64|eui64|mac|router|routerid|pin|claim|code)$/i;

/** True when every non-empty field of the row is a column title such as `gateway` or `pin`. */
export function isHeaderRow(row: TextRow): boolean {
  const fields = row.fields.filter((f) => f !== '');
  return fields.length > 0 && fields.every((f) => HEADER_WORDS.test(f));
}

/** Index of the column whose header matches `pattern`, or `fallback`. */
export function columnIndex(header: TextRow | undefined, pattern: RegExp, fallback: number): number {
  if (!header) return fallback;
  const i = header.fields.findIndex((f) => pattern.test(f));
  return i >= 0 ? i : fallback;
}
