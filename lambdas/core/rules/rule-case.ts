/**
 * The shape of a rule case, and `defineCases`, which every `<rule-id>.cases.ts` calls. Test material:
 * only the cases files, the rule harness, the docs generator and tests import it, so the Lambda bundle
 * never carries a case.
 */
import type { LearningConfig } from '../baseline.js';
import type { Contract } from '../contracts.js';
import type { IdentityEvent } from '../identity-event.js';
import type { Severity, Thresholds } from './rule.js';

/** A rule case: events replayed through the engine from empty state; asserts the rule fires or not. */
export interface RuleCase {
  readonly name: string;
  /** Events in time order. Build them with the helpers in rules/test-events.ts. */
  readonly events: readonly IdentityEvent[];
  /** Whether the rule produces at least one finding over these events (a positive case's latest event must be one it matches). */
  readonly fires: boolean;
  /** When set (and `fires`), the severity of the first finding: pins severity escalations (root keys, cross-account…). */
  readonly severity?: Severity;
  /** Threshold overrides for this case. */
  readonly thresholds?: Thresholds;
  /** Contracts for this case (contract-violation). */
  readonly contracts?: readonly Contract[];
  /** Learning config for this case (to keep cases small). */
  readonly learning?: LearningConfig;
}

/** One rule's cases, as a `<rule-id>.cases.ts` file exports them. */
export interface RuleCases {
  /** The id of the rule the cases exercise (its file is `<ruleId>.ts`, the cases' `<ruleId>.cases.ts`). */
  readonly ruleId: string;
  readonly cases: readonly RuleCase[];
}

/**
 * A rule's cases with every event id derived from the case (`<rule-id>: <case name> #<index>`): the
 * same case always replays the same ids, whatever else was built before it, and a finding's event ids
 * name the case they came from.
 */
export function defineCases(ruleId: string, cases: readonly RuleCase[]): RuleCases {
  return {
    ruleId,
    cases: cases.map((c) => ({
      ...c,
      events: c.events.map((e, i) => ({ ...e, eventId: `${ruleId}: ${c.name} #${i}` })),
    })),
  };
}
