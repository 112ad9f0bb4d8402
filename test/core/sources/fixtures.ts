/**
 * Realistic, redacted CloudTrail records and a small in-memory IP database for the source tests.
 * Accounts 123456789012 / 210987654321, addresses from the documentation ranges.
 */
import type { IpInfo, IpIntel } from '../../../lambdas/core/sources/ip-intel.js';

/** An IpIntel over a fixed table, so tests control ASN / country facts. */
export class TableIpIntel implements IpIntel {
  readonly lookups: string[] = [];
  constructor(private readonly table: Readonly<Record<string, IpInfo>>) {}
  lookup(ip: string): IpInfo | undefined {
    this.lookups.push(ip);
    return this.table[ip];
  }
}

export const INTEL = new TableIpIntel({
  '198.51.100.7': { asn: 64500, asOrg: 'Example Residential Broadband', country: 'DE' },
  '203.0.113.9': { asn: 16509, asOrg: 'Amazon.com, Inc.', country: 'US' },
  '2001:db8:1:2::5': { asn: 64501, asOrg: 'Example v6 Hosting' },
});

/** Deep-merge helper for building variants of a base record. */
export function withFields(
  base: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  return { ...base, ...fields };
}

/** A Lambda function's role calling S3 with its session key. */
export const ROLE_GET_OBJECT: Record<string, unknown> = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROA3EXAMPLEROLEID01:orders-exporter',
    arn: 'arn:aws:sts::123456789012:assumed-role/orders-exporter-role/orders-exporter',
    accountId: '123456789012',
    accessKeyId: 'ASIA3EXAMPLEKEY00001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROA3EXAMPLEROLEID01',
        arn: 'arn:aws:iam::123456789012:role/service-role/orders-exporter-role',
        accountId: '123456789012',
        userName: 'orders-exporter-role',
      },
      attributes: { creationDate: '2024-05-01T09:58:00Z', mfaAuthenticated: 'false' },
    },
  },
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '203.0.113.9',
  userAgent:
    '[aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.11.1 api/s3#3.540.0 exec-env/AWS_Lambda_nodejs20.x]',
  requestParameters: { bucketName: 'orders-export', key: 'daily/2024-05-01.csv' },
  responseElements: null,
  requestID: 'C3D13FE58DE4C810',
  eventID: '3f0b0a0e-8c44-4c55-9c1c-0b3b7d2f8a01',
  readOnly: true,
  resources: [
    { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::orders-export/daily/2024-05-01.csv' },
    { accountId: '123456789012', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::orders-export' },
  ],
  eventType: 'AwsApiCall',
  managementEvent: false,
  recipientAccountId: '123456789012',
  eventCategory: 'Data',
};

/** A CI user with a long-lived key listing IAM users. */
export const USER_LIST_USERS: Record<string, unknown> = {
  eventVersion: '1.08',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDA3EXAMPLEUSERID01',
    arn: 'arn:aws:iam::123456789012:user/ci-deployer',
    accountId: '123456789012',
    accessKeyId: 'AKIA3EXAMPLEKEY00001',
    userName: 'ci-deployer',
  },
  eventTime: '2024-05-01T11:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'ListUsers',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent:
    'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/iam.list-users',
  requestParameters: null,
  responseElements: null,
  requestID: 'a3b1c2d4-0000-4000-8000-000000000001',
  eventID: 'e0000000-0000-4000-8000-000000000001',
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '123456789012',
  eventCategory: 'Management',
};
