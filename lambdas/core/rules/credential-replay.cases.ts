/** Cases of the `credential-replay` rule (test material: no production module imports this file). */
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
import { workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

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

/** `credential-replay`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const credentialReplayCases = defineCases('credential-replay', [
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
    name: 'EC2 instance credentials seen once, then from an AWS address in another region: too few calls to know the instance’s network',
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
    name: 'EC2 instance credentials used by the instance from its network, then from another AWS network',
    events: [
      ...repeat(5, T0, MIN, (timeMs) =>
        ev({ ...appServer, timeMs, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } }),
      ),
      ev({
        ...appServer,
        timeMs: T0 + 20 * MIN,
        origin: { ...insideAws('18.200.41.7', 16509, 'IE'), ...UA.awsCli },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'EC2 instance credentials presented from a private address that is not a VPC endpoint',
    events: [
      ...repeat(5, T0, MIN, (timeMs) =>
        ev({ ...appServer, timeMs, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } }),
      ),
      ev({
        ...appServer,
        timeMs: T0 + 20 * MIN,
        origin: { ...privateAddress('10.20.30.40'), ...UA.boto3Server },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'with instanceMinOwnUses 10, five calls from the instance’s network are too few to compare',
    events: [
      ...repeat(5, T0, MIN, (timeMs) =>
        ev({ ...appServer, timeMs, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } }),
      ),
      ev({
        ...appServer,
        timeMs: T0 + 20 * MIN,
        origin: { ...insideAws('18.200.41.7', 16509, 'IE'), ...UA.awsCli },
      }),
    ],
    thresholds: { instanceMinOwnUses: 10 },
    fires: false,
  },
  {
    name: 'the instance switching to its S3 gateway / interface VPC endpoint',
    events: [
      ...repeat(5, T0, MIN, (timeMs) =>
        ev({ ...appServer, timeMs, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } }),
      ),
      ev({
        ...appServer,
        timeMs: T0 + 20 * MIN,
        origin: { ...privateAddress('10.20.30.40', 'vpce-0a1b2c3d4e5f60718'), ...UA.boto3Server },
      }),
    ],
    fires: false,
  },
  {
    name: 'the instance calling from its own network all day',
    events: repeat(30, T0, 10 * MIN, (timeMs) =>
      ev({ ...appServer, timeMs, origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server } }),
    ),
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
  {
    name: 'raw CloudTrail: a Lambda’s session key calls DynamoDB from AWS, then ListBuckets from a residential ISP with the CLI',
    log: [
      ...repeat(20, T0, MIN, (timeMs) => workerCall({ timeMs })),
      workerCall({
        timeMs: T0 + 30 * MIN,
        action: 's3.amazonaws.com:ListBuckets',
        sourceIPAddress: '198.51.100.23',
        userAgent: UA.awsCli.userAgent,
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
]);
