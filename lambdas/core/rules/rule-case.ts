/**
 * The shape of a rule case, and `defineCases`, which every `<rule-id>.cases.ts` calls. Test material:
 * only the cases files, the rule harness, the docs generator and tests import it, so the Lambda bundle
 * never carries a case.
 */
import type { LearningConfig } from '../baseline.js';
import type { Contract } from '../contracts.js';
import type { IdentityEvent } from '../identity-event.js';
import { normaliseRecord, type CaseRecord } from './raw-records.js';
import type { Severity, Thresholds } from './rule.js';

/** A rule case: events replayed through the engine from empty state; asserts the rule fires or not. */
export interface RuleCase {
  readonly name: string;
  /** Events in time order. Build them with the helpers in rules/test-events.ts, or give `log`. */
  readonly events: readonly IdentityEvent[];
  /** When set, the raw records (rules/raw-records.ts) the events were normalised from, one event each. */
  readonly log?: readonly CaseRecord[];
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

/** A case as written: events, or raw records (`log`) that `defineCases` runs through the production normalisers. */
export type CaseInput = Omit<RuleCase, 'events' | 'log'> &
  ({ readonly events: readonly IdentityEvent[] } | { readonly log: readonly CaseRecord[] });

/** One rule's cases, as a `<rule-id>.cases.ts` file exports them. */
export interface RuleCases {
  /** The id of the rule the cases exercise (its file is `<ruleId>.ts`, the cases' `<ruleId>.cases.ts`). */
  readonly ruleId: string;
  readonly cases: readonly RuleCase[];
}

/**
 * A rule's cases, raw records normalised, with every event id derived from the case
 * (`<rule-id>: <case name> #<index>`): the same case always replays the same ids, whatever else was
 * built before it, and a finding's event ids name the case they came from.
 */
export function defineCases(ruleId: string, cases: readonly CaseInput[]): RuleCases {
  return {
    ruleId,
    cases: cases.map((c) => {
      const events = 'log' in c ? c.log.map(normaliseRecord) : c.events;
      return { ...c, events: events.map((e, i) => ({ ...e, eventId: `${ruleId}: ${c.name} #${i}` })) };
    }),
  };
}
