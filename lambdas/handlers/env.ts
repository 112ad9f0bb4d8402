/**
 * The handlers' environment, read and validated once per cold start. A bad or missing variable
 * is an error that names it, so a misconfigured deployment fails loudly on its first invocation
 * instead of running half-configured. AWS endpoints are not configured here: the SDK reads
 * `AWS_ENDPOINT_URL_<SERVICE>` itself, so local servers and real AWS take the same code path.
 */

/** What the handlers are configured with. */
export interface HandlerEnv {
  readonly region: string;
  readonly tableName: string;
  readonly alertTopicArn: string;
  /** Account of the alert topic: the account the stack (and its Security Hub) lives in. */
  readonly accountId: string;
  readonly securityHubEnabled: boolean;
  readonly onFailureQueueUrl: string;
  /** EventBridge bus that receives every finding as an OCSF Detection Finding (OCSF_EVENT_BUS_NAME); unset: none. */
  readonly ocsfEventBusName?: string | undefined;
  /** Raw `NHI_CONFIG` JSON (rules, contracts file, suppressions file), when set. */
  readonly nhiConfig: string | undefined;
  /** IP intelligence database file, when set. */
  readonly ipDbPath: string | undefined;
  /**
   * How far after its delivery a line's time may lie (clock skew) before the line is rejected as
   * implausible (`NHI_MAX_CLOCK_SKEW_SECONDS`, 0 to 30 days). @default undefined (one day)
   */
  readonly maxClockSkewSeconds: number | undefined;
}

/** A missing or malformed environment variable. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigurationError';
  }
}

/** The largest clock-skew allowance accepted: 30 days (CloudWatch Logs itself refuses events 2 hours ahead). */
const MAX_CLOCK_SKEW_SECONDS = 30 * 24 * 3600;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}$/;

const required = (env: Readonly<Record<string, string | undefined>>, name: string): string => {
  const v = env[name]?.trim();
  if (v === undefined || v === '') throw new ConfigurationError(name, 'is required but not set');
  return v;
};
const optional = (env: Readonly<Record<string, string | undefined>>, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
};

/** Read and validate the handler environment. */
export function readHandlerEnv(env: Readonly<Record<string, string | undefined>>): HandlerEnv {
  const region = required(env, 'AWS_REGION');
  if (!REGION.test(region))
    throw new ConfigurationError('AWS_REGION', `${JSON.stringify(region)} is not an AWS region name`);

  const tableName = required(env, 'BASELINE_TABLE_NAME');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new ConfigurationError(
      'BASELINE_TABLE_NAME',
      `${JSON.stringify(tableName)} is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
    );
  }

  const alertTopicArn = required(env, 'ALERT_TOPIC_ARN');
  const topic = TOPIC_ARN.exec(alertTopicArn);
  if (!topic)
    throw new ConfigurationError(
      'ALERT_TOPIC_ARN',
      `${JSON.stringify(alertTopicArn)} is not a standard SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`,
    );

  const hub = required(env, 'SECURITY_HUB_ENABLED').toLowerCase();
  if (hub !== 'true' && hub !== 'false')
    throw new ConfigurationError(
      'SECURITY_HUB_ENABLED',
      `must be "true" or "false", got ${JSON.stringify(hub)}`,
    );

  const onFailureQueueUrl = required(env, 'ON_FAILURE_QUEUE_URL');
  let url: URL;
  try {
    url = new URL(onFailureQueueUrl);
  } catch {
    throw new ConfigurationError('ON_FAILURE_QUEUE_URL', `${JSON.stringify(onFailureQueueUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigurationError('ON_FAILURE_QUEUE_URL', 'must be an http(s) SQS queue URL');

  const ocsfEventBusName = optional(env, 'OCSF_EVENT_BUS_NAME');
  if (
    ocsfEventBusName !== undefined &&
    !/^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/.test(ocsfEventBusName)
  )
    throw new ConfigurationError(
      'OCSF_EVENT_BUS_NAME',
      `${JSON.stringify(ocsfEventBusName)} is not an EventBridge bus name or ARN`,
    );

  const nhiConfig = optional(env, 'NHI_CONFIG');
  if (nhiConfig !== undefined) {
    try {
      JSON.parse(nhiConfig);
    } catch (error) {
      throw new ConfigurationError('NHI_CONFIG', `is not valid JSON (${(error as Error).message})`);
    }
  }

  const skewText = optional(env, 'NHI_MAX_CLOCK_SKEW_SECONDS');
  let maxClockSkewSeconds: number | undefined;
  if (skewText !== undefined) {
    maxClockSkewSeconds = /^\d{1,7}$/.test(skewText) ? Number(skewText) : Number.NaN;
    if (!(maxClockSkewSeconds <= MAX_CLOCK_SKEW_SECONDS))
      throw new ConfigurationError(
        'NHI_MAX_CLOCK_SKEW_SECONDS',
        `must be a whole number of seconds from 0 to ${MAX_CLOCK_SKEW_SECONDS}, got ${JSON.stringify(skewText)}`,
      );
  }

  return {
    region,
    tableName,
    alertTopicArn,
    accountId: topic[2] as string,
    securityHubEnabled: hub === 'true',
    onFailureQueueUrl,
    ocsfEventBusName,
    nhiConfig,
    ipDbPath: optional(env, 'NHI_IP_DB_PATH'),
    maxClockSkewSeconds,
  };
}
