/**
 * A fresh PostgreSQL schema per test on the test server (see pg-global-setup.ts): tests share one
 * cluster and never see each other's tables. Dropped when the test (or the process) ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';

/** The test server's URL. */
export function testPgUrl(): string {
  const url = inject('pgUrl');
  if (!url) throw new Error('no test PostgreSQL: the vitest global setup did not run');
  return url;
}

const created = new Set<string>();

/** A new unique schema name (created by the store at open); dropped at the end of the test. */
export function freshPgSchema(prefix = 't'): string {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  created.add(schema);
  try {
    onTestFinished(() => dropPgSchema(schema));
  } catch {
    // outside a test (beforeAll): dropped by dropAllPgSchemas or left to the throw-away cluster
  }
  return schema;
}

/** Drops `schema` and everything in it. */
export async function dropPgSchema(schema: string): Promise<void> {
  created.delete(schema);
  const client = new pg.Client({ connectionString: testPgUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** `url` with `?schema=` naming `schema` (what `--db` accepts). */
export function pgUrlWithSchema(schema: string, url = testPgUrl()): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}
