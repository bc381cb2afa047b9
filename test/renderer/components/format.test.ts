import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatCrc,
  formatDetail,
  outcomeLabel,
  outcomeTone,
} from '../../../src-renderer/components/format';

describe('formatDetail', () => {
  it('writes nested audit details as words, with CRCs in hex and no JSON', () => {
    const text = formatDetail({
      fields: ['lnsUri', 'lnsKey'],
      cups: { uri: null, mode: 'none', crc: null },
      lns: { uri: 'wss://l:1', mode: 'token', crc: 2069356526 },
      note: '',
    });
    expect(text).toBe(
      'fields: lnsUri, lnsKey · cups: mode none · lns: uri wss://l:1, mode token, crc 0x7B57DFEE',
    );
    expect(text).not.toMatch(/[{}"]/);
  });
});

describe('formatAge / formatCrc / outcomeTone', () => {
  it('formats ages, CRCs and outcome colours', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatAge('2026-01-01T00:09:30Z', now)).toBe('30 s ago');
    expect(formatAge('2026-01-01T00:00:00Z', now)).toBe('10 min ago');
    expect(formatAge(null, now)).toBe('—');
    expect(formatCrc(2077607535)).toBe('0x7BD5C66F');
    expect(outcomeTone('ok')).toBe('ok');
    expect(outcomeTone('not_configured')).toBe('warn');
    expect(outcomeTone('unauthorized')).toBe('err');
    expect(outcomeTone('claim.ok')).toBe('ok');
    expect(outcomeTone('claim.bad_claim')).toBe('err');
    expect(outcomeLabel('claim.bad_claim')).toBe('claim: bad claim');
  });
});
