import { describe, expect, it } from 'vitest';
import { columnIndex, isHeaderRow, parseDelimited } from '../../../src-renderer/stores/csv';

describe('parseDelimited', () => {
  it('detects commas, semicolons and tabs, and keeps 1-based line numbers', () => {
    expect(parseDelimited('a,b\n\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['c', 'd'] },
    ]);
    expect(parseDelimited('a;b\r\nc;d')[1]).toEqual({ line: 2, fields: ['c', 'd'] });
    expect(parseDelimited('a\tb')[0]!.fields).toEqual(['a', 'b']);
  });

  it('splits on whitespace when no delimiter appears, and skips # comments and a BOM', () => {
    expect(parseDelimited('\uFEFF# list\n1::2   ABCD-EFGH\n')).toEqual([
      { line: 2, fields: ['1::2', 'ABCD-EFGH'] },
    ]);
  });

  it('honours double quotes, including doubled quotes and delimiters inside them', () => {
    expect(parseDelimited('"a,1","say ""hi""",c')[0]!.fields).toEqual(['a,1', 'say "hi"', 'c']);
  });

  it('keeps the colons of ids when commas separate the fields', () => {
    expect(parseDelimited('00:00:00:ff:fe:00:0a:bc,6CVHEQSA')[0]!.fields).toEqual([
      '00:00:00:ff:fe:00:0a:bc',
      '6CVHEQSA',
    ]);
  });
});

describe('isHeaderRow / columnIndex', () => {
  it('recognizes column titles and finds columns by name', () => {
    const [header] = parseDelimited('PIN,Gateway');
    expect(isHeaderRow(header!)).toBe(true);
    expect(columnIndex(header, /^gateway$/i, 0)).toBe(1);
    expect(columnIndex(header, /^pin$/i, 1)).toBe(0);
    expect(columnIndex(undefined, /^pin$/i, 1)).toBe(1);
    expect(isHeaderRow(parseDelimited('1::2,ABCDEFGH')[0]!)).toBe(false);
  });
});
