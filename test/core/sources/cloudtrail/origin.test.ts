import { normaliseCloudTrail } from '../../../../lambdas/core/sources/cloudtrail/index.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { INTEL, ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from '../fixtures.js';

function normalised(record: Record<string, unknown>, intel = INTEL): IdentityEvent {
  const result = normaliseCloudTrail(record, intel, { logGroup: 'aws-cloudtrail-logs-123456789012' });
  if (!result.ok) throw new Error(`expected a normalised event, got reject: ${result.reason}`);
  return result.value;
}

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

  it('reads a dotted quad with leading zeros as decimal and carries it canonicalised', () => {
    for (const [source, ip] of [
      ['255.090.254.5', '255.90.254.5'],
      ['08.1.250.216', '8.1.250.216'],
    ] as const) {
      const origin = normalised(withFields(USER_LIST_USERS, { sourceIPAddress: source })).origin;
      expect(origin).toMatchObject({
        ip,
        isIp: true,
        isAws: false,
        network: `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`,
      });
    }
  });

  it('keeps non-address sources as logged, marked as not an IP', () => {
    for (const source of ['1.2.3.0004', '0x7f.0.0.1', '81.2.69.142, 192.168.10.10', 'redacted']) {
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
