import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  DeploymentConfigError,
  loadDeploymentConfig,
  parseDeploymentConfig,
  type ContextReader,
} from '../../lib/config';
import { DEFAULT_CONFIG } from '../../lambdas/core/config';

const origin = { description: 'test', baseDir: '/' };
const minimal = { cloudTrail: { mode: 'existing', logGroupName: 'aws-cloudtrail-logs-123456789012' } };

const problemsOf = (raw: unknown, from = origin): readonly string[] => {
  try {
    parseDeploymentConfig(raw, from);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).problems;
  }
  throw new Error('configuration was accepted');
};

const context = (values: Record<string, unknown>): ContextReader => ({ tryGetContext: (key) => values[key] });

describe('parseDeploymentConfig', () => {
  it('applies the documented defaults to a minimal configuration', () => {
    const config = parseDeploymentConfig(minimal, origin);

    expect(config).toMatchObject({
      stackName: 'NhiWatch',
      apiGateway: { logGroupNames: [], logGroupNamePrefixes: [] },
      alertEmails: [],
      operationsEmails: [],
      securityHub: true,
      detection: { config: DEFAULT_CONFIG, contractFiles: [] },
      retention: {
        functionLogDays: 30,
        cloudTrailLogDays: 90,
        trailArchiveDays: 365,
        onFailureQueueDays: 14,
      },
      functions: { memoryMb: 1024, timeoutSeconds: 60, maxConcurrency: 5 },
      logLevel: 'INFO',
    });
    expect(config.alertSeverities).toBeUndefined();
  });

  it('sends operational alarms to the alert recipients unless operations recipients are given', () => {
    expect(
      parseDeploymentConfig({ ...minimal, alertEmails: ['a@example.com'] }, origin).operationsEmails,
    ).toEqual(['a@example.com']);
    expect(
      parseDeploymentConfig(
        { ...minimal, alertEmails: ['a@example.com'], operationsEmails: ['b@example.com'] },
        origin,
      ).operationsEmails,
    ).toEqual(['b@example.com']);
  });

  it('accepts a new trail with or without a name', () => {
    expect(parseDeploymentConfig({ cloudTrail: { mode: 'create' } }, origin).cloudTrail).toEqual({
      mode: 'create',
    });
    expect(
      parseDeploymentConfig({ cloudTrail: { mode: 'create', trailName: 'nhi' } }, origin).cloudTrail,
    ).toEqual({
      mode: 'create',
      trailName: 'nhi',
    });
  });

  it.each([
    ['a missing CloudTrail source', {}, 'cloudTrail:'],
    ['an unknown CloudTrail mode', { cloudTrail: { mode: 'org' } }, 'cloudTrail.mode:'],
    [
      'an existing trail without its log group',
      { cloudTrail: { mode: 'existing' } },
      'cloudTrail.logGroupName:',
    ],
    [
      'a log group name with a space',
      { cloudTrail: { mode: 'existing', logGroupName: 'my trail' } },
      'cloudTrail.logGroupName: may contain only',
    ],
    [
      'an e-mail address that is not one',
      { ...minimal, alertEmails: ['ok@example.com', 'oops'] },
      'alertEmails[1]:',
    ],
    ['an unknown severity', { ...minimal, alertSeverities: ['SEVERE'] }, 'alertSeverities[0]:'],
    [
      'a misspelt setting',
      { ...minimal, retention: { functionLogDay: 30 } },
      'retention.functionLogDay: unknown setting',
    ],
    ['an unknown top-level setting', { ...minimal, alarmEmails: [] }, 'alarmEmails: unknown setting'],
    [
      'a retention CloudWatch Logs does not offer',
      { ...minimal, retention: { functionLogDays: 31 } },
      'retention.functionLogDays: must be one of the CloudWatch Logs retention periods',
    ],
    [
      'a queue retention above SQS maximum',
      { ...minimal, retention: { onFailureQueueDays: 15 } },
      'retention.onFailureQueueDays:',
    ],
    [
      'detection settings written inline instead of in the detection file',
      { ...minimal, rules: { 'new-source': { minEvents: 3 } } },
      'rules: unknown setting',
    ],
    ['concurrency of zero', { ...minimal, functions: { maxConcurrency: 0 } }, 'functions.maxConcurrency:'],
    ['an unknown log level', { ...minimal, logLevel: 'TRACE' }, 'logLevel:'],
  ])('rejects %s, naming the setting', (_name, raw, expected) => {
    expect(problemsOf(raw).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ cloudTrail: { mode: 'existing' }, alertEmails: ['x'], logLevel: 'LOUD' });

    expect(problems).toHaveLength(3);
  });

  it('rejects a log group listed twice, which would need two of its two subscription slots', () => {
    const problems = problemsOf({
      ...minimal,
      apiGateway: { logGroupNames: ['api/prod', 'api/prod', 'aws-cloudtrail-logs-123456789012'] },
    });

    expect(problems).toEqual([
      'apiGateway.logGroupNames[1]: api/prod is listed twice',
      'apiGateway.logGroupNames[2]: aws-cloudtrail-logs-123456789012 is also cloudTrail.logGroupName',
    ]);
  });

  it('rejects prefixes matching the CloudTrail group or Lambda log groups (a function would consume its own logs)', () => {
    const problems = problemsOf({
      ...minimal,
      apiGateway: { logGroupNamePrefixes: ['aws-cloudtrail', '/aws/', '/aws/lambda/orders', '/apigw/'] },
    });

    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'apiGateway.logGroupNamePrefixes[0]',
      'apiGateway.logGroupNamePrefixes[1]',
      'apiGateway.logGroupNamePrefixes[2]',
    ]);
  });

  describe('detection configuration file', () => {
    let dir: string;
    const write = (name: string, text: string): string => {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    };
    const contract = (identity: string): string =>
      `version: 1\ncontracts:\n  - identity: ${identity}\n    allowedAsns: [16509]\n`;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'nhi-watch-config-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is read with the core parser and its contract files are found, relative to it', () => {
      write('contracts/payments/worker.yaml', contract('aws:123456789012:role/worker'));
      write(
        'contracts/etl.json',
        JSON.stringify({ version: 1, contracts: [{ identity: 'aws:*:role/etl-*', allowedAsns: [16509] }] }),
      );
      write('contracts/README.md', '# not a contract\n');
      write('extra.yaml', contract('aws:123456789012:role/extra'));
      const file = write(
        'detection/nhi-watch.yaml',
        [
          'thresholds:',
          '  auth-failure-burst: { threshold: 20 }',
          'suppressions:',
          '  - rule: new-source',
          '    identity: aws:123456789012:role/ci-*',
          '    reason: CI runners egress through the office NAT (INFRA-412)',
          '    expires: 2099-01-01',
          'contractsFiles: ["../contracts/*.yaml", "../contracts/*.json", "../extra.yaml"]',
        ].join('\n'),
      );

      const config = parseDeploymentConfig(
        { ...minimal, detectionConfigFile: 'detection/nhi-watch.yaml' },
        { description: 'test', baseDir: dir },
      );

      expect(config.detection.file).toBe(file);
      expect(config.detection.config.engine.thresholds).toEqual({ 'auth-failure-burst': { threshold: 20 } });
      expect(config.detection.config.suppressions).toHaveLength(1);
      expect(config.detection.contractFiles).toEqual([
        path.join(dir, 'contracts/payments/worker.yaml'),
        path.join(dir, 'contracts/etl.json'),
        path.join(dir, 'extra.yaml'),
      ]);
    });

    it('names the setting, the file and the field of every problem in it', () => {
      write(
        'nhi-watch.yaml',
        'thresholds:\n  auth-failure-brust: { threshold: 20 }\ndisabledRules: [new-sorce]\n',
      );

      const problems = problemsOf(
        { ...minimal, detectionConfigFile: 'nhi-watch.yaml' },
        { description: 'test', baseDir: dir },
      );

      expect(problems).toEqual([
        `detectionConfigFile: ${path.join(dir, 'nhi-watch.yaml')}: thresholds.auth-failure-brust: unknown rule id "auth-failure-brust" (did you mean "auth-failure-burst"?)`,
        `detectionConfigFile: ${path.join(dir, 'nhi-watch.yaml')}: disabledRules[0]: unknown rule id "new-sorce" (did you mean "new-source"?)`,
      ]);
    });

    it('refuses contract patterns that match nothing and contract files that do not validate', () => {
      write(
        'contracts/bad.yaml',
        'version: 1\ncontracts:\n  - identity: aws:123456789012:role/x\n    allowedAsns: ["AS16509"]\n',
      );
      write('nhi-watch.yaml', 'contractsFiles: ["contract/*.yaml", "contracts/*.yaml"]\n');

      const problems = problemsOf(
        { ...minimal, detectionConfigFile: 'nhi-watch.yaml' },
        { description: 'test', baseDir: dir },
      );

      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(
        /^detectionConfigFile: .*nhi-watch\.yaml: contractsFiles\[0\]: contract\/\*\.yaml matches no file$/,
      );
      expect(problems[1]).toMatch(
        /^detectionConfigFile: .*contractsFiles\[1\]: .*bad\.yaml: contracts\[0\]\.allowedAsns\[0\]/,
      );
    });

    it('names a missing file', () => {
      expect(
        problemsOf({ ...minimal, detectionConfigFile: 'absent.yaml' }, { description: 'test', baseDir: dir }),
      ).toEqual([`detectionConfigFile: file not found: ${path.join(dir, 'absent.yaml')}`]);
    });
  });
});

describe('loadDeploymentConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhi-watch-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with instructions when no configuration is given', () => {
    expect(() => loadDeploymentConfig(context({}), dir)).toThrow(/nhiWatchConfigFile.*nhiWatch/s);
  });

  it('reads a YAML file and resolves the detection file it names relative to itself', () => {
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'detection.yaml'), 'dedupWindowSeconds: 3600\n');
    writeFileSync(
      path.join(dir, 'conf', 'nhi.yaml'),
      'cloudTrail:\n  mode: create\ndetectionConfigFile: detection.yaml\nalertEmails: [secops@example.com]\n',
    );

    const config = loadDeploymentConfig(context({ [CONFIG_FILE_CONTEXT_KEY]: 'conf/nhi.yaml' }), dir);

    expect(config.cloudTrail).toEqual({ mode: 'create' });
    expect(config.detection.file).toBe(path.join(dir, 'conf', 'detection.yaml'));
    expect(config.detection.config.engine.dedupWindowSeconds).toBe(3600);
    expect(config.alertEmails).toEqual(['secops@example.com']);
  });

  it('lets context settings replace the file’s top-level settings', () => {
    writeFileSync(
      path.join(dir, 'nhi.json'),
      JSON.stringify({
        cloudTrail: { mode: 'create' },
        alertEmails: ['file@example.com'],
        logLevel: 'DEBUG',
      }),
    );

    const config = loadDeploymentConfig(
      context({
        [CONFIG_FILE_CONTEXT_KEY]: 'nhi.json',
        [CONFIG_CONTEXT_KEY]: { alertEmails: ['ctx@example.com'] },
      }),
      dir,
    );

    expect(config.alertEmails).toEqual(['ctx@example.com']);
    expect(config.logLevel).toBe('DEBUG');
  });

  it('accepts the JSON text `cdk -c nhiWatch=…` passes', () => {
    const config = loadDeploymentConfig(context({ [CONFIG_CONTEXT_KEY]: JSON.stringify(minimal) }), dir);

    expect(config.cloudTrail).toEqual(minimal.cloudTrail);
  });

  it('says where an invalid configuration came from', () => {
    writeFileSync(
      path.join(dir, 'nhi.json'),
      JSON.stringify({ cloudTrail: { mode: 'create' }, logLevel: 'LOUD' }),
    );

    expect(() => loadDeploymentConfig(context({ [CONFIG_FILE_CONTEXT_KEY]: 'nhi.json' }), dir)).toThrow(
      /file nhi\.json[\s\S]*logLevel:/,
    );
  });

  it.each([
    ['a missing file', { [CONFIG_FILE_CONTEXT_KEY]: 'absent.json' }, /nhiWatchConfigFile: file not found/],
    ['context JSON that does not parse', { [CONFIG_CONTEXT_KEY]: '{cloudTrail:' }, /nhiWatch: .*not JSON/],
    ['a context value that is a list', { [CONFIG_CONTEXT_KEY]: [minimal] }, /nhiWatch: must be an object/],
  ])('rejects %s', (_name, values, message) => {
    expect(() => loadDeploymentConfig(context(values), dir)).toThrow(message);
  });

  it('loads the shipped example configuration', () => {
    const repoRoot = path.resolve(__dirname, '..', '..');

    const config = loadDeploymentConfig(
      context({ [CONFIG_FILE_CONTEXT_KEY]: 'examples/nhi-watch.config.json' }),
      repoRoot,
    );

    expect(config.cloudTrail.mode).toBe('create');
    expect(config.alertEmails.length).toBeGreaterThan(0);
  });
});

describe('ocsf', () => {
  it('is off by default, a created bus with {}, an existing bus by name', () => {
    expect(parseDeploymentConfig(minimal, origin).ocsf).toBeUndefined();
    expect(parseDeploymentConfig({ ...minimal, ocsf: {} }, origin).ocsf).toEqual({});
    expect(
      parseDeploymentConfig({ ...minimal, ocsf: { eventBusName: 'security-findings' } }, origin).ocsf,
    ).toEqual({
      eventBusName: 'security-findings',
    });
  });

  it('names what is wrong with a bus name or an unknown setting', () => {
    expect(problemsOf({ ...minimal, ocsf: { eventBusName: 'no spaces' } }).join('\n')).toMatch(
      /ocsf\.eventBusName: must be the name of an EventBridge bus/,
    );
    expect(problemsOf({ ...minimal, ocsf: { bus: 'x' } }).join('\n')).toMatch(/ocsf/);
  });
});
