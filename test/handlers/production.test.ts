import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
      NHI_CONFIG: JSON.stringify({ contractsFiles: ['/nonexistent/contracts.json'] }),
    });
    expect(error?.variable).toBe('NHI_CONFIG');
    expect(error?.message).toMatch(/cannot read \/nonexistent\/contracts.json/);
  });

  describe('contract files (JSON, as the stack ships them)', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'nhi-watch-production-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, content: string): string => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };

    it('applies the contracts of a JSON file', () => {
      const file = write(
        'worker.json',
        JSON.stringify({
          version: 1,
          contracts: [{ identity: 'aws:123456789012:role/worker', allowedAsns: [16509] }],
        }),
      );

      const deps = productionDeps({ ...ENV, NHI_CONFIG: JSON.stringify({ contractsFiles: [file] }) });

      expect(deps.pipeline.contracts.forIdentity('aws:123456789012:role/worker')).toMatchObject({
        allowedAsns: [16509],
        origin: file,
      });
      expect(deps.pipeline.contracts.forIdentity('aws:123456789012:role/other')).toBeUndefined();
    });

    it('refuses an invalid one naming NHI_CONFIG, the file and the field', () => {
      const file = write(
        'bad.json',
        JSON.stringify({ version: 1, contracts: [{ identity: 'x', allowedAsns: ['AS123'] }] }),
      );

      const error = problem({ ...ENV, NHI_CONFIG: JSON.stringify({ contractsFiles: [file] }) });

      expect(error?.variable).toBe('NHI_CONFIG');
      expect(error?.message).toContain(
        `${file}: contracts[0].allowedAsns[0]: expected a number, got "AS123"`,
      );
    });

    it('refuses a YAML file: the functions read JSON, the stack converts YAML at synth', () => {
      const file = write('worker.yaml', 'version: 1\ncontracts: []\n');

      const error = problem({ ...ENV, NHI_CONFIG: JSON.stringify({ contractsFiles: [file] }) });

      expect(error?.variable).toBe('NHI_CONFIG');
      expect(error?.message).toMatch(/worker\.yaml must be a \.json file/);
    });
  });

  it('names the variable when the environment is incomplete', () => {
    expect(problem({ ...ENV, ON_FAILURE_QUEUE_URL: '' })?.variable).toBe('ON_FAILURE_QUEUE_URL');
  });
});
