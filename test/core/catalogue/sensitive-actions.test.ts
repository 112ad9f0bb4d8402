import {
  SENSITIVE_ACTIONS,
  baseEventName,
  matchSensitiveAction,
} from '../../../lambdas/core/catalogue/sensitive-actions';
import { meets, valuesAt } from '../../../lambdas/core/catalogue/conditions';

const ctx = { account: '111122223333', callerNames: ['deployer', 'deployer-session'] };
const match = (source: string, name: string, params: unknown) =>
  matchSensitiveAction(source, name, params, ctx)?.id;

describe('sensitive-action catalogue: the data', () => {
  it('has unique ids, each with a tactic, MITRE and OWASP NHI references and a why-line', () => {
    const ids = SENSITIVE_ACTIONS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of SENSITIVE_ACTIONS) {
      expect(a.id).toMatch(/^[a-z0-9-]+$/);
      expect(a.source).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
      expect(a.names.length).toBeGreaterThan(0);
      expect(a.mitre.length).toBeGreaterThan(0);
      for (const m of a.mitre) expect(m).toMatch(/^T\d{4}(?:\.\d{3})?$/);
      expect(a.owasp.length).toBeGreaterThan(0);
      for (const o of a.owasp) expect(o).toMatch(/^NHI(?:[1-9]|10)$/);
      expect(a.why.trim().length).toBeGreaterThan(10);
    }
  });

  it('reads Lambda’s versioned event names as the API name', () => {
    expect(baseEventName('UpdateFunctionConfiguration20150331v2')).toBe('UpdateFunctionConfiguration');
    expect(baseEventName('AddPermission20150331')).toBe('AddPermission');
    expect(baseEventName('StopLogging')).toBe('StopLogging');
  });
});

describe('sensitive-action catalogue: request-parameter conditions on real CloudTrail shapes', () => {
  it.each([
    [
      'GuardDuty disabled',
      'guardduty.amazonaws.com',
      'UpdateDetector',
      { detectorId: 'd1', enable: false },
      'guardduty-disable-detector',
    ],
    [
      'GuardDuty detector updated, still enabled',
      'guardduty.amazonaws.com',
      'UpdateDetector',
      { detectorId: 'd1', enable: true, findingPublishingFrequency: 'SIX_HOURS' },
      undefined,
    ],
    [
      'EBS snapshot made public',
      'ec2.amazonaws.com',
      'ModifySnapshotAttribute',
      {
        attributeType: 'CREATE_VOLUME_PERMISSION',
        createVolumePermission: { add: { items: [{ group: 'all' }] } },
        snapshotId: 'snap-1',
      },
      'ec2-snapshot-public',
    ],
    [
      'EBS snapshot shared with an account',
      'ec2.amazonaws.com',
      'ModifySnapshotAttribute',
      { createVolumePermission: { add: { items: [{ userId: '444455556666' }] } } },
      'ec2-snapshot-shared',
    ],
    [
      'EBS snapshot permission removed',
      'ec2.amazonaws.com',
      'ModifySnapshotAttribute',
      { createVolumePermission: { remove: { items: [{ userId: '444455556666' }] } } },
      undefined,
    ],
    [
      'RDS snapshot restorable by all',
      'rds.amazonaws.com',
      'ModifyDBSnapshotAttribute',
      { attributeName: 'restore', dBSnapshotIdentifier: 's', valuesToAdd: ['all'] },
      'rds-snapshot-public',
    ],
    [
      'RDS snapshot shared with nobody',
      'rds.amazonaws.com',
      'ModifyDBSnapshotAttribute',
      { attributeName: 'restore', valuesToAdd: [] },
      undefined,
    ],
    [
      'trail narrowed to data events only',
      'cloudtrail.amazonaws.com',
      'PutEventSelectors',
      { eventSelectors: [{ includeManagementEvents: false, readWriteType: 'All' }], trailName: 't' },
      'cloudtrail-event-selectors-narrowed',
    ],
    [
      'trail selectors kept complete',
      'cloudtrail.amazonaws.com',
      'PutEventSelectors',
      {
        eventSelectors: [
          {
            dataResources: [],
            excludeManagementEventSources: [],
            includeManagementEvents: true,
            readWriteType: 'All',
          },
        ],
      },
      undefined,
    ],
    [
      'AdministratorAccess attached to a role',
      'iam.amazonaws.com',
      'AttachRolePolicy',
      { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', roleName: 'r' },
      'iam-attach-admin-policy',
    ],
    [
      'ReadOnlyAccess attached',
      'iam.amazonaws.com',
      'AttachRolePolicy',
      { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', roleName: 'r' },
      undefined,
    ],
    [
      'inline policy allowing everything',
      'iam.amazonaws.com',
      'PutUserPolicy',
      {
        userName: 'u',
        policyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
      },
      'iam-put-admin-inline-policy',
    ],
    [
      'inline policy denying everything',
      'iam.amazonaws.com',
      'PutUserPolicy',
      { userName: 'u', policyDocument: '{"Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"]}]}' },
      undefined,
    ],
    [
      'trust opened to another account',
      'iam.amazonaws.com',
      'UpdateAssumeRolePolicy',
      {
        roleName: 'r',
        policyDocument:
          '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}',
      },
      'iam-trust-foreign-principal',
    ],
    [
      'trust kept in the account',
      'iam.amazonaws.com',
      'UpdateAssumeRolePolicy',
      {
        roleName: 'r',
        policyDocument:
          '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},"Action":"sts:AssumeRole"}]}',
      },
      'iam-update-trust',
    ],
    [
      'an access key for another user',
      'iam.amazonaws.com',
      'CreateAccessKey',
      { userName: 'backup-admin' },
      'iam-create-access-key-other-user',
    ],
    [
      'an access key for oneself',
      'iam.amazonaws.com',
      'CreateAccessKey',
      { userName: 'deployer' },
      'iam-create-access-key',
    ],
    [
      'one’s own console password',
      'iam.amazonaws.com',
      'UpdateLoginProfile',
      { userName: 'deployer' },
      undefined,
    ],
    [
      'SSH opened to the world',
      'ec2.amazonaws.com',
      'AuthorizeSecurityGroupIngress',
      {
        groupId: 'sg-1',
        ipPermissions: {
          items: [
            { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          ],
        },
      },
      'ec2-security-group-world-admin-port',
    ],
    [
      'HTTPS opened to the world (a web server)',
      'ec2.amazonaws.com',
      'AuthorizeSecurityGroupIngress',
      {
        groupId: 'sg-1',
        ipPermissions: {
          items: [
            { ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          ],
        },
      },
      undefined,
    ],
    [
      'every port to the world, legacy flat form',
      'ec2.amazonaws.com',
      'AuthorizeSecurityGroupIngress',
      { groupId: 'sg-1', ipProtocol: '-1', cidrIp: '0.0.0.0/0' },
      'ec2-security-group-world-admin-port',
    ],
    [
      'public bucket policy',
      's3.amazonaws.com',
      'PutBucketPolicy',
      {
        bucketName: 'b',
        bucketPolicy: {
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: '*' }],
        },
      },
      's3-public-policy',
    ],
    [
      'bucket policy open only within the organization',
      's3.amazonaws.com',
      'PutBucketPolicy',
      {
        bucketPolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource: '*',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
            },
          ],
        },
      },
      undefined,
    ],
    [
      'GPU instances launched',
      'ec2.amazonaws.com',
      'RunInstances',
      {
        instanceType: 'p3.16xlarge',
        instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 1 }] },
      },
      'ec2-run-unusual-instances',
    ],
    [
      'one small instance launched',
      'ec2.amazonaws.com',
      'RunInstances',
      { instanceType: 't3.micro', instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 1 }] } },
      undefined,
    ],
    [
      'a SecureString read in clear',
      'ssm.amazonaws.com',
      'GetParameter',
      { name: '/db/password', withDecryption: true },
      'ssm-get-parameter-decrypted',
    ],
    ['a plain parameter read', 'ssm.amazonaws.com', 'GetParameter', { name: '/app/flag' }, undefined],
    [
      'a function given a layer',
      'lambda.amazonaws.com',
      'UpdateFunctionConfiguration20150331v2',
      { functionName: 'f', layers: ['arn:aws:lambda:us-east-1:111122223333:layer:x:1'] },
      'lambda-add-layer',
    ],
    [
      'a function’s memory changed',
      'lambda.amazonaws.com',
      'UpdateFunctionConfiguration20150331v2',
      { functionName: 'f', memorySize: 512 },
      undefined,
    ],
    ['StopLogging from the wrong service', 'ec2.amazonaws.com', 'StopLogging', {}, undefined],
  ])('%s', (_name, source, eventName, params, id) => {
    expect(match(source, eventName, params)).toBe(id);
  });

  it('never throws on attacker-shaped parameters', () => {
    const shapes: unknown[] = [
      null,
      'text',
      42,
      [],
      [[{ enable: false }]],
      { enable: { nested: [null, 1, 'x'] } },
      { policyDocument: '%7Bnot json' },
      { policyDocument: '{"Statement":"nope"}' },
      { policyDocument: 'x'.repeat(200_000) },
      { ipPermissions: { items: [null, 'x', { fromPort: 'a', toPort: {}, cidrIp: ['0.0.0.0/0'] }] } },
      JSON.parse('{"__proto__":{"enable":false},"constructor":1}'),
    ];
    for (const entry of SENSITIVE_ACTIONS)
      for (const name of entry.names)
        for (const p of shapes) expect(() => matchSensitiveAction(entry.source, name, p, ctx)).not.toThrow();
  });

  it('reads paths through arrays and only own properties', () => {
    expect(valuesAt({ a: [{ b: 1 }, { b: [2, 3] }] }, 'a.b')).toEqual([1, 2, 3]);
    expect(valuesAt({}, 'constructor')).toEqual([]);
    expect(meets({ n: '12' }, { path: 'n', atLeast: 10 }, ctx)).toBe(true);
    expect(meets({ n: 'many' }, { path: 'n', atLeast: 10 }, ctx)).toBe(false);
  });
});
