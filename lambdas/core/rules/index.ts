/** Every detection rule of the catalogue, in DESIGN §5 order. The engine, the CLI and the harness read this list. */
import { contractViolation } from './contract-violation.js';
import { dormantIdentity } from './dormant-identity.js';
import { newAction } from './new-action.js';
import { newSource } from './new-source.js';
import { newUserAgent } from './new-user-agent.js';
import { rateAnomaly } from './rate-anomaly.js';
import type { DetectionRule } from './rule.js';

/** The v1 catalogue. */
export const RULES: readonly DetectionRule[] = [
  newSource,
  newUserAgent,
  rateAnomaly,
  newAction,
  dormantIdentity,
  contractViolation,
];
