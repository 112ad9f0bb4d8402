import {
  normaliseCloudTrail,
  type CloudTrailRecord,
} from '../../../../lambdas/core/sources/cloudtrail/index.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { NO_IP_INTEL } from '../../../../lambdas/core/sources/ip-intel.js';
import { INTEL, ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from '../fixtures.js';

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

describe('normaliseCloudTrail — keys DynamoDB can hold', () => {
  const roleNamed = (name: string, account = '123456789012'): Record<string, unknown> =>
    withFields(ROLE_GET_OBJECT, {
      recipientAccountId: account,
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROA3EXAMPLEROLEID01:s',
        arn: `arn:aws:sts::${account}:assumed-role/${name}/s`,
        accountId: account,
        accessKeyId: 'ASIA3EXAMPLEKEY00001',
      },
    });

  it('keeps a real role with the longest name IAM allows (64 characters)', () => {
    const name = 'r'.repeat(64);
    const event = normalised(roleNamed(name));
    expect(event.identity.key).toBe(`aws:123456789012:role/${name}`);
  });

  it('rejects a forged caller whose key no real principal has (`identity-too-long`), in bytes not characters', () => {
    expect(rejectReason(roleNamed('A'.repeat(70_000)))).toBe('identity-too-long');
    // 600 characters of a three-byte letter: 1,800 bytes, over the limit although short in characters.
    expect(rejectReason(roleNamed('€'.repeat(600)))).toBe('identity-too-long');
    expect(normalised(roleNamed('€'.repeat(400))).identity.name).toBe('€'.repeat(400));
  });

  it('keeps only twelve-digit accounts as the recipient account', () => {
    const forged = normalised(withFields(ROLE_GET_OBJECT, { recipientAccountId: 'x'.repeat(5_000) }));
    expect(forged.recipientAccountId).toBeUndefined();
    expect(normalised(ROLE_GET_OBJECT).recipientAccountId).toBe(ROLE_GET_OBJECT['recipientAccountId']);
  });

  it('caps forged names before they are learned, so no record outgrows what DynamoDB stores', () => {
    const long = 'x'.repeat(70_000);
    const event = normalised(
      withFields(ROLE_GET_OBJECT, {
        eventName: long,
        eventSource: long,
        vpcEndpointId: long,
        recipientAccountId: '999999999999x',
      }),
    );
    expect(event.action.name.length).toBeLessThanOrEqual(2 * 128 + 1);
    expect(event.origin.vpcEndpointId?.length).toBe(128);
    expect(event.action.targetAccountId).toBeUndefined();
    const service = normalised(
      withFields(ROLE_GET_OBJECT, {
        userIdentity: { ...(ROLE_GET_OBJECT['userIdentity'] as object), invokedBy: long },
      }),
    );
    expect(service.origin.awsService?.length).toBe(128);
    // An ARN over IAM's 2,048 characters is forged, whatever the (short) key it would make.
    const forged = withFields(ROLE_GET_OBJECT, {
      userIdentity: {
        ...(ROLE_GET_OBJECT['userIdentity'] as object),
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::123456789012:role/${'p/'.repeat(1_100)}short-role`,
            userName: 'short-role',
          },
        },
      },
    });
    expect(rejectReason(forged)).toBe('identity-too-long');
  });
});
