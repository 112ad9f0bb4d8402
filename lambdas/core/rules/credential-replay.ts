import type { CredentialState, Dimension } from '../baseline.js';
import { entriesOf, getOwn, hasOwn, keysOf } from '../safe-record.js';
import type { CredentialKind, IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso } from './evidence.js';
import { list, num, type DetectionRule, type Severity, type RuleCase } from './rule.js';
import {
  T0,
  ev,
  insideAws,
  outsideAws,
  privateAddress,
  repeat,
  UA,
  viaService,
  type EventOverrides,
  apiClient,
} from './test-events.js';

/** Role-session name of EC2 instance-profile credentials: the instance id. */
const INSTANCE_SESSION = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/i;
/** Credentials that live minutes to hours: two networks within their lifetime cannot both be the workload. */
const SHORT_LIVED: ReadonlySet<CredentialKind> = new Set<CredentialKind>(['session-key', 'bearer-token']);

type Reason = 'instance-outside' | 'aws-to-outside' | 'outside-to-aws' | 'new-asn';

// Case material.
const MIN = 60_000;
const HOME_ISP = outsideAws('198.51.100.23', 7922, 'Comcast Cable Communications, LLC');
const VPS = outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL');
const lambdaCall = (timeMs: number, origin: NonNullable<EventOverrides['origin']> = {}) =>
  ev({ timeMs, origin });
const appServer: EventOverrides = {
  identity: {
    key: 'aws:123456789012:role/app-server',
    principal: 'arn:aws:iam::123456789012:role/app-server',
    name: 'app-server',
    sessionName: 'i-0a1b2c3d4e5f60718',
  },
  credential: { id: 'ASIAEXAMPLEINSTANCE1', kind: 'session-key' },
  action: {
    name: 's3.amazonaws.com:ListBuckets',
    service: 's3.amazonaws.com',
    region: 'us-east-1',
    isReadOnly: true,
  },
};
const partner = (
  timeMs: number,
  credential: NonNullable<EventOverrides['credential']>,
  origin: NonNullable<EventOverrides['origin']>,
) =>
  ev({
    source: 'api-gateway',
    timeMs,
    identity: apiClient('partner-7'),
    credential,
    origin: { ...origin, ...UA.okhttp },
    action: { name: 'GET /orders/{id}', service: 'execute-api', region: 'eu-west-1', isReadOnly: true },
    outcome: { authn: 'success', authz: 'allowed', status: 200 },
  });
const PARTNER_NET = outsideAws('198.51.100.7', 64500, 'Example Hosting', 'DE');
const developer = (
  timeMs: number,
  origin: NonNullable<EventOverrides['origin']>,
  action = 'cloudformation.amazonaws.com:DescribeStacks',
) =>
  ev({
    timeMs,
    identity: {
      key: 'aws:123456789012:role/AWSReservedSSO_Developer_0123456789abcdef',
      principal:
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef',
      name: 'AWSReservedSSO_Developer_0123456789abcdef',
      sessionName: 'alice@example.com',
    },
    credential: { id: 'ASIAEXAMPLEDEVELOPER', kind: 'session-key' },
    origin,
    action: {
      name: action,
      service: action.slice(0, action.indexOf(':')),
      region: 'eu-west-1',
      isReadOnly: false,
    },
  });

/** A session key, token, API key or certificate seen from two origins that cannot both be its workload: it was copied. */
export const credentialReplay: DetectionRule = {
  id: 'credential-replay',
  title: 'Credential used from origins that cannot both be its workload',
  severity: 'HIGH',
  asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/Application'],
  references: [
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-01',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1550.001',
    'MITRE:T1552.005',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'EC2 or Lambda egress routed through an on-premises proxy or a third-party NAT (Direct Connect / VPN with internet breakout): the workload itself appears outside AWS.',
    'A client whose egress alternates between providers (multi-homed office, a VPN hosted on EC2, mobile networks) presenting one token from both.',
    'A partner moving its API-key or certificate clients to a new hosting provider.',
  ],
  runbook:
    'Revoke the credential now (revoke role sessions issued before now / rotate the API key or certificate / revoke the token), then compare the two origins in the evidence and search CloudTrail for every call made with this credential id from the unexpected one.',
  defaults: {
    /** Uses of the credential already in the baseline before a change of origin counts (the EC2 instance case needs none). */
    minPriorUses: 1,
    /** Credential kinds compared. Long-lived access keys are left to new-source: they are legitimately used from many places. */
    credentialKinds: ['session-key', 'bearer-token', 'api-key', 'mtls-certificate'],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const cred = event.credential;
    const id = cred.id;
    if (id === undefined || id === '') return undefined;
    const o = event.origin;
    // A private address (VPC endpoint, NAT) or a service acting for the caller says nothing about where the key is.
    if (!o.isIp || o.isPrivate || o.awsService !== undefined) return undefined;
    if (!list(ctx.thresholds, 'credentialKinds').includes(cred.kind)) return undefined;
    const prev: CredentialState | undefined = getOwn(ctx.baseline.credentials, id);
    const isInstanceCredential =
      !o.isAws &&
      cred.kind === 'session-key' &&
      event.identity.kind === 'iam-role' &&
      event.identity.sessionName !== undefined &&
      INSTANCE_SESSION.test(event.identity.sessionName);
    if (prev === undefined && !isInstanceCredential) return undefined;
    // The common case: a workload inside AWS whose credential never left it.
    if (o.isAws && prev !== undefined && !prev.hasOutside) return undefined;

    const reason = replayReason(event, prev, isInstanceCredential, num(ctx.thresholds, 'minPriorUses'));
    if (reason === undefined) return undefined;

    const severity: Severity =
      reason === 'outside-to-aws' || (reason === 'new-asn' && !SHORT_LIVED.has(cred.kind))
        ? 'MEDIUM'
        : 'HIGH';
    const evidence = [
      prev
        ? `${cred.kind} ${id}: first used ${iso(prev.f)}, last ${iso(prev.l)}, earlier uses: ${prev.n}`
        : `${cred.kind} ${id}: no earlier use recorded`,
    ];
    if (prev)
      evidence.push(
        `earlier origins: ${formatTally(new Map(entriesOf(prev.origins).map(([k, v]) => [k, v.n])))} (${sides(prev)})`,
      );
    evidence.push(`now from ${describeOrigin(event)}`, EXPLANATION[reason](event));
    return {
      discriminator: `credential:${id}`,
      summary: `${cred.kind} ${id} of ${event.identity.name ?? event.identity.key} ${SUMMARY[reason]}`,
      evidence,
      severity,
    };
  },
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'a Lambda’s session key used from AWS, then from a residential ISP',
        events: [
          ...repeat(20, T0, MIN, (t) => lambdaCall(t)),
          ev({ timeMs: T0 + 30 * MIN, origin: { ...HOME_ISP, ...UA.awsCli } }),
        ],
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'EC2 instance-profile credentials used from a VPS, with no earlier use seen',
        events: [ev({ ...appServer, timeMs: T0, origin: { ...VPS, ...UA.awsCli } })],
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'a partner’s bearer token replayed from another provider’s network within its lifetime',
        events: [
          ...repeat(5, T0, MIN, (t) => partner(t, { kind: 'bearer-token', id: 'jti-7f3a9c' }, PARTNER_NET)),
          partner(T0 + 20 * MIN, { kind: 'bearer-token', id: 'jti-7f3a9c' }, VPS),
        ],
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'a GitHub Actions session (runner outside AWS) then presented from an EC2 address',
        events: [
          ...repeat(3, T0, MIN, (timeMs) =>
            ev({
              timeMs,
              identity: {
                key: 'aws:123456789012:role/github-deploy',
                principal: 'arn:aws:iam::123456789012:role/github-deploy',
                name: 'github-deploy',
                sessionName: 'GitHubActions',
                issuer: 'token.actions.githubusercontent.com',
              },
              credential: { id: 'ASIAEXAMPLEGITHUB001', kind: 'session-key' },
              origin: { ...outsideAws('198.51.100.140', 8075, 'Microsoft Corporation'), ...UA.awsCli },
            }),
          ),
          ev({
            timeMs: T0 + 10 * MIN,
            identity: {
              key: 'aws:123456789012:role/github-deploy',
              principal: 'arn:aws:iam::123456789012:role/github-deploy',
              name: 'github-deploy',
              sessionName: 'GitHubActions',
              issuer: 'token.actions.githubusercontent.com',
            },
            credential: { id: 'ASIAEXAMPLEGITHUB001', kind: 'session-key' },
            origin: { ...insideAws('54.210.5.6'), ...UA.awsCli },
          }),
        ],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'a partner’s API key used from a new provider network',
        events: [
          ...repeat(5, T0, MIN, (t) => partner(t, { kind: 'api-key', id: 'k7pq2x9w1z' }, PARTNER_NET)),
          partner(
            T0 + 40 * MIN,
            { kind: 'api-key', id: 'k7pq2x9w1z' },
            outsideAws('192.0.2.61', 9009, 'M247 Europe SRL', 'RO'),
          ),
        ],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'the same session key from two AWS regions and changing Lambda addresses',
        events: repeat(12, T0, MIN, (t, i) =>
          lambdaCall(
            t,
            [
              insideAws('3.80.10.20', 14618),
              insideAws('52.95.110.4', 16509, 'IE'),
              insideAws('18.130.7.9', 16509, 'GB'),
            ][i % 3],
          ),
        ),
        fires: false,
      },
      {
        name: 'CloudFormation acting for a developer’s session between laptop calls',
        events: [
          ...repeat(3, T0, MIN, (t) => developer(t, { ...HOME_ISP, ...UA.awsCli })),
          ...repeat(5, T0 + 5 * MIN, MIN, (t) =>
            developer(t, viaService('cloudformation.amazonaws.com'), 'lambda.amazonaws.com:CreateFunction'),
          ),
          ...repeat(2, T0 + 12 * MIN, MIN, (t) => developer(t, { ...HOME_ISP, ...UA.awsCli })),
        ],
        fires: false,
      },
      {
        name: 'a VPC workload: its key from AWS addresses and from private addresses through a VPC endpoint',
        events: repeat(10, T0, MIN, (t, i) =>
          lambdaCall(t, i % 2 === 0 ? {} : privateAddress('10.0.12.34', 'vpce-0a1b2c3d4e5f60718')),
        ),
        fires: false,
      },
      {
        name: 'a long-lived access key from AWS then from an office network is new-source’s business',
        events: [
          ...repeat(5, T0, MIN, (timeMs) =>
            ev({
              timeMs,
              identity: {
                key: 'aws:123456789012:user/report-exporter',
                kind: 'iam-user',
                name: 'report-exporter',
                sessionName: undefined,
              },
              credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' },
              origin: UA.boto3Server,
            }),
          ),
          ev({
            timeMs: T0 + 20 * MIN,
            identity: {
              key: 'aws:123456789012:user/report-exporter',
              kind: 'iam-user',
              name: 'report-exporter',
              sessionName: undefined,
            },
            credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' },
            origin: { ...HOME_ISP, ...UA.boto3Server },
          }),
        ],
        fires: false,
      },
      {
        name: 'a fresh token for the same client from another network is a new credential, not a replay',
        events: [
          ...repeat(3, T0, MIN, (t) => partner(t, { kind: 'bearer-token', id: 'jti-7f3a9c' }, PARTNER_NET)),
          partner(T0 + 70 * MIN, { kind: 'bearer-token', id: 'jti-0b81d4' }, VPS),
        ],
        fires: false,
      },
      {
        name: 'an API key from two addresses of the same provider network',
        events: [
          ...repeat(3, T0, MIN, (t) => partner(t, { kind: 'api-key', id: 'k7pq2x9w1z' }, PARTNER_NET)),
          partner(
            T0 + 5 * MIN,
            { kind: 'api-key', id: 'k7pq2x9w1z' },
            outsideAws('198.51.100.99', 64500, 'Example Hosting', 'DE'),
          ),
        ],
        fires: false,
      },
      {
        name: 'EC2 instance credentials from an AWS address in another region',
        events: [
          ev({ ...appServer, timeMs: T0, origin: insideAws('3.80.10.20', 14618) }),
          ev({ ...appServer, timeMs: T0 + MIN, origin: insideAws('52.95.110.4', 16509, 'IE') }),
        ],
        fires: false,
      },
      {
        name: 'one earlier use is enough by default',
        events: [lambdaCall(T0), ev({ timeMs: T0 + 5 * MIN, origin: { ...VPS, ...UA.awsCli } })],
        fires: true,
      },
      {
        name: 'requiring five earlier uses keeps a once-used key quiet',
        events: [lambdaCall(T0), ev({ timeMs: T0 + 5 * MIN, origin: { ...VPS, ...UA.awsCli } })],
        thresholds: { minPriorUses: 5 },
        fires: false,
      },
      {
        name: 'API keys left out of the compared kinds',
        events: [
          ...repeat(5, T0, MIN, (t) => partner(t, { kind: 'api-key', id: 'k7pq2x9w1z' }, PARTNER_NET)),
          partner(
            T0 + 40 * MIN,
            { kind: 'api-key', id: 'k7pq2x9w1z' },
            outsideAws('192.0.2.61', 9009, 'M247 Europe SRL', 'RO'),
          ),
        ],
        thresholds: { credentialKinds: ['session-key', 'bearer-token'] },
        fires: false,
      },
    ];
  },
};

/** Why this use cannot be the same workload as the earlier ones, or undefined. */
function replayReason(
  event: IdentityEvent,
  prev: CredentialState | undefined,
  isInstanceCredential: boolean,
  minPriorUses: number,
): Reason | undefined {
  const o = event.origin;
  if (isInstanceCredential) return 'instance-outside';
  if (prev === undefined || prev.n < minPriorUses) return undefined;
  if (o.isAws) return prev.hasOutside ? 'outside-to-aws' : undefined;
  if (prev.hasAwsNetwork === true) return 'aws-to-outside';
  if (
    prev.hasOutside &&
    o.asn !== undefined &&
    !hasOwn(prev.origins, `AS${o.asn}`) &&
    hasAsn(prev.origins)
  )
    return 'new-asn';
  return undefined;
}

const hasAsn = (origins: Dimension): boolean => {
  for (const k of keysOf(origins)) if (k.startsWith('AS')) return true;
  return false;
};

const sides = (c: CredentialState): string =>
  c.hasAwsNetwork === true && c.hasOutside
    ? 'inside and outside AWS'
    : c.hasAwsNetwork === true
      ? 'AWS networks only'
      : c.hasOutside
        ? 'outside AWS only'
        : 'private or service origins only';

const SUMMARY: Record<Reason, string> = {
  'instance-outside': 'is EC2 instance-profile credentials used outside AWS',
  'aws-to-outside': 'was used inside AWS and is now presented from outside AWS',
  'outside-to-aws': 'was used outside AWS and is now presented from an AWS address',
  'new-asn': 'is presented from a network it was never used from',
};

const EXPLANATION: Record<Reason, (e: IdentityEvent) => string> = {
  'instance-outside': (e) =>
    `session ${e.identity.sessionName ?? ''} marks EC2 instance-profile credentials: only that instance can fetch them from its metadata service, and it calls from AWS addresses`,
  'aws-to-outside': () => 'a credential that lived inside AWS left it: a copy is in use outside the workload',
  'outside-to-aws': () =>
    'a credential used only outside AWS so far is now presented from an AWS address (another host holds a copy)',
  'new-asn': (e) =>
    `AS${e.origin.asn ?? '?'} is new for this credential: every earlier use came from other networks`,
};
