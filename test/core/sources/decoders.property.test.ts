/**
 * Property tests: the decoders and normalisers are total. Whatever bytes, text or JSON arrive,
 * they return a value or a reason and never throw; what they return is well-formed.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { IdentityEvent, ParseResult } from '../../../lambdas/core/identity-event.js';
import {
  normaliseApiGatewayAccessLog,
  parseApiGatewayAccessLog,
} from '../../../lambdas/core/sources/api-gateway.js';
import {
  maybeGunzip,
  normaliseCloudTrail,
  parseCloudTrailText,
} from '../../../lambdas/core/sources/cloudtrail/index.js';
import {
  decodeCloudWatchLogsData,
  decodeCloudWatchLogsEvent,
} from '../../../lambdas/core/sources/cloudwatch-logs.js';
import { parseIp } from '../../../lambdas/core/sources/ip-intel.js';
import { classifyUserAgent } from '../../../lambdas/core/sources/user-agent.js';
import { INTEL } from './fixtures.js';

const RUNS = { numRuns: 300 };

function isWellFormed(result: ParseResult<IdentityEvent>): boolean {
  if (!result.ok) return typeof result.reason === 'string' && result.reason.length > 0;
  const e = result.value;
  return (
    typeof e.identity.key === 'string' &&
    e.identity.key.length > 0 &&
    Number.isFinite(e.timeMs) &&
    typeof e.action.name === 'string' &&
    typeof e.origin.userAgentFamily === 'string' &&
    typeof e.origin.isIp === 'boolean'
  );
}

/** Values that show up in real and broken logs, mixed with arbitrary JSON. */
const loggedValue = fc.oneof(
  fc.constantFrom(
    '-',
    '',
    'null',
    '2024-05-01T10:00:00Z',
    '2024-06-02 20:16:32.000000000',
    '10/Jun/2023:15:36:28 +0000',
    '1714557600123',
    '255.090.254.5',
    '203.0.113.9',
    '2001:db8::1',
    'AWS Internal',
    'lambda.amazonaws.com',
    'AKIA3EXAMPLEKEY00001',
    'ASIA3EXAMPLEKEY00001',
    'arn:aws:iam::123456789012:role/x',
    'arn:aws:sts::123456789012:assumed-role/x/y',
    'ThrottlingException',
    'AccessDenied',
    '401',
    '403',
    '429',
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

const userIdentity = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom(
        'AssumedRole',
        'IAMUser',
        'Root',
        'FederatedUser',
        'WebIdentityUser',
        'SAMLUser',
        'AWSService',
        'AWSAccount',
        'IdentityCenterUser',
        'Unknown',
      ),
      loggedValue,
    ),
    arn: loggedValue,
    accountId: loggedValue,
    principalId: loggedValue,
    accessKeyId: loggedValue,
    userName: loggedValue,
    invokedBy: loggedValue,
    identityProvider: loggedValue,
    onBehalfOf: fc.oneof(fc.record({ userId: loggedValue, identityStoreArn: loggedValue }), loggedValue),
    sessionContext: fc.oneof(
      fc.record({
        sessionIssuer: fc.oneof(
          fc.record({ arn: loggedValue, userName: loggedValue, accountId: loggedValue }),
          loggedValue,
        ),
        attributes: fc.oneof(
          fc.record({ creationDate: loggedValue, mfaAuthenticated: loggedValue }),
          loggedValue,
        ),
        webIdFederationData: loggedValue,
      }),
      loggedValue,
    ),
  },
  { requiredKeys: [] },
);

const cloudTrailish = fc.record(
  {
    eventTime: loggedValue,
    '@timestamp': loggedValue,
    eventName: fc.oneof(
      fc.constantFrom('AssumeRole', 'ConsoleLogin', 'GetObject', 'AssumeRoleWithWebIdentity'),
      loggedValue,
    ),
    eventSource: loggedValue,
    userIdentity: fc.oneof(userIdentity, loggedValue),
    sourceIPAddress: loggedValue,
    userAgent: loggedValue,
    errorCode: loggedValue,
    errorMessage: loggedValue,
    requestParameters: fc.oneof(fc.record({ roleArn: loggedValue, bucketName: loggedValue }), loggedValue),
    responseElements: loggedValue,
    resources: fc.oneof(fc.array(fc.record({ ARN: loggedValue })), loggedValue),
    readOnly: loggedValue,
    recipientAccountId: loggedValue,
    sessionCredentialFromConsole: loggedValue,
    additionalEventData: loggedValue,
    vpcEndpointId: loggedValue,
    CloudTrailEvent: loggedValue,
  },
  { requiredKeys: [] },
);

const ACCESS_LOG_KEYS = [
  'requestId',
  'requestTimeEpoch',
  'requestTime',
  'apiId',
  'stage',
  'domainName',
  'httpMethod',
  'resourcePath',
  'routeKey',
  'path',
  'status',
  'sourceIp',
  'ip',
  'userAgent',
  'callerArn',
  'caller',
  'accessKey',
  'apiKeyId',
  'apiKey',
  'principalId',
  'sub',
  'clientId',
  'issuer',
  'jti',
  'scope',
  'certSerial',
  'authnStatus',
  'authzStatus',
  'authorizerStatus',
  'authorizerError',
  'errorType',
  'eventType',
  'connectionId',
  'token',
];
const accessLogish = fc.dictionary(fc.constantFrom(...ACCESS_LOG_KEYS), loggedValue);

describe('decoders never throw', () => {
  it('CloudWatch Logs data: arbitrary strings, base64 of arbitrary bytes, of gzip of arbitrary bytes / JSON', () => {
    const data = fc.oneof(
      fc.string(),
      fc.uint8Array().map((b) => Buffer.from(b).toString('base64')),
      fc.uint8Array().map((b) => gzipSync(b).toString('base64')),
      fc.jsonValue().map((v) => gzipSync(JSON.stringify(v)).toString('base64')),
      fc
        .record({
          messageType: fc.oneof(fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'), loggedValue),
          owner: loggedValue,
          logGroup: loggedValue,
          logStream: loggedValue,
          subscriptionFilters: loggedValue,
          logEvents: fc.oneof(
            fc.array(
              fc.oneof(
                fc.record(
                  { id: loggedValue, timestamp: loggedValue, message: loggedValue },
                  { requiredKeys: [] },
                ),
                loggedValue,
              ),
            ),
            loggedValue,
          ),
        })
        .map((v) => gzipSync(JSON.stringify(v)).toString('base64')),
    );
    fc.assert(
      fc.property(data, (d) => {
        const r = decodeCloudWatchLogsData(d);
        if (!r.ok) return typeof r.reason === 'string';
        return r.value.logEvents.every((e) => typeof e.message === 'string' && Number.isFinite(e.timestamp));
      }),
      RUNS,
    );
  });

  it('CloudWatch Logs events of any shape', () => {
    fc.assert(
      fc.property(fc.anything(), (event) => {
        const r = decodeCloudWatchLogsEvent(event);
        return r.ok || r.reason.length > 0;
      }),
      RUNS,
    );
  });

  it('CloudTrail text: arbitrary strings and arbitrary JSON documents / lines', () => {
    const text = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 })
        .map((vs) => vs.map((v) => JSON.stringify(v)).join('\n')),
      fc.array(cloudTrailish, { maxLength: 5 }).map((rs) => JSON.stringify({ Records: rs })),
    );
    fc.assert(
      fc.property(text, (t) => {
        const parsed = parseCloudTrailText(t);
        return (
          parsed.rejects.every((r) => r.line >= 1 && r.reason.length > 0) &&
          parsed.records.every((r) => typeof r === 'object' && r !== null)
        );
      }),
      RUNS,
    );
  });

  it('CloudTrail normaliser: arbitrary objects and CloudTrail-shaped records with arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.oneof(cloudTrailish, fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
        (record) => isWellFormed(normaliseCloudTrail(record, INTEL)),
      ),
      { numRuns: 1000 },
    );
  });

  it('maybeGunzip: arbitrary bytes, with and without a gzip header', () => {
    const bytes = fc.oneof(
      fc.uint8Array(),
      fc.uint8Array().map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const r = maybeGunzip(b);
        return r.ok
          ? r.value instanceof Uint8Array
          : r.reason === 'invalid-gzip' || r.reason === 'gzip-too-large';
      }),
      RUNS,
    );
  });

  it('API Gateway: arbitrary lines and access-log-shaped records with arbitrary values', () => {
    fc.assert(
      fc.property(fc.string(), (line) => isWellFormed(parseApiGatewayAccessLog(line, INTEL))),
      RUNS,
    );
    fc.assert(
      fc.property(accessLogish, (record) =>
        isWellFormed(normaliseApiGatewayAccessLog(record, INTEL, { timestampMs: 1714557600000 })),
      ),
      { numRuns: 1000 },
    );
  });

  it('IP parsing and user-agent classification on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ip = parseIp(s);
        const ua = classifyUserAgent(s);
        return (ip === undefined || ip.version === 4 || ip.version === 6) && ua.family.length > 0;
      }),
      RUNS,
    );
  });
});

describe('secrets never reach the event', () => {
  it('raw API keys and tokens in an access-log line are never copied', () => {
    const secret = fc.string({ minLength: 16, maxLength: 64 }).filter((s) => /^[A-Za-z0-9]+$/.test(s));
    fc.assert(
      fc.property(
        secret,
        fc.constantFrom('apiKey', 'token', 'authorization', 'accessToken'),
        (value, field) => {
          const r = normaliseApiGatewayAccessLog(
            { requestId: 'r', requestTimeEpoch: '1714557600000', status: '200', [field]: value },
            INTEL,
          );
          return r.ok && !JSON.stringify(r.value).includes(value);
        },
      ),
      RUNS,
    );
  });

  it('session tokens and request payloads of a CloudTrail record are never copied', () => {
    const secret = fc.string({ minLength: 16, maxLength: 64 }).filter((s) => /^[A-Za-z0-9/+]+$/.test(s));
    fc.assert(
      fc.property(secret, (value) => {
        const r = normaliseCloudTrail(
          {
            eventTime: '2024-05-01T10:00:00Z',
            eventSource: 'sts.amazonaws.com',
            eventName: 'AssumeRole',
            userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
            requestParameters: {
              roleArn: 'arn:aws:iam::123456789012:role/app',
              roleSessionName: 'i-0a1b2c3d4e5f00001',
              policy: value,
            },
            responseElements: { credentials: { accessKeyId: 'ASIA3EXAMPLEKEY00001', sessionToken: value } },
          },
          INTEL,
        );
        return r.ok && !JSON.stringify(r.value).includes(value);
      }),
      RUNS,
    );
  });
});
