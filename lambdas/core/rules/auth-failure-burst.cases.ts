/** Cases of the `auth-failure-burst` rule (test material: no production module imports this file). */
import { T0, ev, outsideAws, repeat, UA, apiClient, ROOT, throttled } from './test-events.js';
import { cloudTrail, iamUserIdentity } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material: an API client whose tokens are rejected, an IAM user whose signatures fail.
const partner = {
  source: 'api-gateway' as const,
  identity: apiClient('partner-7'),
  action: { name: 'GET /orders/{id}', service: 'execute-api', region: 'eu-west-1', isReadOnly: true },
  origin: { ...outsideAws('198.51.100.7', 64500, 'Example Hosting', 'DE'), ...UA.okhttp },
};

const rejectedToken = (timeMs: number) =>
  ev({
    ...partner,
    timeMs,
    credential: { kind: 'bearer-token', id: undefined },
    outcome: { authn: 'failure', authz: 'unknown', status: 401, errorCode: 'Unauthorized' },
  });

const reporter = {
  identity: {
    key: 'aws:123456789012:user/report-exporter',
    kind: 'iam-user' as const,
    principal: 'arn:aws:iam::123456789012:user/report-exporter',
    name: 'report-exporter',
    sessionName: undefined,
  },
  credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' as const },
  origin: { ...outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL'), ...UA.boto3Server },
  action: {
    name: 's3.amazonaws.com:ListBuckets',
    service: 's3.amazonaws.com',
    region: 'us-east-1',
    isReadOnly: true,
  },
};

const badSignature = (timeMs: number, errorCode = 'SignatureDoesNotMatch') =>
  ev({ ...reporter, timeMs, outcome: { authn: 'failure', authz: 'unknown', errorCode } });

const MIN = 60_000;

/** `auth-failure-burst`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const authFailureBurstCases = defineCases('auth-failure-burst', [
  {
    name: 'twelve rejected bearer tokens for one API client from one address in four minutes',
    events: repeat(12, T0 + 10 * MIN, 20_000, rejectedToken),
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'ten SignatureDoesNotMatch for one access key in ninety seconds',
    events: repeat(10, T0, 10_000, (t) => badSignature(t)),
    fires: true,
  },
  {
    name: 'root console password guessed ten times in five minutes',
    events: repeat(10, T0, 25_000, (timeMs) =>
      ev({
        timeMs,
        identity: ROOT,
        credential: { kind: 'console-session', id: undefined },
        origin: {
          ...outsideAws('192.0.2.77', 9009, 'M247 Europe SRL', 'RO'),
          userAgent: 'Mozilla/5.0',
          userAgentFamily: 'firefox',
          userAgentClass: 'browser',
        },
        action: {
          name: 'signin.amazonaws.com:ConsoleLogin',
          service: 'signin.amazonaws.com',
          isReadOnly: false,
        },
        outcome: { authn: 'failure', authz: 'unknown', errorCode: 'Failed authentication' },
      }),
    ),
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'nine failures in the window: one below the threshold',
    events: repeat(9, T0, 10_000, (t) => badSignature(t)),
    fires: false,
  },
  {
    name: 'ten failures spread over 45 minutes (a retry every five minutes) never fill one window',
    events: repeat(10, T0, 5 * MIN, (t) => badSignature(t, 'InvalidClientTokenId')),
    fires: false,
  },
  {
    name: 'forty ThrottlingException responses in two minutes are not authentication failures',
    events: repeat(40, T0, 3_000, throttled),
    fires: false,
  },
  {
    name: 'fifteen AccessDenied responses are authorization, not authentication, failures',
    events: repeat(15, T0, 8_000, (timeMs) =>
      ev({
        ...reporter,
        timeMs,
        outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ),
    fires: false,
  },
  {
    name: 'a threshold of 20 stays quiet on ten failures',
    events: repeat(10, T0, 10_000, (t) => badSignature(t)),
    thresholds: { threshold: 20 },
    fires: false,
  },
  {
    name: 'a one-hour window catches failures spread over 45 minutes',
    events: repeat(10, T0, 5 * MIN, (t) => badSignature(t, 'InvalidClientTokenId')),
    thresholds: { windowSeconds: 3600 },
    fires: true,
  },
  {
    name: 'raw CloudTrail: ten SignatureDoesNotMatch records for an IAM user’s key from a VPS in ninety seconds',
    log: repeat(10, T0, 10_000, (timeMs) =>
      cloudTrail(iamUserIdentity('report-exporter', 'AKIAEXAMPLEREPORT001'), {
        timeMs,
        action: 's3.amazonaws.com:ListBuckets',
        sourceIPAddress: '203.0.113.45',
        userAgent: UA.boto3Server.userAgent,
        errorCode: 'SignatureDoesNotMatch',
        errorMessage:
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      }),
    ),
    fires: true,
    severity: 'MEDIUM',
  },
]);
