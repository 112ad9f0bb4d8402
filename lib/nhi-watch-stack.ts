import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.js';
import { NhiWatch } from './nhi-watch.js';

/** Properties of {@link NhiWatchStack}. */
export interface NhiWatchStackProps extends StackProps {
  /** Validated configuration, e.g. from `loadDeploymentConfig`. */
  readonly config: DeploymentConfig;
}

/** The standalone deployment: one {@link NhiWatch} and the outputs an operator looks for after deploying. */
export class NhiWatchStack extends Stack {
  /** The construct, for tests and for apps that extend the stack. */
  readonly nhiWatch: NhiWatch;

  constructor(scope: Construct, id: string, props: NhiWatchStackProps) {
    super(scope, id, props);
    this.nhiWatch = new NhiWatch(this, 'NhiWatch', { config: props.config });

    new CfnOutput(this, 'AlertTopicArn', {
      description: 'Findings are published here (subscribe more endpoints as needed)',
      value: this.nhiWatch.alertTopic.topicArn,
    });
    new CfnOutput(this, 'OperationsTopicArn', {
      description: 'Alarms about nhi-watch itself are published here',
      value: this.nhiWatch.operations.topic.topicArn,
    });
    new CfnOutput(this, 'BaselineTableName', { value: this.nhiWatch.table.tableName });
    if (this.nhiWatch.ocsfEventBus !== undefined)
      new CfnOutput(this, 'OcsfEventBusName', {
        description: 'Every finding as an OCSF 1.1.0 Detection Finding (source nhi-watch)',
        value: this.nhiWatch.ocsfEventBus.eventBusName,
      });
    new CfnOutput(this, 'OnFailureQueueUrl', {
      description: 'Log batches given up on after retries',
      value: this.nhiWatch.onFailureQueue.queueUrl,
    });
    new CfnOutput(this, 'ApiGatewayFunctionArn', {
      description: 'Subscribe API Gateway access-log groups to this function',
      value: this.nhiWatch.apiGatewayFunction.functionArn,
    });
    new CfnOutput(this, 'EncryptionKeyArn', {
      description: 'Customer-managed key of nhi-watch; also encrypts access-log groups you create for it',
      value: this.nhiWatch.encryptionKey.keyArn,
    });
    new CfnOutput(this, 'DashboardName', { value: this.nhiWatch.operations.dashboard.dashboardName });
  }
}
