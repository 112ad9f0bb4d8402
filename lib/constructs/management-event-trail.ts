import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of {@link ManagementEventTrail}. */
export interface ManagementEventTrailProps {
  /** Encrypts the trail's files, its archive bucket and its log group. */
  readonly encryptionKey: kms.IKey;
  /** @default - CloudFormation generates one */
  readonly trailName?: string;
  /** Retention of the trail's CloudWatch Logs log group. */
  readonly logRetentionDays: number;
  /** Days the trail's files are kept in S3 before they expire. */
  readonly archiveDays: number;
}

/**
 * A multi-region trail of all management events (read and write, global services included), delivered to
 * a new encrypted log group for nhi-watch and to a versioned, encrypted, access-logged S3 archive that
 * only this trail may write to; the access logs are versioned too.
 * Everything holding audit data is retained when the stack is deleted.
 */
export class ManagementEventTrail extends Construct {
  /** The log group the trail delivers to: subscribe nhi-watch's CloudTrail function to it. */
  readonly logGroup: logs.ILogGroup;
  /** The trail. */
  readonly trail: cloudtrail.Trail;
  /** The S3 archive of the trail's files. */
  readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ManagementEventTrailProps) {
    super(scope, id);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // the only encryption S3 server access logging delivers to
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true, // an overwritten or deleted access log stays recoverable for 30 days
      lifecycleRules: [
        { expiration: Duration.days(props.archiveDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server-access-log destination of the trail archive; logging its own access would recurse.',
    });

    const archive = new s3.Bucket(this, 'Archive', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { expiration: Duration.days(props.archiveDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // aws-cdk-lib's interfaces are not written for exactOptionalPropertyTypes; Bucket implements IBucket.
    this.bucket = archive as unknown as s3.IBucket;

    // Server access logging by bucket policy (not ACLs, which BUCKET_OWNER_ENFORCED disables), set on the
    // L1 so it does not depend on the app's `serverAccessLogsUseBucketPolicy` feature flag.
    const accessLogPrefix = 'trail-archive/';
    (archive.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: accessLogs.bucketName,
      logFilePrefix: accessLogPrefix,
    };
    accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsFromTrailArchive',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects(`${accessLogPrefix}*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup = logGroup;

    // CloudTrail writes to the archive only for this trail (aws:SourceArn, which also pins the account),
    // as CloudTrail's documentation recommends against the confused deputy. The Trail construct would add
    // the same two statements without that condition, so it is handed a reference to the archive that takes
    // no policy, and the statements are written here. Its ARN cannot be referenced (the trail depends on the
    // policy): it is built from the trail name, or, when CloudFormation names the trail, matches any trail of
    // this account and region.
    const stack = Stack.of(this);
    const trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Aws.REGION}:${stack.account}:trail/${props.trailName ?? '*'}`;
    const fromThisTrail = (conditions: Record<string, Record<string, string>> = {}): iam.Conditions => {
      const operator = props.trailName === undefined ? 'ArnLike' : 'StringEquals';
      return { ...conditions, [operator]: { ...conditions[operator], 'aws:SourceArn': trailArn } };
    };
    archive.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailChecksBucketAcl',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:GetBucketAcl'],
        resources: [archive.bucketArn],
        conditions: fromThisTrail(),
      }),
    );
    archive.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWritesLogFiles',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [archive.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: fromThisTrail({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } }),
      }),
    );
    const archiveWithoutPolicy = s3.Bucket.fromBucketAttributes(this, 'ArchiveForTrail', {
      bucketArn: archive.bucketArn,
      bucketName: archive.bucketName,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      ...(props.trailName === undefined ? {} : { trailName: props.trailName }),
      bucket: archiveWithoutPolicy,
      encryptionKey: props.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      enableFileValidation: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
    });
    // CloudTrail checks the bucket policy when the trail is created.
    if (archive.policy !== undefined) this.trail.node.defaultChild?.node.addDependency(archive.policy);
  }
}
