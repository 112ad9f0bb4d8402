/**
 * The environment a deployed log handler gets from the stack, pointed at the local servers: what the
 * integration tests that run `productionDeps(process.env)` set before importing the handlers.
 */
export interface LocalDeployment {
  readonly dynamoDbEndpoint: string;
  /** fauxqs: SNS and SQS. */
  readonly fauxqsEndpoint: string;
  readonly securityHubEndpoint: string;
  readonly tableName: string;
  readonly topicArn: string;
  readonly onFailureQueueUrl: string;
  /** NHI_CONFIG (JSON). */
  readonly config: string;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

export function productionEnv(d: LocalDeployment): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: d.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SNS: d.fauxqsEndpoint,
    AWS_ENDPOINT_URL_SQS: d.fauxqsEndpoint,
    AWS_ENDPOINT_URL_SECURITYHUB: d.securityHubEndpoint,
    BASELINE_TABLE_NAME: d.tableName,
    ALERT_TOPIC_ARN: d.topicArn,
    SECURITY_HUB_ENABLED: 'true',
    ON_FAILURE_QUEUE_URL: d.onFailureQueueUrl,
    NHI_CONFIG: d.config,
    POWERTOOLS_SERVICE_NAME: 'nhi-watch',
    POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
    POWERTOOLS_LOG_LEVEL: d.logLevel,
  };
}
