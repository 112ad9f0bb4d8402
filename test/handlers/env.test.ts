import { ConfigurationError, readHandlerEnv } from '../../lambdas/handlers/env';

const VALID = {
  AWS_REGION: 'eu-west-1',
  BASELINE_TABLE_NAME: 'nhi-watch-baselines',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:nhi-watch-alerts',
  SECURITY_HUB_ENABLED: 'true',
  ON_FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/nhi-watch-on-failure',
};

describe('readHandlerEnv', () => {
  it('reads a complete environment, taking the account from the alert topic', () => {
    expect(readHandlerEnv({ ...VALID, SECURITY_HUB_ENABLED: 'false', NHI_CONFIG: '{"rules":{}}' })).toEqual({
      region: 'eu-west-1',
      tableName: 'nhi-watch-baselines',
      alertTopicArn: VALID.ALERT_TOPIC_ARN,
      accountId: '123456789012',
      securityHubEnabled: false,
      onFailureQueueUrl: VALID.ON_FAILURE_QUEUE_URL,
      ocsfEventBusName: undefined,
      nhiConfig: '{"rules":{}}',
      ipDbPath: undefined,
      maxClockSkewSeconds: undefined,
    });
  });

  it('reads the OCSF event bus by name or ARN', () => {
    expect(readHandlerEnv({ ...VALID, OCSF_EVENT_BUS_NAME: 'nhi-watch-ocsf' }).ocsfEventBusName).toBe(
      'nhi-watch-ocsf',
    );
    const arn = 'arn:aws:events:eu-west-1:123456789012:event-bus/security';
    expect(readHandlerEnv({ ...VALID, OCSF_EVENT_BUS_NAME: arn }).ocsfEventBusName).toBe(arn);
  });

  it('reads the clock-skew allowance in whole seconds up to 30 days', () => {
    expect(readHandlerEnv({ ...VALID, NHI_MAX_CLOCK_SKEW_SECONDS: '3600' }).maxClockSkewSeconds).toBe(3600);
    expect(readHandlerEnv({ ...VALID, NHI_MAX_CLOCK_SKEW_SECONDS: '0' }).maxClockSkewSeconds).toBe(0);
    expect(readHandlerEnv({ ...VALID, NHI_MAX_CLOCK_SKEW_SECONDS: '2592000' }).maxClockSkewSeconds).toBe(
      2592000,
    );
  });

  it.each(Object.keys(VALID))('names %s when it is missing', (name) => {
    const env: Record<string, string | undefined> = { ...VALID, [name]: undefined };
    expect(() => readHandlerEnv(env)).toThrow(new RegExp(`^${name}: is required`));
  });

  it.each([
    ['AWS_REGION', 'Ireland'],
    ['ALERT_TOPIC_ARN', 'nhi-watch-alerts'],
    ['SECURITY_HUB_ENABLED', 'yes'],
    ['ON_FAILURE_QUEUE_URL', 'nhi-watch-on-failure'],
    ['BASELINE_TABLE_NAME', 'a b'],
    ['NHI_CONFIG', '{rules:'],
    ['NHI_MAX_CLOCK_SKEW_SECONDS', '1.5'],
    ['NHI_MAX_CLOCK_SKEW_SECONDS', '-60'],
    ['NHI_MAX_CLOCK_SKEW_SECONDS', '2592001'],
    ['NHI_MAX_CLOCK_SKEW_SECONDS', 'a day'],
    ['OCSF_EVENT_BUS_NAME', 'two words'],
    ['OCSF_EVENT_BUS_NAME', 'arn:aws:sns:eu-west-1:123456789012:not-a-bus'],
  ])('names %s when its value %p is malformed', (name, value) => {
    let thrown: unknown;
    try {
      readHandlerEnv({ ...VALID, [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).variable).toBe(name);
  });
});
