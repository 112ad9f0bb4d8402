import { normaliseCloudTrail, parseCloudTrailLine } from '../../../../lambdas/core/sources/cloudtrail/index.js';
import { parseExpirationTime } from '../../../../lambdas/core/sources/event-time.js';
import { federatedSubject } from '../../../../lambdas/core/sources/federated-subject.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { corpusLines } from '../../../support/cloudwatch-logs.js';
import { INTEL } from '../fixtures.js';

function fromLine(line: string): IdentityEvent {
  const r = parseCloudTrailLine(line, INTEL);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.value;
}

function normalised(record: Record<string, unknown>): IdentityEvent {
  const r = normaliseCloudTrail(record, INTEL);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r.value;
}

/** The corpus line of `file` whose text contains `needle`. */
function corpusLine(file: string, needle: string): string {
  const line = corpusLines(file).find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no line with ${needle} in ${file}`);
  return line;
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENdoNotKeepMe==';

/** STS response credentials as the API returns them (CloudTrail usually hides the secret; this one does not). */
const credentials = (accessKeyId: string, expiration = 'Mar 8, 2026, 11:54:04 AM'): Record<string, unknown> => ({
  accessKeyId,
  secretAccessKey: SECRET,
  sessionToken: TOKEN,
  expiration,
});

const stsRecord = (fields: Record<string, unknown>): Record<string, unknown> => ({
  eventVersion: '1.08',
  eventTime: '2026-03-08T10:54:04Z',
  eventSource: 'sts.amazonaws.com',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-sdk-js/3.600.0',
  eventID: 'e-1',
  eventType: 'AwsApiCall',
  recipientAccountId: '123456789012',
  ...fields,
});

describe('credential issuance in CloudTrail (corpus records)', () => {
  it('links a role-chaining AssumeRole to the issued key, role, session and expiry, never the token', () => {
    const line = corpusLine('cloudtrail/elastic-integrations/test-assume-role-json.jsonl', 'Role2WithTags');
    const event = fromLine(line);
    expect(event.identity.isRoleChain).toBe(true);
    expect(event.issuance).toEqual({
      api: 'AssumeRole',
      accessKeyId: 'ASIAWHOJDLGPOEXAMPLE',
      roleArn: 'arn:aws:iam::111111111111:role/JohnRole2',
      sessionName: 'Role2WithTags',
      expiresAtMs: Date.UTC(2019, 9, 2, 23, 12, 29),
    });
    expect(line).toContain('AgoJb3JpZ2luX2VjEB4a');
    expect(JSON.stringify(event)).not.toContain('AgoJb3JpZ2luX2VjEB4a');
  });

  it('links GetFederationToken to the federated user it created (Stratus detonation)', () => {
    const event = fromLine(
      corpusLine('cloudtrail/stratus-red-team/aws.persistence.sts-federation-token.jsonl', '"GetFederationToken"'),
    );
    expect(event.identity.key).toBe('aws:742491224508:user/stratus-red-team-user-federation-user');
    expect(event.issuance).toEqual({
      api: 'GetFederationToken',
      accessKeyId: 'ASIASTJKC5GCM7ZE6LUP',
      sessionName: 'stratus_red_team',
      expiresAtMs: Date.UTC(2024, 10, 30, 20, 43, 17),
    });
    expect(JSON.stringify(event)).not.toContain('IQoJb3JpZ2luX2VjEOH');
  });

  it('links a Lambda cold start (AssumeRole by lambda.amazonaws.com) to the function session (Invictus)', () => {
    const event = fromLine(corpusLine('cloudtrail/invictus-aws-dataset/events.jsonl', 'ASIATFQR7NSC5ED65575'));
    expect(event.identity.kind).toBe('aws-service');
    expect(event.issuance).toMatchObject({
      api: 'AssumeRole',
      accessKeyId: 'ASIATFQR7NSC5ED65575',
      roleArn: 'arn:aws:iam::123837392027:role/stratus-red-team-olc-lambda-xhfgzaowxc',
      sessionName: 'awslambda_291_20230710122648994',
      expiresAtMs: Date.UTC(2023, 6, 10, 14, 26, 49),
    });
  });

  it('links nothing for a denied AssumeRole, a GetSessionToken without response, or a placeholder key id', () => {
    const denied = corpusLines('cloudtrail/invictus-aws-dataset/events.jsonl').find(
      (l) => l.includes('"eventName":"AssumeRole"') && l.includes('"errorCode":"AccessDenied"'),
    );
    expect(denied).toBeDefined();
    expect(fromLine(denied as string).issuance).toBeUndefined();
    const sessionToken = corpusLines('cloudtrail/panther-analysis/rule-test-events.jsonl').filter((l) =>
      l.includes('"eventName":"GetSessionToken"'),
    );
    expect(sessionToken.length).toBeGreaterThan(0);
    for (const l of sessionToken) expect(fromLine(l).issuance).toBeUndefined();
    const sample = corpusLine('cloudtrail/panther-analysis/rule-test-events.jsonl', 'SAMPLE_ACCESS_KEY');
    expect(fromLine(sample).issuance).toBeUndefined();
  });
});

describe('credential issuance (documented shapes of APIs the corpus lacks)', () => {
  it('AssumeRoleWithWebIdentity from GitHub Actions: repository, ref, audience and the issued key', () => {
    const event = normalised(
      stsRecord({
        eventName: 'AssumeRoleWithWebIdentity',
        sourceIPAddress: '198.51.100.7',
        userIdentity: {
          type: 'WebIdentityUser',
          principalId:
            'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:octo-org/app:ref:refs/heads/main',
          userName: 'repo:octo-org/app:ref:refs/heads/main',
          identityProvider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
        },
        requestParameters: {
          roleArn: 'arn:aws:iam::123456789012:role/ci-deployer',
          roleSessionName: 'GitHubActions',
          durationSeconds: 3600,
        },
        responseElements: {
          credentials: credentials('ASIA3EXAMPLEWEBID001'),
          subjectFromWebIdentityToken: 'repo:octo-org/app:ref:refs/heads/main',
          assumedRoleUser: {
            assumedRoleId: 'AROA3EXAMPLEROLEID02:GitHubActions',
            arn: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/GitHubActions',
          },
          provider: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
          audience: 'sts.amazonaws.com',
        },
      }),
    );
    expect(event.identity.key).toBe('aws:123456789012:role/ci-deployer');
    expect(event.issuance).toEqual({
      api: 'AssumeRoleWithWebIdentity',
      accessKeyId: 'ASIA3EXAMPLEWEBID001',
      roleArn: 'arn:aws:iam::123456789012:role/ci-deployer',
      sessionName: 'GitHubActions',
      expiresAtMs: Date.UTC(2026, 2, 8, 11, 54, 4),
      subject: {
        kind: 'web-identity',
        provider: 'token.actions.githubusercontent.com',
        audience: 'sts.amazonaws.com',
        subject: 'repo:octo-org/app:ref:refs/heads/main',
        pattern: 'token.actions.githubusercontent.com|repo:octo-org/app',
        owner: 'token.actions.githubusercontent.com|owner:octo-org',
        label: 'repository octo-org/app on refs/heads/main via GitHub OIDC',
      },
    });
    const text = JSON.stringify(event);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
  });

  it('AssumeRoleWithWebIdentity from an EKS service account (audience from the principal id)', () => {
    const provider = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
    const event = normalised(
      stsRecord({
        eventName: 'AssumeRoleWithWebIdentity',
        sourceIPAddress: '203.0.113.9',
        userIdentity: {
          type: 'WebIdentityUser',
          principalId: `${provider}:sts.amazonaws.com:system:serviceaccount:payments:ledger-writer`,
          userName: 'system:serviceaccount:payments:ledger-writer',
          identityProvider: provider,
        },
        requestParameters: {
          roleArn: 'arn:aws:iam::123456789012:role/ledger-writer',
          roleSessionName: 'botocore-session-1772966044',
        },
        responseElements: { credentials: credentials('ASIA3EXAMPLEEKSSA001') },
      }),
    );
    expect(event.issuance?.subject).toEqual({
      kind: 'web-identity',
      provider,
      audience: 'sts.amazonaws.com',
      subject: 'system:serviceaccount:payments:ledger-writer',
      pattern: `${provider}|sa:payments/ledger-writer`,
      owner: `${provider}|ns:payments`,
      label: 'service account payments/ledger-writer of cluster EXAMPLED539D4633E53DE1B71EXAMPLE',
    });
    expect(event.issuance?.sessionName).toBe('botocore-session-1772966044');
  });

  it('AssumeRoleWithSAML: NameID and issuer; the pattern is the issuer, not each person', () => {
    const event = normalised(
      stsRecord({
        eventName: 'AssumeRoleWithSAML',
        userIdentity: {
          type: 'SAMLUser',
          principalId: 'SampleUkh1i4+ExamplexL/jEvs=:alice@example.com',
          userName: 'alice@example.com',
          identityProvider: 'SampleUkh1i4+ExamplexL/jEvs=',
        },
        requestParameters: {
          sAMLAssertionID: '_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE',
          roleSessionName: 'alice@example.com',
          roleArn: 'arn:aws:iam::123456789012:role/SAMLOps',
          principalArn: 'arn:aws:iam::123456789012:saml-provider/corp-idp',
        },
        responseElements: {
          subjectType: 'persistent',
          issuer: 'https://idp.example.com/saml',
          credentials: credentials('ASIA3EXAMPLESAML0001', 'Mar 8, 2026 11:54:04 AM'),
          nameQualifier: 'SampleUkh1i4+ExamplexL/jEvs=',
          assumedRoleUser: {
            assumedRoleId: 'AROA3EXAMPLEROLEID03:alice@example.com',
            arn: 'arn:aws:sts::123456789012:assumed-role/SAMLOps/alice@example.com',
          },
          subject: 'alice@example.com',
          audience: 'https://signin.aws.amazon.com/saml',
        },
      }),
    );
    expect(event.issuance).toMatchObject({
      api: 'AssumeRoleWithSAML',
      accessKeyId: 'ASIA3EXAMPLESAML0001',
      roleArn: 'arn:aws:iam::123456789012:role/SAMLOps',
      sessionName: 'alice@example.com',
      expiresAtMs: Date.UTC(2026, 2, 8, 11, 54, 4),
      subject: {
        kind: 'saml',
        provider: 'https://idp.example.com/saml',
        subject: 'alice@example.com',
        pattern: 'https://idp.example.com/saml|issuer:https://idp.example.com/saml',
        label: 'SAML user alice@example.com from https://idp.example.com/saml',
      },
    });
  });

  it('GetSessionToken by an IAM user: the issued key of the same user, no subject', () => {
    const event = normalised(
      stsRecord({
        eventName: 'GetSessionToken',
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDA3EXAMPLEUSERID01',
          arn: 'arn:aws:iam::123456789012:user/deploy-bot',
          accountId: '123456789012',
          accessKeyId: 'AKIA3EXAMPLEKEY00001',
          userName: 'deploy-bot',
        },
        requestParameters: { durationSeconds: 129600 },
        responseElements: { credentials: credentials('ASIA3EXAMPLESESSION1', 'Mar 10, 2026, 10:54:04 PM') },
      }),
    );
    expect(event.issuance).toEqual({
      api: 'GetSessionToken',
      accessKeyId: 'ASIA3EXAMPLESESSION1',
      expiresAtMs: Date.UTC(2026, 2, 10, 22, 54, 4),
    });
  });

  it('Cognito GetCredentialsForIdentity: the identity id; the pattern is the pool, not each end user', () => {
    const event = normalised(
      stsRecord({
        eventSource: 'cognito-identity.amazonaws.com',
        eventName: 'GetCredentialsForIdentity',
        userIdentity: { type: 'Unknown', principalId: 'Anonymous' },
        requestParameters: { identityId: 'us-east-1:1f2e3d4c-0000-4000-8000-00000000abcd', logins: { 'accounts.example.com': 'HIDDEN_DUE_TO_SECURITY_REASONS' } },
        responseElements: {
          identityId: 'us-east-1:1f2e3d4c-0000-4000-8000-00000000abcd',
          credentials: { accessKeyId: 'ASIA3EXAMPLECOGNITO1', expiration: 'Mar 8, 2026 11:54:04 AM', sessionToken: TOKEN, secretKey: SECRET },
        },
      }),
    );
    expect(event.issuance).toMatchObject({
      api: 'GetCredentialsForIdentity',
      accessKeyId: 'ASIA3EXAMPLECOGNITO1',
      subject: { kind: 'cognito', subject: 'us-east-1:1f2e3d4c-0000-4000-8000-00000000abcd' },
    });
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(JSON.stringify(event)).not.toContain(TOKEN);
  });

  it('IAM Roles Anywhere CreateSession: the certificate, trust anchor, role and issued key', () => {
    const anchor = 'arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/4579702c-5fbd-4e2c-9bb4-0123456789ab';
    const event = normalised(
      stsRecord({
        eventSource: 'rolesanywhere.amazonaws.com',
        eventName: 'CreateSession',
        userIdentity: { type: 'Unknown', principalId: '0b1c2d3e4f', userName: 'CN=build-agent-7' },
        requestParameters: {
          roleArn: 'arn:aws:iam::123456789012:role/onprem-builder',
          profileArn: 'arn:aws:rolesanywhere:us-east-1:123456789012:profile/0f0e0d0c-0000-4000-8000-000000000001',
          trustAnchorArn: anchor,
          durationSeconds: 3600,
        },
        responseElements: {
          credentialSet: [
            {
              assumedRoleUser: {
                arn: 'arn:aws:sts::123456789012:assumed-role/onprem-builder/0b1c2d3e4f',
                assumedRoleId: 'AROA3EXAMPLEROLEID04:0b1c2d3e4f',
              },
              credentials: credentials('ASIA3EXAMPLEANYWHERE'),
              packedPolicySize: 0,
              roleArn: 'arn:aws:iam::123456789012:role/onprem-builder',
              sourceIdentity: 'CN=build-agent-7',
            },
          ],
          subjectArn: 'arn:aws:rolesanywhere:us-east-1:123456789012:subject/41cl0bae-6783-40d4-ab20-65dc5d922e45',
        },
      }),
    );
    expect(event.issuance).toMatchObject({
      api: 'CreateSession',
      accessKeyId: 'ASIA3EXAMPLEANYWHERE',
      roleArn: 'arn:aws:iam::123456789012:role/onprem-builder',
      sessionName: '0b1c2d3e4f',
      subject: { kind: 'x509', provider: anchor, subject: 'CN=build-agent-7' },
    });
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });
});

describe('federated subject patterns', () => {
  const gh = (sub: string): string =>
    federatedSubject('web-identity', 'token.actions.githubusercontent.com', sub, 'sts.amazonaws.com').pattern;

  it('a new branch, tag, environment or pull request of a repository is the same pattern; a new repository is not', () => {
    const main = gh('repo:octo-org/app:ref:refs/heads/main');
    expect(gh('repo:octo-org/app:ref:refs/heads/feature/x')).toBe(main);
    expect(gh('repo:octo-org/app:environment:production')).toBe(main);
    expect(gh('repo:octo-org/app:pull_request')).toBe(main);
    expect(gh('repo:octo-org/app:ref:refs/tags/v1.2.3')).toBe(main);
    expect(gh('repo:octo-org/other:ref:refs/heads/main')).not.toBe(main);
    expect(gh('repo:evil-org/app:ref:refs/heads/main')).not.toBe(main);
  });

  it('labels subjects for people and keeps hostile text bounded', () => {
    expect(
      federatedSubject('web-identity', 'https://token.actions.githubusercontent.com', 'repo:o/r:environment:prod').label,
    ).toBe('repository o/r in environment prod via GitHub OIDC');
    expect(
      federatedSubject('web-identity', 'app.terraform.io', 'organization:acme:project:infra:workspace:net:run_phase:apply')
        .pattern,
    ).toBe('app.terraform.io|workspace:acme/infra/net');
    expect(
      federatedSubject('web-identity', 'gitlab.example.com', 'project_path:grp/sub/proj:ref_type:branch:ref:main').owner,
    ).toBe('gitlab.example.com|group:grp/sub');
    const hostile = federatedSubject('web-identity', 'x'.repeat(5000), `repo:${'a'.repeat(5000)}:ref:__proto__`);
    expect(hostile.pattern.length).toBeLessThanOrEqual(512);
    expect(hostile.label.length).toBeLessThanOrEqual(512);
  });
});

describe('parseExpirationTime', () => {
  it('reads the spellings CloudTrail uses and rejects the rest', () => {
    expect(parseExpirationTime('Oct 2, 2019 11:12:29 PM')).toBe(Date.UTC(2019, 9, 2, 23, 12, 29));
    expect(parseExpirationTime('Jul 10, 2023, 1:28:26 PM')).toBe(Date.UTC(2023, 6, 10, 13, 28, 26));
    expect(parseExpirationTime('Jan 01, 2019 12:00:00 AM')).toBe(Date.UTC(2019, 0, 1, 0, 0, 0));
    expect(parseExpirationTime('2026-03-08T11:54:04Z')).toBe(Date.UTC(2026, 2, 8, 11, 54, 4));
    expect(parseExpirationTime(1772970844)).toBe(1772970844000);
    expect(parseExpirationTime('Foo 1, 2019 1:00:00 PM')).toBeUndefined();
    expect(parseExpirationTime('Jan 1, 2019 13:00:00 PM')).toBeUndefined();
    expect(parseExpirationTime({})).toBeUndefined();
  });
});
