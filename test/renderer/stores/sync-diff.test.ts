import { describe, expect, it } from 'vitest';
import type { GatewayVersions } from '../../../src-shared/contract/sync-views';
import { versionRows } from '../../../src-renderer/stores/sync-diff';

const state = (
  lnsUri: string | null,
  lnsCrc: number | null = null,
): NonNullable<GatewayVersions['local']> => ({
  origin: 'batch',
  claimedAt: '2026-05-01T10:00:00.000Z',
  tokenGeneration: 0,
  tokenTarget: 0,
  setup:
    lnsUri === null
      ? null
      : {
          cupsUri: null,
          cupsCrc: null,
          lnsUri,
          lnsCrc,
          fwcrc: null,
          fwafter: null,
          updatedAt: '2026-05-01T11:00:00.000Z',
        },
});

describe('versionRows', () => {
  it('marks exactly the fields that differ between a local and a remote setup', () => {
    const rows = versionRows({
      gateway: '::1',
      local: state('ws://local.example:1887', 0x1234abcd),
      remote: state('ws://remote.example:1887', 0x1234abcd),
      remoteKnown: true,
      remoteChange: { kind: 'setup', at: '2026-05-01T11:00:00.000Z' },
      answer: null,
    });
    expect(rows.filter((r) => r.differs).map((r) => r.field)).toEqual(['lnsUri']);
    const lns = rows.find((r) => r.field === 'lnsUri')!;
    expect([lns.local, lns.remote]).toEqual(['ws://local.example:1887', 'ws://remote.example:1887']);
    expect(rows.find((r) => r.field === 'lnsCrc')!.local).toBe('0x1234ABCD');
  });

  it('shows a claim held here but by another owner there, every held field differing', () => {
    const rows = versionRows({
      gateway: '::1',
      local: state(null),
      remote: null,
      remoteKnown: false,
      remoteChange: null,
      answer: { code: 'claimed_by_other', error: '::1 is claimed by another owner' },
    });
    expect(rows[0]).toEqual({
      field: 'held',
      label: 'Held by this owner',
      local: 'yes',
      remote: 'no — claimed by another owner',
      differs: true,
    });
    expect(rows.find((r) => r.field === 'origin')).toMatchObject({
      local: 'batch',
      remote: '—',
      differs: true,
    });
    // no setup on either side: nothing to compare
    expect(rows.find((r) => r.field === 'lnsUri')).toMatchObject({ local: '—', remote: '—', differs: false });
  });
});
