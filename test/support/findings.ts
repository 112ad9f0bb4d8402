/**
 * Real findings for output tests: events built with the rule-case helpers are run through the
 * engine with a one-off rule, so every field is filled exactly as the engine fills it.
 */
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { DetectionRule, RuleMatch } from '../../lambdas/core/rules/rule';
import { ev, type EventOverrides } from '../../lambdas/core/rules/test-events';

/** A rule that fires on every event with `match`; metadata overridable. */
export function alwaysRule(match: RuleMatch, meta: Partial<DetectionRule> = {}): DetectionRule {
  return {
    id: 'credential-replay',
    title: 'Credential used from two unrelated origins',
    severity: 'HIGH',
    asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/User'],
    references: ['OWASP-NHI:NHI2', 'NIST-CSF-2.0:DE.CM-03', 'MITRE:T1550.001'],
    falsePositives: [],
    runbook:
      'Confirm with the workload owner; if unexplained, revoke the sessions of the role and rotate what issued them.',
    defaults: {},
    needsLearning: false,
    detect: () => match,
    ...meta,
  };
}

const DEFAULT_MATCH: RuleMatch = {
  discriminator: 'AS14061',
  summary: 'Session key ASIAEXAMPLEWORKER001 used from AS14061 (DigitalOcean) while the role runs in AWS',
  evidence: [
    'first call from AS14061 (DigitalOcean, NL)',
    'seen before: AS14618 (Amazon) only, 320 calls over 8 days',
  ],
};

type Loose<T> = { [K in keyof T]?: T[K] | undefined };
/** Event overrides where `undefined` removes a default (an identity without a session name, an origin without an ASN). */
export interface LooseOverrides extends Omit<
  EventOverrides,
  'identity' | 'credential' | 'origin' | 'action' | 'outcome'
> {
  readonly identity?: Loose<NonNullable<EventOverrides['identity']>>;
  readonly credential?: Loose<NonNullable<EventOverrides['credential']>>;
  readonly origin?: Loose<NonNullable<EventOverrides['origin']>>;
  readonly action?: Loose<NonNullable<EventOverrides['action']>>;
  readonly outcome?: Loose<NonNullable<EventOverrides['outcome']>>;
}

/** Findings the engine produces for `events` (each an override of the default workload event). */
export function findingsFor(
  events: readonly LooseOverrides[],
  match: Partial<RuleMatch> = {},
  meta: Partial<DetectionRule> = {},
): Finding[] {
  const rule = alwaysRule({ ...DEFAULT_MATCH, ...match }, meta);
  return evaluate({
    batchId: 'test-batch',
    events: events.map((o) => ev(o)),
    state: new Map(),
    rules: [rule],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  }).findings;
}

/** One finding from one event. */
export function findingFor(
  event: LooseOverrides = {},
  match: Partial<RuleMatch> = {},
  meta: Partial<DetectionRule> = {},
): Finding {
  const [f] = findingsFor([event], match, meta);
  if (!f) throw new Error('the one-off rule produced no finding');
  return f;
}
