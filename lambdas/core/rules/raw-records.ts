/**
 * Raw log records for rule cases, as the services write them: CloudTrail records and API Gateway
 * access-log lines. A case built from them (`log` in `defineCases`) runs them through the production
 * normalisers, so the rule is tested on what the Lambda would see, not only on hand-made events
 * (panther-analysis `Tests: Log:`). Test material: no production module imports this file.
 * Addresses and accounts are documentation values; `CASE_IP_INTEL` plays the IP database.
 */
import type { IdentityEvent } from '../identity-event.js';
import { parseApiGatewayAccessLog } from '../sources/api-gateway.js';
import { parseCloudTrailLine } from '../sources/cloudtrail/index.js';
import type { JsonObject } from '../sources/fields.js';
import type { IpInfo, IpIntel } from '../sources/ip-intel.js';
import { UA, history } from './test-events.js';

/** One raw record of a case: a CloudTrail record (an element of `Records`) or one access-log line. */
export type CaseRecord = { readonly cloudTrail: JsonObject } | { readonly accessLog: string };

const ACCOUNT = '123456789012';

/** What the IP database says about the cases' addresses (the networks test-events.ts names). */
const IP_INFO: ReadonlyMap<string, IpInfo> = new Map<string, IpInfo>([
  ['3.80.10.20', { asn: 14618, asOrg: 'Amazon.com, Inc.', country: 'US' }],
  ['54.210.5.6', { asn: 14618, asOrg: 'Amazon.com, Inc.', country: 'US' }],
  ['198.51.100.23', { asn: 7922, asOrg: 'Comcast Cable Communications, LLC', country: 'US' }],
  ['198.51.100.7', { asn: 64500, asOrg: 'Example Hosting', country: 'DE' }],
  ['203.0.113.45', { asn: 14061, asOrg: 'DigitalOcean, LLC', country: 'NL' }],
  ['192.0.2.77', { asn: 9009, asOrg: 'M247 Europe SRL', country: 'RO' }],
]);

/** An offline IP database over the cases' addresses. */
export const CASE_IP_INTEL: IpIntel = { lookup: (ip) => IP_INFO.get(ip) };

/**
 * The identity event the production line parsers make of `record` as its log line (CloudTrail:
 * `parseCloudTrailLine`; access log: `parseApiGatewayAccessLog`). A record they reject is a broken
 * case: that throws.
 */
export function normaliseRecord(record: CaseRecord): IdentityEvent {
  const result =
    'cloudTrail' in record
      ? parseCloudTrailLine(JSON.stringify(record.cloudTrail), CASE_IP_INTEL)
      : parseApiGatewayAccessLog(record.accessLog, CASE_IP_INTEL);
  if (!result.ok) throw new Error(`a case record was rejected by the normaliser (${result.reason})`);
  return result.value;
}

/** `userIdentity` of a session of role `role` (a Lambda function's execution role by default). */
export const assumedRole = (
  role = 'orders-worker',
  session = 'orders-worker-fn',
  accessKeyId = 'ASIAEXAMPLEWORKER001',
): JsonObject => ({
  type: 'AssumedRole',
  principalId: `AROAEXAMPLEROLEID0001:${session}`,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
  accountId: ACCOUNT,
  accessKeyId,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEROLEID0001',
      arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      accountId: ACCOUNT,
      userName: role,
    },
    attributes: { creationDate: '2026-03-02T00:00:00Z', mfaAuthenticated: 'false' },
  },
});

/** `userIdentity` of IAM user `name` signing with its access key `accessKeyId`. */
export const iamUserIdentity = (name: string, accessKeyId: string): JsonObject => ({
  type: 'IAMUser',
  principalId: `AIDAEXAMPLE${name
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 10)
    .toUpperCase()}`,
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accountId: ACCOUNT,
  accessKeyId,
  userName: name,
});

/** `userIdentity` of the account's root user (console sign-in: no access key). */
export const rootIdentity: JsonObject = {
  type: 'Root',
  principalId: ACCOUNT,
  arn: `arn:aws:iam::${ACCOUNT}:root`,
  accountId: ACCOUNT,
};

/** The call part of a CloudTrail record. */
export interface Call {
  readonly timeMs: number;
  /** `service:Action`, e.g. `dynamodb.amazonaws.com:GetItem`. */
  readonly action?: string;
  readonly region?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly readOnly?: boolean;
  readonly requestParameters?: JsonObject;
  readonly responseElements?: JsonObject;
  readonly additionalEventData?: JsonObject;
}

/** A CloudTrail record of `userIdentity` making `call` (defaults: DynamoDB GetItem from a Lambda in us-east-1). */
export function cloudTrail(userIdentity: JsonObject, call: Call): CaseRecord {
  const action = call.action ?? 'dynamodb.amazonaws.com:GetItem';
  const colon = action.indexOf(':');
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity,
    eventTime: new Date(call.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: action.slice(0, colon),
    eventName: action.slice(colon + 1),
    awsRegion: call.region ?? 'us-east-1',
    sourceIPAddress: call.sourceIPAddress ?? '3.80.10.20',
    userAgent: call.userAgent ?? UA.lambdaNode.userAgent,
    requestParameters: call.requestParameters ?? null,
    responseElements: call.responseElements ?? null,
    requestID: `REQ${call.timeMs.toString(36).toUpperCase()}`,
    eventID: `case-${call.timeMs.toString(36)}`,
    readOnly: call.readOnly ?? true,
    eventType: action.startsWith('signin.') ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: !action.startsWith('dynamodb.') && !action.startsWith('s3.'),
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
  if (call.errorCode !== undefined) record['errorCode'] = call.errorCode;
  if (call.errorMessage !== undefined) record['errorMessage'] = call.errorMessage;
  if (call.additionalEventData !== undefined) record['additionalEventData'] = call.additionalEventData;
  return { cloudTrail: record };
}

/** The default workload (the orders worker's Lambda role session) making `call`. */
export const workerCall = (call: Call): CaseRecord => cloudTrail(assumedRole(), call);

/** A learned history like test-events.ts `history()` (same timeline), each call a raw record made by `make`. */
export const rawHistory = (make: (timeMs: number) => CaseRecord, days = 8, perDay = 40): CaseRecord[] =>
  history({}, days, perDay).map((e) => make(e.timeMs));

/** An HTTP API access-log line in the recommended identity format (`IDENTITY_ACCESS_LOG_FORMAT_HTTP`). */
export function accessLog(fields: {
  readonly timeMs: number;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly clientId?: string;
  readonly errorType?: string;
}): CaseRecord {
  const path = fields.route.replace('{id}', '42');
  const line = {
    requestId: `req-${fields.timeMs.toString(36)}`,
    requestTimeEpoch: String(fields.timeMs),
    apiId: 'a1b2c3d4e5',
    stage: '$default',
    domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    httpMethod: fields.method,
    routeKey: `${fields.method} ${fields.route}`,
    path,
    protocol: 'HTTP/1.1',
    status: String(fields.status),
    responseLength: '112',
    sourceIp: fields.sourceIp,
    userAgent: fields.userAgent,
    identityAccountId: '-',
    callerArn: '-',
    principalId: '-',
    sub: fields.clientId ?? '-',
    clientId: fields.clientId ?? '-',
    issuer: fields.clientId === undefined ? '-' : 'https://auth.example.com',
    jti: '-',
    scope: fields.clientId === undefined ? '-' : 'orders/read',
    certSerial: '-',
    certSubject: '-',
    authorizerError: '-',
    errorType: fields.errorType ?? '-',
    errorMessage: '-',
  };
  return { accessLog: JSON.stringify(line) };
}

// ---------------------------------------------------------------------------------------------
// Credential issuance (identity chains): the records that hand out session keys.
// ---------------------------------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's spelling of a credential's expiration: `Mar 2, 2026, 10:00:00 AM` (UTC). */
export function cloudTrailExpiration(timeMs: number): string {
  const d = new Date(timeMs);
  const h = d.getUTCHours();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** A distinct `ASIA…` key id per issuance, derived from its time and subject (no counter). */
export const issuedKey = (timeMs: number, salt: string): string => {
  const h = [...`${timeMs}${salt}`].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  return `ASIA${h.toString(36).toUpperCase().padStart(8, '0').slice(0, 8)}CASE${String(timeMs % 10_000).padStart(4, '0')}`;
};

/** The `credentials` of an issuance response: key id, expiry one hour on, and a token nhi-watch must never keep. */
const issuedCredentials = (accessKeyId: string, timeMs: number): JsonObject => ({
  accessKeyId,
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
  expiration: cloudTrailExpiration(timeMs + 3_600_000),
});

/** Issuance details of a case record. */
export interface IssuanceCall {
  readonly timeMs: number;
  /** Role assumed. */
  readonly role: string;
  readonly session: string;
  /** The issued key (derived from time and session when absent). */
  readonly accessKeyId?: string;
  readonly sourceIPAddress?: string;
  readonly errorCode?: string;
}

/** An AssumeRoleWithWebIdentity record (documented shape): token subject `sub` of `provider` assuming `role`. */
export function webIdentityIssuance(sub: string, provider: string, call: IssuanceCall): CaseRecord {
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${provider}`;
  const key = call.accessKeyId ?? issuedKey(call.timeMs, sub);
  return cloudTrail(
    {
      type: 'WebIdentityUser',
      principalId: `${providerArn}:sts.amazonaws.com:${sub}`,
      userName: sub,
      identityProvider: providerArn,
    },
    {
      timeMs: call.timeMs,
      action: 'sts.amazonaws.com:AssumeRoleWithWebIdentity',
      sourceIPAddress: call.sourceIPAddress ?? '198.51.100.7',
      userAgent: 'aws-sdk-nodejs/2.1692.0 linux/v20.18.0 configure-aws-credentials-for-github-actions',
      requestParameters: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${call.role}`,
        roleSessionName: call.session,
        durationSeconds: 3600,
      },
      ...(call.errorCode !== undefined
        ? {
            errorCode: call.errorCode,
            errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
          }
        : {
            responseElements: {
              credentials: issuedCredentials(key, call.timeMs),
              subjectFromWebIdentityToken: sub,
              assumedRoleUser: {
                assumedRoleId: `AROAEXAMPLEROLEID0009:${call.session}`,
                arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${call.role}/${call.session}`,
              },
              provider: providerArn,
              audience: 'sts.amazonaws.com',
            },
          }),
    },
  );
}

/** An AssumeRole record made by `caller` (a userIdentity), or by AWS service `caller` when it is a string. */
export function assumeRoleIssuance(caller: JsonObject | string, call: IssuanceCall): CaseRecord {
  const key = call.accessKeyId ?? issuedKey(call.timeMs, call.session);
  const isService = typeof caller === 'string';
  return cloudTrail(isService ? { type: 'AWSService', invokedBy: caller } : caller, {
    timeMs: call.timeMs,
    action: 'sts.amazonaws.com:AssumeRole',
    sourceIPAddress: isService ? caller : (call.sourceIPAddress ?? '3.80.10.20'),
    userAgent: isService ? caller : UA.lambdaNode.userAgent,
    requestParameters: {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${call.role}`,
      roleSessionName: call.session,
    },
    responseElements: {
      credentials: issuedCredentials(key, call.timeMs),
      assumedRoleUser: {
        assumedRoleId: `AROAEXAMPLEROLEID0008:${call.session}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${call.role}/${call.session}`,
      },
    },
  });
}
