/** Cases of the `sensitive-read-breadth` rule (test material: no production module imports this file). */
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
import { workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

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

/** `sensitive-read-breadth`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const sensitiveReadBreadthCases = defineCases('sensitive-read-breadth', [
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
    severity: 'MEDIUM',
  },
  {
    name: 'with staticKeyOutsideAws off, the new IAM user’s first enumeration is LOW',
    events: discovery(T0, 18, newUser),
    thresholds: { staticKeyOutsideAws: false },
    fires: true,
    severity: 'LOW',
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
  {
    name: 'raw CloudTrail: a Lambda role reads twelve distinct Secrets Manager secrets within four minutes',
    log: Array.from({ length: 12 }, (_, i) =>
      workerCall({
        timeMs: T0 + i * 20_000,
        action: 'secretsmanager.amazonaws.com:GetSecretValue',
        requestParameters: { secretId: `prod/app-${i}` },
      }),
    ),
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'raw CloudTrail: a Lambda role reads its one secret twelve times',
    log: Array.from({ length: 12 }, (_, i) =>
      workerCall({
        timeMs: T0 + i * 20_000,
        action: 'secretsmanager.amazonaws.com:GetSecretValue',
        requestParameters: { secretId: 'prod/app-db' },
      }),
    ),
    fires: false,
  },
]);
