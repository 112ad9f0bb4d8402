import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_CONFIG,
  configToJson,
  parseConfigJson,
  resolveConfig,
  type ConfigResult,
  type NhiWatchConfig,
} from '../../lambdas/core/config';
import { parseConfigText } from '../../lambdas/core/yaml-text';
import { DEFAULT_LEARNING, DEFAULT_LIMITS } from '../../lambdas/core/baseline';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import type { Thresholds } from '../../lambdas/core/rules/rule';
import { RULES } from '../../lambdas/core/rules/index';

/** The catalogue the engine runs, and its threshold defaults: the validator checks against these. */
const CATALOGUE = RULES.map((r) => r.id);
const RULE_DEFAULTS: Record<string, Thresholds> = Object.fromEntries(RULES.map((r) => [r.id, r.defaults]));

const ok = (r: ConfigResult): NhiWatchConfig => {
  if (!r.ok) throw new Error(`expected a valid configuration, got:\n${r.reason}`);
  return r.value;
};
const errors = (r: ConfigResult): string[] => {
  if (r.ok) throw new Error('expected configuration errors, got a valid configuration');
  return r.reason.split('\n');
};
const yaml = (
  text: string,
  opts: { knownRuleIds?: readonly string[]; ruleDefaults?: Record<string, Thresholds> } = {},
) => parseConfigText(text, { source: 'nhi-watch.yaml', ...opts });

describe('the example configuration', () => {
  const text = readFileSync(join(__dirname, '../../examples/nhi-watch.yaml'), 'utf8');

  it('parses against the v1 catalogue and sets what it says', () => {
    const c = ok(yaml(text, { knownRuleIds: CATALOGUE, ruleDefaults: RULE_DEFAULTS }));
    expect(c.engine.learning).toEqual({ learningPeriodSeconds: 1_209_600, learningMinEvents: 300 });
    expect(c.engine.thresholds['auth-failure-burst']).toEqual({ threshold: 20, windowSeconds: 300 });
    expect(c.engine.dedupWindowSeconds).toBe(21_600);
    expect(c.engine.limits).toEqual(DEFAULT_LIMITS);
    expect(c.suppressions.map((s) => s.id)).toEqual(['ci-runner-egress', 'backup-vendor']);
    expect(c.suppressions[0]).toEqual({
      id: 'ci-runner-egress',
      rule: 'new-source',
      identity: 'aws:123456789012:role/ci-*',
      origin: '198.51.100.0/24',
      reason: 'Self-hosted CI runners egress through the office NAT until the VPC move (INFRA-412)',
      expires: '2026-09-30',
    });
    expect(c.contractsFiles).toEqual(['contracts/*.yaml']);
  });
});

describe('parseConfigText', () => {
  it('gives the defaults for an empty file or an empty object', () => {
    expect(ok(yaml(''))).toEqual(DEFAULT_CONFIG);
    expect(ok(yaml('{}'))).toEqual({ engine: DEFAULT_ENGINE_CONFIG, suppressions: [], contractsFiles: [] });
  });

  it('merges partial learning and limits over the defaults', () => {
    const c = ok(yaml('learning:\n  learningMinEvents: 50\nlimits:\n  maxActions: 192\n'));
    expect(c.engine.learning).toEqual({ ...DEFAULT_LEARNING, learningMinEvents: 50 });
    expect(c.engine.limits).toEqual({ ...DEFAULT_LIMITS, maxActions: 192 });
  });

  it('reads JSON files as JSON', () => {
    const c = ok(parseConfigText('{"disabledRules":["new-user-agent"]}', { source: 'nhi-watch.json' }));
    expect(c.engine.disabledRules).toEqual(['new-user-agent']);
  });

  it('names the file and the line of a YAML syntax error', () => {
    const [line] = errors(yaml('learning:\n  learningMinEvents: [1,\n'));
    expect(line).toMatch(/^nhi-watch\.yaml: not valid YAML: .*line \d+/);
  });

  it('rejects a YAML key written twice', () => {
    expect(errors(yaml('dedupWindowSeconds: 600\ndedupWindowSeconds: 900\n'))[0]).toMatch(
      /^nhi-watch\.yaml: not valid YAML: Map keys must be unique/,
    );
  });

  it('names the source of a JSON syntax error', () => {
    expect(errors(parseConfigText('{"learning": ', { source: 'cfg.json' }))[0]).toMatch(
      /^cfg\.json: not valid JSON: /,
    );
  });

  it('rejects unknown keys at any depth, naming each one', () => {
    expect(
      errors(
        yaml(
          'learnng: {}\nlimits:\n  maxActionz: 5\nsuppressions:\n  - rule: x\n    reason: r\n    expires: 2027-01-01\n    note: hi\n',
        ),
      ),
    ).toEqual([
      'nhi-watch.yaml: learnng: unknown key',
      'nhi-watch.yaml: limits.maxActionz: unknown key',
      'nhi-watch.yaml: suppressions[0].note: unknown key',
    ]);
  });

  it('rejects wrong types and out-of-range numbers with the field path', () => {
    const lines = errors(
      yaml(
        'learning:\n  learningMinEvents: "200"\nlimits:\n  maxActions: 100000\n  maxCredentials: 0\ndedupWindowSeconds: 1.5\ndisabledRules: new-source\nthresholds:\n  x:\n    y: {a: 1}\n',
      ),
    );
    expect(lines).toEqual([
      'nhi-watch.yaml: learning.learningMinEvents: Invalid input: expected number, received string',
      'nhi-watch.yaml: limits.maxActions: at most 768 (8x the default 96)',
      'nhi-watch.yaml: limits.maxCredentials: Too small: expected number to be >=1',
      'nhi-watch.yaml: dedupWindowSeconds: Invalid input: expected int, received number',
      'nhi-watch.yaml: disabledRules: Invalid input: expected array, received string',
      'nhi-watch.yaml: thresholds.x.y: must be a number, true / false, a string or a list of strings',
    ]);
  });

  it('rejects a file that is not a mapping, and an unsupported version', () => {
    expect(errors(yaml('- a\n- b\n'))).toEqual([
      'nhi-watch.yaml: Invalid input: expected object, received array',
    ]);
    expect(errors(yaml('version: 2\n'))[0]).toMatch(/^nhi-watch\.yaml: version: /);
  });

  it('rejects rule ids that do not exist when the known ids are given, with a suggestion', () => {
    const lines = errors(
      yaml(
        'thresholds:\n  auth-failure-brust:\n    threshold: 5\ndisabledRules: [new-sorce, new-source, new-source]\n',
        {
          knownRuleIds: CATALOGUE,
        },
      ),
    );
    expect(lines).toEqual([
      'nhi-watch.yaml: thresholds.auth-failure-brust: unknown rule id "auth-failure-brust" (did you mean "auth-failure-burst"?)',
      'nhi-watch.yaml: disabledRules[0]: unknown rule id "new-sorce" (did you mean "new-source"?)',
      'nhi-watch.yaml: disabledRules[2]: "new-source" is listed twice',
    ]);
  });

  it('accepts any rule id when no known ids are given', () => {
    expect(ok(yaml('thresholds:\n  my-own-rule:\n    threshold: 5\n')).engine.thresholds).toEqual({
      'my-own-rule': { threshold: 5 },
    });
  });

  it("rejects unknown threshold names and values of the wrong type when the rules' defaults are given", () => {
    const lines = errors(
      yaml(
        'thresholds:\n  auth-failure-burst:\n    treshold: 5\n    windowSeconds: "300"\n  new-user-agent:\n    humanClasses: browser\n',
        {
          ruleDefaults: RULE_DEFAULTS,
        },
      ),
    );
    expect(lines).toEqual([
      'nhi-watch.yaml: thresholds.auth-failure-burst.treshold: unknown threshold of auth-failure-burst; it has threshold, windowSeconds',
      'nhi-watch.yaml: thresholds.auth-failure-burst.windowSeconds: expected a number (default 300), got a string',
      'nhi-watch.yaml: thresholds.new-user-agent.humanClasses: expected a list of strings (default ["browser","cli","console"]), got a string',
    ]);
  });

  it('requires a reason and an expiry on every suppression, and a real date', () => {
    expect(
      errors(
        yaml(
          'suppressions:\n  - rule: new-source\n  - rule: new-source\n    reason: ok\n    expires: 2026-02-30\n',
        ),
      ),
    ).toEqual([
      'nhi-watch.yaml: suppressions[0].reason: required',
      'nhi-watch.yaml: suppressions[0].expires: required',
      'nhi-watch.yaml: suppressions[1].expires: "2026-02-30" is not an ISO 8601 date (2026-09-30) or date-time with a zone (2026-09-30T18:00:00Z)',
    ]);
  });

  it('rejects suppressions that would match everything, bad origins, unknown rules and duplicate ids', () => {
    const text = [
      'suppressions:',
      '  - id: all',
      '    reason: quiet please',
      '    expires: 2027-01-01',
      '  - id: all',
      '    origin: 10.0.0.1/8',
      '    reason: office',
      '    expires: 2027-01-01',
      '  - rule: new-sorce',
      '    reason: typo',
      '    expires: 2027-01-01',
      '  - rule: nothing-*',
      '    reason: typo',
      '    expires: 2027-01-01',
      '',
    ].join('\n');
    expect(errors(yaml(text, { knownRuleIds: CATALOGUE }))).toEqual([
      'nhi-watch.yaml: suppressions[0]: needs at least one of rule, identity, origin (it would suppress every finding)',
      'nhi-watch.yaml: suppressions[1].origin: "10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
      'nhi-watch.yaml: suppressions[1].id: duplicate suppression id "all"',
      'nhi-watch.yaml: suppressions[2].rule: unknown rule id "new-sorce" (did you mean "new-source"?)',
      'nhi-watch.yaml: suppressions[3].rule: "nothing-*" matches no rule',
    ]);
  });

  it('returns every problem as a path and a message too', () => {
    const r = yaml('learnng: 1\ndedupWindowSeconds: 5\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toEqual([
        { path: 'learnng', message: 'unknown key' },
        { path: 'dedupWindowSeconds', message: 'at least 60 seconds' },
      ]);
    }
  });

  it('refuses a configuration over 1 MiB', () => {
    expect(errors(yaml(`# ${'x'.repeat(1024 * 1024)}\n`))[0]).toBe(
      'nhi-watch.yaml: larger than 1048576 bytes',
    );
  });

  it('stops a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    expect(errors(yaml(bomb.join('\n')))[0]).toMatch(/^nhi-watch\.yaml: not valid YAML: .*alias/i);
  });
});

describe('parseConfigJson (NHI_CONFIG)', () => {
  it('parses the same configuration from JSON and names NHI_CONFIG in errors', () => {
    const c = ok(
      parseConfigJson(
        '{"dedupWindowSeconds": 3600, "suppressions": [{"rule":"new-source","reason":"r","expires":"2027-01-01"}]}',
      ),
    );
    expect(c.engine.dedupWindowSeconds).toBe(3600);
    expect(c.suppressions).toEqual([{ rule: 'new-source', reason: 'r', expires: '2027-01-01' }]);
    expect(errors(parseConfigJson('{"dedupWindowSecs": 3600}'))).toEqual([
      'NHI_CONFIG: dedupWindowSecs: unknown key',
    ]);
    expect(errors(parseConfigJson('not json'))[0]).toMatch(/^NHI_CONFIG: not valid JSON/);
  });

  it('round-trips through configToJson, which keeps only what differs from the defaults', () => {
    const text = readFileSync(join(__dirname, '../../examples/nhi-watch.yaml'), 'utf8');
    const c = ok(yaml(text));
    const json = configToJson(c);
    expect(ok(parseConfigJson(json))).toEqual(c);
    expect(JSON.parse(json)).not.toHaveProperty('limits');
    expect(configToJson(DEFAULT_CONFIG)).toBe('{}');
  });
});

describe('resolveConfig', () => {
  it('validates an already-parsed object', () => {
    expect(
      ok(resolveConfig({ disabledRules: ['x'] }, { source: 'cdk context' })).engine.disabledRules,
    ).toEqual(['x']);
    expect(errors(resolveConfig({ disabledRules: [''] }, { source: 'cdk context' }))).toEqual([
      'cdk context: disabledRules[0]: must not be empty',
    ]);
  });
});
