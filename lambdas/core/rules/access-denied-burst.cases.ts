/** Cases of the `access-denied-burst` rule (test material: no production module imports this file). */
import {
  T0,
  ev,
  outsideAws,
  repeat,
  UA,
  apiClient,
  throttled,
  viaService,
  type EventOverrides,
} from './test-events.js';
import { accessLog } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material: a stolen key enumerating, a workload retrying one denied call, an API client probing routes.
const MIN = 60_000;

/** What enumerate-iam / pacu style tools call first with a stolen key. */
const RECON = [
  'iam.amazonaws.com:ListUsers',
  's3.amazonaws.com:ListBuckets',
  'secretsmanager.amazonaws.com:ListSecrets',
  'ec2.amazonaws.com:DescribeInstances',
  'lambda.amazonaws.com:ListFunctions',
  'iam.amazonaws.com:ListRoles',
  'kms.amazonaws.com:ListKeys',
];

const probe = (timeMs: number, route: string) =>
  ev({
    source: 'api-gateway',
    timeMs,
    identity: apiClient('partner-7'),
    credential: { kind: 'bearer-token', id: 'jti-7f3a9c' },
    origin: { ...outsideAws('198.51.100.7', 64500, 'Example Hosting', 'DE'), ...UA.okhttp },
    action: { name: route, service: 'execute-api', region: 'eu-west-1' },
    outcome: { authn: 'success', authz: 'denied', status: 403, errorCode: 'AccessDeniedException' },
  });

const exporter: EventOverrides = {
  identity: {
    key: 'aws:123456789012:user/report-exporter',
    kind: 'iam-user',
    principal: 'arn:aws:iam::123456789012:user/report-exporter',
    name: 'report-exporter',
    sessionName: undefined,
  },
  credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' },
  origin: { ...outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL'), ...UA.boto3Server },
};

const denied = (timeMs: number, action: string, errorCode = 'AccessDenied') =>
  ev({
    ...exporter,
    timeMs,
    action: {
      name: action,
      service: action.slice(0, action.indexOf(':')),
      region: 'us-east-1',
      isReadOnly: true,
    },
    outcome: { authn: 'success', authz: 'denied', errorCode },
  });

/** `access-denied-burst`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const accessDeniedBurstCases = defineCases('access-denied-burst', [
  {
    name: 'a stolen key enumerating: five services’ List/Describe calls denied within two minutes',
    events: RECON.slice(0, 5).map((a, i) => denied(T0 + i * 20_000, a)),
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'ec2:GetPasswordData denied thirty times across instances (Stratus ec2-get-password-data)',
    events: repeat(30, T0, 4_000, (t) =>
      denied(t, 'ec2.amazonaws.com:GetPasswordData', 'Client.UnauthorizedOperation'),
    ),
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'an API client probing admin routes it is not granted',
    events: [
      'GET /admin/users',
      'GET /admin/keys',
      'DELETE /orders/{id}',
      'GET /internal/config',
      'POST /admin/export',
    ].map((r, i) => probe(T0 + i * 15_000, r)),
    fires: true,
  },
  {
    name: 'a console sign-in service meeting denials for a user (invokedBy signin.amazonaws.com) is not the identity probing',
    events: repeat(12, T0, 5_000, (t) =>
      ev({
        ...exporter,
        timeMs: t,
        origin: viaService('signin.amazonaws.com'),
        action: { name: 'iam.amazonaws.com:GetAccountSummary', service: 'iam', isReadOnly: true },
        outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ),
    fires: false,
  },
  {
    name: 'SQS delivering to a queue whose key policy denies it, on the identity’s behalf',
    events: repeat(12, T0, 5_000, (t) =>
      ev({
        timeMs: t,
        origin: viaService('sqs.amazonaws.com'),
        action: { name: 'kms.amazonaws.com:GenerateDataKey', service: 'kms', isReadOnly: true },
        outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ),
    fires: false,
  },
  {
    name: 'seven denials of one action: one below the threshold',
    events: repeat(7, T0, 30_000, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
    fires: false,
  },
  {
    name: 'four distinct denied actions: one below the enumeration threshold',
    events: RECON.slice(0, 4).map((a, i) => denied(T0 + i * 20_000, a)),
    fires: false,
  },
  {
    name: 'eight denials, one every five minutes (a cron job missing one permission), never fill one window',
    events: repeat(8, T0, 5 * MIN, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
    fires: false,
  },
  {
    name: 'a ThrottlingException burst is not a denial',
    events: repeat(30, T0, 2_000, throttled),
    fires: false,
  },
  {
    name: 'authentication failures with a bad signature are not authorization denials',
    events: repeat(12, T0, 5_000, (timeMs) =>
      ev({
        ...exporter,
        timeMs,
        outcome: { authn: 'failure', authz: 'unknown', errorCode: 'SignatureDoesNotMatch' },
      }),
    ),
    fires: false,
  },
  {
    name: 'a threshold of four catches four denials',
    events: repeat(4, T0, 30_000, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
    thresholds: { threshold: 4 },
    fires: true,
  },
  {
    name: 'an enumeration threshold of three catches three distinct actions',
    events: RECON.slice(0, 3).map((a, i) => denied(T0 + i * 20_000, a)),
    thresholds: { distinctActions: 3 },
    fires: true,
  },
  {
    name: 'a one-hour window catches the slow cron job',
    events: repeat(8, T0, 5 * MIN, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
    thresholds: { windowSeconds: 3600 },
    fires: true,
  },
  {
    name: 'raw access log: an API client’s valid token refused (403) on five admin routes within a minute',
    log: [
      'GET /admin/users',
      'GET /admin/keys',
      'DELETE /orders/{id}',
      'GET /internal/config',
      'POST /admin/export',
    ].map((r, i) =>
      accessLog({
        timeMs: T0 + i * 15_000,
        method: r.slice(0, r.indexOf(' ')),
        route: r.slice(r.indexOf(' ') + 1),
        status: 403,
        sourceIp: '198.51.100.7',
        userAgent: UA.okhttp.userAgent,
        clientId: 'partner-7',
        errorType: 'ACCESS_DENIED',
      }),
    ),
    fires: true,
  },
]);
