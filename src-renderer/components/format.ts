/** Small display helpers shared by the screens (dates, outcomes, CRCs). */

/** `2026-05-01 14:03:22` in local time; '—' for null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "3 min ago" style age; '—' for null. `now` is injectable for tests. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** CRC-32 as `0x1234ABCD`; '—' for null. */
export function formatCrc(crc: number | null | undefined): string {
  if (crc === null || crc === undefined) return '—';
  return `0x${(crc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Chip colour of an outcome: a CUPS outcome (`ok`, `updated`, `not_configured`, `unauthorized`, …)
 * or an Owner API counter (`claim.ok`, `claim.bad_claim`: the part after the dot decides).
 */
export function outcomeTone(outcome: string | null | undefined): 'ok' | 'warn' | 'err' | '' {
  if (!outcome) return '';
  const o = outcome.slice(outcome.lastIndexOf('.') + 1);
  if (/^(ok|200|updated|no_change|unchanged|configured|success)/i.test(o)) return 'ok';
  if (/(not_configured|404|rate|429|locked)/i.test(o)) return 'warn';
  return 'err';
}

/** Human label of an outcome (`not_configured` → `not configured`, `claim.bad_claim` → `claim: bad claim`). */
export function outcomeLabel(outcome: string | null | undefined): string {
  return outcome ? outcome.replace(/\./g, ': ').replace(/_/g, ' ') : '—';
}

/** A value of an audit detail in words: lists joined, objects as `key value` pairs, CRCs in hex. */
function detailValue(key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.map((x) => detailValue(key, x)).join(', ') || '—';
  if (typeof v === 'number' && /crc/i.test(key)) return formatCrc(v);
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${k} ${detailValue(k, x)}`)
      .join(', ');
  }
  return String(v);
}

/** An audit entry's detail as one line of `key: value` parts — never raw JSON. */
export function formatDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${detailValue(k, v)}`)
    .join(' · ');
}

/** A count as every screen writes it (one formatter for screens, CLI and messages). */
export { formatCount } from '../../src-shared/format-count';
