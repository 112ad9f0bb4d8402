/**
 * Every rule's cases by rule id: what the rule harness replays and docs/RULES.md lists. Test material
 * (no production module imports it), so the Lambda bundle carries no case.
 */
import { accessDeniedBurstCases } from './access-denied-burst.cases.js';
import { authFailureBurstCases } from './auth-failure-burst.cases.js';
import { contractViolationCases } from './contract-violation.cases.js';
import { credentialReplayCases } from './credential-replay.cases.js';
import { credentialStuffingCases } from './credential-stuffing.cases.js';
import { dormantIdentityCases } from './dormant-identity.cases.js';
import { chainReplayCases } from './chain-replay.cases.js';
import { lateralMovementCases } from './lateral-movement.cases.js';
import { longLivedCredentialCases } from './long-lived-credential.cases.js';
import { newActionCases } from './new-action.cases.js';
import { newFederatedSubjectCases } from './new-federated-subject.cases.js';
import { newSourceCases } from './new-source.cases.js';
import { newUserAgentCases } from './new-user-agent.cases.js';
import { rateAnomalyCases } from './rate-anomaly.cases.js';
import { sensitiveActionCases } from './sensitive-action.cases.js';
import { sensitiveReadBreadthCases } from './sensitive-read-breadth.cases.js';
import { successAfterFailuresCases } from './success-after-failures.cases.js';
import type { RuleCase, RuleCases } from './rule-case.js';

/** The cases files, in catalogue order. */
const ALL: readonly RuleCases[] = [
  authFailureBurstCases,
  credentialStuffingCases,
  successAfterFailuresCases,
  credentialReplayCases,
  newSourceCases,
  newUserAgentCases,
  rateAnomalyCases,
  newActionCases,
  accessDeniedBurstCases,
  lateralMovementCases,
  newFederatedSubjectCases,
  chainReplayCases,
  dormantIdentityCases,
  longLivedCredentialCases,
  contractViolationCases,
  sensitiveActionCases,
  sensitiveReadBreadthCases,
];

/** Cases by rule id. */
export const RULE_CASES: ReadonlyMap<string, readonly RuleCase[]> = new Map(
  ALL.map((c) => [c.ruleId, c.cases]),
);

/** The cases of rule `ruleId` (a rule without a cases file is a programmer error the harness reports). */
export function casesOf(ruleId: string): readonly RuleCase[] {
  const cases = RULE_CASES.get(ruleId);
  if (cases === undefined)
    throw new Error(`rule ${ruleId} has no cases file (lambdas/core/rules/${ruleId}.cases.ts)`);
  return cases;
}
