import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** CloudWatch namespace of the EMF metrics the functions emit (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'NhiWatch';
/** Powertools service name; Powertools adds it as the `service` dimension of every metric. */
export const SERVICE_NAME = 'nhi-watch';

/** A function the operations view watches, with the name it is shown under. */
export interface WatchedFunction {
  /** Name in alarm ids, descriptions and graph legends. */
  readonly label: string;
  /** The function. */
  readonly function: lambda.IFunction;
}

/** Properties of {@link Operations}. */
export interface OperationsProps {
  /** Functions whose errors and throttles are alarmed and graphed. */
  readonly functions: readonly WatchedFunction[];
  /** The on-failure queue, alarmed on depth. */
  readonly onFailureQueue: sqs.IQueue;
  /** The baseline table (its consumed capacity is graphed). */
  readonly table: Pick<
    dynamodb.ITable,
    'metricConsumedReadCapacityUnits' | 'metricConsumedWriteCapacityUnits'
  >;
  /** Encrypts the operations topic. */
  readonly encryptionKey: kms.IKey;
  /** Who is e-mailed when an alarm changes state. */
  readonly emails: readonly string[];
  /** Alarm when prefix-matched log groups cannot be subscribed. @default false */
  readonly watchPrefixSubscriber?: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);

/** An EMF metric of the functions, summed over all of them (the `service` dimension Powertools adds). */
export const nhiWatchMetric = (
  metricName: string,
  statistic = 'Sum',
  period = FIVE_MINUTES,
): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period,
  });

/**
 * What an operator needs to keep nhi-watch healthy: alarms on function errors and sustained throttling,
 * on events parked in the on-failure queue and on findings that could not be published, sent to an
 * encrypted operations topic; and a dashboard of the pipeline's own metrics next to Lambda's and DynamoDB's.
 */
export class Operations extends Construct {
  /** Topic the alarms notify (alarm and OK transitions). */
  readonly topic: sns.ITopic;
  /** Every alarm, by purpose. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);

    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'nhi-watch operations',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.topic = topic;
    for (const email of props.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    const action = new actions.SnsAction(topic);
    const alarms: cloudwatch.Alarm[] = [];
    this.alarms = alarms;

    const alarm = (
      alarmId: string,
      description: string,
      options: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.Metric },
    ): void => {
      const created = options.metric.createAlarm(this, alarmId, {
        alarmDescription: `nhi-watch: ${description}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      alarms.push(created);
    };

    for (const { label, function: fn } of props.functions) {
      alarm(
        `${label}Errors`,
        `${label} function failed (events are retried, then parked in the on-failure queue)`,
        {
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        },
      );
      alarm(
        `${label}Throttles`,
        `${label} function throttled for 15 minutes: its concurrency bound is too low for the log volume`,
        {
          metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        },
      );
    }
    alarm(
      'OnFailureQueueDepth',
      'log batches were given up on and parked in the on-failure queue: inspect and redrive',
      {
        metric: props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    alarm('PublishFailures', 'findings could not be published to SNS or Security Hub', {
      metric: nhiWatchMetric('PublishFailures'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    if (props.watchPrefixSubscriber === true) {
      alarm(
        'LogGroupsWithoutFreeSlot',
        'API Gateway log groups match a prefix but already have two subscription filters',
        {
          metric: nhiWatchMetric('LogGroupsWithoutFreeSlot', 'Maximum', Duration.hours(1)),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        },
      );
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(24),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const search = (metricName: string, dimensions: string, label: string): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions}} MetricName="${metricName}"', 'Sum', 300)`,
        usingMetrics: {},
        label,
        period: FIVE_MINUTES,
      });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          '# nhi-watch\nEvents in, identities seen, findings out. Findings are queried in Security Hub; ' +
          'alarms go to the operations topic.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Events decoded', [nhiWatchMetric('Events')]),
      graph('Identities per batch', [nhiWatchMetric('Identities')]),
      graph('Malformed lines skipped', [nhiWatchMetric('MalformedLines')]),
    );
    this.dashboard.addWidgets(
      graph('Findings (total)', [nhiWatchMetric('Findings')]),
      graph('Findings by rule and severity', [search('Findings', 'rule,service,severity', '')], 16),
    );
    this.dashboard.addWidgets(
      graph('Baseline write conflicts (retried)', [nhiWatchMetric('BaselineWriteConflicts')]),
      graph('Publish failures', [nhiWatchMetric('PublishFailures')]),
      graph('Delivered to on-failure queue', [
        nhiWatchMetric('DeliveredToOnFailure'),
        props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
      ]),
    );
    const perFunction = (
      title: string,
      metric: (fn: lambda.IFunction) => cloudwatch.Metric,
    ): cloudwatch.GraphWidget =>
      graph(
        title,
        props.functions.map(({ label, function: fn }) => metric(fn).with({ label })),
        6,
      );
    this.dashboard.addWidgets(
      perFunction('Invocations', (fn) => fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' })),
      perFunction('Errors', (fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
      perFunction('Throttles', (fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
      perFunction('Duration p99', (fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })),
    );
    this.dashboard.addWidgets(
      graph(
        'Baseline table: consumed capacity',
        [
          props.table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES, statistic: 'Sum' }),
          props.table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES, statistic: 'Sum' }),
        ],
        12,
      ),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 12, height: 6 }),
    );
  }
}
