import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import {
  ASFF_LIMITS,
  defaultProductArn,
  toAsff,
  type AsffContext,
  type AsffFinding,
} from '../../lambdas/core/asff';
import { mergeFinding } from '../../lambdas/core/finding';
import { at } from '../../lambdas/core/rules/test-events';
import { memberNames, requiredMembers, validateAsffFinding } from '../support/asff-schema';
import { findingFor, findingsFor } from '../support/findings';
import { HOSTILE } from '../support/hostile';

const CTX: AsffContext = { region: 'eu-west-1', accountId: '111122223333' };

/** Compile-time check: nhi-watch's ASFF shape is assignable to the SDK's own type. */
const asSdk = (f: AsffFinding): AwsSecurityFinding => f;

/** What the Security Hub receiver sees: the finding as JSON on the wire. */
const wire = (f: AsffFinding): unknown => JSON.parse(JSON.stringify(asSdk(f)));

const roleFinding = () =>
  findingFor({
    timeMs: at(9, 14, 5),
    origin: {
      ip: '203.0.113.50',
      network: '203.0.113.0/24',
      asn: 14061,
      asOrg: 'DigitalOcean, LLC',
      country: 'NL',
      isAws: false,
      userAgent: 'python-requests/2.31.0',
      userAgentFamily: 'python-requests',
      userAgentClass: 'http-library',
    },
    action: {
      name: 's3.amazonaws.com:GetObject',
      service: 's3.amazonaws.com',
      resource: 'arn:aws:s3:::orders-archive/2026/03/export.csv',
      region: 'eu-west-1',
    },
  });

describe('the SDK schema the validator reads', () => {
  it('still requires exactly the members this code was written against', () => {
    expect(requiredMembers()).toEqual([
      'SchemaVersion',
      'Id',
      'ProductArn',
      'GeneratorId',
      'AwsAccountId',
      'CreatedAt',
      'UpdatedAt',
      'Title',
      'Description',
      'Resources',
    ]);
  });

  it('knows every member toAsff emits', () => {
    const known = new Set(memberNames());
    for (const key of Object.keys(toAsff(roleFinding(), CTX))) expect(known.has(key)).toBe(true);
  });
});

/** Parsed JSON the tests deliberately break in every way: untyped on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('validateAsffFinding', () => {
  const valid = (): Json => wire(toAsff(roleFinding(), CTX));

  it('accepts a finding built by toAsff', () => {
    expect(validateAsffFinding(valid())).toEqual([]);
  });

  it('reports unknown members at the top level and inside nested structures', () => {
    const f = valid();
    f.Colour = 'red';
    f.Resources[0].Owner = { Account: {} };
    f.Resources[0].Details.AwsIamRole.Nickname = 'x';
    f.Action.AwsApiCallAction.RemoteIpDetails.IpAddressV6 = '2001:db8::1';
    const problems = validateAsffFinding(f);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Colour: unknown member of AwsSecurityFinding',
        'Resources[0].Details.AwsIamRole.Nickname: unknown member of AwsIamRoleDetails',
        'Action.AwsApiCallAction.RemoteIpDetails.IpAddressV6: unknown member of ActionRemoteIpDetails',
      ]),
    );
  });

  it('reports missing required members, including those ASFF requires beyond the SDK', () => {
    const f = valid();
    delete f.Title;
    delete f.Resources[0].Id;
    delete f.Severity;
    delete f.Types;
    expect(validateAsffFinding(f)).toEqual(
      expect.arrayContaining([
        'Title: missing (required)',
        'Resources[0].Id: missing (required)',
        'Severity: missing (required by ASFF)',
        'Types: missing (required by ASFF)',
      ]),
    );
  });

  it('reports wrong primitive types, lists, maps and timestamps', () => {
    const f = valid();
    f.Title = 42;
    f.Confidence = '90';
    f.Sample = 'yes';
    f.Types = 'TTPs/Credential Access';
    f.ProductFields['nhi-watch/count'] = 3;
    f.Resources = { 0: f.Resources[0] };
    f.CreatedAt = 'yesterday';
    f.Action.AwsApiCallAction.RemoteIpDetails.Organization.Asn = 'AS14061';
    const problems = validateAsffFinding(f).join('\n');
    expect(problems).toContain('Title: expected a string, got number');
    expect(problems).toContain('Confidence: expected a number, got string');
    expect(problems).toContain('Sample: expected a boolean, got string');
    expect(problems).toContain('Types: expected a list, got string');
    expect(problems).toContain('ProductFields.nhi-watch/count: expected a string, got number');
    expect(problems).toContain('Resources: expected a list, got object');
    expect(problems).toContain('CreatedAt: "yesterday" is not an RFC 3339 timestamp');
    expect(problems).toContain(
      'Action.AwsApiCallAction.RemoteIpDetails.Organization.Asn: expected a number, got string',
    );
  });

  it('reports bad enum values, limits, the schema version, the account and the Types taxonomy', () => {
    const f = valid();
    f.Severity.Label = 'SEVERE';
    f.RecordState = 'OPEN';
    f.Title = 'x'.repeat(257);
    f.SchemaVersion = '2019-01-01';
    f.AwsAccountId = '1234';
    f.Types = ['Suspicious/Things'];
    f.ProductFields = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    f.Resources = [];
    f.Description = '';
    const problems = validateAsffFinding(f).join('\n');
    expect(problems).toContain('Severity.Label: "SEVERE" is not one of');
    expect(problems).toContain('RecordState: "OPEN" is not one of ACTIVE, ARCHIVED');
    expect(problems).toContain('Title: 257 characters, at most 256');
    expect(problems).toContain('SchemaVersion: must be 2018-10-08');
    expect(problems).toContain('AwsAccountId: must be 12 digits');
    expect(problems).toContain('Types[0]: "Suspicious/Things" is not namespace/category[/classifier]');
    expect(problems).toContain('ProductFields: 51 keys, at most 50');
    expect(problems).toContain('Resources: 0 items, allowed 1–32');
    expect(problems).toContain('Description: empty string');
  });

  it('reports a finding over 240 KB', () => {
    const f = valid();
    f.Resources = Array.from({ length: 30 }, (_, i) => ({
      Type: 'Other',
      Id: `r${i}`,
      Details: {
        Other: Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`k${k}`, 'v'.repeat(1000)])),
      },
    }));
    expect(validateAsffFinding(f).join('\n')).toMatch(/bytes, over the 240 KB limit/);
  });

  it('reports something that is not an object at all', () => {
    expect(validateAsffFinding('finding')).toEqual([
      'AwsSecurityFinding: expected an object (AwsSecurityFinding), got string "finding"',
    ]);
  });
});

describe('toAsff', () => {
  it('fills the ASFF header from the finding and the importing account', () => {
    const f = roleFinding();
    const a = toAsff(f, CTX);
    expect(a.SchemaVersion).toBe('2018-10-08');
    expect(a.Id).toBe(f.id);
    expect(a.ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
    expect(a.GeneratorId).toBe('nhi-watch/credential-replay');
    expect(a.CreatedAt).toBe('2026-03-11T14:05:00.000Z');
    expect(a.FirstObservedAt).toBe('2026-03-11T14:05:00.000Z');
    expect(a.RecordState).toBe('ACTIVE');
    expect(a.Severity).toEqual({ Label: 'HIGH', Original: 'HIGH' });
    expect(a.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH', Original: 'HIGH' },
      Types: ['TTPs/Credential Access', 'Unusual Behaviors/User'],
    });
    expect(a.Types).toEqual(['TTPs/Credential Access', 'Unusual Behaviors/User']);
    expect(a.Compliance).toEqual({
      RelatedRequirements: ['OWASP-NHI:NHI2', 'NIST-CSF-2.0:DE.CM-03', 'MITRE:T1550.001'],
    });
    expect(a.Remediation?.Recommendation.Text).toMatch(/^Confirm with the workload owner/);
  });

  it('leaves the analyst-owned Workflow, Note and VerificationState alone', () => {
    const a = toAsff(roleFinding(), CTX) as unknown as Record<string, unknown>;
    expect(a).not.toHaveProperty('Workflow');
    expect(a).not.toHaveProperty('Note');
    expect(a).not.toHaveProperty('VerificationState');
    expect(a).not.toHaveProperty('UserDefinedFields');
  });

  it('imports under the calling account even when the identity lives in another account', () => {
    const f = findingFor({
      identity: {
        key: 'aws:444455556666:role/etl',
        accountId: '444455556666',
        principal: 'arn:aws:iam::444455556666:role/etl',
        name: 'etl',
      },
    });
    const a = toAsff(f, CTX);
    expect(a.AwsAccountId).toBe('111122223333');
    expect(a.Resources[0]!.Id).toBe('arn:aws:iam::444455556666:role/etl');
    expect(a.ProductFields['nhi-watch/identityAccountId']).toBe('444455556666');
  });

  it('carries a later UpdatedAt when a repeat of the same finding is imported again', () => {
    const first = findingFor({ timeMs: at(9, 14, 5) });
    const repeat = mergeFinding(first, findingFor({ timeMs: at(9, 15, 40) }));
    expect(repeat.id).toBe(first.id);
    const a1 = toAsff(first, CTX);
    const a2 = toAsff(repeat, CTX);
    expect(a2.Id).toBe(a1.Id);
    expect(a2.CreatedAt).toBe(a1.CreatedAt);
    expect(Date.parse(a2.UpdatedAt)).toBeGreaterThan(Date.parse(a1.UpdatedAt));
    expect(a2.LastObservedAt).toBe('2026-03-11T15:40:00.000Z');
    expect(a2.ProductFields['nhi-watch/count']).toBe('2');
  });

  it('uses the processing time as UpdatedAt when it is later than the last event', () => {
    const f = roleFinding();
    expect(toAsff(f, { ...CTX, nowIso: '2026-03-11T14:07:30.000Z' }).UpdatedAt).toBe(
      '2026-03-11T14:07:30.000Z',
    );
    // A clock behind the events never moves UpdatedAt before the last observation.
    expect(toAsff(f, { ...CTX, nowIso: '2026-03-01T00:00:00.000Z' }).UpdatedAt).toBe(
      '2026-03-11T14:05:00.000Z',
    );
  });

  it('describes an assumed-role call: role and session key as actors, the S3 object as target, the remote IP with its network', () => {
    const a = toAsff(roleFinding(), CTX);
    expect(a.Resources).toEqual([
      {
        Type: 'AwsIamRole',
        Id: 'arn:aws:iam::123456789012:role/orders-worker',
        Partition: 'aws',
        Region: 'eu-west-1',
        ResourceRole: 'Actor',
        Details: { AwsIamRole: { RoleName: 'orders-worker', Path: '/' } },
      },
      {
        Type: 'AwsIamAccessKey',
        Id: 'AWS::IAM::AccessKey:ASIAEXAMPLEWORKER001',
        Partition: 'aws',
        Region: 'eu-west-1',
        ResourceRole: 'Actor',
        Details: {
          AwsIamAccessKey: {
            AccessKeyId: 'ASIAEXAMPLEWORKER001',
            PrincipalName: 'orders-worker',
            PrincipalType: 'AssumedRole',
            AccountId: '123456789012',
          },
        },
      },
      {
        Type: 'Other',
        Id: 'arn:aws:s3:::orders-archive/2026/03/export.csv',
        Partition: 'aws',
        Region: 'eu-west-1',
        ResourceRole: 'Target',
      },
    ]);
    expect(a.Action).toEqual({
      ActionType: 'AWS_API_CALL',
      AwsApiCallAction: {
        Api: 'GetObject',
        ServiceName: 's3.amazonaws.com',
        CallerType: 'remoteip',
        RemoteIpDetails: {
          IpAddressV4: '203.0.113.50',
          Organization: { Asn: 14061, AsnOrg: 'DigitalOcean, LLC' },
          Country: { CountryCode: 'NL' },
        },
        FirstSeen: '2026-03-11T14:05:00.000Z',
        LastSeen: '2026-03-11T14:05:00.000Z',
      },
    });
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('describes an IAM user with a long-lived key', () => {
    const f = findingFor({
      identity: {
        key: 'aws:123456789012:user/ci/legacy-deployer',
        kind: 'iam-user',
        principal: 'arn:aws:iam::123456789012:user/ci/legacy-deployer',
        name: 'legacy-deployer',
        sessionName: undefined,
      },
      credential: { id: 'AKIAEXAMPLELEGACY001', kind: 'long-lived-key' },
    });
    const a = toAsff(f, CTX);
    expect(a.Resources[0]).toMatchObject({
      Type: 'AwsIamUser',
      Id: 'arn:aws:iam::123456789012:user/ci/legacy-deployer',
      Details: { AwsIamUser: { UserName: 'legacy-deployer', Path: '/ci/' } },
    });
    expect(a.Resources[1]).toMatchObject({
      Type: 'AwsIamAccessKey',
      Details: { AwsIamAccessKey: { AccessKeyId: 'AKIAEXAMPLELEGACY001', PrincipalType: 'IAMUser' } },
    });
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('describes an API client on an API Gateway stage, from an IPv6 address, with a bearer token', () => {
    const f = findingFor({
      source: 'api-gateway',
      identity: {
        key: 'api:a1b2c3d4e5:client:partner-7',
        kind: 'api-client',
        accountId: '123456789012',
        principal: 'partner-7',
        name: 'partner-7',
        sessionName: undefined,
        clientId: 'partner-7',
      },
      credential: { id: 'jti:6f1c2b9e-0d1a-4c47-9a7e-5e2f6d9c1b00', kind: 'bearer-token' },
      origin: {
        ip: '2001:db8:85a3::8a2e:370:7334',
        network: '2001:db8:85a3::/48',
        asn: 64500,
        asOrg: 'Example Transit',
        country: 'DE',
        isAws: false,
      },
      action: {
        name: 'POST /orders/{id}/refund',
        resource: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod',
        region: 'eu-west-1',
      },
    });
    const a = toAsff(f, CTX);
    expect(a.Resources.map((r) => r.Type)).toEqual(['Other', 'Other', 'AwsApiGatewayStage']);
    expect(a.Resources[0]).toMatchObject({
      Id: 'api:a1b2c3d4e5:client:partner-7',
      Details: { Other: { identityKind: 'api-client', name: 'partner-7' } },
    });
    expect(a.Resources[1]).toMatchObject({
      Id: 'nhi-watch:credential:bearer-token:jti:6f1c2b9e-0d1a-4c47-9a7e-5e2f6d9c1b00',
    });
    expect(a.Resources[2]).toMatchObject({
      Id: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod',
      ResourceRole: 'Target',
      Details: { AwsApiGatewayStage: { StageName: 'prod' } },
    });
    expect(a.Action.AwsApiCallAction).toMatchObject({
      Api: 'POST /orders/{id}/refund',
      ServiceName: 'execute-api.amazonaws.com',
      CallerType: 'remoteip',
    });
    // ASFF has no IPv6 field in RemoteIpDetails: the address stays in ProductFields.
    expect(a.Action.AwsApiCallAction.RemoteIpDetails).toEqual({
      Organization: { Asn: 64500, AsnOrg: 'Example Transit' },
      Country: { CountryCode: 'DE' },
    });
    expect(a.ProductFields['nhi-watch/sourceIp']).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('describes an HTTP API stage as AwsApiGatewayV2Stage', () => {
    const f = findingFor({
      source: 'api-gateway',
      action: {
        name: 'GET /items',
        resource: 'arn:aws:apigateway:eu-west-1::/apis/q1w2e3r4t5/stages/$default',
      },
    });
    const a = toAsff(f, CTX);
    expect(a.Resources.at(-1)).toMatchObject({
      Type: 'AwsApiGatewayV2Stage',
      Details: { AwsApiGatewayV2Stage: { StageName: '$default' } },
    });
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it("describes a call made by an AWS service on the identity's behalf as a domain caller", () => {
    const f = findingFor({
      origin: {
        ip: 'lambda.amazonaws.com',
        isIp: false,
        network: undefined,
        asn: undefined,
        asOrg: undefined,
        country: undefined,
        awsService: 'lambda.amazonaws.com',
      },
    });
    const a = toAsff(f, CTX);
    expect(a.Action.AwsApiCallAction).toMatchObject({
      CallerType: 'domain',
      DomainDetails: { Domain: 'lambda.amazonaws.com' },
    });
    expect(a.Action.AwsApiCallAction).not.toHaveProperty('RemoteIpDetails');
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('describes root as the account resource', () => {
    const f = findingFor({
      identity: {
        key: 'aws:123456789012:root',
        kind: 'root',
        principal: 'arn:aws:iam::123456789012:root',
        name: 'root',
        sessionName: undefined,
      },
      credential: { id: 'ASIAEXAMPLEROOT00001' },
    });
    const a = toAsff(f, CTX);
    expect(a.Resources[0]).toMatchObject({ Type: 'AwsAccount', Id: 'AWS::::Account:123456789012' });
    expect(a.Resources[1]).toMatchObject({ Details: { AwsIamAccessKey: { PrincipalType: 'Root' } } });
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('uses the partition of the region in ARNs and resources', () => {
    const f = findingFor({
      identity: {
        key: 'aws:123456789012:role/app',
        principal: 'arn:aws-cn:iam::123456789012:role/app',
        name: 'app',
      },
      action: { name: 'sts.amazonaws.com:GetCallerIdentity', region: 'cn-north-1' },
    });
    const a = toAsff(f, { region: 'cn-north-1', accountId: '111122223333' });
    expect(a.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default');
    expect(a.Resources[0]).toMatchObject({ Partition: 'aws-cn', Region: 'cn-north-1' });
    expect(defaultProductArn('us-gov-west-1', '111122223333')).toBe(
      'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default',
    );
    expect(validateAsffFinding(wire(a))).toEqual([]);
  });

  it('stays within every ASFF limit and strips terminal escapes when fields are hostile and huge', () => {
    const f = findingFor(
      {
        identity: { sessionName: HOSTILE.crlf + HOSTILE.hugeUa },
        origin: { userAgent: HOSTILE.hugeUa + HOSTILE.ansi },
        action: {
          name: `GET /${'a/'.repeat(3000)}${HOSTILE.script}`,
          resource: `arn:aws:s3:::${'b'.repeat(5000)}`,
        },
      },
      {
        summary: `${HOSTILE.ansi} ${HOSTILE.url} ${'s'.repeat(3000)}`,
        evidence: Array.from(
          { length: 40 },
          (_, i) => `${i}: ${HOSTILE.crlf} ${HOSTILE.script} ${'e'.repeat(200)}`,
        ),
        discriminator: 'd'.repeat(5000),
      },
      {
        title: `${HOSTILE.script}${'T'.repeat(400)}`,
        runbook: 'r'.repeat(5000),
        references: Array.from({ length: 40 }, (_, i) => `MITRE:T${1000 + i}` as const),
      },
    );
    const a = toAsff(f, CTX);
    const json = JSON.stringify(a);
    expect(validateAsffFinding(JSON.parse(json))).toEqual([]);
    expect(a.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.titleChars);
    expect(a.Description.length).toBeLessThanOrEqual(ASFF_LIMITS.descriptionChars);
    expect(a.Description).toMatch(/more evidence lines not shown\)$/);
    expect(a.Compliance?.RelatedRequirements).toHaveLength(32);
    expect(Buffer.byteLength(json)).toBeLessThan(ASFF_LIMITS.findingBytes);
    for (const [k, v] of Object.entries(a.ProductFields)) {
      expect(k.length).toBeLessThanOrEqual(128);
      expect(v.length).toBeLessThanOrEqual(2048);
    }
    expect(Object.keys(a.ProductFields).length).toBeLessThanOrEqual(
      ASFF_LIMITS.productFieldsKeys - ASFF_LIMITS.productFieldsReservedKeys,
    );
    // No raw control characters anywhere (Description's own line breaks aside): escapes are visible text.
    const strings: string[] = [];
    JSON.parse(json, (key, v: unknown) => {
      if (typeof v === 'string') strings.push(key === 'Description' ? v.replace(/\n/g, ' ') : v);
      return v;
    });
    expect(strings.filter((s) => /[\u0000-\u001f\u007f-\u009f]/.test(s))).toEqual([]);
    expect(a.ProductFields['nhi-watch/sessionName']).toMatch(
      /^boto3\/1\.34\\r\\nSubject: you have been pwned/,
    );
    expect(a.Title).not.toContain('<script>');
  });

  it('keeps identifiers exact: ids, ARNs and addresses are not defanged', () => {
    const a = toAsff(roleFinding(), CTX);
    expect(a.ProductFields['nhi-watch/action']).toBe('s3.amazonaws.com:GetObject');
    expect(a.ProductFields['nhi-watch/asn']).toBe('AS14061');
    expect(a.ProductFields['nhi-watch/credentialId']).toBe('ASIAEXAMPLEWORKER001');
  });

  it('refuses an importing context that is not an account and region (a deployment error)', () => {
    expect(() => toAsff(roleFinding(), { region: 'eu-west-1', accountId: 'me' })).toThrow(/12 digits/);
    expect(() => toAsff(roleFinding(), { region: 'Ireland', accountId: '111122223333' })).toThrow(/region/);
    expect(() => toAsff(roleFinding(), { ...CTX, nowIso: 'soon' })).toThrow(/nowIso/);
  });
});

describe('toAsff and incidents', () => {
  it('names the incident, its sequence, the breached values and the finding’s maturity in ProductFields, and links the incident’s other findings', () => {
    const findings = findingsFor(
      [
        { timeMs: at(9, 14, 5), action: { name: 'iam.amazonaws.com:ListUsers' } },
        { timeMs: at(9, 14, 6), action: { name: 'iam.amazonaws.com:CreateUser' } },
      ],
      {},
      {
        detect: (e) => ({
          discriminator: e.action.name,
          summary: `called ${e.action.name}`,
          evidence: [],
          items: [`allowedActions: ${e.action.name}`],
        }),
      },
    );
    expect(findings).toHaveLength(2);
    const [first, second] = findings.map((f) => toAsff(f, CTX));
    expect(validateAsffFinding(wire(second!))).toEqual([]);
    const pf = second!.ProductFields;
    expect(pf['nhi-watch/incidentId']).toBe(findings[0]!.incident!.id);
    expect(pf['nhi-watch/incidentFindings']).toBe('2');
    expect(pf['nhi-watch/incidentSequence']).toBe(
      '14:05:00Z HIGH credential-replay: called iam[.]amazonaws[.]com:ListUsers | 14:06:00Z HIGH credential-replay: called iam[.]amazonaws[.]com:CreateUser',
    );
    expect(pf['nhi-watch/alert']).toBe('false');
    expect(first!.ProductFields['nhi-watch/alert']).toBe('true');
    expect(pf['nhi-watch/items']).toBe('allowedActions: iam.amazonaws.com:CreateUser');
    expect(pf['nhi-watch/maturityCalls']).toBe('1');
    expect(pf['nhi-watch/maturityDistinct']).toBe('actions=1,asns=1,networks=1,uaFamilies=1,regions=1');
    expect(pf['nhi-watch/maturityLearned']).toBe('false');
    expect(second!.RelatedFindings).toEqual([{ ProductArn: second!.ProductArn, Id: findings[0]!.id }]);
    expect(first!.RelatedFindings).toEqual([{ ProductArn: first!.ProductArn, Id: findings[1]!.id }]);
  });
});
