import { calls, formatTime } from '../baseline-facts.js';
import { breadthKey, distinctWith, type BreadthGroup } from '../breadth.js';
import { describeOrigin, duration, listBounded } from './evidence.js';
import { num, type DetectionRule, type RuleCase } from './rule.js';
import { isServiceLinkedRole } from './sensitive-action.js';
import {
  T0,
  UA,
  at,
  ev,
  history,
  iamUser,
  inTimeOrder,
  outsideAws,
  sensitiveCall,
  type EventOverrides,
} from './test-events.js';

const WHAT: Record<BreadthGroup, string> = {
  secrets: 'distinct secrets, decrypted parameters, user data or password reads',
  discovery: 'distinct discovery calls (List / Describe, IAM and Organizations Get)',
};

/**
 * Harvesting and discovery by success, not only by denial: an identity reading far more distinct
 * secrets, or calling far more distinct discovery APIs, within minutes than it ever did.
 */
export const sensitiveReadBreadth: DetectionRule = {
  id: 'sensitive-read-breadth',
  title: 'Non-human identity reading secrets or enumerating far beyond its habit',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Credential Access', 'TTPs/Discovery', 'Unusual Behaviors/User'],
  references: [
    'OWASP-NHI:NHI2',
    'OWASP-NHI:NHI5',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1555.006',
    'MITRE:T1552.005',
    'MITRE:T1087.004',
    'MITRE:T1580',
  ],
  falsePositives: [
    'A job that loads every secret of an application at start-up fires LOW the first time; its burst is then its habit (peakFactor) and later start-ups of the same width are quiet.',
    'Inventory and security scanners enumerate widely by design; they usually run as service-linked roles (ignored) or with infrastructure-as-code agents (ignored); suppress others by identity.',
    'People in the console make many Describe calls per page: console, browser and SSO sessions are not judged.',
  ],
  runbook:
    'List what was read in the evidence: secrets read by an identity that does not use them are exposed — rotate each one and revoke the identity’s sessions; for discovery, look for what the identity did next (sensitive-action, new-action findings) and contain it the same way.',
  defaults: {
    /** Distinct sensitive reads within the breadth window (limits.breadthWindowSeconds, 10 minutes) that can be harvesting. */
    minDistinctSecrets: 10,
    /** Distinct discovery calls within the breadth window that can be enumeration. */
    minDistinctDiscovery: 15,
    /** The burst must exceed the identity's widest earlier burst by this factor. */
    peakFactor: 2,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const bk = breadthKey(event);
    if (bk === undefined) return undefined;
    if (isServiceLinkedRole(event)) return undefined;
    const t = ctx.thresholds;
    const b = ctx.baseline;
    const windowSeconds = ctx.limits.breadthWindowSeconds;
    const width = distinctWith(b.reads, bk.group, bk.key, event.timeMs, windowSeconds);
    const min = num(t, bk.group === 'secrets' ? 'minDistinctSecrets' : 'minDistinctDiscovery');
    if (width < min) return undefined;
    const peak = b.readPeaks?.[bk.group];
    const isNewBurst = peak === undefined || event.timeMs - peak.s > windowSeconds * 1000;
    const before = peak === undefined ? 0 : isNewBurst ? Math.max(peak.p, peak.c) : peak.p;
    if (width <= before * num(t, 'peakFactor')) return undefined;

    const who = event.identity.name ?? event.identity.key;
    const from = event.timeMs - windowSeconds * 1000;
    const recent = (b.reads ?? [])
      .filter((e) => e.g === bk.group && e.t > from)
      .map((e) => e.k.split('|').slice(0, 2).join(' '));
    const evidence = [
      `${width} ${WHAT[bk.group]} within ${duration(windowSeconds * 1000)} (at least ${min} count): ${listBounded([...recent, bk.key.split('|').slice(0, 2).join(' ')])}`,
      before > 0
        ? `widest earlier burst of ${who}: ${before} within ${duration(windowSeconds * 1000)} (this one must exceed ${num(t, 'peakFactor')}×)`
        : `${who} never made such reads in a burst before`,
      b.eventCount > 0
        ? `history: ${calls(b.eventCount)} since ${formatTime(b.firstSeenMs)}${ctx.isLearned ? '' : ' (still learning)'}`
        : `${who} is new: this burst is its first activity`,
    ];
    if (event.outcome.authz === 'denied')
      evidence.push('this call was denied; the burst counts attempts as well as reads');
    evidence.push(`from ${describeOrigin(event)}`);
    return {
      discriminator: `breadth:${bk.group}`,
      summary:
        bk.group === 'secrets'
          ? `${who} read ${width} distinct secrets within ${duration(windowSeconds * 1000)}`
          : `${who} made ${width} distinct discovery calls within ${duration(windowSeconds * 1000)}`,
      evidence,
      severity: ctx.isLearned && before > 0 ? 'MEDIUM' : 'LOW',
    };
  },
  get tests(): readonly RuleCase[] {
    return cases();
  },
};

const readSecret = (timeMs: number, i: number, base: EventOverrides = {}) =>
  ev({
    ...base,
    timeMs,
    action: {
      ...sensitiveCall('secretsmanager.amazonaws.com', 'GetSecretValue', { secretId: `prod/app-${i}` }),
      resource: `prod/app-${i}`,
    },
  });
const secrets = (startMs: number, n: number, base: EventOverrides = {}) =>
  Array.from({ length: n }, (_, i) => readSecret(startMs + i * 20_000, i, base));
const DO_DROPLET = outsideAws('198.51.100.44', 14061, 'DigitalOcean, LLC', 'NL');
const newUser: EventOverrides = {
  identity: iamUser('svc-reporting'),
  credential: { id: 'AKIAEXAMPLEREPORTING', kind: 'long-lived-key' },
  origin: { ...DO_DROPLET, ...UA.awsCli },
};
const DISCOVERY = [
  'iam:ListUsers',
  'iam:ListRoles',
  'iam:ListPolicies',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListAccessKeys',
  'iam:ListGroups',
  'iam:GetUser',
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'ec2:DescribeInstances',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcs',
  'ec2:DescribeSnapshots',
  's3:ListBuckets',
  'lambda:ListFunctions',
  'rds:DescribeDBInstances',
  'secretsmanager:ListSecrets',
  'ssm:DescribeParameters',
  'kms:ListKeys',
  'sts:GetCallerIdentity',
];
const discovery = (startMs: number, n: number, base: EventOverrides) =>
  DISCOVERY.slice(0, n).map((a, i) => {
    const [svc, api] = a.split(':') as [string, string];
    return ev({
      ...base,
      timeMs: startMs + i * 9_000,
      action: { name: `${svc}.amazonaws.com:${api}`, isReadOnly: true },
    });
  });

function cases(): RuleCase[] {
  return [
    {
      name: 'a brand-new workload reads twelve distinct secrets within four minutes',
      events: secrets(T0, 12),
      fires: true,
      severity: 'LOW',
    },
    {
      name: 'a learned worker that reads two secrets a day reads fourteen in five minutes',
      events: inTimeOrder(
        history(),
        Array.from({ length: 8 }, (_, d) => secrets(at(d, 7), 2)).flat(),
        secrets(at(8, 14), 14),
      ),
      fires: true,
      severity: 'MEDIUM',
    },
    {
      name: 'nine distinct secrets stay below minDistinctSecrets',
      events: secrets(T0, 9),
      fires: false,
    },
    {
      name: 'with minDistinctSecrets 8, nine distinct secrets are harvesting',
      events: secrets(T0, 9),
      thresholds: { minDistinctSecrets: 8 },
      fires: true,
    },
    {
      name: 'a job whose start-up read six secrets yesterday reads eleven today: within twice its habit',
      events: [...secrets(T0, 6), ...secrets(at(1), 11)],
      fires: false,
    },
    {
      name: 'with peakFactor 1, eleven after six is beyond the habit',
      events: [...secrets(T0, 6), ...secrets(at(1), 11)],
      thresholds: { peakFactor: 1 },
      fires: true,
    },
    {
      name: 'the same secret read fifty times is one read',
      events: Array.from({ length: 50 }, (_, i) => readSecret(T0 + i * 5_000, 1)),
      fires: false,
    },
    {
      name: 'a new IAM user enumerates IAM, Organizations and EC2 from a hosting provider with the CLI',
      events: discovery(T0, 18, newUser),
      fires: true,
    },
    {
      name: 'with minDistinctDiscovery 20, eighteen discovery calls are not enumeration',
      events: discovery(T0, 18, newUser),
      thresholds: { minDistinctDiscovery: 20 },
      fires: false,
    },
    {
      name: 'Terraform refreshing state describes widely',
      events: discovery(T0, 20, {
        ...newUser,
        origin: {
          ...DO_DROPLET,
          userAgent:
            'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0',
          userAgentFamily: 'terraform',
          userAgentClass: 'iac',
        },
      }),
      fires: false,
    },
  ];
}
