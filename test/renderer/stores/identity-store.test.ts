import { describe, expect, it } from 'vitest';
import { analyzeId, useIdentity } from '../../../src-renderer/stores/identity-store';

describe('analyzeId', () => {
  it('shows the SPEC §1.3 vectors side by side', () => {
    const a = analyzeId('00:00:00:00:0a:bc');
    expect(a).toMatchObject({
      ok: true,
      id6: '0:ff:fe00:abc',
      eui64: '00-00-00-FF-FE-00-0A-BC',
      fromMac: true,
    });
    const b = analyzeId('58-A0-CB-FF-FE-80-01-02');
    expect(b).toMatchObject({ ok: true, id6: '58a0:cbff:fe80:102', mac: '58:A0:CB:80:01:02', warnings: [] });
  });

  it('flags locally administered MACs (bit 0x02 of the first byte)', () => {
    const a = analyzeId('da:a1:19:12:34:56');
    expect(a.ok && a.warnings.map((w) => w.kind)).toContain('locally-administered');
  });

  it('explains the FFFE/euiprefix pitfall when the top 16 bits are zero', () => {
    const a = analyzeId('::1:2');
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    const w = a.warnings.find((x) => x.kind === 'fffe-pitfall');
    expect(w?.text).toContain('euiprefix');
    // ::1:2 = 00-00-00-00-00-01-00-02: the station inserts FFFE after 00-00-00 → 0:ff:fe01:2
    expect(w?.text).toContain('0:ff:fe01:2');
  });

  it('says why an input is rejected, in plain words', () => {
    expect(analyzeId('')).toEqual({ ok: false, empty: true, error: '' });
    expect(analyzeId(' ::1')).toMatchObject({ ok: false, error: expect.stringContaining('spaces') });
    expect(analyzeId('0x1234')).toMatchObject({ ok: false, error: expect.stringContaining('0x') });
    expect(analyzeId('::')).toMatchObject({ ok: false, error: expect.stringContaining('::0') });
    expect(analyzeId('00-00-00-00-00-00-01')).toMatchObject({
      ok: false,
      error: expect.stringContaining('7 bytes'),
    });
    expect(analyzeId('00-00:00-00-00-00-00-01')).toMatchObject({
      ok: false,
      error: expect.stringContaining('mix'),
    });
    expect(analyzeId('1:::2').ok).toBe(false);
  });
});

describe('useIdentity', () => {
  it('keeps the checked ids, newest first and without repeats', () => {
    const s = useIdentity.getState();
    s.setInput('::1');
    s.keep();
    s.setInput('0:0:0:1');
    s.keep();
    s.setInput('1::');
    s.keep();
    expect(useIdentity.getState().history).toEqual([
      { input: '1::', id6: '1::' },
      { input: '0:0:0:1', id6: '::1' },
    ]);
  });
});
