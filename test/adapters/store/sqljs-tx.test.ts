import { describe, expect, it } from 'vitest';
import { classifySql, firstKeyword } from '../../../src-main/adapters/store/sqljs-tx';

describe('firstKeyword', () => {
  it('skips whitespace and comments', () => {
    expect(firstKeyword('  select 1')).toBe('SELECT');
    expect(firstKeyword('-- note\n/* block */ insert into t values (1)')).toBe('INSERT');
    expect(firstKeyword('/* unterminated')).toBe('');
    expect(firstKeyword('')).toBe('');
  });
});

describe('classifySql', () => {
  it('treats SELECT, VALUES and EXPLAIN as read-only', () => {
    for (const sql of ['SELECT 1', 'values (1)', 'EXPLAIN QUERY PLAN SELECT 1']) {
      expect(classifySql(sql)).toEqual({ mutating: false, dml: false });
    }
  });

  it('treats DML (also behind WITH) as mutating with meaningful changes', () => {
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'update t set a = 1',
      'DELETE FROM t',
      'REPLACE INTO t VALUES (1)',
    ]) {
      expect(classifySql(sql)).toEqual({ mutating: true, dml: true });
    }
    expect(classifySql('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toEqual({
      mutating: true,
      dml: true,
    });
    expect(classifySql('WITH x AS (SELECT 1) SELECT * FROM x')).toEqual({ mutating: false, dml: false });
  });

  it('treats schema-introspection pragmas (no "=") as read-only', () => {
    for (const sql of ['PRAGMA table_info(setups)', 'pragma index_list( gateways );']) {
      expect(classifySql(sql)).toEqual({ mutating: false, dml: false });
    }
    for (const sql of ['PRAGMA table_info = 1', 'PRAGMA optimize', 'PRAGMA table_info(t); DELETE FROM t']) {
      expect(classifySql(sql).mutating).toBe(true);
    }
  });

  it('treats DDL, PRAGMA and anything unknown as mutating', () => {
    for (const sql of [
      'CREATE TABLE t (a)',
      'DROP TABLE t',
      'ALTER TABLE t ADD b',
      'PRAGMA user_version = 3',
    ]) {
      expect(classifySql(sql)).toEqual({ mutating: true, dml: false });
    }
  });

  it('refuses transaction control, ATTACH and VACUUM', () => {
    for (const sql of [
      'BEGIN',
      'COMMIT',
      'END',
      'ROLLBACK',
      'SAVEPOINT s',
      'RELEASE s',
      "ATTACH 'x' AS y",
      'VACUUM',
    ]) {
      expect(() => classifySql(sql)).toThrow(/not allowed in a Tx/);
    }
  });
});
