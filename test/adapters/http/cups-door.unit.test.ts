import { describe, expect, it } from 'vitest';
import { reasonPhrase } from '../../../src-main/adapters/http/cups-door';

describe('reasonPhrase', () => {
  it('keeps printable ASCII on one line, replaces the rest and caps the length', () => {
    expect(reasonPhrase('router: "1:::2" is not a valid ID6')).toBe('router: "1:::2" is not a valid ID6');
    expect(reasonPhrase('bad\r\nHeader: injected')).toBe('bad??Header: injected');
    expect(reasonPhrase('caf\u00e9 …')).toBe('caf? ?');
    expect(reasonPhrase('x'.repeat(300))).toHaveLength(120);
    expect(reasonPhrase('')).toBe('Error');
  });
});
