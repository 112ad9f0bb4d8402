/** Cases of the `long-lived-credential` rule (test material: no production module imports this file). */
import {
  T0,
  at,
  ev,
  iamUser,
  insideAws,
  outsideAws,
  repeat,
  UA,
  viaService,
  ROOT,
  type EventOverrides,
} from './test-events.js';
import { cloudTrail, iamUserIdentity } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material: IAM users with access keys, used from workloads, from a datacenter, by root.
const user = (name: string, keyId: string): EventOverrides => ({
  identity: iamUser(name),
  credential: { id: keyId, kind: 'long-lived-key' },
});

const exporter = user('report-exporter', 'AKIAEXAMPLEREPORT001');

const DATACENTER = outsideAws('198.51.100.80', 64501, 'Example Colocation GmbH', 'DE');

const partnerSync = (timeMs: number) =>
  ev({
    ...user('partner-sync', 'AKIAEXAMPLEPARTNER01'),
    timeMs,
    origin: { ...DATACENTER, ...UA.awsCli },
  });

const nightlyExport = (timeMs: number) =>
  ev({
    ...user('nightly-export', 'AKIAEXAMPLENIGHTLY01'),
    timeMs,
    origin: { ...DATACENTER, ...UA.boto3Server },
  });

const fargateBehindProxy = (timeMs: number) =>
  ev({
    ...exporter,
    timeMs,
    origin: { ...outsideAws('192.0.2.10', 64502, 'Example Proxy Networks'), ...UA.ecsFargate },
  });

/** `long-lived-credential`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const longLivedCredentialCases = defineCases('long-lived-credential', [
  {
    name: 'a Lambda function calling with an IAM user’s key from its environment variables',
    events: [
      ev({ ...exporter, timeMs: T0, origin: { ...insideAws('3.80.10.20', 14618), ...UA.lambdaPython } }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'an ECS Fargate task with a static key, egressing through a third-party proxy',
    events: [fargateBehindProxy(T0)],
    fires: true,
  },
  {
    name: 'an IAM user’s key from an EC2 address with a plain boto3 user agent',
    events: [ev({ ...exporter, timeMs: T0, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } })],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'a root access key in use',
    events: [
      ev({
        timeMs: T0,
        identity: ROOT,
        credential: { id: 'AKIAEXAMPLEROOTKEY01', kind: 'long-lived-key' },
        origin: {
          ...outsideAws('198.51.100.23', 7922, 'Comcast Cable Communications, LLC'),
          ...UA.awsCli,
        },
        action: {
          name: 'iam.amazonaws.com:CreateUser',
          service: 'iam.amazonaws.com',
          region: 'us-east-1',
          isReadOnly: false,
        },
      }),
    ],
    fires: true,
    severity: 'CRITICAL',
  },
  {
    name: 'a datacenter integration’s key still in use 100 days after it was first seen',
    events: [partnerSync(T0), partnerSync(at(50)), partnerSync(at(100))],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'an on-premises job calling with boto3 on an IAM user key: LOW, not silent',
    events: [nightlyExport(T0)],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'without automation classes, an on-premises boto3 job is not told apart from a person',
    events: [nightlyExport(T0)],
    thresholds: { automationUserAgentClasses: [] },
    fires: false,
  },
  {
    name: 'a person’s AWS CLI on a Mac with an IAM user key, egressing through an AWS address (VPN): not a workload in AWS',
    events: [
      ev({
        ...user('ops-admin', 'AKIAEXAMPLEOPSADMIN1'),
        timeMs: T0,
        origin: {
          ...insideAws('3.80.10.20', 14618),
          userAgent: 'aws-cli/1.11.76 Python/2.7.10 Darwin/17.7.0 botocore/1.5.39',
          userAgentFamily: 'aws-cli',
          userAgentClass: 'cli',
        },
      }),
    ],
    fires: false,
  },
  {
    name: 'without desktop markers, a Mac’s CLI from an AWS address is taken for a workload in AWS',
    events: [
      ev({
        ...user('ops-admin', 'AKIAEXAMPLEOPSADMIN1'),
        timeMs: T0,
        origin: {
          ...insideAws('3.80.10.20', 14618),
          userAgent: 'aws-cli/1.11.76 Python/2.7.10 Darwin/17.7.0 botocore/1.5.39',
          userAgentFamily: 'aws-cli',
          userAgentClass: 'cli',
        },
      }),
    ],
    thresholds: { desktopUserAgentMarkers: [] },
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'session keys of a Lambda role',
    events: repeat(5, T0, 60_000, (timeMs) => ev({ timeMs })),
    fires: false,
  },
  {
    name: 'a datacenter integration’s key 30 days after it was first seen',
    events: [partnerSync(T0), partnerSync(at(30))],
    fires: false,
  },
  {
    name: 'one day short of the age limit',
    events: [partnerSync(T0), partnerSync(at(89, 23))],
    fires: false,
  },
  {
    name: 'CloudFormation relaying a developer’s key, between calls from the office',
    events: [
      ev({ ...exporter, timeMs: T0, origin: { ...DATACENTER, ...UA.awsCli } }),
      ...repeat(3, T0 + 60_000, 60_000, (timeMs) =>
        ev({
          ...exporter,
          timeMs,
          origin: viaService('cloudformation.amazonaws.com'),
          action: { name: 'lambda.amazonaws.com:CreateFunction' },
        }),
      ),
    ],
    fires: false,
  },
  {
    name: 'a 120-day limit keeps a 100-day-old key quiet',
    events: [partnerSync(T0), partnerSync(at(50)), partnerSync(at(100))],
    thresholds: { maxKeyAgeDays: 120 },
    fires: false,
  },
  {
    name: 'without runtime markers, a static key behind a proxy is only automation outside AWS (LOW)',
    events: [fargateBehindProxy(T0)],
    thresholds: { workloadUserAgentMarkers: [] },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'raw CloudTrail: boto3 inside a Lambda function signing with an IAM user’s access key',
    log: [
      cloudTrail(iamUserIdentity('report-exporter', 'AKIAEXAMPLEREPORT001'), {
        timeMs: T0,
        action: 's3.amazonaws.com:GetObject',
        sourceIPAddress: '3.80.10.20',
        userAgent: UA.lambdaPython.userAgent,
        requestParameters: { bucketName: 'reports', key: 'daily.csv' },
      }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
]);
