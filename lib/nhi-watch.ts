import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Aws, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { configToJson } from '../lambdas/core/config.js';
import { contractFormatOf, contractsToJson } from '../lambdas/core/contracts-file.js';
import { parseContracts } from '../lambdas/core/yaml-text.js';
import { DeploymentConfigError, type DeploymentConfig } from './config.js';
import { Alerting } from './constructs/alerting.js';
import { BaselineTable } from './constructs/baseline-table.js';
import {
  BundledFunction,
  DEFAULT_IP_DATABASE,
  LAMBDA_TASK_ROOT,
  type BundledFile,
  type IpDatabaseSource,
} from './constructs/bundled-function.js';
import { EncryptionKey } from './constructs/encryption-key.js';
import { LogGroupPrefixSubscriber } from './constructs/log-group-prefix-subscriber.js';
import { LogSubscription } from './constructs/log-subscription.js';
import { ManagementEventTrail } from './constructs/management-event-trail.js';
import { OnFailureQueue } from './constructs/on-failure-queue.js';
import { METRICS_NAMESPACE, Operations, SERVICE_NAME } from './constructs/operations.js';

export { BASELINE_TABLE_ACTIONS } from './constructs/baseline-table.js';

/**
 * KMS actions a function needs on the stack's key: data keys for what it writes (table items, SNS messages,
 * SQS messages) and Decrypt for what it reads (table items, its own environment). Services encrypt with
 * data keys, so `kms:Encrypt` itself is never called.
 */
export const KEY_USER_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

/**
 * Largest `NHI_CONFIG` accepted: Lambda allows 4 KB for all environment variables together, and the
 * others (names, ARNs, URLs resolved at deploy time) take under 1 KB.
 */
export const MAX_NHI_CONFIG_BYTES = 3072;

/**
 * A contract file as the functions read it: validated again (it was at configuration load; a file edited
 * since then fails synth, not the functions) and written as JSON.
 */
function shippedContracts(file: string): string {
  const format = contractFormatOf(file);
  const parsed =
    format === undefined
      ? { ok: false as const, reason: `${file}: must end in .yaml, .yml or .json` }
      : parseContracts(readFileSync(file, 'utf8'), file, format);
  if (!parsed.ok) throw new DeploymentConfigError(`contract file changed during synth:\n${parsed.reason}`);
  return contractsToJson(parsed.value);
}

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
 *
 * The constructor reads like the architecture: key → baseline table, alerting, on-failure queue →
 * the two detection functions → the log sources subscribed to them → operations. Construct ids of stateful
 * resources are part of the deployed contract (they make the logical ids): keep them when moving code.
 */
export class NhiWatch extends Construct {
  /** Customer-managed key encrypting the table, topics, queue, log groups and the trail. */
  readonly encryptionKey: kms.IKey;
  /** Per-identity baselines, shaped by `lambdas/core/baseline-table.ts`. */
  readonly table: dynamodb.ITable;
  /** Findings for people and machines: e-mail subscriptions come from configuration. */
  readonly alertTopic: sns.ITopic;
  /** Invocations given up on after retries, for inspection and redrive. */
  readonly onFailureQueue: sqs.IQueue;
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
  /** The bus receiving every finding as an OCSF Detection Finding, when configuration asks for one. */
  readonly ocsfEventBus?: events.IEventBus;
  /** Retention of access-log groups created by {@link IdentityAccessLogging}, from configuration. */
  readonly accessLogRetentionDays: number;

  private readonly baselines: BaselineTable;
  private readonly alerting: Alerting;

  constructor(scope: Construct, id: string, props: NhiWatchProps) {
    super(scope, id);
    const { config } = props;

    // Storage and delivery, all under one key.
    this.encryptionKey = new EncryptionKey(this, 'Key', {
      allowCloudTrail: config.cloudTrail.mode === 'create',
    }).key;
    this.baselines = new BaselineTable(this, 'Baselines', { encryptionKey: this.encryptionKey });
    this.table = this.baselines.table;
    this.alerting = new Alerting(this, 'Alerts', {
      encryptionKey: this.encryptionKey,
      emails: config.alertEmails,
      ...(config.alertSeverities === undefined ? {} : { emailSeverities: config.alertSeverities }),
    });
    this.alertTopic = this.alerting.topic;
    this.onFailureQueue = new OnFailureQueue(this, 'OnFailure', {
      encryptionKey: this.encryptionKey,
      retentionDays: config.retention.onFailureQueueDays,
    }).queue;
    if (config.ocsf !== undefined) {
      this.ocsfEventBus =
        config.ocsf.eventBusName === undefined
          ? // CDK's EventBus declares an optional member its interface requires (exactOptionalPropertyTypes).
            (new events.EventBus(this, 'OcsfFindings', {
              description: 'nhi-watch findings as OCSF Detection Findings',
            }) as unknown as events.IEventBus)
          : events.EventBus.fromEventBusName(this, 'OcsfFindings', config.ocsf.eventBusName);
    }

    // The detection functions: log events → baselines → findings.
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

    // The log sources subscribed to them.
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

    // Keeping nhi-watch itself healthy.
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
   * defaults), with `contractsFiles` pointing at the contract files inside the bundle, written as JSON
   * whatever their source format (the functions carry no YAML parser).
   */
  private handlerEnvironment(config: DeploymentConfig): {
    environment: Record<string, string>;
    files: BundledFile[];
  } {
    const files: BundledFile[] = config.detection.contractFiles.map((source, index) => {
      const name = path.basename(source);
      return {
        content: shippedContracts(source),
        bundlePath: `config/contracts/${index}-${name}${contractFormatOf(name) === 'json' ? '' : '.json'}`,
      };
    });
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
        ...(this.ocsfEventBus === undefined ? {} : { OCSF_EVENT_BUS_NAME: this.ocsfEventBus.eventBusName }),
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
      this.baselines.pipelineAccessStatement(),
      this.alerting.publishStatement(),
      new iam.PolicyStatement({
        sid: 'UseStackKey',
        actions: [...KEY_USER_ACTIONS],
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
    if (this.ocsfEventBus !== undefined) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'PutOcsfFindings',
          actions: ['events:PutEvents'],
          resources: [this.ocsfEventBus.eventBusArn],
        }),
      );
    }
    for (const statement of statements) role.addToPrincipalPolicy(statement);
  }
}
