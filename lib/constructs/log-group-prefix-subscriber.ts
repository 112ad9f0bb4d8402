import { Aws, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BundledFunction } from './bundled-function.js';
import { SUBSCRIPTION_FILTER_NAME } from './log-subscription.js';

/** Properties of {@link LogGroupPrefixSubscriber}. */
export interface LogGroupPrefixSubscriberProps {
  /** Log group name prefixes whose groups (present and future) are subscribed. */
  readonly prefixes: readonly string[];
  /** The function the groups' events are delivered to. */
  readonly destination: lambda.IFunction;
  /** Groups left alone although a prefix matches (nhi-watch's own logs, groups subscribed by name). */
  readonly excludedLogGroups: readonly string[];
  readonly encryptionKey: kms.IKey;
  readonly onFailureQueue: sqs.IQueue;
  readonly logRetentionDays: number;
  /** Environment shared by every nhi-watch function (service name, metrics namespace, log level). */
  readonly commonEnvironment: Readonly<Record<string, string>>;
}

/**
 * Subscribes log groups by name prefix, which CloudFormation cannot express: a small function lists the
 * matching groups and puts nhi-watch's filter on each — at deployment (custom resource, which also removes
 * the filters at deletion), when a group is created (EventBridge `CreateLogGroup`, needs a trail in the
 * account) and hourly. A group whose two filter slots are taken is skipped and counted, never overwritten.
 */
export class LogGroupPrefixSubscriber extends Construct {
  /** The reconciling function. */
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: LogGroupPrefixSubscriberProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroupArn = (namePattern: string): string =>
      `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${namePattern}`;

    const target = {
      prefixes: props.prefixes,
      destinationArn: props.destination.functionArn,
      filterName: SUBSCRIPTION_FILTER_NAME,
      excludedLogGroups: props.excludedLogGroups,
    };

    this.function = new BundledFunction(this, 'Subscriber', {
      entry: 'lambdas/handlers/log-group-subscriber.ts',
      description: 'nhi-watch: keeps the subscription filter on API Gateway log groups matched by prefix',
      environment: { ...props.commonEnvironment, SUBSCRIPTION_TARGET: stack.toJsonString(target) },
      encryptionKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      memoryMb: 256,
      timeout: Duration.minutes(5),
      reservedConcurrency: 1, // passes must not race each other over the same groups
      onFailureQueue: props.onFailureQueue,
    });
    const role = this.function.role;

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListLogGroups',
        actions: ['logs:DescribeLogGroups'],
        resources: [logGroupArn('*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageSubscriptionFiltersOfMatchingGroups',
        actions: [
          'logs:DescribeSubscriptionFilters',
          'logs:PutSubscriptionFilter',
          'logs:DeleteSubscriptionFilter',
        ],
        resources: props.prefixes.map((prefix) => logGroupArn(`${prefix}*`)),
      }),
    );
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]`,
        reason:
          'logs:DescribeLogGroups is authorised on the log-group:* resource of this account and region only; it returns names, no log data.',
      });
      for (const prefix of props.prefixes) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${prefix}*]`,
          reason: `Subscription filters are managed exactly on the log groups named by the configured prefix "${prefix}", present and future.`,
        });
      }
    }

    // CloudWatch Logs may invoke the destination for any group under the prefixes, in this account only.
    const permissions = props.prefixes.map(
      (prefix, index) =>
        new lambda.CfnPermission(this, `InvokeFromPrefix${index}`, {
          action: 'lambda:InvokeFunction',
          functionName: props.destination.functionArn,
          principal: 'logs.amazonaws.com',
          sourceArn: logGroupArn(`${prefix}*`),
          sourceAccount: Aws.ACCOUNT_ID,
        }),
    );

    const reconcile = new CustomResource(this, 'Subscriptions', {
      serviceToken: this.function.function.functionArn,
      resourceType: 'Custom::NhiWatchLogGroupSubscriptions',
      properties: {
        Prefixes: props.prefixes,
        DestinationArn: props.destination.functionArn,
        FilterName: SUBSCRIPTION_FILTER_NAME,
        ExcludedLogGroups: props.excludedLogGroups,
      },
    });
    for (const permission of permissions) reconcile.node.addDependency(permission);
    reconcile.node.addDependency(role);

    new events.Rule(this, 'OnLogGroupCreated', {
      description: 'nhi-watch: subscribe new API Gateway access-log groups matching a configured prefix',
      eventPattern: {
        source: ['aws.logs'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['logs.amazonaws.com'],
          eventName: ['CreateLogGroup'],
          requestParameters: { logGroupName: props.prefixes.map((prefix) => ({ prefix })) },
        },
      },
      targets: [new targets.LambdaFunction(this.function.function, { retryAttempts: 4 })],
    });
    new events.Rule(this, 'Hourly', {
      description: 'nhi-watch: re-check prefix-matched log groups (missed events, filters removed by hand)',
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.function.function, { retryAttempts: 2 })],
    });
  }
}
