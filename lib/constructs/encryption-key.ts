import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /**
   * Let CloudTrail encrypt the files of this account's trails with the key (needed when nhi-watch creates
   * its own trail).
   * @default false
   */
  readonly allowCloudTrail?: boolean;
}

/**
 * The one customer-managed key of nhi-watch: it encrypts the baseline table, the topics, the on-failure
 * queue, every log group and the trail. It rotates yearly and is retained with the stack's deletion, so the
 * retained table and archives stay readable. Its policy lets exactly the services that encrypt on
 * nhi-watch's behalf use it, each limited to this account: CloudWatch Logs (log groups of this account and
 * region), CloudWatch alarms of this account and region (publishing to the encrypted operations topic) and,
 * on request, CloudTrail (this account's trails).
 *
 * The key is this construct's default child, so its logical id is the one the construct's id gives (a
 * changed logical id would replace a retained key in a deployed stack).
 */
export class EncryptionKey extends Construct {
  /** The key. */
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);
    const account = Stack.of(this).account;
    const key = new kms.Key(this, 'Default', {
      description: 'nhi-watch: baselines, alerts, on-failure queue, log groups and trail',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN, // the retained table and archives stay readable after teardown
    });
    this.key = key;

    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Only alarms of this account and region (no other account's alarm can make CloudWatch use the key).
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${account}:alarm:*` },
        },
      }),
    );
    if (props.allowCloudTrail === true) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudTrailEncryptsLogFiles',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${account}:trail/*`,
            },
            StringEquals: { 'aws:SourceAccount': account },
          },
        }),
      );
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudTrailDescribesKey',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
        }),
      );
    }
  }
}
