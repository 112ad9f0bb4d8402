import { gzipSync } from 'node:zlib';
import {
  classifyErrorCode,
  maybeGunzip,
  normaliseCloudTrail,
  parseCloudTrailBytes,
  parseCloudTrailText,
  type CloudTrailRecord,
} from '../../../lambdas/core/sources/cloudtrail.js';
import type { IdentityEvent } from '../../../lambdas/core/identity-event.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';
import { INTEL, ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from './fixtures.js';

function normalised(record: Record<string, unknown>, intel = INTEL): IdentityEvent {
  const result = normaliseCloudTrail(record, intel, { logGroup: 'aws-cloudtrail-logs-123456789012' });
  if (!result.ok) throw new Error(`expected a normalised event, got reject: ${result.reason}`);
  return result.value;
}

function rejectReason(record: unknown): string {
  const result = normaliseCloudTrail(record as CloudTrailRecord, NO_IP_INTEL);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}

describe('parseCloudTrailText', () => {
  const a = withFields(USER_LIST_USERS, { eventID: 'a' });
  const b = withFields(USER_LIST_USERS, { eventID: 'b' });

  it('reads the S3 delivery format {"Records":[…]}', () => {
    const parsed = parseCloudTrailText(JSON.stringify({ Records: [a, b] }));
    expect(parsed.format).toBe('records');
    expect(parsed.records.map((r) => r['eventID'])).toEqual(['a', 'b']);
    expect(parsed.rejects).toEqual([]);
  });

  it('reads a JSON array and a single pretty-printed record', () => {
    expect(parseCloudTrailText(JSON.stringify([a, b])).records).toHaveLength(2);
    const single = parseCloudTrailText(JSON.stringify(a, null, 2));
    expect(single.format).toBe('single');
    expect(single.records[0]?.['eventID']).toBe('a');
  });

  it('reads JSON Lines, skips blank lines and counts broken lines with their line number', () => {
    const text = `${JSON.stringify(a)}\r\n\n{"eventName": "Trunc\n${JSON.stringify(b)}\n42\n`;
    const parsed = parseCloudTrailText(text);
    expect(parsed.format).toBe('json-lines');
    expect(parsed.records.map((r) => r['eventID'])).toEqual(['a', 'b']);
    expect(parsed.rejects).toEqual([
      { line: 3, reason: 'invalid-json' },
      { line: 5, reason: 'not-an-object' },
    ]);
  });

  it('expands S3 files concatenated one per line', () => {
    const text = `${JSON.stringify({ Records: [a] })}\n${JSON.stringify({ Records: [b, 'junk'] })}\n`;
    const parsed = parseCloudTrailText(text);
    expect(parsed.records).toHaveLength(2);
    expect(parsed.rejects).toEqual([{ line: 2, reason: 'not-an-object' }]);
  });

  it('unwraps the LookupEvents shape with an embedded CloudTrailEvent string', () => {
    const lookup = {
      EventId: 'a',
      EventName: 'ListUsers',
      ReadOnly: 'true',
      AccessKeyId: 'AKIA3EXAMPLEKEY00001',
      EventTime: '2024-05-01 21:00:00+10:00',
      CloudTrailEvent: JSON.stringify(a),
    };
    const broken = { ...lookup, CloudTrailEvent: '{"eventName":' };
    const parsed = parseCloudTrailText(`${JSON.stringify(lookup)}\n${JSON.stringify(broken)}`);
    expect(parsed.records).toEqual([a]);
    expect(parsed.rejects).toEqual([{ line: 2, reason: 'invalid-embedded-event' }]);
  });

  it('treats empty text and a byte-order mark as nothing to read, not as errors', () => {
    expect(parseCloudTrailText('  \n ')).toEqual({ format: 'empty', records: [], rejects: [] });
    expect(parseCloudTrailText(`\ufeff${JSON.stringify({ Records: [a] })}`).records).toHaveLength(1);
  });
});

describe('maybeGunzip', () => {
  it('inflates .gz input and passes plain input through', () => {
    const text = JSON.stringify({ Records: [USER_LIST_USERS] });
    const gz = maybeGunzip(gzipSync(text));
    const plain = maybeGunzip(Buffer.from(text));
    expect(gz.ok && Buffer.from(gz.value).toString('utf8')).toBe(text);
    expect(plain.ok && Buffer.from(plain.value).toString('utf8')).toBe(text);
  });

  it('reports a corrupt gzip and an oversized one instead of throwing', () => {
    const corrupt = Buffer.concat([gzipSync('{"Records":[]}').subarray(0, 12), Buffer.from('garbage')]);
    expect(maybeGunzip(corrupt)).toEqual({ ok: false, reason: 'invalid-gzip' });
    expect(maybeGunzip(gzipSync(Buffer.alloc(2 * 1024 * 1024)), 1024 * 1024)).toEqual({
      ok: false,
      reason: 'gzip-too-large',
    });
  });
});

describe('parseCloudTrailBytes', () => {
  it('reads .json and .json.gz files alike and reports a corrupt archive as one reject', () => {
    const text = JSON.stringify({ Records: [USER_LIST_USERS, ROLE_GET_OBJECT] });
    expect(parseCloudTrailBytes(gzipSync(text)).records).toHaveLength(2);
    expect(parseCloudTrailBytes(Buffer.from(text)).records).toHaveLength(2);
    expect(parseCloudTrailBytes(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]))).toEqual({
      format: 'empty',
      records: [],
      rejects: [{ line: 0, reason: 'invalid-gzip' }],
    });
  });
});

describe('normaliseCloudTrail — identity keys', () => {
  it('keys an assumed role on the role, never on the session', () => {
    const other = withFields(ROLE_GET_OBJECT, {
      userIdentity: {
        ...(ROLE_GET_OBJECT['userIdentity'] as object),
        arn: 'arn:aws:sts::123456789012:assumed-role/orders-exporter-role/another-session',
        principalId: 'AROA3EXAMPLEROLEID01:another-session',
      },
    });
    const first = normalised(ROLE_GET_OBJECT);
    const second = normalised(other);
    expect(first.identity).toEqual({
      key: 'aws:123456789012:role/orders-exporter-role',
      kind: 'iam-role',
      accountId: '123456789012',
      principal: 'arn:aws:iam::123456789012:role/service-role/orders-exporter-role',
      name: 'orders-exporter-role',
      sessionName: 'orders-exporter',
      isRoleChain: false,
    });
    expect(second.identity.key).toBe(first.identity.key);
    expect(second.identity.sessionName).toBe('another-session');
  });

  it('derives the role from the session ARN when the session issuer is missing', () => {
    const event = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/DevAdministrator/alice',
          principalId: 'AROA3EXAMPLEROLEID02:alice',
          accountId: '123456789012',
          accessKeyId: 'ASIA3EXAMPLEKEY00002',
        },
      }),
    );
    expect(event.identity.key).toBe('aws:123456789012:role/DevAdministrator');
    expect(event.identity.principal).toBe('arn:aws:iam::123456789012:role/DevAdministrator');
    expect(event.identity.sessionName).toBe('alice');
  });

  it('marks an AssumeRole made from a role session as a role chain, with the target role and account', () => {
    const event = normalised(
      withFields(ROLE_GET_OBJECT, {
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        readOnly: false,
        resources: [
          {
            ARN: 'arn:aws:iam::210987654321:role/prod-admin',
            accountId: '210987654321',
            type: 'AWS::IAM::Role',
          },
        ],
        requestParameters: { roleArn: 'arn:aws:iam::210987654321:role/prod-admin', roleSessionName: 'hop' },
        responseElements: {
          credentials: {
            accessKeyId: 'ASIA3EXAMPLEKEY00009',
            sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLESECRET',
            expiration: 'May 1, 2024, 11:00:00 AM',
          },
        },
      }),
    );
    expect(event.identity.isRoleChain).toBe(true);
    expect(event.action).toMatchObject({
      name: 'sts.amazonaws.com:AssumeRole',
      targetRoleArn: 'arn:aws:iam::210987654321:role/prod-admin',
      targetAccountId: '210987654321',
      resource: 'arn:aws:iam::210987654321:role/prod-admin',
    });
    expect(JSON.stringify(event)).not.toContain('IQoJb3JpZ2luX2VjEXAMPLESECRET');
  });

  it('keys IAM users, root and federated users', () => {
    expect(normalised(USER_LIST_USERS).identity).toMatchObject({
      key: 'aws:123456789012:user/ci-deployer',
      kind: 'iam-user',
      principal: 'arn:aws:iam::123456789012:user/ci-deployer',
    });
    const root = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'Root',
          principalId: '123456789012',
          arn: 'arn:aws:iam::123456789012:root',
          accountId: '123456789012',
        },
      }),
    );
    expect(root.identity).toMatchObject({ key: 'aws:123456789012:root', kind: 'root' });
    const federated = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'FederatedUser',
          principalId: '123456789012:partner-sync',
          arn: 'arn:aws:sts::123456789012:federated-user/partner-sync',
          accountId: '123456789012',
          accessKeyId: 'ASIA3EXAMPLEKEY00003',
          sessionContext: {
            sessionIssuer: {
              type: 'IAMUser',
              arn: 'arn:aws:iam::123456789012:user/federation-broker',
              userName: 'federation-broker',
            },
          },
        },
      }),
    );
    expect(federated.identity).toMatchObject({
      key: 'aws:123456789012:federated-user/partner-sync',
      kind: 'federated',
      issuer: 'arn:aws:iam::123456789012:user/federation-broker',
    });
  });

  it('keys a CI OIDC web identity on the role it assumes, with the provider as issuer', () => {
    const event = normalised({
      eventVersion: '1.08',
      userIdentity: {
        type: 'WebIdentityUser',
        principalId:
          'token.actions.githubusercontent.com:sts.amazonaws.com:repo:example-org/api:ref:refs/heads/main',
        userName: 'repo:example-org/api:ref:refs/heads/main',
        identityProvider: 'token.actions.githubusercontent.com',
      },
      eventTime: '2024-05-01T12:00:00Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-sdk-js/2.1500.0 promise',
      requestParameters: {
        roleArn: 'arn:aws:iam::123456789012:role/github-deploy',
        roleSessionName: 'GitHubActions',
      },
      eventID: 'e0000000-0000-4000-8000-000000000002',
      eventType: 'AwsApiCall',
      recipientAccountId: '123456789012',
    });
    expect(event.identity).toMatchObject({
      key: 'aws:123456789012:role/github-deploy',
      kind: 'iam-role',
      issuer: 'token.actions.githubusercontent.com',
      clientId: 'sts.amazonaws.com',
      sessionName: 'repo:example-org/api:ref:refs/heads/main',
    });
    expect(event.credential.kind).toBe('bearer-token');
  });

  it('keys a SAML federation on the assumed role and a bare SAML user on its name', () => {
    const assume = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'SAMLUser',
          principalId: 'SAMPLEHASH:alice@example.com',
          userName: 'alice@example.com',
          identityProvider: 'arn:aws:iam::123456789012:saml-provider/Okta',
        },
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRoleWithSAML',
        requestParameters: {
          roleArn: 'arn:aws:iam::123456789012:role/okta-readonly',
          principalArn: 'arn:aws:iam::123456789012:saml-provider/Okta',
        },
      }),
    );
    expect(assume.identity).toMatchObject({
      key: 'aws:123456789012:role/okta-readonly',
      issuer: 'arn:aws:iam::123456789012:saml-provider/Okta',
    });
    const bare = normalised(
      withFields(USER_LIST_USERS, { userIdentity: { type: 'SAMLUser', userName: 'alice@example.com' } }),
    );
    expect(bare.identity).toMatchObject({
      key: 'aws:123456789012:saml-user/alice@example.com',
      kind: 'federated',
    });
  });

  it('keys AWS services on the service principal, from invokedBy or the source', () => {
    const byInvokedBy = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
        sourceIPAddress: 'lambda.amazonaws.com',
        userAgent: 'lambda.amazonaws.com',
      }),
    );
    expect(byInvokedBy.identity).toEqual({
      key: 'aws:service:lambda.amazonaws.com',
      kind: 'aws-service',
      name: 'lambda.amazonaws.com',
    });
    expect(byInvokedBy.credential.kind).toBe('none');
    const serviceEvent = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: { accountId: '123456789012', invokedBy: 'ec2.amazonaws.com' },
        eventType: 'AwsServiceEvent',
        eventName: 'SharedSnapshotVolumeCreated',
        eventSource: 'ec2.amazonaws.com',
      }),
    );
    expect(serviceEvent.identity.key).toBe('aws:service:ec2.amazonaws.com');
  });

  it('keys cross-account callers on their unique id and anonymous S3 callers on one key', () => {
    const cross = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: {
          type: 'AWSAccount',
          principalId: 'AROA3EXAMPLEROLEID03:etl-run-17',
          accountId: '210987654321',
        },
      }),
    );
    expect(cross.identity).toMatchObject({
      key: 'aws:210987654321:principal/AROA3EXAMPLEROLEID03',
      kind: 'iam-role',
      sessionName: 'etl-run-17',
    });
    expect(cross.action.targetAccountId).toBe('123456789012');
    const anonymous = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: { type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' },
      }),
    );
    expect(anonymous.identity.key).toBe('aws:anonymous');
  });

  it('keys Identity Center users on the identity store and user id', () => {
    const event = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'IdentityCenterUser',
          accountId: '123456789012',
          onBehalfOf: {
            userId: '94482488-3041-7026-18f3-be45837cd0e4',
            identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067230000',
          },
          credentialId: 'EXAMPLEcredentialId',
        },
        eventSource: 'signin.amazonaws.com',
        eventName: 'UserAuthentication',
      }),
    );
    expect(event.identity).toMatchObject({
      key: 'aws:identity-center:d-9067230000/94482488-3041-7026-18f3-be45837cd0e4',
      kind: 'identity-center',
    });
  });

  it('keys a failed call known only by its access key on the key', () => {
    const event = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: { accountId: '123456789012', accessKeyId: 'AKIA3EXAMPLEKEY0DEAD' },
        errorCode: 'InvalidClientTokenId',
        errorMessage: 'The security token included in the request is invalid.',
      }),
    );
    expect(event.identity).toMatchObject({ key: 'aws:key:AKIA3EXAMPLEKEY0DEAD', kind: 'unknown' });
    expect(event.credential).toMatchObject({ id: 'AKIA3EXAMPLEKEY0DEAD', kind: 'long-lived-key' });
    expect(event.outcome).toMatchObject({
      authn: 'failure',
      authz: 'unknown',
      errorCode: 'InvalidClientTokenId',
    });
  });

  it('rejects records it cannot attribute to anyone', () => {
    expect(
      rejectReason(withFields(USER_LIST_USERS, { userIdentity: null, sourceIPAddress: '198.51.100.7' })),
    ).toBe('missing-user-identity');
    expect(rejectReason(withFields(USER_LIST_USERS, { userIdentity: { type: 'Unknown' } }))).toBe(
      'unidentifiable-caller',
    );
  });
});

describe('normaliseCloudTrail — credential', () => {
  it('tells long-lived keys, session keys and console sessions apart and never copies secrets', () => {
    expect(normalised(USER_LIST_USERS).credential).toEqual({
      id: 'AKIA3EXAMPLEKEY00001',
      kind: 'long-lived-key',
    });
    expect(normalised(ROLE_GET_OBJECT).credential).toEqual({
      id: 'ASIA3EXAMPLEKEY00001',
      kind: 'session-key',
      issuedAtMs: Date.UTC(2024, 4, 1, 9, 58),
      isMfa: false,
    });
    const console = normalised(withFields(ROLE_GET_OBJECT, { sessionCredentialFromConsole: 'true' }));
    expect(console.credential.kind).toBe('console-session');
  });

  it('reads MFA from a console login and the compact creation date of old records', () => {
    const login = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::123456789012:assumed-role/ops/alice',
          accountId: '123456789012',
          sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '20131102T010628Z' } },
        },
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/',
          MobileVersion: 'No',
          MFAUsed: 'Yes',
        },
      }),
    );
    expect(login.credential).toEqual({
      kind: 'console-session',
      issuedAtMs: Date.UTC(2013, 10, 2, 1, 6, 28),
      isMfa: true,
    });
  });
});

describe('normaliseCloudTrail — origin', () => {
  it('enriches an address with network, ASN, organisation, country and AWS-ness', () => {
    expect(normalised(ROLE_GET_OBJECT).origin).toEqual({
      ip: '203.0.113.9',
      isIp: true,
      network: '203.0.113.0/24',
      asn: 16509,
      asOrg: 'Amazon.com, Inc.',
      country: 'US',
      isAws: true,
      isPrivate: false,
      userAgent: ROLE_GET_OBJECT['userAgent'],
      userAgentFamily: 'aws-sdk-js',
      userAgentClass: 'sdk',
    });
    expect(normalised(USER_LIST_USERS).origin).toMatchObject({
      asn: 64500,
      country: 'DE',
      isAws: false,
      userAgentFamily: 'aws-cli',
      userAgentClass: 'cli',
    });
  });

  it('keeps anonymised and non-address sources as logged, marked as not an IP', () => {
    for (const source of ['255.090.254.5', '08.1.250.216', '81.2.69.142, 192.168.10.10', 'redacted']) {
      const origin = normalised(withFields(USER_LIST_USERS, { sourceIPAddress: source })).origin;
      expect(origin).toMatchObject({ ip: source, isIp: false, isAws: false });
      expect(origin.network).toBeUndefined();
    }
  });

  it('recognises AWS services acting as the source, private space and IPv6 networks', () => {
    expect(normalised(withFields(USER_LIST_USERS, { sourceIPAddress: 'AWS Internal' })).origin).toMatchObject(
      { awsService: 'AWS Internal', isAws: true, isIp: false },
    );
    expect(
      normalised(withFields(USER_LIST_USERS, { sourceIPAddress: 'secretsmanager.amazonaws.com' })).origin,
    ).toMatchObject({
      awsService: 'secretsmanager.amazonaws.com',
      isAws: true,
    });
    expect(normalised(withFields(USER_LIST_USERS, { sourceIPAddress: '10.8.8.10' })).origin).toMatchObject({
      isPrivate: true,
      network: '10.8.8.0/24',
      isAws: false,
    });
    expect(
      normalised(withFields(USER_LIST_USERS, { sourceIPAddress: '2001:db8:1:2::5' })).origin,
    ).toMatchObject({
      network: '2001:db8:1::/48',
      asn: 64501,
    });
    const viaEndpoint = normalised(
      withFields(ROLE_GET_OBJECT, { vpcEndpointId: 'vpce-0a1b2c3d4e5f00001', sourceIPAddress: '10.0.12.7' }),
    );
    expect(viaEndpoint.origin).toMatchObject({ vpcEndpointId: 'vpce-0a1b2c3d4e5f00001', isPrivate: true });
  });

  it('records the service that acted on the caller’s behalf', () => {
    const event = normalised(
      withFields(USER_LIST_USERS, {
        userIdentity: {
          ...(USER_LIST_USERS['userIdentity'] as object),
          invokedBy: 'cloudformation.amazonaws.com',
        },
        sourceIPAddress: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
      }),
    );
    expect(event.origin).toMatchObject({
      awsService: 'cloudformation.amazonaws.com',
      isAws: true,
      userAgentFamily: 'cloudformation',
      userAgentClass: 'iac',
    });
  });
});

describe('normaliseCloudTrail — outcome', () => {
  const withError = (errorCode: string): IdentityEvent['outcome'] =>
    normalised(withFields(USER_LIST_USERS, { errorCode, errorMessage: 'x' })).outcome;

  it.each([
    'InvalidClientTokenId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'IncompleteSignature',
    'InvalidAccessKeyId',
    'AuthFailure',
    'CloudTrailInvalidClientTokenIdException',
  ])('%s is an authentication failure', (code) => {
    expect(withError(code)).toEqual({
      authn: 'failure',
      authz: 'unknown',
      isThrottled: false,
      errorCode: code,
    });
  });

  it.each([
    'AccessDenied',
    'AccessDeniedException',
    'Client.UnauthorizedOperation',
    'UnauthorizedOperation',
    'VpceAccessDenied',
    'NotAuthorizedException',
  ])('%s is an authorization denial of an authenticated caller', (code) => {
    expect(withError(code)).toEqual({
      authn: 'success',
      authz: 'denied',
      isThrottled: false,
      errorCode: code,
    });
  });

  it.each([
    'ThrottlingException',
    'Throttling',
    'RequestLimitExceeded',
    'TooManyRequestsException',
    'Client.RequestLimitExceeded',
  ])('%s is throttling: neither a failure nor a denial', (code) => {
    const outcome = withError(code);
    expect(outcome.isThrottled).toBe(true);
    expect(outcome.authn).not.toBe('failure');
    expect(outcome.authz).not.toBe('denied');
  });

  it('keeps application errors as errors of an allowed call', () => {
    expect(withError('NoSuchBucketPolicy')).toEqual({
      authn: 'success',
      authz: 'allowed',
      isThrottled: false,
      errorCode: 'NoSuchBucketPolicy',
    });
    expect(classifyErrorCode('200')).toBe('none');
    expect(classifyErrorCode('')).toBe('none');
  });

  it('reads a failed console login from its response, not from errorCode', () => {
    const failed = normalised(
      withFields(USER_LIST_USERS, {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        errorMessage: 'Failed authentication',
        responseElements: { ConsoleLogin: 'Failure' },
      }),
    );
    expect(failed.outcome).toEqual({ authn: 'failure', authz: 'unknown', isThrottled: false });
  });
});

describe('normaliseCloudTrail — action, time and rejects', () => {
  it('names the action eventSource:eventName with resource, region and read-only flag', () => {
    expect(normalised(ROLE_GET_OBJECT).action).toEqual({
      name: 's3.amazonaws.com:GetObject',
      service: 's3',
      resource: 'arn:aws:s3:::orders-export/daily/2024-05-01.csv',
      region: 'eu-west-1',
      isReadOnly: true,
    });
    const noResources = normalised(
      withFields(ROLE_GET_OBJECT, { resources: undefined, eventName: 'GetBucketPolicy' }),
    );
    expect(noResources.action.resource).toBe('orders-export');
  });

  it('carries ids, log group and recipient account', () => {
    const event = normalised(ROLE_GET_OBJECT);
    expect(event).toMatchObject({
      source: 'cloudtrail',
      eventId: '3f0b0a0e-8c44-4c55-9c1c-0b3b7d2f8a01',
      logGroup: 'aws-cloudtrail-logs-123456789012',
      recipientAccountId: '123456789012',
      timeMs: Date.UTC(2024, 4, 1, 10, 0, 0),
    });
  });

  it.each([
    ['2024-06-02 20:16:32', Date.UTC(2024, 5, 2, 20, 16, 32)],
    ['2024-06-02 20:16:32.123456789', Date.UTC(2024, 5, 2, 20, 16, 32, 123)],
    ['2024-06-02T20:16:32.5Z', Date.UTC(2024, 5, 2, 20, 16, 32, 500)],
    ['2022-02-08 09:23:37+11:00', Date.UTC(2022, 1, 7, 22, 23, 37)],
  ])('reads event time %s', (eventTime, expected) => {
    expect(normalised(withFields(USER_LIST_USERS, { eventTime })).timeMs).toBe(expected);
  });

  it('reads the Logstash @timestamp when eventTime is gone', () => {
    const record = withFields(USER_LIST_USERS, { '@timestamp': '2020-09-14T00:44:23.000Z' });
    delete record['eventTime'];
    expect(normalised(record).timeMs).toBe(Date.UTC(2020, 8, 14, 0, 44, 23));
  });

  it.each([
    [{ eventTime: undefined }, 'missing-event-time'],
    [{ eventTime: null }, 'missing-event-time'],
    [{ eventTime: 'redacted' }, 'invalid-event-time'],
    [{ eventTime: '...' }, 'invalid-event-time'],
    [{ eventTime: '2023-02-30T00:00:00Z' }, 'invalid-event-time'],
    [{ eventTime: 1714557600000 }, 'invalid-event-time'],
    [{ eventName: undefined }, 'missing-event-name'],
    [{ eventSource: undefined }, 'missing-event-source'],
  ])('rejects %j with %s', (fields, reason) => {
    expect(rejectReason(withFields(USER_LIST_USERS, fields))).toBe(reason);
  });
});
