/**
 * What the ceremony wizard reads from a chosen file before sending it (docs/station-ui.md "HSM
 * token and the key ceremony"): the fingerprint of a transport.pub, the KCV and range a wrapped
 * file claims, and a clear problem for anything else — the station checks every file again.
 */
import { describe, expect, it } from 'vitest';
import { factsOf } from '../../../src-renderer/stores/ceremony-store';

describe('factsOf', () => {
  it('reads the fingerprint of a transport.pub', () => {
    const text = JSON.stringify({ format: 'gwjs-transport-key', version: 1, fingerprint: 'ab'.repeat(32) });
    expect(factsOf('t.pub', text, 'transport')).toEqual({
      name: 't.pub',
      text,
      fingerprint: 'ab'.repeat(32),
      kcv: null,
      range: null,
      problem: null,
    });
  });

  it('reads the KCV, range and transport key a wrapped file claims', () => {
    const text = JSON.stringify({
      format: 'gwjs-wrapped-root-key',
      kcv: '1CCE9B',
      transportKey: 'cd'.repeat(32),
      batch: { id: 'b1', first: '0:ff:fe00:0', last: '0:ff:fe00:ffff' },
    });
    expect(factsOf('b.wrapped', text, 'wrapped')).toMatchObject({
      kcv: '1CCE9B',
      fingerprint: 'cd'.repeat(32),
      range: '0:ff:fe00:0 … 0:ff:fe00:ffff',
      problem: null,
    });
  });

  it('names the problem of a file of the wrong kind or not JSON', () => {
    const pub = JSON.stringify({ format: 'gwjs-transport-key' });
    expect(factsOf('x', pub, 'wrapped').problem).toBe(
      'This is not a wrapped key file (format gwjs-wrapped-root-key).',
    );
    expect(factsOf('x', 'PK\u0003\u0004', 'transport').problem).toBe(
      'This file is not JSON: not a ceremony file.',
    );
  });
});
