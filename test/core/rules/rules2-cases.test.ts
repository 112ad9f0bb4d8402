/**
 * Replays every case of the rules2 rules (new-source, new-user-agent, rate-anomaly, new-action,
 * dormant-identity, contract-violation) through the engine from empty state, as the shared rule
 * harness does, and pins the severity / discriminator of the cases where they are the point.
 */
import type { DetectionRule, RuleCase } from '../../../lambdas/core/rules/rule';
import { replay } from './replay-case';
import { dormantIdentity } from '../../../lambdas/core/rules/dormant-identity';
import { newAction } from '../../../lambdas/core/rules/new-action';
import { newSource } from '../../../lambdas/core/rules/new-source';
import { newUserAgent } from '../../../lambdas/core/rules/new-user-agent';
import { rateAnomaly } from '../../../lambdas/core/rules/rate-anomaly';
import { RULES2 } from './rules2-list';

const findCase = (rule: DetectionRule, prefix: string): RuleCase => {
  const c = rule.tests.find((t) => t.name.startsWith(prefix));
  if (!c) throw new Error(`${rule.id}: no case starting "${prefix}"`);
  return c;
};

describe.each(RULES2.map((r) => [r.id, r] as const))('%s cases', (_id, rule) => {
  it('has at least two positive and two negative cases', () => {
    expect(rule.tests.filter((t) => t.fires).length).toBeGreaterThanOrEqual(2);
    expect(rule.tests.filter((t) => !t.fires).length).toBeGreaterThanOrEqual(2);
  });
  it.each(rule.tests.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = replay(rule, c);
    expect(findings.length > 0).toBe(c.fires);
    for (const f of findings) {
      expect(f.summary.length).toBeGreaterThan(0);
      expect(f.evidence.length).toBeGreaterThan(0);
    }
  });
});

/** The same case with threshold overrides: shows a negative case is quiet for the reason it claims. */
const tuned = (c: RuleCase, thresholds: RuleCase['thresholds']): RuleCase => ({
  ...c,
  thresholds: { ...c.thresholds, ...thresholds },
});
const severities = (rule: DetectionRule, prefix: string) =>
  replay(rule, findCase(rule, prefix)).map((f) => f.severity);

describe('new-source', () => {
  it('rates a new country HIGH and names the new origin and the old ones', () => {
    const [f, ...rest] = replay(
      newSource,
      findCase(newSource, 'Lambda role (AWS only) then a call from DigitalOcean'),
    );
    expect(rest).toHaveLength(0);
    expect(f!.severity).toBe('HIGH');
    expect(f!.discriminator).toBe('country:NL');
    expect(f!.evidence[0]).toContain('AS14061 (DigitalOcean, LLC), NL');
    expect(f!.evidence[1]).toBe('ASNs seen before: AS14618 (Amazon) 320 calls');
  });
  it('rates a new ASN in a known country MEDIUM and a new network LOW', () => {
    expect(severities(newSource, 'CI role always on Azure')).toEqual(['MEDIUM']);
    expect(severities(newSource, 'on-prem service with fixed egress')).toEqual(['LOW']);
  });
  it('reports a roaming identity once the known-ASN cap is raised', () => {
    const c = findCase(newSource, 'API client used from many ISPs');
    expect(replay(newSource, tuned(c, { maxKnownAsns: 20 })).map((f) => f.discriminator)).toEqual([
      'asn:12322',
    ]);
  });
});

describe('new-user-agent', () => {
  it('rates human tools on a workload MEDIUM, attack tools HIGH, other new families LOW', () => {
    expect(severities(newUserAgent, 'Lambda role (SDK only) used with the AWS CLI')).toEqual(['MEDIUM']);
    expect(severities(newUserAgent, 'Lambda role used with a Kali Linux')).toEqual(['HIGH']);
    expect(severities(newUserAgent, 'workload with one stray CLI call')).toEqual(['MEDIUM']);
    expect(severities(newUserAgent, 'Node workload starts calling with boto3')).toEqual(['LOW']);
  });
  it('treats a stray class as significant when minClassShare is lowered (the browser is then only a new family)', () => {
    const c = findCase(newUserAgent, 'workload with one stray CLI call');
    expect(replay(newUserAgent, tuned(c, { minClassShare: 0.001 })).map((f) => f.severity)).toEqual(['LOW']);
  });
  it('reports the new CLI family of a human-operated role when new-family reports are on', () => {
    const c = findCase(newUserAgent, 'human-operated role');
    expect(replay(newUserAgent, tuned(c, { reportNewFamilies: true })).map((f) => f.discriminator)).toEqual([
      'ua:aws-powershell',
    ]);
  });
});

describe('rate-anomaly', () => {
  it('makes one finding per hour bucket whose count is the calls above the threshold', () => {
    const [f, ...rest] = replay(rateAnomaly, findCase(rateAnomaly, 'worker doing ~4 calls an hour'));
    expect(rest).toHaveLength(0);
    expect(f!.discriminator).toBe('hour:2026-03-11T14:00Z');
    expect(f!.count).toBe(300);
    expect(f!.evidence[0]).toMatch(/^101 calls so far in the hour from 2026-03-11T14:00Z .* threshold 100/);
  });
  it('fires for a job an hour late once the neighbouring-hour tolerance is off', () => {
    const c = findCase(rateAnomaly, 'nightly batch starts an hour late');
    expect(replay(rateAnomaly, tuned(c, { neighbourHours: 0 }))).toHaveLength(1);
  });
  it('fires for the 90-call hour when minCalls is lowered', () => {
    const c = findCase(rateAnomaly, 'a busy hour of 90 calls');
    expect(replay(rateAnomaly, tuned(c, { minCalls: 50 }))).toHaveLength(1);
  });
});

describe('new-action', () => {
  it('weighs sensitive actions HIGH, discovery MEDIUM, ordinary LOW', () => {
    expect(severities(newAction, 'worker role creates an access key')).toEqual(['HIGH']);
    expect(severities(newAction, 'worker role reads a secret')).toEqual(['HIGH']);
    expect(severities(newAction, 'worker role calls sts:GetCallerIdentity')).toEqual(['MEDIUM']);
    expect(severities(newAction, 'settled worker (no new action for 8 days)')).toEqual(['LOW']);
  });
  it('reports the deploy’s second new action once settleDays is shorter than the gap', () => {
    const c = findCase(newAction, 'deploy adds a write action two days after');
    expect(replay(newAction, tuned(c, { settleDays: 1 })).map((f) => f.discriminator)).toEqual([
      'action:dynamodb.amazonaws.com:UpdateItem',
    ]);
  });
  it('reports a new read-only action as INFORMATIONAL only when asked', () => {
    const c = findCase(newAction, 'settled worker reads a table with Query');
    expect(replay(newAction, tuned(c, { reportReadOnly: true })).map((f) => f.severity)).toEqual([
      'INFORMATIONAL',
    ]);
  });
  it('lowers a sensitive action one step when an AWS service made it on the identity’s behalf', () => {
    const c = findCase(newAction, 'CloudFormation creates a queue');
    const viaCfn = {
      ...c,
      events: [
        ...c.events.slice(0, -1),
        {
          ...c.events.at(-1)!,
          action: { name: 'iam.amazonaws.com:CreateRole', service: 'iam.amazonaws.com' },
        },
      ],
    };
    expect(replay(newAction, viaCfn).map((f) => f.severity)).toEqual(['MEDIUM']);
  });
});

describe('dormant-identity', () => {
  it('rates a silence of 90 days or more HIGH, shorter ones MEDIUM', () => {
    expect(severities(dormantIdentity, 'worker active for 8 days, silent 45 days')).toEqual(['MEDIUM']);
    expect(severities(dormantIdentity, 'setup role used 12 times')).toEqual(['HIGH']);
  });
  it('fires for the 29-day silence when dormantDays is 28, and for the monthly job when gapFactor is below 1', () => {
    expect(
      replay(dormantIdentity, tuned(findCase(dormantIdentity, 'silence of 29 days'), { dormantDays: 28 })),
    ).toHaveLength(1);
    expect(
      replay(
        dormantIdentity,
        tuned(findCase(dormantIdentity, 'monthly job with a 31-day cadence'), {
          dormantDays: 30,
          gapFactor: 0.5,
        }),
      ).length,
    ).toBeGreaterThan(0);
  });
});
