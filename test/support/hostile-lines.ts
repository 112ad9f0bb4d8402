/**
 * Log lines with attacker-chosen values — every `Object.prototype` member name, strings built
 * around them, arbitrary text — in every observed field of both sources, as fast-check
 * arbitraries; and the check that an event's values were learned like any others.
 */
import fc from 'fast-check';

import { parseRecord, type IdentityBaseline } from '../../lambdas/core/baseline';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { getOwn } from '../../lambdas/core/safe-record';
import { PROTOTYPE_NAMES } from './prototype';

/** When the generated traffic happens (epoch ms). */
export const T = Date.UTC(2026, 2, 2, 10);
const ISO = new Date(T).toISOString().replace('.000Z', 'Z');

/** A prototype member name, a string built around one, or any string. */
export const hostile = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(...PROTOTYPE_NAMES).map((n) => `${n} ${n}`),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** API Gateway access-log line (the identity format) with hostile values in every observed field. */
export const apiLine = fc
  .record({
    jti: hostile,
    sub: hostile,
    clientId: hostile,
    issuer: hostile,
    scope: fc.array(hostile, { maxLength: 3 }).map((s) => s.join(' ')),
    path: hostile,
    resourcePath: hostile,
    httpMethod: hostile,
    userAgent: hostile,
    principalId: hostile,
    apiKeyId: hostile,
    callerArn: hostile,
    certSubject: hostile,
    certSerial: hostile,
    vpceId: hostile,
    authnError: hostile,
    errorMessage: hostile,
    status: fc.constantFrom('200', '401', '403', '500'),
  })
  .map((f) =>
    JSON.stringify({
      requestId: 'r-1',
      requestTimeEpoch: String(T),
      apiId: 'a1b2c3d4e5',
      stage: 'prod',
      sourceIp: '198.51.100.7',
      ...f,
    }),
  );

/** CloudTrail record with hostile values in every observed field. */
export const cloudTrailLine = fc
  .record({
    type: fc.constantFrom('AssumedRole', 'IAMUser', 'Root', 'AWSService', 'WebIdentityUser'),
    arn: hostile,
    principalId: hostile,
    accessKeyId: hostile,
    userName: hostile,
    sessionName: hostile,
    issuerArn: hostile,
    userAgent: hostile,
    sourceIPAddress: fc.oneof(hostile, fc.constant('198.51.100.9')),
    eventName: hostile,
    eventSource: fc.oneof(hostile, fc.constant('sts.amazonaws.com')),
    awsRegion: hostile,
    roleArn: hostile,
    roleSessionName: hostile,
    errorCode: fc.option(hostile, { nil: undefined }),
    vpcEndpointId: fc.option(hostile, { nil: undefined }),
    recipientAccountId: hostile,
  })
  .map((f) =>
    JSON.stringify({
      eventVersion: '1.09',
      userIdentity: {
        type: f.type,
        principalId: f.principalId,
        arn: f.arn,
        accountId: '123456789012',
        accessKeyId: f.accessKeyId,
        userName: f.userName,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: f.issuerArn,
            userName: f.sessionName,
            accountId: '123456789012',
          },
        },
      },
      eventTime: ISO,
      eventSource: f.eventSource,
      eventName: f.eventName,
      awsRegion: f.awsRegion,
      sourceIPAddress: f.sourceIPAddress,
      userAgent: f.userAgent,
      requestParameters: { roleArn: f.roleArn, roleSessionName: f.roleSessionName },
      ...(f.errorCode !== undefined ? { errorCode: f.errorCode, errorMessage: f.errorCode } : {}),
      ...(f.vpcEndpointId !== undefined ? { vpcEndpointId: f.vpcEndpointId } : {}),
      eventID: 'e-1',
      eventType: 'AwsApiCall',
      recipientAccountId: f.recipientAccountId,
    }),
  );

/** Each event's learnable values are in its identity's stored baseline, before and after the codec. */
export function expectLearned(
  records: ReadonlyMap<string, LoadedRecord>,
  events: readonly IdentityEvent[],
): void {
  for (const e of events) {
    const stored = records.get(e.identity.key)?.record as IdentityBaseline | undefined;
    expect(stored).toBeDefined();
    for (const b of [stored!, parseRecord(JSON.stringify(stored)) as IdentityBaseline]) {
      if (e.outcome.authn === 'failure') continue;
      if (e.credential.id !== undefined && e.credential.id !== '')
        expect(getOwn(b.credentials, e.credential.id)?.n).toBeGreaterThan(0);
      if (e.outcome.authz !== 'denied' && e.action.name !== '')
        expect(getOwn(b.dims.actions, e.action.name)?.n).toBeGreaterThan(0);
      for (const s of e.outcome.scopes ?? [])
        if (s !== '') expect(getOwn(b.dims.scopes, s)?.n).toBeGreaterThan(0);
      if (e.origin.userAgentFamily)
        expect(getOwn(b.dims.uaFamilies, e.origin.userAgentFamily)?.n).toBeGreaterThan(0);
    }
  }
}
