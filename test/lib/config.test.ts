import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONFIG_CONTEXT_KEY,
  CONFIG_FILE_CONTEXT_KEY,
  KNOWN_RULE_IDS,
  NhiWatchConfigError,
  loadNhiWatchConfig,
  parseNhiWatchConfig,
  type ContextReader,
} from '../../lib/config';
import { RULES } from '../../lambdas/core/rules/index';

const origin = { description: 'test', baseDir: '/' };
const minimal = { cloudTrail: { mode: 'existing', logGroupName: 'aws-cloudtrail-logs-123456789012' } };

const problemsOf = (raw: unknown): readonly string[] => {
  try {
    parseNhiWatchConfig(raw, origin);
  } catch (error) {
    expect(error).toBeInstanceOf(NhiWatchConfigError);
    return (error as NhiWatchConfigError).problems;
  }
  throw new Error('configuration was accepted');
};

const context = (values: Record<string, unknown>): ContextReader => ({ tryGetContext: (key) => values[key] });

describe('parseNhiWatchConfig', () => {
  it('applies the documented defaults to a minimal configuration', () => {
    const config = parseNhiWatchConfig(minimal, origin);

    expect(config).toMatchObject({
      stackName: 'NhiWatch',
      apiGateway: { logGroupNames: [], logGroupNamePrefixes: [] },
      alertEmails: [],
      operationsEmails: [],
      securityHub: true,
      rules: {},
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
      parseNhiWatchConfig({ ...minimal, alertEmails: ['a@example.com'] }, origin).operationsEmails,
    ).toEqual(['a@example.com']);
    expect(
      parseNhiWatchConfig(
        { ...minimal, alertEmails: ['a@example.com'], operationsEmails: ['b@example.com'] },
        origin,
      ).operationsEmails,
    ).toEqual(['b@example.com']);
  });

  it('accepts a new trail with or without a name', () => {
    expect(parseNhiWatchConfig({ cloudTrail: { mode: 'create' } }, origin).cloudTrail).toEqual({
      mode: 'create',
    });
    expect(
      parseNhiWatchConfig({ cloudTrail: { mode: 'create', trailName: 'nhi' } }, origin).cloudTrail,
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
      'a misspelt rule id',
      { ...minimal, rules: { 'new-sorce': { minEvents: 3 } } },
      'rules.new-sorce: not a rule id',
    ],
    [
      'a threshold that is an object',
      { ...minimal, rules: { 'new-source': { learning: { days: 3 } } } },
      'rules.new-source.learning:',
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

  describe('contracts and suppressions files', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'nhi-watch-config-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves them against the base directory and checks that they parse', () => {
      writeFileSync(path.join(dir, 'contracts.yaml'), 'contracts:\n  - identity: deployer\n');
      writeFileSync(path.join(dir, 'suppressions.json'), '{"suppressions": []}');

      const config = parseNhiWatchConfig(
        { ...minimal, contractsFile: 'contracts.yaml', suppressionsFile: 'suppressions.json' },
        { description: 'test', baseDir: dir },
      );

      expect(config.contractsFile).toBe(path.join(dir, 'contracts.yaml'));
      expect(config.suppressionsFile).toBe(path.join(dir, 'suppressions.json'));
    });

    it('names the setting of a missing or unparseable file', () => {
      writeFileSync(path.join(dir, 'broken.yaml'), 'contracts: [unclosed\n');

      let problems: readonly string[] = [];
      try {
        parseNhiWatchConfig(
          { ...minimal, contractsFile: 'missing.yaml', suppressionsFile: 'broken.yaml' },
          { description: 'test', baseDir: dir },
        );
      } catch (error) {
        problems = (error as NhiWatchConfigError).problems;
      }

      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^contractsFile: file not found: .*missing\.yaml$/);
      expect(problems[1]).toMatch(/^suppressionsFile: .*broken\.yaml is not valid JSON or YAML/);
    });
  });
});

describe('KNOWN_RULE_IDS', () => {
  it('lists every rule of the catalogue, so thresholds can be set for each', () => {
    const missing = RULES.map((rule) => rule.id).filter(
      (id) => !(KNOWN_RULE_IDS as readonly string[]).includes(id),
    );

    expect(missing).toEqual([]);
  });
});

describe('loadNhiWatchConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhi-watch-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with instructions when no configuration is given', () => {
    expect(() => loadNhiWatchConfig(context({}), dir)).toThrow(/nhiWatchConfigFile.*nhiWatch/s);
  });

  it('reads a YAML file and resolves the files it names relative to itself', () => {
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'contracts.yaml'), 'contracts: []\n');
    writeFileSync(
      path.join(dir, 'conf', 'nhi.yaml'),
      'cloudTrail:\n  mode: create\ncontractsFile: contracts.yaml\nalertEmails: [secops@example.com]\n',
    );

    const config = loadNhiWatchConfig(context({ [CONFIG_FILE_CONTEXT_KEY]: 'conf/nhi.yaml' }), dir);

    expect(config.cloudTrail).toEqual({ mode: 'create' });
    expect(config.contractsFile).toBe(path.join(dir, 'conf', 'contracts.yaml'));
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

    const config = loadNhiWatchConfig(
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
    const config = loadNhiWatchConfig(context({ [CONFIG_CONTEXT_KEY]: JSON.stringify(minimal) }), dir);

    expect(config.cloudTrail).toEqual(minimal.cloudTrail);
  });

  it('says where an invalid configuration came from', () => {
    writeFileSync(
      path.join(dir, 'nhi.json'),
      JSON.stringify({ cloudTrail: { mode: 'create' }, logLevel: 'LOUD' }),
    );

    expect(() => loadNhiWatchConfig(context({ [CONFIG_FILE_CONTEXT_KEY]: 'nhi.json' }), dir)).toThrow(
      /file nhi\.json[\s\S]*logLevel:/,
    );
  });

  it.each([
    ['a missing file', { [CONFIG_FILE_CONTEXT_KEY]: 'absent.json' }, /nhiWatchConfigFile: file not found/],
    ['context JSON that does not parse', { [CONFIG_CONTEXT_KEY]: '{cloudTrail:' }, /nhiWatch: .*not JSON/],
    ['a context value that is a list', { [CONFIG_CONTEXT_KEY]: [minimal] }, /nhiWatch: must be an object/],
  ])('rejects %s', (_name, values, message) => {
    expect(() => loadNhiWatchConfig(context(values), dir)).toThrow(message);
  });

  it('loads the shipped example configuration', () => {
    const repoRoot = path.resolve(__dirname, '..', '..');

    const config = loadNhiWatchConfig(
      context({ [CONFIG_FILE_CONTEXT_KEY]: 'examples/nhi-watch.config.json' }),
      repoRoot,
    );

    expect(config.cloudTrail.mode).toBe('create');
    expect(config.alertEmails.length).toBeGreaterThan(0);
  });
});
