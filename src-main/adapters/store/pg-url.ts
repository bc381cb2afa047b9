/**
 * PostgreSQL URLs as `--db` / `$GWJS_DB` take them (docs/server-mode.md). Kept apart from
 * pg-store.ts so the CLI can recognise one without loading the `pg` driver.
 */
import { DomainError } from '../../../src-shared/errors';

/** True for a `postgres://` or `postgresql://` URL (what `--db` / `$GWJS_DB` select the store by). */
export function isPgUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/**
 * Splits our `?schema=NAME` parameter (tables in that schema instead of the `search_path` default)
 * off a PostgreSQL URL; every other parameter is pg's.
 */
export function splitPgUrl(text: string): { url: string; schema: string | undefined } {
  if (!isPgUrl(text)) {
    throw new DomainError('invalid_request', `store: ${redact(text)} is not a postgres:// URL`);
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new DomainError('invalid_request', `store: ${redact(text)} is not a valid URL`);
  }
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

/** The URL without its password (for messages and logs). */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
