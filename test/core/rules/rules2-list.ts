/** The rules this branch adds (the shared harness will cover them through rules/index.ts). */
import { contractViolation } from '../../../lambdas/core/rules/contract-violation';
import { dormantIdentity } from '../../../lambdas/core/rules/dormant-identity';
import { newAction } from '../../../lambdas/core/rules/new-action';
import { newSource } from '../../../lambdas/core/rules/new-source';
import { newUserAgent } from '../../../lambdas/core/rules/new-user-agent';
import { rateAnomaly } from '../../../lambdas/core/rules/rate-anomaly';
import type { DetectionRule } from '../../../lambdas/core/rules/rule';

export const RULES2: readonly DetectionRule[] = [
  newSource,
  newUserAgent,
  rateAnomaly,
  newAction,
  dormantIdentity,
  contractViolation,
];
