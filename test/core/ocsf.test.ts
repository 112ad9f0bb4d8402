import { toOcsf, type OcsfContext } from '../../lambdas/core/ocsf';
import { at } from '../../lambdas/core/rules/test-events';
import { findingFor } from '../support/findings';
import { validateOcsfDetectionFinding } from '../support/ocsf-schema';

const CTX: OcsfContext = { region: 'eu-west-1', accountId: '111122223333', productVersion: '0.1.0' };
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVlLWhlcmU';

const roleFinding = (ip = '203.0.113.50') =>
  findingFor({
    timeMs: at(9, 14, 5),
    identity: {
      key: 'aws:444455556666:role/orders-exporter',
      kind: 'iam-role',
      accountId: '444455556666',
      principal: 'arn:aws:iam::444455556666:role/orders-exporter',
      name: 'orders-exporter',
      sessionName: 'i-0abc',
    },
    credential: { kind: 'session-key', id: 'ASIAEXAMPLEKEY000001' },
    origin: {
      ip,
      network: '203.0.113.0/24',
      asn: 14061,
      asOrg: 'DigitalOcean, LLC',
      country: 'NL',
      isAws: false,
      userAgent: `python-requests/2.31.0 Authorization: Bearer ${JWT}`,
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

describe('OCSF 1.1.0 Detection Findings', () => {
  it('conforms to the schema for a fresh finding (Create) and a repeat (Update)', () => {
    const f = roleFinding();
    const created = toOcsf(f, CTX, 'create');
    const updated = toOcsf({ ...f, count: 3 }, CTX, 'update');
    expect(validateOcsfDetectionFinding(JSON.parse(JSON.stringify(created)))).toEqual([]);
    expect(validateOcsfDetectionFinding(JSON.parse(JSON.stringify(updated)))).toEqual([]);
    expect([created.activity_id, created.type_uid]).toEqual([1, 200401]);
    expect([updated.activity_id, updated.type_uid, updated.count]).toEqual([2, 200402, 3]);
    expect(created.finding_info.uid).toBe(f.id);
  });

  it('names the caller, its session and key, the call, the address, the account and the target', () => {
    const o = toOcsf(roleFinding(), CTX, 'create');
    expect(o.evidences[0]).toEqual({
      actor: {
        user: {
          uid: 'arn:aws:iam::444455556666:role/orders-exporter',
          name: 'orders-exporter',
          type_id: 99,
          type: 'iam-role',
        },
        session: { uid: 'i-0abc', credential_uid: 'ASIAEXAMPLEKEY000001' },
      },
      api: { operation: 's3.amazonaws.com:GetObject' },
      src_endpoint: { ip: '203.0.113.50' },
    });
    expect(o.cloud).toEqual({
      provider: 'AWS',
      region: 'eu-west-1',
      account: { uid: '444455556666', type_id: 10, type: 'AWS Account' },
    });
    expect(o.resources.map((r) => r.type)).toEqual(['AWS::IAM::Role', 'Target']);
    expect(o.finding_info.analytic.uid).toBe(o.finding_info.uid.split('/')[1]);
  });

  it('publishes no secret and no address that is not one', () => {
    const o = toOcsf(roleFinding('not-an-ip'), CTX, 'create');
    expect(JSON.stringify(o)).not.toContain(JWT);
    expect(JSON.stringify(o)).not.toContain('c2lnbmF0dXJl');
    expect(o.evidences[0]?.src_endpoint).toBeUndefined();
    expect(validateOcsfDetectionFinding(JSON.parse(JSON.stringify(o)))).toEqual([]);
  });

  it('the validator rejects what OCSF does not define', () => {
    const o = JSON.parse(JSON.stringify(toOcsf(roleFinding(), CTX, 'create'))) as Record<string, unknown>;
    const broken = { ...o, severity_id: 7, type_uid: 200402, made_up: 1, finding_info: { uid: 'x' } };
    expect(validateOcsfDetectionFinding(broken)).toEqual(
      expect.arrayContaining([
        '$.severity_id: 7 is not in the enumeration',
        '$.made_up: not an attribute of this object in OCSF 1.1.0',
        '$.finding_info.title: required',
        '$.type_uid: must be class_uid * 100 + activity_id',
      ]),
    );
  });
});
