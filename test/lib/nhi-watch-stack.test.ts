import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { BASELINE_TABLE } from '../../lambdas/core/baseline-table';
import { DeploymentConfigError } from '../../lib/config';
import { BASELINE_TABLE_ACTIONS } from '../../lib/nhi-watch';
import {
  REPO_ROOT,
  actionsOf,
  logicalIdOf,
  policyStatements,
  synthNhiWatch,
  type Synthesised,
} from './synth';

/** A detection configuration and one contract file, as a user keeps them next to the deployment config. */
const DETECTION_DIR = mkdtempSync(path.join(tmpdir(), 'nhi-watch-stack-'));
mkdirSync(path.join(DETECTION_DIR, 'contracts'));
writeFileSync(
  path.join(DETECTION_DIR, 'contracts', 'worker.yaml'),
  'version: 1\ncontracts:\n  - identity: aws:123456789012:role/orders-worker\n    allowedAsns: [16509, 14618]\n',
);
writeFileSync(
  path.join(DETECTION_DIR, 'nhi-watch.yaml'),
  [
    'thresholds:',
    '  auth-failure-burst: { threshold: 20, windowSeconds: 300 }',
    'suppressions:',
    '  - rule: new-source',
    '    identity: aws:123456789012:role/ci-*',
    '    reason: CI runners egress through the office NAT (INFRA-412)',
    '    expires: 2020-01-01',
    'contractsFiles: [contracts/*.yaml]',
  ].join('\n'),
);
afterAll(() => rmSync(DETECTION_DIR, { recursive: true, force: true }));

const NEW_TRAIL_WITH_PREFIXES = {
  stackName: 'NhiWatchNewTrail',
  cloudTrail: { mode: 'create', trailName: 'nhi-watch-test' },
  apiGateway: {
    logGroupNames: ['API-Gateway-Access-Logs_abc123/prod'],
    logGroupNamePrefixes: ['/nhi-watch/access-logs/', 'apigw-'],
  },
  alertEmails: ['secops@example.com'],
  alertSeverities: ['HIGH', 'CRITICAL'],
  operationsEmails: ['oncall@example.com'],
  detectionConfigFile: path.join(DETECTION_DIR, 'nhi-watch.yaml'),
  functions: { maxConcurrency: 7, memoryMb: 1536, timeoutSeconds: 90 },
  retention: { functionLogDays: 14 },
};

const EXISTING_TRAIL_NO_SECURITY_HUB = {
  stackName: 'NhiWatchExistingTrail',
  cloudTrail: { mode: 'existing', logGroupName: 'aws-cloudtrail-logs-123456789012-abcd' },
  apiGateway: { logGroupNames: ['api/orders/prod', 'api/billing/prod'] },
  securityHub: false,
};

const keyRef = (s: Synthesised): unknown => ({
  'Fn::GetAtt': [s.stack.getLogicalId(s.stack.nhiWatch.encryptionKey.node.defaultChild as never), 'Arn'],
});

const functionArn = (s: Synthesised, which: 'cloudTrailFunction' | 'apiGatewayFunction'): unknown => ({
  'Fn::GetAtt': [logicalIdOf(s.stack.nhiWatch[which]), 'Arn'],
});

describe('NhiWatchStack', () => {
  let withTrail: Synthesised;
  let existing: Synthesised;

  beforeAll(() => {
    withTrail = synthNhiWatch(NEW_TRAIL_WITH_PREFIXES);
    existing = synthNhiWatch(EXISTING_TRAIL_NO_SECURITY_HUB);
  });

  const both = (): [string, Synthesised][] => [
    ['new trail', withTrail],
    ['existing trail', existing],
  ];

  describe('functions', () => {
    it('run on nodejs22.x / arm64 with an encrypted environment, every one of them', () => {
      for (const [, s] of both()) {
        const functions = Object.values(s.template.findResources('AWS::Lambda::Function'));
        expect(functions.length).toBeGreaterThanOrEqual(2);
        for (const fn of functions) {
          expect(fn['Properties']).toMatchObject({
            Runtime: 'nodejs22.x',
            Architectures: ['arm64'],
            KmsKeyArn: keyRef(s),
          });
        }
      }
    });

    it('bound their concurrency and take memory and timeout from configuration', () => {
      for (const which of ['cloudTrailFunction', 'apiGatewayFunction'] as const) {
        const fn = withTrail.template.toJSON()['Resources'][logicalIdOf(withTrail.stack.nhiWatch[which])];
        expect(fn.Properties).toMatchObject({
          ReservedConcurrentExecutions: 7,
          MemorySize: 1536,
          Timeout: 90,
        });
      }
      const subscriber = Object.values(withTrail.template.findResources('AWS::Lambda::Function')).filter(
        (fn) => fn['Properties'].Environment.Variables.SUBSCRIPTION_TARGET !== undefined,
      );
      expect(subscriber).toHaveLength(1);
      expect(subscriber[0]!['Properties'].ReservedConcurrentExecutions).toBe(1);
    });

    it('send invocations that exhaust their retries to the encrypted on-failure queue', () => {
      for (const [, s] of both()) {
        const queueArn = {
          'Fn::GetAtt': [
            s.stack.getLogicalId(s.stack.nhiWatch.onFailureQueue.node.defaultChild as never),
            'Arn',
          ],
        };
        const configs = Object.values(s.template.findResources('AWS::Lambda::EventInvokeConfig'));
        expect(configs).toHaveLength(Object.keys(s.template.findResources('AWS::Lambda::Function')).length);
        for (const config of configs) {
          expect(config['Properties']).toMatchObject({
            MaximumRetryAttempts: 2,
            DestinationConfig: { OnFailure: { Destination: queueArn } },
          });
        }
      }
    });

    it('get the environment the runtime validates', () => {
      const tableName = {
        Ref: withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.table.node.defaultChild as never),
      };
      const topicArn = {
        Ref: withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.alertTopic.node.defaultChild as never),
      };
      const queueUrl = {
        Ref: withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.onFailureQueue.node.defaultChild as never),
      };
      for (const which of ['cloudTrailFunction', 'apiGatewayFunction'] as const) {
        const fn = withTrail.template.toJSON()['Resources'][logicalIdOf(withTrail.stack.nhiWatch[which])];
        const env = fn.Properties.Environment.Variables;
        expect(env).toMatchObject({
          BASELINE_TABLE_NAME: tableName,
          ALERT_TOPIC_ARN: topicArn,
          SECURITY_HUB_ENABLED: 'true',
          ON_FAILURE_QUEUE_URL: queueUrl,
          POWERTOOLS_SERVICE_NAME: 'nhi-watch',
          POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
          LOG_LEVEL: 'INFO',
        });
        expect(JSON.parse(env.NHI_CONFIG)).toEqual({
          thresholds: { 'auth-failure-burst': { threshold: 20, windowSeconds: 300 } },
          suppressions: [
            {
              rule: 'new-source',
              identity: 'aws:123456789012:role/ci-*',
              reason: 'CI runners egress through the office NAT (INFRA-412)',
              expires: '2020-01-01',
            },
          ],
          contractsFiles: ['/var/task/config/contracts/0-worker.yaml.json'],
        });
      }
      const existingFn =
        existing.template.toJSON()['Resources'][logicalIdOf(existing.stack.nhiWatch.cloudTrailFunction)];
      expect(existingFn.Properties.Environment.Variables.SECURITY_HUB_ENABLED).toBe('false');
    });

    it('write to their own encrypted log groups with the configured retention', () => {
      for (const which of ['cloudTrailFunction', 'apiGatewayFunction'] as const) {
        const fn = withTrail.template.toJSON()['Resources'][logicalIdOf(withTrail.stack.nhiWatch[which])];
        const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
        expect(withTrail.template.toJSON()['Resources'][logGroupId].Properties).toMatchObject({
          RetentionInDays: 14,
          KmsKeyId: keyRef(withTrail),
        });
      }
    });
  });

  describe('encryption', () => {
    it('encrypts every log group, topic and queue with the stack key, which rotates and outlives the stack', () => {
      for (const [, s] of both()) {
        const key = keyRef(s);
        for (const group of Object.values(s.template.findResources('AWS::Logs::LogGroup'))) {
          expect(group['Properties'].KmsKeyId).toEqual(key);
          expect(group['Properties'].RetentionInDays).toEqual(expect.any(Number));
        }
        for (const topic of Object.values(s.template.findResources('AWS::SNS::Topic'))) {
          expect(topic['Properties'].KmsMasterKeyId).toEqual(key);
        }
        for (const queue of Object.values(s.template.findResources('AWS::SQS::Queue'))) {
          expect(queue['Properties'].KmsMasterKeyId).toEqual(key);
        }
        s.template.hasResource('AWS::KMS::Key', {
          Properties: { EnableKeyRotation: true },
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });

    it('refuses unencrypted transport to every topic and queue', () => {
      for (const [, s] of both()) {
        const denyInsecure = Match.objectLike({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        });
        const topics = Object.keys(s.template.findResources('AWS::SNS::Topic'));
        const topicPolicies = Object.values(s.template.findResources('AWS::SNS::TopicPolicy'));
        expect(topicPolicies).toHaveLength(topics.length);
        for (const policy of topicPolicies) {
          expect(policy['Properties'].PolicyDocument.Statement).toEqual(
            expect.arrayContaining([
              expect.objectContaining({
                Effect: 'Deny',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          );
        }
        s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          PolicyDocument: { Statement: Match.arrayWith([denyInsecure]) },
        });
      }
    });

    it('keeps the trail archive encrypted, private, versioned, TLS-only, access-logged and retained', () => {
      const key = keyRef(withTrail);
      withTrail.template.hasResource('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
                BucketKeyEnabled: true,
              },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'trail-archive/' }),
        },
        DeletionPolicy: 'Retain',
      });
      for (const policy of Object.values(withTrail.template.findResources('AWS::S3::BucketPolicy'))) {
        expect(policy['Properties'].PolicyDocument.Statement).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        );
      }
    });

    it('keeps the access logs of the archive versioned and retained', () => {
      withTrail.template.hasResource('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: Match.absent(),
        },
        DeletionPolicy: 'Retain',
      });
      const buckets = Object.values(withTrail.template.findResources('AWS::S3::Bucket'));
      expect(buckets).toHaveLength(2);
      for (const bucket of buckets) {
        expect(bucket['Properties'].VersioningConfiguration).toEqual({ Status: 'Enabled' });
      }
    });

    it('lets CloudTrail write to the archive only for this trail (aws:SourceArn), and creates the trail after that policy', () => {
      const trailArn = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudtrail:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':trail/nhi-watch-test',
          ],
        ],
      };
      const statements = Object.values(withTrail.template.findResources('AWS::S3::BucketPolicy'))
        .flatMap((p) => p['Properties'].PolicyDocument.Statement as Record<string, unknown>[])
        .filter((st) => JSON.stringify(st['Principal']).includes('cloudtrail.amazonaws.com'));
      expect(statements.map(actionsOf).flat().sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
      for (const statement of statements) {
        expect(statement['Condition']).toEqual({
          StringEquals: expect.objectContaining({ 'aws:SourceArn': trailArn }),
        });
      }
      const [trail] = Object.values(withTrail.template.findResources('AWS::CloudTrail::Trail'));
      const archivePolicy = Object.entries(withTrail.template.findResources('AWS::S3::BucketPolicy')).find(
        ([, p]) => JSON.stringify(p).includes('cloudtrail.amazonaws.com'),
      )![0];
      expect(trail!['DependsOn']).toContain(archivePolicy);
    });

    it('lets CloudTrail write only for trails of this account and region when CloudFormation names the trail', () => {
      const unnamed = synthNhiWatch({
        ...NEW_TRAIL_WITH_PREFIXES,
        stackName: 'Unnamed',
        cloudTrail: { mode: 'create' },
      });
      const statements = Object.values(unnamed.template.findResources('AWS::S3::BucketPolicy'))
        .flatMap((p) => p['Properties'].PolicyDocument.Statement as Record<string, unknown>[])
        .filter((st) => JSON.stringify(st['Principal']).includes('cloudtrail.amazonaws.com'));
      expect(statements).toHaveLength(2);
      for (const statement of statements) {
        expect(JSON.stringify((statement['Condition'] as { ArnLike: unknown }).ArnLike)).toContain(
          ':trail/*',
        );
      }
    });
  });

  describe('baseline table', () => {
    it('is the shared definition: key, on-demand, TTL, point-in-time recovery, customer-managed key, retained', () => {
      for (const [, s] of both()) {
        s.template.hasResource('AWS::DynamoDB::Table', {
          Properties: {
            KeySchema: [{ AttributeName: BASELINE_TABLE.partitionKey.name, KeyType: 'HASH' }],
            AttributeDefinitions: [
              {
                AttributeName: BASELINE_TABLE.partitionKey.name,
                AttributeType: BASELINE_TABLE.partitionKey.type,
              },
            ],
            BillingMode: BASELINE_TABLE.billingMode,
            TimeToLiveSpecification: { AttributeName: BASELINE_TABLE.ttlAttribute, Enabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef(s) },
            DeletionProtectionEnabled: true,
          },
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
    });
  });

  describe('least privilege', () => {
    it('uses no managed policies and no wildcard actions, and grants nothing on Resource "*"', () => {
      for (const [, s] of both()) {
        for (const role of Object.values(s.template.findResources('AWS::IAM::Role'))) {
          expect(role['Properties'].ManagedPolicyArns).toBeUndefined();
        }
        for (const statement of policyStatements(s.template)) {
          expect(actionsOf(statement).filter((a) => a.includes('*'))).toEqual([]);
          expect(statement['Resource']).not.toEqual('*');
          expect([statement['Resource']].flat()).not.toContain('*');
        }
      }
    });

    const handlerStatements = (
      s: Synthesised,
      which: 'cloudTrailFunction' | 'apiGatewayFunction',
    ): Record<string, unknown>[] => {
      const roleId = s.stack.getLogicalId(s.stack.nhiWatch[which].role!.node.defaultChild as never);
      return Object.values(s.template.findResources('AWS::IAM::Policy'))
        .filter((p) => (p['Properties'].Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
        .flatMap((p) => p['Properties'].PolicyDocument.Statement as Record<string, unknown>[]);
    };

    it('lets a handler do exactly its job: its logs, the table, the alert topic, the on-failure queue, the key, Security Hub', () => {
      for (const which of ['cloudTrailFunction', 'apiGatewayFunction'] as const) {
        const statements = handlerStatements(withTrail, which);
        const actions = new Set(statements.flatMap(actionsOf));
        expect([...actions].sort()).toEqual(
          [
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'dynamodb:BatchGetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'sns:Publish',
            'sqs:SendMessage',
            'kms:Decrypt',
            'kms:GenerateDataKey',
            'securityhub:BatchImportFindings',
          ].sort(),
        );
        const tableArn = {
          'Fn::GetAtt': [
            withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.table.node.defaultChild as never),
            'Arn',
          ],
        };
        for (const statement of statements) {
          const stmtActions = actionsOf(statement);
          if (stmtActions.some((a) => a.startsWith('dynamodb:')))
            expect(statement['Resource']).toEqual(tableArn);
          if (stmtActions.includes('sns:Publish')) {
            expect(statement['Resource']).toEqual({
              Ref: withTrail.stack.getLogicalId(
                withTrail.stack.nhiWatch.alertTopic.node.defaultChild as never,
              ),
            });
          }
          if (stmtActions.some((a) => a.startsWith('kms:')))
            expect(statement['Resource']).toEqual(keyRef(withTrail));
        }
      }
    });

    it('grants on the table exactly the DynamoDB calls the store adapter makes (transactions authorise per item)', () => {
      const source = readFileSync(path.join(REPO_ROOT, 'lambdas', 'adapters', 'dynamodb-store.ts'), 'utf8');
      const commands = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!);
      // TransactWriteItems is authorised as the action of each item it holds (Put, Update, ConditionCheck, Delete).
      const transactItems = [...source.matchAll(/\b(Put|Update|ConditionCheck|Delete): \{/g)].map(
        (m) => `${m[1]!}Item`,
      );
      const called = new Set(
        [...commands.filter((c) => c !== 'TransactWriteItems'), ...transactItems].map((c) => `dynamodb:${c}`),
      );
      // The store reads in batches and writes conditionally: the scan must have found those calls.
      expect(commands).toEqual(expect.arrayContaining(['BatchGetItem', 'PutItem']));
      expect([...BASELINE_TABLE_ACTIONS].sort()).toEqual([...called].sort());
    });

    it("scopes BatchImportFindings to the account's default product ARN", () => {
      const [statement] = handlerStatements(withTrail, 'cloudTrailFunction').filter((s) =>
        actionsOf(s).includes('securityhub:BatchImportFindings'),
      );
      expect(statement!['Resource']).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':product/',
            { Ref: 'AWS::AccountId' },
            '/default',
          ],
        ],
      });
    });

    it('grants no Security Hub access when Security Hub is off', () => {
      expect(
        policyStatements(existing.template)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('securityhub:')),
      ).toEqual([]);
    });

    it('lets the prefix subscriber manage filters only on log groups under the configured prefixes', () => {
      const statement = policyStatements(withTrail.template).find((s) =>
        actionsOf(s).includes('logs:PutSubscriptionFilter'),
      );
      const resources = JSON.stringify(statement!['Resource']);
      expect(actionsOf(statement!).sort()).toEqual(
        [
          'logs:DeleteSubscriptionFilter',
          'logs:DescribeSubscriptionFilters',
          'logs:PutSubscriptionFilter',
        ].sort(),
      );
      expect(resources).toContain(':log-group:/nhi-watch/access-logs/*');
      expect(resources).toContain(':log-group:apigw-*');
      expect((statement!['Resource'] as unknown[]).length).toBe(2);
    });
  });

  describe('subscriptions', () => {
    const filters = (t: Template): Record<string, { Properties: Record<string, unknown> }> =>
      t.findResources('AWS::Logs::SubscriptionFilter') as never;

    it("subscribes the new trail's log group to the CloudTrail function and named API groups to the API function", () => {
      const trailLogGroup = {
        Ref: withTrail.stack.getLogicalId(
          withTrail.stack.nhiWatch.trail!.logGroup.node.defaultChild as never,
        ),
      };
      withTrail.template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
        LogGroupName: trailLogGroup,
        DestinationArn: functionArn(withTrail, 'cloudTrailFunction'),
        FilterPattern: '',
      });
      withTrail.template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
        LogGroupName: 'API-Gateway-Access-Logs_abc123/prod',
        DestinationArn: functionArn(withTrail, 'apiGatewayFunction'),
      });
      expect(Object.keys(filters(withTrail.template))).toHaveLength(2);
    });

    it('subscribes an existing CloudTrail group and each named API group once, each to its function', () => {
      const byGroup = new Map(
        Object.values(filters(existing.template)).map((f) => [
          f.Properties['LogGroupName'],
          f.Properties['DestinationArn'],
        ]),
      );
      expect(byGroup).toEqual(
        new Map([
          ['aws-cloudtrail-logs-123456789012-abcd', functionArn(existing, 'cloudTrailFunction')],
          ['api/orders/prod', functionArn(existing, 'apiGatewayFunction')],
          ['api/billing/prod', functionArn(existing, 'apiGatewayFunction')],
        ]),
      );
    });

    it('lets CloudWatch Logs invoke a function only from the groups subscribed to it, in this account', () => {
      const permissions = Object.values(existing.template.findResources('AWS::Lambda::Permission')).map(
        (p) => p['Properties'] as Record<string, unknown>,
      );
      expect(permissions).toHaveLength(3);
      for (const permission of permissions) {
        expect(permission).toMatchObject({
          Principal: 'logs.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
        });
      }
      const apiSources = permissions
        .filter(
          (p) =>
            JSON.stringify(p.FunctionName) === JSON.stringify(functionArn(existing, 'apiGatewayFunction')),
        )
        .map((p) => JSON.stringify(p.SourceArn));
      expect(apiSources).toHaveLength(2);
      expect(apiSources.some((s) => s.includes(':log-group:api/orders/prod:*'))).toBe(true);
      expect(apiSources.some((s) => s.includes(':log-group:api/billing/prod:*'))).toBe(true);
    });

    it('subscribes prefix-matched groups through the custom resource, on creation of a group and hourly', () => {
      withTrail.template.hasResourceProperties('Custom::NhiWatchLogGroupSubscriptions', {
        Prefixes: ['/nhi-watch/access-logs/', 'apigw-'],
        DestinationArn: functionArn(withTrail, 'apiGatewayFunction'),
        FilterName: 'nhi-watch',
        ExcludedLogGroups: Match.arrayWith(['API-Gateway-Access-Logs_abc123/prod']),
      });
      withTrail.template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.logs'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventName: ['CreateLogGroup'],
            requestParameters: {
              logGroupName: [{ prefix: '/nhi-watch/access-logs/' }, { prefix: 'apigw-' }],
            },
          },
        },
      });
      withTrail.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
      withTrail.template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'logs.amazonaws.com',
        FunctionName: functionArn(withTrail, 'apiGatewayFunction'),
        SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':log-group:apigw-*'])] }),
      });
      expect(
        Object.keys(existing.template.findResources('Custom::NhiWatchLogGroupSubscriptions')),
      ).toHaveLength(0);
    });

    it('creates a multi-region trail of all management events, validated and encrypted, delivering to its log group', () => {
      withTrail.template.hasResourceProperties('AWS::CloudTrail::Trail', {
        TrailName: 'nhi-watch-test',
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
        KMSKeyId: keyRef(withTrail),
        CloudWatchLogsLogGroupArn: {
          'Fn::GetAtt': [
            withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.trail!.logGroup.node.defaultChild as never),
            'Arn',
          ],
        },
      });
      expect(Object.keys(existing.template.findResources('AWS::CloudTrail::Trail'))).toHaveLength(0);
    });
  });

  describe('alerts', () => {
    it('e-mails findings to the configured addresses, filtered by severity when configured', () => {
      withTrail.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'secops@example.com',
        TopicArn: {
          Ref: withTrail.stack.getLogicalId(withTrail.stack.nhiWatch.alertTopic.node.defaultChild as never),
        },
        FilterPolicy: { severity: ['HIGH', 'CRITICAL'] },
      });
      withTrail.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        TopicArn: {
          Ref: withTrail.stack.getLogicalId(
            withTrail.stack.nhiWatch.operations.topic.node.defaultChild as never,
          ),
        },
      });
    });
  });

  describe('operations', () => {
    const alarms = (s: Synthesised): Record<string, unknown>[] =>
      Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map(
        (a) => a['Properties'] as Record<string, unknown>,
      );

    it('alarms on errors and throttles of every function, queue depth and publish failures, to the operations topic', () => {
      for (const [, s] of both()) {
        const opsTopic = {
          Ref: s.stack.getLogicalId(s.stack.nhiWatch.operations.topic.node.defaultChild as never),
        };
        const all = alarms(s);
        const functionIds = Object.keys(s.template.findResources('AWS::Lambda::Function'));
        for (const id of functionIds) {
          for (const metricName of ['Errors', 'Throttles']) {
            expect(
              all.filter(
                (a) =>
                  a['MetricName'] === metricName &&
                  a['Namespace'] === 'AWS/Lambda' &&
                  JSON.stringify(a['Dimensions']).includes(`"${id}"`),
              ),
            ).toHaveLength(1);
          }
        }
        expect(
          all.filter(
            (a) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible' && a['Namespace'] === 'AWS/SQS',
          ),
        ).toHaveLength(1);
        expect(
          all.filter((a) => a['MetricName'] === 'PublishFailures' && a['Namespace'] === 'NhiWatch'),
        ).toEqual([
          expect.objectContaining({ Dimensions: [{ Name: 'service', Value: 'nhi-watch' }], Threshold: 1 }),
        ]);
        for (const alarm of all) {
          expect(alarm['AlarmActions']).toEqual([opsTopic]);
          expect(alarm['OKActions']).toEqual([opsTopic]);
        }
      }
      expect(alarms(withTrail).filter((a) => a['MetricName'] === 'LogGroupsWithoutFreeSlot')).toHaveLength(1);
      expect(alarms(existing).filter((a) => a['MetricName'] === 'LogGroupsWithoutFreeSlot')).toHaveLength(0);
    });

    it("lets CloudWatch alarms publish to the encrypted operations topic, only this account's alarms", () => {
      for (const [, s] of both()) {
        const [key] = Object.values(s.template.findResources('AWS::KMS::Key'));
        const statements = (key!['Properties'].KeyPolicy.Statement as Record<string, unknown>[]).filter(
          (st) => JSON.stringify(st['Principal']).includes('cloudwatch.amazonaws.com'),
        );
        expect(statements).toEqual([
          expect.objectContaining({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:*',
                    ],
                  ],
                },
              },
            },
          }),
        ]);
      }
    });

    it("graphs the pipeline's own metrics on the dashboard", () => {
      const [dashboard] = Object.values(withTrail.template.findResources('AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard!['Properties'].DashboardBody);
      for (const metric of [
        'Events',
        'Identities',
        'MalformedLines',
        'Findings',
        'BaselineWriteConflicts',
        'PublishFailures',
        'DeliveredToOnFailure',
      ]) {
        expect(body).toContain(`\\"NhiWatch\\",\\"${metric}\\"`);
      }
      expect(body).toContain('MetricName=\\\\\\"Findings\\\\\\"');
    });
  });

  describe('detection configuration', () => {
    it('gives the functions the core defaults when no detection file is configured', () => {
      const fn =
        existing.template.toJSON()['Resources'][logicalIdOf(existing.stack.nhiWatch.apiGatewayFunction)];
      expect(fn.Properties.Environment.Variables.NHI_CONFIG).toBe('{}');
    });

    it('warns at synth about suppressions that have already expired', () => {
      const warnings = Annotations.fromStack(withTrail.stack).findWarning(
        '*',
        Match.stringLikeRegexp('expired'),
      );
      expect(warnings.map((w) => w.entry.data)).toEqual([
        expect.stringMatching(/suppression of new-source .*expired on 2020-01-01/),
      ]);
    });

    it('refuses a detection configuration too large for the functions’ environment, naming the setting', () => {
      const file = path.join(DETECTION_DIR, 'large.yaml');
      const suppression = (i: number): string =>
        `  - { rule: new-source, identity: "aws:123456789012:role/service-${i}", reason: "Reviewed exception number ${i} for the service fleet", expires: 2099-01-01 }`;
      writeFileSync(
        file,
        ['suppressions:', ...Array.from({ length: 40 }, (_, i) => suppression(i))].join('\n'),
      );

      expect(() => synthNhiWatch({ ...EXISTING_TRAIL_NO_SECURITY_HUB, detectionConfigFile: file })).toThrow(
        DeploymentConfigError,
      );
      expect(() => synthNhiWatch({ ...EXISTING_TRAIL_NO_SECURITY_HUB, detectionConfigFile: file })).toThrow(
        /^detectionConfigFile: .*large\.yaml takes \d+ bytes/,
      );
    });
  });
});

describe('OCSF findings on EventBridge (ocsf option)', () => {
  it('creates a bus, names it to both functions, lets them put events on it alone, and outputs it', () => {
    const s = synthNhiWatch({ ...EXISTING_TRAIL_NO_SECURITY_HUB, stackName: 'NhiWatchOcsf', ocsf: {} });
    const buses = s.template.findResources('AWS::Events::EventBus');
    expect(Object.keys(buses)).toHaveLength(1);
    const busRef = { Ref: Object.keys(buses)[0] };
    for (const fn of Object.values(s.template.findResources('AWS::Lambda::Function')).filter((f) =>
      String((f['Properties'] as { Description?: string }).Description).startsWith('nhi-watch: '),
    ))
      expect(
        (fn['Properties'] as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables[
          'OCSF_EVENT_BUS_NAME'
        ],
      ).toEqual(busRef);
    const puts = policyStatements(s.template).filter((st) =>
      JSON.stringify(st['Action']).includes('events:'),
    );
    expect(puts.map((st) => [st['Action'], st['Resource']])).toEqual([
      ['events:PutEvents', { 'Fn::GetAtt': [Object.keys(buses)[0], 'Arn'] }],
      ['events:PutEvents', { 'Fn::GetAtt': [Object.keys(buses)[0], 'Arn'] }],
    ]);
    expect(s.template.findOutputs('OcsfEventBusName')).toEqual({
      OcsfEventBusName: expect.objectContaining({ Value: busRef }),
    });
  });

  it('sends nothing to EventBridge unless asked', () => {
    const s = synthNhiWatch(EXISTING_TRAIL_NO_SECURITY_HUB);
    expect(Object.keys(s.template.findResources('AWS::Events::EventBus'))).toHaveLength(0);
    expect(JSON.stringify(policyStatements(s.template))).not.toContain('events:PutEvents');
    expect(JSON.stringify(s.template.toJSON())).not.toContain('OCSF_EVENT_BUS_NAME');
  });
});
