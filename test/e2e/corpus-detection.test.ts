/**
 * Detection on data no one here wrote (../shared/corpus, read in place): each labelled set whose
 * technique one of our rules covers must produce that finding, and the unlabelled Invictus
 * background (a real account during an attack simulation) must not drown in findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLocalSetup, replayEvents, replayFiles, type LocalSetup } from '../../lambdas/local/replay';

const CORPUS = join(__dirname, '../../../shared/corpus/cloudtrail');
const lines = (path: string): string[] => readFileSync(join(CORPUS, path), 'utf8').split('\n');
const jsonl = <T>(path: string): T[] =>
  lines(path)
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);

interface Label {
  readonly label: 'malicious' | 'benign';
  readonly source_rule: string;
  readonly file: string;
  readonly line: number;
  readonly threshold?: number | null;
}

let setup: LocalSetup;
beforeAll(async () => {
  setup = await loadLocalSetup();
});

describe('OTRF: EC2 instance credentials stolen through a reverse proxy and used from a laptop', () => {
  it('raises credential-replay on the stolen key, covering only labelled events', async () => {
    const r = await replayFiles(
      [join(CORPUS, 'otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl')],
      setup,
    );
    const labelled = new Set(
      jsonl<{ eventID: string }>('otrf-security-datasets/labels.jsonl').map((l) => l.eventID),
    );
    const replay = r.findings.filter((f) => f.ruleId === 'credential-replay');
    expect(replay).toHaveLength(1);
    expect(replay[0]).toMatchObject({ credentialId: 'ASIA5FLZVX4OPVKKVBMX', severity: 'HIGH' });
    expect(replay[0]!.eventIds.every((id) => labelled.has(id))).toBe(true);
    expect(r.findings.filter((f) => f.eventIds.some((id) => !labelled.has(id)))).toEqual([]);
  });
});

describe('Stratus Red Team detonations', () => {
  it('ec2-steal-instance-credentials: the instance-profile session used by an attack tool is HIGH', async () => {
    // Datadog's recording holds only the attacker's use of the instance credentials, from an AWS
    // address: there is no legitimate use to compare a replay against. What gives the theft away
    // is the tool's agent on the instance role's session.
    const r = await replayFiles(
      [join(CORPUS, 'stratus-red-team/aws.credential-access.ec2-steal-instance-credentials.jsonl')],
      setup,
    );
    const onInstanceRole = r.findings.filter((f) =>
      f.identityKey.endsWith(':role/stratus-red-team-ec2-steal-credentials-role'),
    );
    expect(onInstanceRole.map((f) => [f.ruleId, f.severity, f.credentialId])).toEqual([
      ['new-user-agent', 'HIGH', 'ASIAP5CT9NN8EYVU1FXV'],
    ]);
  });

  it('ec2-get-password-data: thirty denied GetPasswordData calls are an access-denied burst', async () => {
    const r = await replayFiles(
      [join(CORPUS, 'stratus-red-team/aws.credential-access.ec2-get-password-data.jsonl')],
      setup,
    );
    const burst = r.findings.find((f) => f.ruleId === 'access-denied-burst');
    expect(burst?.action).toBe('ec2.amazonaws.com:GetPasswordData');
    expect(burst?.count).toBeGreaterThanOrEqual(20);
  });

  it('every detonation file yields at least one finding', async () => {
    const labels = jsonl<{ file: string }>('stratus-red-team/labels.jsonl');
    const files = [...new Set(labels.map((l) => l.file))];
    expect(files.length).toBe(29);
    const silent: string[] = [];
    for (const f of files)
      if ((await replayFiles([join(CORPUS, 'stratus-red-team', f)], setup)).findings.length === 0)
        silent.push(f);
    expect(silent).toEqual([]);
  });
});

describe('Panther brute-force and password-spraying rule tests', () => {
  // Panther's threshold rules judge one event and alert after `threshold` matches in a window.
  // Replaying each test event that many times, a minute apart, with auth-failure-burst set to
  // Panther's threshold, asks our rule the same question.
  const labels = jsonl<Label>('panther-analysis/labels.jsonl').filter((l) =>
    /^(AWS\.CloudTrail\.PasswordSpraying|AWS\.Unsuccessful\.MFA\.attempt|AWS\.Console\.RootLoginFailed|Standard\.BruteForceByIP|Standard\.BruteForceByUser)$/.test(
      l.source_rule,
    ),
  );
  const events = lines('panther-analysis/rule-test-events.jsonl');

  it.each(labels.map((l) => [`${l.source_rule} line ${l.line} (${l.label})`, l] as const))(
    '%s',
    async (_name, l) => {
      const threshold = l.threshold ?? 1;
      const base = JSON.parse(events[l.line - 1]!) as Record<string, unknown>;
      const records = Array.from({ length: threshold }, (_, i) => ({
        ...base,
        eventID: `panther-${l.line}-${i}`,
        eventTime: new Date(Date.UTC(2024, 5, 2, 20, 0) + i * 20_000).toISOString(),
      }));
      const config = {
        ...setup.config,
        thresholds: { 'auth-failure-burst': { threshold, windowSeconds: 3600 } },
      };
      const r = await replayEvents({ cloudtrail: records, apiGateway: [] }, { ...setup, config });
      expect(r.findings.some((f) => f.ruleId === 'auth-failure-burst')).toBe(l.label === 'malicious');
    },
  );
});

describe('Invictus IR: a real account during a Stratus attack simulation, unlabelled', () => {
  it('does not drown: 2,900 events give a bounded set of findings, MEDIUM and above only on the attack runs', async () => {
    const r = await replayFiles([join(CORPUS, 'invictus-aws-dataset/events.jsonl')], setup);
    expect(r.events).toBe(2900);
    // Measured: 42 — the Stratus operator's detonations (tool agent) and the Terraform runs that
    // prepare them (users with login profiles, trails deleted, admin policies attached), denied
    // calls of the Stratus roles, and LOW ones for another user (GetAccountAuthorizationDetails, a static key in a boto3 script).
    expect(r.findings.length).toBeLessThanOrEqual(45);
    const records = jsonl<{
      eventID: string;
      userAgent?: string;
      errorCode?: string;
      userIdentity?: { arn?: string };
    }>('invictus-aws-dataset/events.jsonl');
    const byId = new Map(records.map((e) => [e.eventID, e]));
    // The identities the attack simulation ran as: every one of them used the Stratus tool's agent.
    const attackers = new Set(
      records
        .filter((e) => /stratus-red-team_/.test(e.userAgent ?? ''))
        .map((e) =>
          e.userIdentity?.arn?.replace(
            /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/,
            'arn:aws:iam::$1:role/$2',
          ),
        ),
    );
    const rank = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
    for (const f of r.findings) {
      const evs = f.eventIds.map((id) => byId.get(id));
      if (rank.indexOf(f.severity) < 2) continue;
      // Each MEDIUM+ finding points at an identity the attack simulation ran as.
      expect({ finding: f.ruleId, identity: f.principal, attacker: attackers.has(f.principal) }).toEqual({
        finding: f.ruleId,
        identity: f.principal,
        attacker: true,
      });
      expect(evs.length).toBeGreaterThan(0);
    }
  });
});
