import { ConfigurationError } from '../../lambdas/handlers/env';
import { productionDeps } from '../../lambdas/handlers/production';

const ENV = {
  AWS_REGION: 'eu-west-1',
  BASELINE_TABLE_NAME: 'nhi-watch-baselines',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:nhi-watch-alerts',
  SECURITY_HUB_ENABLED: 'true',
  ON_FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/nhi-watch-on-failure',
};

const problem = (env: Record<string, string>): ConfigurationError | undefined => {
  try {
    productionDeps(env);
    return undefined;
  } catch (error) {
    return error as ConfigurationError;
  }
};

describe('productionDeps', () => {
  it('builds the handler dependencies from a valid environment, with the configuration applied', () => {
    const deps = productionDeps({
      ...ENV,
      NHI_CONFIG: JSON.stringify({ dedupWindowSeconds: 600, disabledRules: ['new-source'] }),
    });
    expect(deps.pipeline.config.dedupWindowSeconds).toBe(600);
    expect(deps.pipeline.config.disabledRules).toEqual(['new-source']);
    expect(deps.pipeline.rules.length).toBeGreaterThan(0);
  });

  it('refuses configuration that names an unknown rule, naming NHI_CONFIG and the field', () => {
    const error = problem({ ...ENV, NHI_CONFIG: JSON.stringify({ disabledRules: ['new-sorce'] }) });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error?.variable).toBe('NHI_CONFIG');
    expect(error?.message).toMatch(/disabledRules.*new-sorce/);
  });

  it('refuses a contracts file it cannot read, naming NHI_CONFIG', () => {
    const error = problem({
      ...ENV,
      NHI_CONFIG: JSON.stringify({ contractsFiles: ['/nonexistent/contracts.yaml'] }),
    });
    expect(error?.variable).toBe('NHI_CONFIG');
    expect(error?.message).toMatch(/cannot read \/nonexistent\/contracts.yaml/);
  });

  it('names the variable when the environment is incomplete', () => {
    expect(problem({ ...ENV, ON_FAILURE_QUEUE_URL: '' })?.variable).toBe('ON_FAILURE_QUEUE_URL');
  });
});
