import { describe, expect, it } from 'vitest';
import { nextUnitState, type UnitStep } from '../../../src-main/core/factory-line/unit-state';
import type { UnitState } from '../../../src-shared/factory-channels';

const STATES: (UnitState | null)[] = [null, 'personalized', 'printed', 'verified', 'blocked'];
const STEPS: Record<string, UnitStep> = {
  personalize: { kind: 'personalize' },
  'personalize+reason': { kind: 'personalize', reason: 'flash failed' },
  print: { kind: 'print' },
  'print+reason': { kind: 'print', reason: 'smudged' },
  'verify ok': { kind: 'verify', match: true },
  'verify mismatch': { kind: 'verify', match: false },
};

/** Expected outcome per (state, step): next state and event, or 'conflict'. */
const TABLE: Record<string, Record<string, string>> = {
  none: {
    personalize: 'personalized/personalized',
    'personalize+reason': 'personalized/personalized',
    print: 'conflict',
    'print+reason': 'conflict',
    'verify ok': 'conflict',
    'verify mismatch': 'conflict',
  },
  personalized: {
    personalize: 'conflict',
    'personalize+reason': 'personalized/repersonalized',
    print: 'printed/printed',
    'print+reason': 'printed/printed',
    'verify ok': 'verified/verified',
    'verify mismatch': 'blocked/mismatch',
  },
  printed: {
    personalize: 'conflict',
    'personalize+reason': 'personalized/repersonalized',
    print: 'conflict',
    'print+reason': 'printed/reprinted',
    'verify ok': 'verified/verified',
    'verify mismatch': 'blocked/mismatch',
  },
  verified: {
    personalize: 'conflict',
    'personalize+reason': 'personalized/repersonalized',
    print: 'conflict',
    'print+reason': 'printed/reprinted',
    'verify ok': 'conflict',
    'verify mismatch': 'conflict',
  },
  blocked: {
    personalize: 'conflict',
    'personalize+reason': 'personalized/repersonalized',
    print: 'conflict',
    'print+reason': 'conflict',
    'verify ok': 'conflict',
    'verify mismatch': 'conflict',
  },
};

describe('nextUnitState', () => {
  for (const state of STATES) {
    for (const [name, step] of Object.entries(STEPS)) {
      const want = TABLE[state ?? 'none']![name]!;
      it(`${state ?? 'none'} + ${name} → ${want}`, () => {
        if (want === 'conflict') {
          expect(() => nextUnitState(state, step, '::1')).toThrow(
            expect.objectContaining({ code: 'conflict' }),
          );
        } else {
          const t = nextUnitState(state, step, '::1');
          expect(`${t.state}/${t.event}`).toBe(want);
        }
      });
    }
  }

  it('does not take a blank reason for one', () => {
    expect(() => nextUnitState('verified', { kind: 'personalize', reason: '   ' }, '::1')).toThrow(
      /needs a reason/,
    );
    expect(() => nextUnitState('blocked', { kind: 'print', reason: 'x' }, '::1')).toThrow(/blocked/);
  });
});
