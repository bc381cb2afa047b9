/** Schema shared by the crash test and its child process. */
import type { Migration } from '../../../src-main/adapters/store/migrate';

/** `acks` holds the child's acknowledged writes; `pad` makes each checkpoint write a few MB. */
export const CRASH_MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: 'acks',
    sql: `CREATE TABLE acks (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, note TEXT NOT NULL);
          CREATE TABLE pad (id INTEGER PRIMARY KEY, data BLOB NOT NULL);`,
  },
];
