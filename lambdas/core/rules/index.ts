/** Every detection rule of the catalogue, in DESIGN §5 order. The engine, the CLI and the harness read this list. */
import { accessDeniedBurst } from './access-denied-burst.js';
import { authFailureBurst } from './auth-failure-burst.js';
import { contractViolation } from './contract-violation.js';
import { credentialReplay } from './credential-replay.js';
import { credentialStuffing } from './credential-stuffing.js';
import { dormantIdentity } from './dormant-identity.js';
import { chainReplay } from './chain-replay.js';
import { lateralMovement } from './lateral-movement.js';
import { longLivedCredential } from './long-lived-credential.js';
import { newAction } from './new-action.js';
import { newFederatedSubject } from './new-federated-subject.js';
import { newSource } from './new-source.js';
import { newUserAgent } from './new-user-agent.js';
import { rateAnomaly } from './rate-anomaly.js';
import type { DetectionRule, Thresholds } from './rule.js';
import { sensitiveAction } from './sensitive-action.js';
import { sensitiveReadBreadth } from './sensitive-read-breadth.js';
import { successAfterFailures } from './success-after-failures.js';

/** The catalogue: v1 rules, then the day-one rules of v2. */
export const RULES: readonly DetectionRule[] = [
  authFailureBurst,
  credentialStuffing,
  successAfterFailures,
  credentialReplay,
  newSource,
  newUserAgent,
  rateAnomaly,
  newAction,
  accessDeniedBurst,
  lateralMovement,
  newFederatedSubject,
  chainReplay,
  dormantIdentity,
  longLivedCredential,
  contractViolation,
  sensitiveAction,
  sensitiveReadBreadth,
];

/** The catalogue's rule ids, for configuration checks (`knownRuleIds`) and the CLI: derived here, once. */
export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);

/** Every rule's threshold defaults by rule id, for configuration checks (`ruleDefaults`): derived here, once. */
export const RULE_DEFAULTS: Readonly<Record<string, Thresholds>> = Object.fromEntries(
  RULES.map((r) => [r.id, r.defaults]),
);
