/** Findings about people are titled as human identities; workloads keep "Non-human identity". */
import { evaluate, DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import { ContractSet } from '../../lambdas/core/contracts';
import { isHumanCall, titleForCall } from '../../lambdas/core/identity-title';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import { ROOT, UA, at, ev, iamUser } from '../../lambdas/core/rules/test-events';

const everyCall: DetectionRule = {
  id: 'every-call',
  title: 'Non-human identity made a call',
  severity: 'LOW',
  asffTypes: ['Unusual Behaviors/User'],
  references: ['MITRE:T1078'],
  falsePositives: [],
  runbook: 'none',
  defaults: {},
  needsLearning: false,
  detect: () => ({ discriminator: 'x', summary: 's', evidence: ['e'] }),
};

const titleOf = (e: ReturnType<typeof ev>): string =>
  evaluate({
    batchId: 'b1',
    events: [e],
    state: new Map(),
    rules: [everyCall],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  }).findings[0]!.title;

describe('human identity titles', () => {
  it('titles an IAM user in a console session, root and an SSO user as human identities', () => {
    expect(
      titleOf(ev({ timeMs: at(0, 1), identity: iamUser('alice'), credential: { kind: 'console-session' } })),
    ).toBe('Human identity made a call');
    expect(titleOf(ev({ timeMs: at(0, 1), identity: ROOT }))).toBe('Human identity made a call');
    expect(
      titleOf(
        ev({
          timeMs: at(0, 1),
          identity: { key: 'aws:123456789012:sso/alice', kind: 'identity-center', name: 'alice' },
        }),
      ),
    ).toBe('Human identity made a call');
    expect(
      isHumanCall(ev({ identity: iamUser('bob'), credential: { kind: 'session-key', isMfa: true } })),
    ).toBe(true);
  });

  it('keeps "Non-human identity" for a workload role and an IAM user running an SDK', () => {
    expect(titleOf(ev({ timeMs: at(0, 1) }))).toBe('Non-human identity made a call');
    expect(
      isHumanCall(
        ev({
          identity: iamUser('ci-deployer'),
          credential: { kind: 'long-lived-key' },
          origin: UA.boto3Server,
        }),
      ),
    ).toBe(false);
    expect(titleForCall('Credential used from two origins', ev({ identity: ROOT }))).toBe(
      'Credential used from two origins',
    );
  });
});
