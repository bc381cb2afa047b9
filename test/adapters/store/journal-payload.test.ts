import { describe, expect, it } from 'vitest';
import {
  OP_FAILED_STATEMENT,
  OP_SCRIPT,
  OP_STATEMENT,
  PayloadBuilder,
  checkParams,
  decodePayload,
} from '../../../src-main/adapters/store/journal-payload';
import type { SqlValue } from '../../../src-main/core/ports';

describe('PayloadBuilder / decodePayload', () => {
  it('round-trips every SqlValue exactly', () => {
    const values: SqlValue[] = [
      'text',
      '',
      'ünï 😀 \u0000 \n "quoted"',
      '\ud800 lone surrogate',
      0,
      -1,
      2 ** 53 - 1,
      0.1 + 0.2,
      -1e-300,
      NaN,
      Infinity,
      -Infinity,
      null,
      new Uint8Array([]),
      new Uint8Array([0, 127, 128, 255]),
    ];
    const b = new PayloadBuilder();
    b.add(OP_STATEMENT, 'INSERT INTO t VALUES (?)', values);
    const decoded = decodePayload(b.encode(3));
    expect(decoded.generation).toBe(3);
    expect(decoded.statements).toHaveLength(1);
    const params = decoded.statements[0]!.params;
    expect(params).toHaveLength(values.length);
    values.forEach((v, i) => {
      if (v instanceof Uint8Array) expect(new Uint8Array(params[i] as Uint8Array)).toEqual(v);
      else expect(Object.is(params[i], v) || params[i] === v).toBe(true);
    });
  });

  it('copies blob parameters when added, so later changes by the caller are not journaled', () => {
    const blob = new Uint8Array([1, 2, 3]);
    const b = new PayloadBuilder();
    b.add(OP_STATEMENT, 'INSERT INTO t VALUES (?)', [blob]);
    blob[0] = 99;
    expect([...(decodePayload(b.encode(0)).statements[0]!.params[0] as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('keeps statement order and ops, storing each SQL text once', () => {
    const b = new PayloadBuilder();
    b.add(OP_SCRIPT, 'CREATE TABLE t (a); CREATE TABLE u (b)', []);
    b.add(OP_STATEMENT, 'INSERT INTO t VALUES (?)', [1]);
    b.add(OP_FAILED_STATEMENT, 'INSERT INTO t VALUES (?)', [2]);
    b.add(OP_STATEMENT, 'DELETE FROM u', []);
    const encoded = b.encode(0);
    expect(encoded.toString().split('INSERT INTO t').length - 1).toBe(1);
    expect(decodePayload(encoded).statements).toEqual([
      { op: OP_SCRIPT, sql: 'CREATE TABLE t (a); CREATE TABLE u (b)', params: [] },
      { op: OP_STATEMENT, sql: 'INSERT INTO t VALUES (?)', params: [1] },
      { op: OP_FAILED_STATEMENT, sql: 'INSERT INTO t VALUES (?)', params: [2] },
      { op: OP_STATEMENT, sql: 'DELETE FROM u', params: [] },
    ]);
  });

  it('encodes to JSON without control characters (the journal scan relies on it)', () => {
    const b = new PayloadBuilder();
    b.add(OP_STATEMENT, 'SELECT ?', ['\u0000\u0001\u001f\t\r\n']);
    expect([...b.encode(0)].every((byte) => byte >= 0x20)).toBe(true);
  });

  it('rejects malformed payloads', () => {
    const bad = [
      '[]',
      '{"g":0,"q":[],"s":[[0,5]]}',
      '{"g":0,"q":["x"],"s":[[7,0]]}',
      '{"g":0,"q":["x"],"s":[[0,0,{"z":1}]]}',
    ];
    for (const text of bad) expect(() => decodePayload(Buffer.from(text))).toThrow();
  });
});

describe('checkParams', () => {
  it('accepts SqlValues and names the first bad parameter', () => {
    expect(() => checkParams(['a', 1, null, new Uint8Array(1), Buffer.from('x')], 'SQL')).not.toThrow();
    expect(() => checkParams(['a', undefined], 'INSERT INTO t VALUES (?, ?)')).toThrow(
      /parameter 2 of "INSERT INTO t VALUES \(\?, \?\)" is undefined/,
    );
    expect(() => checkParams([true], 'x')).toThrow(/boolean/);
  });
});
