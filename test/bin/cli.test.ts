/** The `nhi-watch` command as a user runs it: exit codes, formats, bad input counted, state kept. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { validateOcsfDetectionFinding } from '../support/ocsf-schema';

const ROOT = join(__dirname, '../..');
const CORPUS = join(ROOT, '../shared/corpus');
const OTRF = join(
  CORPUS,
  'cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl',
);
/** The environment without AWS account / region settings, so tests do not depend on the caller's shell. */
const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !['AWS_ACCOUNT_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION'].includes(k),
  ),
);
const run = (args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/nhi-watch-cli.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...BASE_ENV, ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const cli = (...args: string[]) => run(args);

describe('nhi-watch', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-watch-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with usage on an unknown command, a bad flag value or no input', () => {
    for (const args of [['frobnicate'], ['replay', '--format', 'xml', 'x.json'], ['replay']]) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage:');
    }
  });

  it('exits 1 naming the file when an input cannot be read', () => {
    const r = cli('replay', join(dir, 'missing.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.json');
  });

  it('exits 2 naming the file and field when a contract file is invalid', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'version: 1\ncontracts:\n  - identity: "aws:123456789012:role/x"\n    allowedAsns: ["AS123"]\n',
    );
    const r = cli(
      'replay',
      '--contracts',
      bad,
      join(CORPUS, 'cloudtrail/plaso/aws_cloudtrail.lookupevents.jsonl'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toContain('allowedAsns');
  });

  it('replays real OTRF CloudTrail (gzipped) and reports the stolen EC2 credentials as JSON Lines', () => {
    const gz = join(dir, 'otrf.jsonl.gz');
    writeFileSync(
      gz,
      gzipSync(
        readFileSync(
          join(CORPUS, 'cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl'),
        ),
      ),
    );
    const r = cli('replay', '--format', 'jsonl', gz);
    expect(r.code).toBe(0);
    const findings = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const replay = findings.find((f) => f.ruleId === 'credential-replay');
    expect(replay).toMatchObject({ credentialId: 'ASIA5FLZVX4OPVKKVBMX', severity: 'HIGH' });
    for (const f of findings) {
      for (const k of [
        'ruleId',
        'severity',
        'identityKey',
        'credentialId',
        'title',
        'firstSeen',
        'lastSeen',
        'count',
        'evidence',
        'runbook',
      ])
        expect(f).toHaveProperty(k);
    }
  });

  it('counts unusable lines with their reason and still processes the rest (exit 0)', () => {
    const mixed = join(dir, 'mixed.jsonl');
    const good = readFileSync(join(CORPUS, 'cloudtrail/invictus-aws-dataset/events.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 50)
      .join('\n');
    writeFileSync(mixed, `${good}\nnot json at all\n{"eventName":"GetObject"}\n`);
    const r = cli('replay', '--format', 'jsonl', mixed);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/50 events/);
    expect(r.stderr).toMatch(/2 unusable line\(s\)/);
    expect(r.stderr).toContain('invalid-json');
  });

  it('simulates to files that replay finds attacks in, and keeps learning across runs with --state', () => {
    const out = join(dir, 'sim');
    // A quarter-size fleet over ten days: every identity still leaves learning, and the replays stay short.
    expect(cli('simulate', '--seed', '3', '--days', '10', '--scale', '0.25', '--out', out).code).toBe(0);
    const labels = readFileSync(join(out, 'labels.jsonl'), 'utf8').trim().split('\n');
    expect(labels.length).toBeGreaterThan(0);
    const state = join(dir, 'state.json');
    const first = cli(
      'replay',
      '--format',
      'jsonl',
      '--contracts',
      join(out, 'contracts.json'),
      '--state',
      state,
      join(out, 'cloudtrail.jsonl'),
    );
    expect(first.code).toBe(0);
    const rules = new Set(
      first.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { ruleId: string }).ruleId),
    );
    expect(rules.size).toBeGreaterThanOrEqual(5);
    // Contracts drafted from the logs parse back; the diff against the fleet's own contracts names
    // what the injected attacks did outside them and exits 3, as a pull-request gate.
    const drafted = join(dir, 'drafted.yaml');
    const draft = cli('contracts', 'draft', '--identity', 'aws:*:role/*', join(out, 'cloudtrail.jsonl'));
    expect(draft.code).toBe(0);
    writeFileSync(drafted, draft.stdout);
    expect(draft.stdout).toMatch(/^version: 1/);
    expect(draft.stderr).toMatch(/drafted \d+ contract\(s\); left out \d+ event\(s\)/);
    expect(cli('replay', '--contracts', drafted, join(out, 'apigw.jsonl')).code).toBe(0);
    const diff = cli(
      'contracts',
      'diff',
      '--contracts',
      join(out, 'contracts.json'),
      join(out, 'cloudtrail.jsonl'),
    );
    expect(diff.code).toBe(3);
    expect(diff.stdout).toMatch(/allowedActions:/);
    expect(diff.stdout).toMatch(/\d+ breach\(es\) the engine flags/);
    expect(cli('contracts', 'draft').code).toBe(2);
    // The same file again: every batch is already in the state file, so nothing is counted twice.
    const again = cli('replay', '--format', 'jsonl', '--state', state, join(out, 'cloudtrail.jsonl'));
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('');
    expect(again.stderr).toMatch(/events already in the state file skipped/);
  });

  it('writes ASFF for the account and region given by flags or the environment, and refuses to guess them', () => {
    type Body = { Findings: { SchemaVersion: string; ProductArn: string; AwsAccountId: string }[] };
    const fromFlags = cli(
      'replay',
      '--format',
      'asff',
      '--account-id',
      '210987654321',
      '--region',
      'eu-west-1',
      OTRF,
    );
    expect(fromFlags.code).toBe(0);
    const body = JSON.parse(fromFlags.stdout) as Body;
    expect(body.Findings.length).toBeGreaterThan(0);
    expect(body.Findings[0]).toMatchObject({
      SchemaVersion: '2018-10-08',
      AwsAccountId: '210987654321',
      ProductArn: 'arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default',
    });
    const fromEnv = run(['replay', '--format', 'asff', OTRF], {
      env: { AWS_ACCOUNT_ID: '123456789012', AWS_DEFAULT_REGION: 'ap-southeast-2' },
    });
    expect(fromEnv.code).toBe(0);
    expect((JSON.parse(fromEnv.stdout) as Body).Findings[0]!.ProductArn).toBe(
      'arn:aws:securityhub:ap-southeast-2:123456789012:product/123456789012/default',
    );
    const unknown = cli('replay', '--format', 'asff', OTRF);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('AWS_ACCOUNT_ID');
    expect(unknown.stdout).not.toContain('000000000000');
    // JSON Lines carry the ASFF form only when the target is known.
    const jsonl = cli('replay', '--format', 'jsonl', OTRF);
    expect(jsonl.code).toBe(0);
    expect(JSON.parse(jsonl.stdout.split('\n')[0]!)).not.toHaveProperty('asff');
  });

  it('writes OCSF 1.1.0 Detection Findings, one per line, for the account and region given', () => {
    const r = cli(
      'replay',
      '--format',
      'ocsf',
      '--account-id',
      '210987654321',
      '--region',
      'eu-west-1',
      OTRF,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(validateOcsfDetectionFinding(JSON.parse(line))).toEqual([]);
    expect(cli('replay', '--format', 'ocsf', OTRF).code).toBe(2);
  });

  it('gives every command its own --help and a --version', () => {
    for (const args of [['replay'], ['simulate'], ['contracts', 'draft']]) {
      const r = cli(...args, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: nhi-watch ${args.join(' ')}`);
    }
    expect(cli('replay', '--help').stdout).toContain('--fail-on');
    const version = cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('reads standard input for -, gzipped or not, and gates CI with --fail-on', () => {
    const plain = run(['replay', '--format', 'jsonl', '-'], { input: readFileSync(OTRF) });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/103 events/);
    expect(plain.stdout).toContain('"ruleId":"credential-replay"');
    const gzipped = run(['replay', '--fail-on', 'HIGH', '-'], { input: gzipSync(readFileSync(OTRF)) });
    expect(gzipped.code).toBe(3);
    expect(gzipped.stderr).toContain('at or above HIGH');
    expect(run(['replay', '--fail-on', 'CRITICAL', '-'], { input: readFileSync(OTRF) }).code).toBe(0);
    expect(cli('replay', '--fail-on', 'SEVERE', OTRF).code).toBe(2);
  });

  it('warns when an input holds no log files or no events', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = cli('replay', empty);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${empty}: no log files in this directory`);
    expect(r.stderr).toContain('warning: no events in');
  });

  it('shows each alerting finding with its whole evidence and runbook in the detail view', () => {
    const r = cli('replay', '--format', 'detail', OTRF);
    expect(r.code).toBe(0);
    const records = cli('replay', '--format', 'jsonl', OTRF)
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; evidence: string[]; runbook: string });
    const shown = records.filter((f) => r.stdout.includes(f.id));
    expect(shown.length).toBeGreaterThan(0);
    for (const f of shown) {
      expect(f.runbook.length).toBeGreaterThan(100);
      expect(r.stdout).toContain(f.runbook);
      for (const e of f.evidence)
        expect(r.stdout).toContain(e.replace(/\.amazonaws\.com/g, '[.]amazonaws[.]com'));
    }
  });
});
