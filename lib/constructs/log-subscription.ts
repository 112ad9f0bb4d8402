import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Name of every subscription filter nhi-watch puts on a log group (one of the group's two slots). */
export const SUBSCRIPTION_FILTER_NAME = 'nhi-watch';

/** Properties of {@link LogSubscription}. */
export interface LogSubscriptionProps {
  /** The log group whose events are delivered. */
  readonly logGroup: logs.ILogGroup;
  /** The function that receives them. */
  readonly function: lambda.IFunction;
}

/**
 * Delivers every event of one log group to one function: the invoke permission (scoped to that log group
 * and account) and the subscription filter, created in this construct's stack so that a log group in an
 * application's stack can feed the nhi-watch stack's function without a dependency cycle.
 */
export class LogSubscription extends Construct {
  /** The subscription filter. */
  readonly filter: logs.CfnSubscriptionFilter;

  constructor(scope: Construct, id: string, props: LogSubscriptionProps) {
    super(scope, id);

    const permission = new lambda.CfnPermission(this, 'InvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionArn,
      principal: 'logs.amazonaws.com',
      sourceArn: props.logGroup.logGroupArn,
      sourceAccount: Stack.of(this).account,
    });

    this.filter = new logs.CfnSubscriptionFilter(this, 'Filter', {
      logGroupName: props.logGroup.logGroupName,
      destinationArn: props.function.functionArn,
      filterPattern: '',
      filterName: SUBSCRIPTION_FILTER_NAME,
    });
    // CloudWatch Logs test-invokes the destination when the filter is created.
    this.filter.node.addDependency(permission);
  }
}
