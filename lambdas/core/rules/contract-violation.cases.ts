/** Cases of the `contract-violation` rule (test material: no production module imports this file). */
import type { Contract } from '../contracts.js';
import { at, burst, ev, history, type EventOverrides } from './test-events.js';
import { workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

const WORKER = 'aws:123456789012:role/orders-worker';

/** The worker's declared integration: DynamoDB from its Lambda inside AWS, session keys, SDK only. */
const workerContract: Contract = {
  identity: WORKER,
  origin: 'contracts/orders.yaml',
  allowedAsns: [16509, 14618],
  allowedActions: [
    'dynamodb.amazonaws.com:GetItem',
    'dynamodb.amazonaws.com:PutItem',
    'dynamodb.amazonaws.com:Query',
  ],
  allowedCredentialKinds: ['session-key'],
  userAgentPatterns: ['aws-sdk-js*'],
};

/** A partner's API client: fixed egress networks (v4 and v6), two routes, one scope, business hours over midnight UTC. */
const partner: EventOverrides = {
  source: 'api-gateway',
  identity: {
    key: 'api:a1b2c3d4e5:client:partner-7',
    kind: 'api-client',
    name: 'partner-7',
    clientId: 'partner-7',
  },
  credential: { id: 'jti-fingerprint-7f3a', kind: 'bearer-token' },
  origin: {
    ip: '203.0.113.10',
    network: '203.0.113.0/24',
    asn: 64501,
    asOrg: 'Partner Hosting',
    country: 'JP',
    isAws: false,
    userAgent: 'partner-sync/4.2 (+https://partner.example)',
    userAgentFamily: 'partner-sync',
    userAgentClass: 'http-library',
  },
  action: { name: 'POST /orders', isReadOnly: false },
  outcome: { authn: 'success', authz: 'allowed', status: 201, scopes: ['orders:write'] },
};

const partnerContract: Contract = {
  identity: 'api:a1b2c3d4e5:client:partner-*',
  origin: 'contracts/partners.yaml',
  allowedNetworks: ['203.0.113.0/24', '2001:db8:7::/48'],
  allowedActions: ['POST /orders', 'GET /orders/*'],
  allowedScopes: ['orders:write', 'orders:read'],
  activeHoursUtc: { start: 22, end: 10 },
  rateEnvelope: { maxPerHour: 500, maxPerMinute: 30 },
};

const inPartnerHours = (minutes: number) => at(1, 23, minutes);

/** `contract-violation`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const contractViolationCases = defineCases('contract-violation', [
  {
    name: 'worker key used from DigitalOcean (ASN not allowed)',
    events: [
      ev({
        timeMs: at(0, 9),
        origin: {
          ip: '198.51.100.23',
          network: '198.51.100.0/24',
          asn: 14061,
          asOrg: 'DigitalOcean, LLC',
          country: 'NL',
          isAws: false,
        },
      }),
    ],
    contracts: [workerContract],
    fires: true,
  },
  {
    name: 'worker lists buckets (action outside allowedActions), even though IAM denied it',
    events: [
      ev({
        timeMs: at(0, 9),
        action: { name: 's3.amazonaws.com:ListBuckets', service: 's3.amazonaws.com' },
        outcome: { authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ],
    contracts: [workerContract],
    fires: true,
  },
  {
    name: 'worker called with a long-lived AKIA key (credential kind not allowed)',
    events: [ev({ timeMs: at(0, 9), credential: { id: 'AKIAEXAMPLEWORKER999', kind: 'long-lived-key' } })],
    contracts: [workerContract],
    fires: true,
  },
  {
    name: 'worker called with the AWS CLI (user agent not allowed)',
    events: [
      ev({
        timeMs: at(0, 9),
        origin: {
          userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux',
          userAgentFamily: 'aws-cli',
          userAgentClass: 'cli',
        },
      }),
    ],
    contracts: [workerContract],
    fires: true,
  },
  {
    name: 'partner calls from an IPv6 address outside its /48',
    events: [
      ev({
        ...partner,
        timeMs: inPartnerHours(5),
        origin: { ...partner.origin, ip: '2001:db8:8::15', network: '2001:db8:8::/48' },
      }),
    ],
    contracts: [partnerContract],
    fires: true,
  },
  {
    name: 'partner token carries an admin scope',
    events: [
      ev({
        ...partner,
        timeMs: inPartnerHours(5),
        outcome: { ...partner.outcome, scopes: ['orders:write', 'admin:*'] },
      }),
    ],
    contracts: [partnerContract],
    fires: true,
  },
  {
    name: 'partner calls at 12:00 UTC, outside its 22:00-10:00 window',
    events: [ev({ ...partner, timeMs: at(1, 12) })],
    contracts: [partnerContract],
    fires: true,
  },
  {
    name: 'partner makes 40 calls in one minute (maxPerMinute 30)',
    events: burst(partner, inPartnerHours(0), 40, 50_000),
    contracts: [partnerContract],
    fires: true,
  },
  {
    name: 'partner makes 600 calls in an hour, 10 a minute (maxPerHour 500)',
    events: burst(partner, at(1, 2), 600, 3_500_000),
    contracts: [partnerContract],
    fires: true,
  },
  {
    name: 'private API call not made through the allowed VPC endpoint',
    events: [ev({ ...partner, timeMs: inPartnerHours(5) })],
    contracts: [{ ...partnerContract, allowedVpcEndpoints: ['vpce-0a1b2c3d4e5f67890'] }],
    fires: true,
  },
  {
    name: 'worker’s ordinary week inside its contract (AWS ASN, allowed actions, SDK, session key)',
    events: history(),
    contracts: [workerContract],
    fires: false,
  },
  {
    name: 'partner inside its contract: IPv4 in CIDR, glob route, 23:00 in a window over midnight, 20 calls a minute',
    events: [
      ...burst(partner, inPartnerHours(0), 20, 55_000),
      ev({
        ...partner,
        timeMs: at(2, 9, 59),
        action: { name: 'GET /orders/{id}', isReadOnly: true },
        outcome: { ...partner.outcome, scopes: ['orders:read'] },
      }),
    ],
    contracts: [partnerContract],
    fires: false,
  },
  {
    name: 'partner from an IPv4-mapped IPv6 address inside its IPv4 network',
    events: [
      ev({
        ...partner,
        timeMs: inPartnerHours(5),
        origin: { ...partner.origin, ip: '::ffff:203.0.113.10' },
      }),
    ],
    contracts: [partnerContract],
    fires: false,
  },
  {
    name: 'CloudFormation creates a role on the worker’s behalf (service-made call, judged through its own CreateStack call)',
    events: [
      ev({
        timeMs: at(0, 9),
        action: { name: 'iam.amazonaws.com:CreateRole', service: 'iam.amazonaws.com' },
        origin: {
          ip: 'cloudformation.amazonaws.com',
          isIp: false,
          awsService: 'cloudformation.amazonaws.com',
          userAgent: 'cloudformation.amazonaws.com',
          userAgentFamily: 'cloudformation',
          userAgentClass: 'aws-internal',
        },
      }),
    ],
    contracts: [workerContract],
    fires: false,
  },
  {
    name: 'an identity without a contract does anything',
    events: [
      ev({
        timeMs: at(0, 9),
        identity: { key: 'aws:123456789012:role/reporting', name: 'reporting' },
        action: { name: 's3.amazonaws.com:ListBuckets' },
      }),
    ],
    contracts: [workerContract, partnerContract],
    fires: false,
  },
  {
    name: 'raw CloudTrail: the worker’s session key used from DigitalOcean (ASN not allowed)',
    log: [workerCall({ timeMs: at(0, 9), sourceIPAddress: '203.0.113.45' })],
    contracts: [workerContract],
    fires: true,
  },
]);
