/**
 * The life of one unit on the factory line (docs/factory-line.md), as a pure transition table:
 *
 * ```
 *   (none) ──personalize──▶ personalized ──print──▶ printed ──verify ok──▶ verified
 *                               │                      │
 *                               └──────verify──────────┴──verify mismatch──▶ blocked
 *   any state ──personalize + reason──▶ personalized   (re-personalization, audited)
 *   printed | verified ──print + reason──▶ printed     (reprint: the new label is verified again)
 * ```
 * A blocked unit leaves its state only through re-personalization with a reason. The line service
 * applies these rules inside the transaction that records the step, so two stations cannot both
 * take a unit through the same step.
 */
import { DomainError } from '../../../src-shared/errors';
import type { UnitState } from '../../../src-shared/factory-channels';

/** A step the line asks a unit to take. */
export type UnitStep =
  | { kind: 'personalize'; reason?: string | undefined }
  | { kind: 'print'; reason?: string | undefined }
  | { kind: 'verify'; match: boolean };

/** The unit's next state and the history event name of the step. */
export interface UnitTransition {
  state: UnitState;
  event: 'personalized' | 'repersonalized' | 'printed' | 'reprinted' | 'verified' | 'mismatch';
}

const hasReason = (r: string | undefined): r is string => typeof r === 'string' && r.trim().length >= 3;

/**
 * Applies `step` to a unit in `current` (null = never personalized), naming the gateway `who` in
 * errors.
 * @throws DomainError('conflict') when the step is not allowed from `current`; the message says what
 * the operator can do instead.
 */
export function nextUnitState(current: UnitState | null, step: UnitStep, who: string): UnitTransition {
  switch (step.kind) {
    case 'personalize':
      if (current === null) return { state: 'personalized', event: 'personalized' };
      if (!hasReason(step.reason)) {
        throw new DomainError(
          'conflict',
          `gateway ${who} is already personalized (${current}); personalizing it again needs a reason`,
          { state: current },
        );
      }
      return { state: 'personalized', event: 'repersonalized' };
    case 'print':
      if (current === null) {
        throw new DomainError(
          'conflict',
          `gateway ${who} is not personalized yet: scan it on the line first`,
        );
      }
      if (current === 'blocked') {
        throw new DomainError(
          'conflict',
          `gateway ${who} is blocked (its label did not match): personalize it again with a reason`,
          { state: current },
        );
      }
      if (current === 'personalized') return { state: 'printed', event: 'printed' };
      if (!hasReason(step.reason)) {
        throw new DomainError(
          'conflict',
          `gateway ${who} already has a label (${current}); a reprint needs a reason`,
          {
            state: current,
          },
        );
      }
      return { state: 'printed', event: 'reprinted' };
    case 'verify':
      if (current === null) {
        throw new DomainError('conflict', `gateway ${who} is not personalized: there is no label to verify`);
      }
      if (current === 'verified') {
        throw new DomainError('conflict', `gateway ${who} is already verified`, { state: current });
      }
      if (current === 'blocked') {
        throw new DomainError(
          'conflict',
          `gateway ${who} is blocked: personalize it again with a reason before verifying a new label`,
          { state: current },
        );
      }
      return step.match ? { state: 'verified', event: 'verified' } : { state: 'blocked', event: 'mismatch' };
  }
}
