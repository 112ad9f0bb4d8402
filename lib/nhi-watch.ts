import * as path from 'node:path';
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BASELINE_TABLE } from '../lambdas/core/baseline-table.js';
import { configToJson } from '../lambdas/core/config.js';
import { DeploymentConfigError, type DeploymentConfig } from './config.js';
import {
  BundledFunction,
  DEFAULT_IP_DATABASE,
  LAMBDA_TASK_ROOT,
  type BundledFile,
  type IpDatabaseSource,
} from './constructs/bundled-function.js';
import { LogGroupPrefixSubscriber } from './constructs/log-group-prefix-subscriber.js';
import { LogSubscription } from './constructs/log-subscription.js';
import { ManagementEventTrail } from './constructs/management-event-trail.js';
import { METRICS_NAMESPACE, Operations, SERVICE_NAME } from './constructs/operations.js';

/**
 * The DynamoDB actions the functions need on the baseline table: point and batch reads, conditional puts
 * and updates, and condition checks inside transactions. No scans, queries or deletes (TTL expires items).
 */
export const BASELINE_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** KMS actions a function needs to read and write data encrypted under the stack's key. */
const KEY_USER_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * Largest `NHI_CONFIG` accepted: Lambda allows 4 KB for all environment variables together, and the
 * others (names, ARNs, URLs resolved at deploy time) take under 1 KB.
 */
export const MAX_NHI_CONFIG_BYTES = 3072;

/** Properties of {@link NhiWatch}. */
export interface NhiWatchProps {
  /** Validated configuration, e.g. from `loadDeploymentConfig`. */
  readonly config: DeploymentConfig;
  /** IP intelligence shipped with the handlers. @default DEFAULT_IP_DATABASE (data/ip-intel.bin) */
  readonly ipDatabase?: IpDatabaseSource;
}

/**
 * nhi-watch in one construct: CloudTrail and API Gateway access logs subscribed to two functions that keep
 * per-identity baselines in DynamoDB and publish findings to SNS and Security Hub, with everything
 * encrypted under one customer-managed key, least-privilege roles and an operations view. Drop it into any
 * CDK stack; {@link IdentityAccessLogging} connects an API defined next to it.
 */
export class NhiWatch extends Construct {
  /** Customer-managed key encrypting the table, topics, queue, log groups and the trail. */
  readonly encryptionKey: kms.Key;
  /** Per-identity baselines, shaped by `lambdas/core/baseline-table.ts`. */
  readonly table: dynamodb.Table;
  /** Findings for people and machines: e-mail subscriptions come from configuration. */
  readonly alertTopic: sns.Topic;
  /** Invocations given up on after retries, for inspection and redrive. */
  readonly onFailureQueue: sqs.Queue;
  /** Consumes CloudTrail log groups. */
  readonly cloudTrailFunction: lambda.IFunction;
  /** Consumes API Gateway access-log groups. */
  readonly apiGatewayFunction: lambda.IFunction;
  /** The CloudTrail log group consumed (existing or created with the trail). */
  readonly cloudTrailLogGroup: logs.ILogGroup;
  /** The trail, when configuration asked for a new one. */
  readonly trail?: ManagementEventTrail;
  /** Alarms, their topic and the dashboard. */
  readonly operations: Operations;
  /** Retention of access-log groups created by {@link IdentityAccessLogging}, from configuration. */
  readonly accessLogRetentionDays: number;

  constructor(scope: Construct, id: string, props: NhiWatchProps) {
    super(scope, id);
    const { config } = props;

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'nhi-watch: baselines, alerts, on-failure queue, log groups and trail',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN, // the retained table and archives stay readable after teardown
    });
    this.allowServicesToUseKey(config.cloudTrail.mode === 'create');

    this.table = new dynamodb.Table(this, 'Baselines', {
      partitionKey: {
        name: BASELINE_TABLE.partitionKey.name,
        type: BASELINE_TABLE.partitionKey.type as dynamodb.AttributeType,
      },
      billingMode: BASELINE_TABLE.billingMode as dynamodb.BillingMode,
      timeToLiveAttribute: BASELINE_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.encryptionKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alertTopic = new sns.Topic(this, 'Alerts', {
      displayName: 'nhi-watch findings',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    const filterPolicy =
      config.alertSeverities === undefined
        ? undefined
        : { severity: sns.SubscriptionFilter.stringFilter({ allowlist: [...config.alertSeverities] }) };
    for (const email of config.alertEmails) {
      this.alertTopic.addSubscription(
        new subscriptions.EmailSubscription(email, filterPolicy === undefined ? {} : { filterPolicy }),
      );
    }

    this.onFailureQueue = new sqs.Queue(this, 'OnFailure', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(config.retention.onFailureQueueDays),
    });
    Validations.of(this.onFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the functions' on-failure destination, i.e. the dead-letter queue itself; it is alarmed on depth and redriven by hand.",
    });

    const commonEnvironment = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      LOG_LEVEL: config.logLevel,
    };
    const { environment, files } = this.handlerEnvironment(config);
    this.warnAboutExpiredSuppressions(config);
    const makeHandler = (handlerId: string, entry: string, description: string): BundledFunction => {
      const bundled = new BundledFunction(this, handlerId, {
        entry,
        description,
        environment: { ...commonEnvironment, ...environment },
        encryptionKey: this.encryptionKey,
        logRetentionDays: config.retention.functionLogDays,
        memoryMb: config.functions.memoryMb,
        timeout: Duration.seconds(config.functions.timeoutSeconds),
        reservedConcurrency: config.functions.maxConcurrency,
        onFailureQueue: this.onFailureQueue,
        ipDatabase: props.ipDatabase ?? DEFAULT_IP_DATABASE,
        files,
      });
      this.grantHandler(bundled.role, config.securityHub);
      return bundled;
    };
    const cloudTrailHandler = makeHandler(
      'CloudTrailHandler',
      'lambdas/handlers/cloudtrail-logs.ts',
      'nhi-watch: CloudTrail events -> identity baselines -> findings',
    );
    const apiGatewayHandler = makeHandler(
      'ApiGatewayHandler',
      'lambdas/handlers/api-gateway-logs.ts',
      'nhi-watch: API Gateway access logs -> identity baselines -> findings',
    );
    this.cloudTrailFunction = cloudTrailHandler.function;
    this.apiGatewayFunction = apiGatewayHandler.function;
    this.accessLogRetentionDays = config.retention.accessLogDays;

    if (config.cloudTrail.mode === 'existing') {
      this.cloudTrailLogGroup = logs.LogGroup.fromLogGroupName(
        this,
        'CloudTrailLogs',
        config.cloudTrail.logGroupName,
      );
    } else {
      this.trail = new ManagementEventTrail(this, 'Trail', {
        encryptionKey: this.encryptionKey,
        ...(config.cloudTrail.trailName === undefined ? {} : { trailName: config.cloudTrail.trailName }),
        logRetentionDays: config.retention.cloudTrailLogDays,
        archiveDays: config.retention.trailArchiveDays,
      });
      this.cloudTrailLogGroup = this.trail.logGroup;
    }
    new LogSubscription(this, 'CloudTrailSubscription', {
      logGroup: this.cloudTrailLogGroup,
      function: this.cloudTrailFunction,
    });
    config.apiGateway.logGroupNames.forEach((name, index) => {
      new LogSubscription(this, `ApiGatewaySubscription${index}`, {
        logGroup: logs.LogGroup.fromLogGroupName(this, `ApiGatewayLogs${index}`, name),
        function: this.apiGatewayFunction,
      });
    });

    const watched = [
      { label: 'CloudTrailHandler', function: this.cloudTrailFunction },
      { label: 'ApiGatewayHandler', function: this.apiGatewayFunction },
    ];
    let prefixSubscriber: LogGroupPrefixSubscriber | undefined;
    if (config.apiGateway.logGroupNamePrefixes.length > 0) {
      prefixSubscriber = new LogGroupPrefixSubscriber(this, 'PrefixSubscriber', {
        prefixes: config.apiGateway.logGroupNamePrefixes,
        destination: this.apiGatewayFunction,
        excludedLogGroups: [
          cloudTrailHandler.logGroup.logGroupName,
          apiGatewayHandler.logGroup.logGroupName,
          ...config.apiGateway.logGroupNames,
        ],
        encryptionKey: this.encryptionKey,
        onFailureQueue: this.onFailureQueue,
        logRetentionDays: config.retention.functionLogDays,
        commonEnvironment,
      });
      watched.push({ label: 'PrefixSubscriber', function: prefixSubscriber.function.function });
    }

    this.operations = new Operations(this, 'Operations', {
      functions: watched,
      onFailureQueue: this.onFailureQueue,
      table: this.table,
      encryptionKey: this.encryptionKey,
      emails: config.operationsEmails,
      watchPrefixSubscriber: prefixSubscriber !== undefined,
    });
  }

  /**
   * The environment both handlers read (the runtime validates it) and the files shipped with them:
   * `NHI_CONFIG` is the detection configuration as `configToJson` writes it (only what differs from the
   * defaults), with `contractsFiles` pointing at the copies of the contract files inside the bundle.
   */
  private handlerEnvironment(config: DeploymentConfig): {
    environment: Record<string, string>;
    files: BundledFile[];
  } {
    const files: BundledFile[] = config.detection.contractFiles.map((source, index) => ({
      source,
      bundlePath: `config/contracts/${index}-${path.basename(source)}`,
    }));
    const nhiConfigJson = configToJson({
      ...config.detection.config,
      contractsFiles: files.map((file) => `${LAMBDA_TASK_ROOT}/${file.bundlePath}`),
    });
    const bytes = Buffer.byteLength(nhiConfigJson);
    if (bytes > MAX_NHI_CONFIG_BYTES) {
      throw new DeploymentConfigError(
        `detectionConfigFile: ${config.detection.file ?? ''} takes ${bytes} bytes of the functions' environment ` +
          `(NHI_CONFIG); at most ${MAX_NHI_CONFIG_BYTES} fit, as Lambda allows 4 KB for all variables. ` +
          'Keep only the settings that differ from the defaults, and shorten or merge suppressions.',
      );
    }
    return {
      environment: {
        BASELINE_TABLE_NAME: this.table.tableName,
        ALERT_TOPIC_ARN: this.alertTopic.topicArn,
        SECURITY_HUB_ENABLED: String(config.securityHub),
        ON_FAILURE_QUEUE_URL: this.onFailureQueue.queueUrl,
        NHI_CONFIG: nhiConfigJson,
      },
      files,
    };
  }

  /** An expired suppression no longer applies: say so at synth, before the findings it silenced come back. */
  private warnAboutExpiredSuppressions(config: DeploymentConfig): void {
    const nowMs = Date.now();
    for (const s of config.detection.config.suppressions) {
      if (Date.parse(s.expires) > nowMs) continue;
      const what = [s.rule, s.identity, s.origin].filter((p) => p !== undefined).join(' / ');
      Annotations.of(this).addWarningV2(
        'nhi-watch:SuppressionExpired',
        `suppression of ${what}${s.id === undefined ? '' : ` (${s.id})`} expired on ${s.expires}: it no longer applies.`,
      );
    }
  }

  /**
   * Exactly what a handler does: table reads and conditional writes, publish, import findings (parking a
   * batch on the on-failure queue is granted with the function's destination).
   */
  private grantHandler(role: iam.IRole, securityHub: boolean): void {
    const statements = [
      new iam.PolicyStatement({
        sid: 'BaselineTable',
        actions: [...BASELINE_TABLE_ACTIONS],
        resources: [this.table.tableArn],
      }),
      new iam.PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'UseStackKey',
        actions: KEY_USER_ACTIONS,
        resources: [this.encryptionKey.keyArn],
      }),
    ];
    if (securityHub) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ImportFindings',
          actions: ['securityhub:BatchImportFindings'],
          resources: [
            `arn:${Aws.PARTITION}:securityhub:${Aws.REGION}:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`,
          ],
        }),
      );
    }
    for (const statement of statements) role.addToPrincipalPolicy(statement);
  }

  /**
   * Key policy for the services that encrypt with the key on nhi-watch's behalf: CloudWatch Logs (log
   * groups of this account and region), CloudWatch alarms (publishing to the encrypted operations topic)
   * and, with a new trail, CloudTrail (this account's trails).
   */
  private allowServicesToUseKey(withTrail: boolean): void {
    const stack = Stack.of(this);
    this.encryptionKey.addToResourcePolicy(
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
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    if (withTrail) {
      this.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudTrailEncryptsLogFiles',
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringLike: {
              'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${stack.account}:trail/*`,
            },
            StringEquals: { 'aws:SourceAccount': stack.account },
          },
        }),
      );
      this.encryptionKey.addToResourcePolicy(
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
