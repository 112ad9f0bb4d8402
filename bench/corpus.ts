/**
 * The labelled real corpus (../shared/corpus) as streams for the detection benchmark, and the
 * written-down mapping from each source's labels to nhi-watch rules. A label maps to a rule only
 * where the rule is meant to catch that behaviour; everything else is listed as unmapped, so the
 * figures say what the rules were asked to find. Corpus files are read in place, never copied.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { LabelRow } from './score.js';

/** The shared corpus, relative to the repository root as every worktree sees it. */
export const CORPUS_DIR = join(__dirname, '..', '..', 'shared', 'corpus', 'cloudtrail');

/** A raw CloudTrail record with the key the benchmark tracks it by (written into `eventID`). */
export interface KeyedRecord {
  readonly key: string;
  readonly record: Record<string, unknown>;
}

/** Records evaluated together from empty state, with their labels. */
export interface CorpusStream {
  readonly name: string;
  readonly records: readonly KeyedRecord[];
  readonly labels: readonly LabelRow[];
}

/**
 * Stratus Red Team techniques → the nhi-watch rules meant to catch them. Every detonation log
 * holds only the attack (no history of the identity), so rules that need a learning period
 * cannot fire on them; they are mapped anyway because they are the rules responsible.
 * `sensitive-action` (the catalogue's single calls) and `sensitive-read-breadth` (secrets, user
 * data and password reads in numbers) judge from the first event.
 */
export const STRATUS_RULES: Readonly<Record<string, readonly string[]>> = {
  'aws.credential-access.ec2-get-password-data': ['access-denied-burst', 'sensitive-read-breadth'],
  'aws.discovery.ec2-download-user-data': ['access-denied-burst', 'sensitive-read-breadth'],
  'aws.credential-access.ec2-steal-instance-credentials': ['credential-replay'],
  'aws.credential-access.secretsmanager-retrieve-secrets': [
    'new-action',
    'rate-anomaly',
    'sensitive-read-breadth',
  ],
  'aws.credential-access.secretsmanager-batch-retrieve-secrets': [
    'new-action',
    'rate-anomaly',
    'sensitive-action',
  ],
  'aws.defense-evasion.cloudtrail-delete': ['new-action', 'sensitive-action'],
  'aws.defense-evasion.cloudtrail-event-selectors': ['new-action', 'sensitive-action'],
  'aws.defense-evasion.cloudtrail-stop': ['new-action', 'sensitive-action'],
  'aws.defense-evasion.dns-delete-logs': ['new-action', 'sensitive-action'],
  'aws.defense-evasion.vpc-remove-flow-logs': ['new-action', 'sensitive-action'],
  'aws.execution.ec2-launch-unusual-instances': ['new-action', 'sensitive-action'],
  'aws.execution.ec2-user-data': ['new-action', 'sensitive-action'],
  'aws.execution.ssm-send-command': ['new-action', 'sensitive-action'],
  'aws.exfiltration.ec2-share-ami': ['new-action', 'sensitive-action'],
  'aws.exfiltration.ec2-share-ebs-snapshot': ['new-action', 'sensitive-action'],
  'aws.exfiltration.rds-share-snapshot': ['new-action', 'sensitive-action'],
  'aws.impact.bedrock-invoke-model': ['new-action', 'sensitive-action'],
  'aws.lateral-movement.ec2-instance-connect': ['new-action', 'sensitive-action'],
  'aws.lateral-movement.ec2-serial-console-send-ssh-public-key': ['new-action', 'sensitive-action'],
  'aws.persistence.iam-backdoor-role': ['new-action', 'sensitive-action'],
  'aws.persistence.iam-backdoor-user': ['new-action', 'sensitive-action'],
  'aws.persistence.iam-create-admin-user': ['new-action', 'sensitive-action'],
  'aws.persistence.iam-create-backdoor-role': ['new-action', 'sensitive-action'],
  'aws.persistence.iam-create-user-login-profile': ['new-action', 'sensitive-action'],
  'aws.persistence.lambda-layer-extension': ['new-action', 'sensitive-action'],
  'aws.persistence.rolesanywhere-create-trust-anchor': ['new-action', 'sensitive-action'],
  'aws.persistence.sts-federation-token': ['new-action', 'sensitive-action'],
  'aws.privilege-escalation.iam-update-user-login-profile': ['new-action', 'sensitive-action'],
  // A human console login without MFA: nhi-watch watches non-human identities; no rule applies.
  'aws.initial-access.console-login-without-mfa': [],
};

/**
 * Stratus techniques left out of the recall that counts, each with why: no identity acts in a way
 * an identity-behaviour monitor could judge. Every other technique is one an identity performs.
 */
export const STRATUS_EXCLUSIONS: Readonly<Record<string, string>> = {
  'aws.initial-access.console-login-without-mfa':
    'a human IAM user signing in to the console without MFA: one ConsoleLogin event whose only signal is the missing MFA flag (an account-configuration finding); no non-human identity acts',
};

/**
 * Panther rules whose malicious test events carry nothing but an attack tool's user agent: without
 * the giveaway the event is an ordinary call, so they are left out of the recall without giveaways.
 */
export const PANTHER_GIVEAWAY_ONLY: Readonly<Record<string, string>> = {
  'AWS.STS.GetCallerIdentity.TruffleHog':
    'one sts:GetCallerIdentity call whose only signal is the TruffleHog user agent; with an ordinary agent it is the most common call in AWS',
};

/**
 * Panther `source_rule` → the nhi-watch rule that covers the same behaviour. Panther rules not
 * listed have no nhi-watch counterpart (resource-configuration rules such as "bucket made public",
 * or human console rules) and are not scored.
 */
export const PANTHER_RULES: Readonly<Record<string, string>> = {
  'AWS.Console.RootLoginFailed': 'auth-failure-burst',
  'AWS.Unsuccessful.MFA.attempt': 'auth-failure-burst',
  'Standard.BruteForceByUser': 'auth-failure-burst',
  'Standard.BruteForceByIP': 'credential-stuffing',
  'AWS.CloudTrail.PasswordSpraying': 'credential-stuffing',
  'AWS.CloudTrail.IMDSCredentialExfiltration': 'credential-replay',
  'AWS.STS.GetCallerIdentity.TruffleHog': 'new-user-agent',
  'Standard.ImpossibleTravel.Login': 'new-source',
  'AWS.CloudTrail.UserAccessKeyAuth': 'long-lived-credential',
  'AWS.CloudTrail.UnauthorizedAPICall': 'access-denied-burst',
  'AWS.IAMUser.ReconAccessDenied': 'access-denied-burst',
  'AWS.CloudTrail.VPCE.AccessDenied': 'access-denied-burst',
  'AWS.EC2.ManyPasswordReadAttempts': 'sensitive-read-breadth',
  'AWS.CloudTrail.IAMAssumeRoleBlacklistIgnored': 'lateral-movement',
  'AWS.SecretsManager.RetrieveSecrets': 'sensitive-read-breadth',
};

/** Panther's scripted incident timelines → the rules their attacker files should raise. */
export const PANTHER_SCENARIO_RULES: Readonly<Record<string, readonly string[]>> = {
  // 4 failed root console logins, then a successful one from the same address, then IAM persistence.
  'compromised-root-creds': ['auth-failure-burst', 'success-after-failures', 'sensitive-action'],
  'enrichment-example': ['auth-failure-burst', 'success-after-failures'],
};

const readLines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const keyed = (key: string, record: Record<string, unknown>): KeyedRecord => ({
  key,
  record: { ...record, eventID: key },
});

/** Stratus Red Team: one stream per technique, every event labelled for the technique's rules. */
export function stratusStreams(): CorpusStream[] {
  const dir = join(CORPUS_DIR, 'stratus-red-team');
  // labels.jsonl names each file's technique ("<id> - <title>"); every event is the attack.
  const titles = new Map(
    readLines(join(dir, 'labels.jsonl')).map((l) => [String(l.file), String(l.technique)]),
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl') && f !== 'labels.jsonl')
    .sort()
    .map((file) => {
      const id = file.replace(/\.jsonl$/, '');
      const technique = titles.get(file) ?? id;
      const records = readLines(join(dir, file)).map((r, i) => keyed(`stratus:${id}:${i + 1}`, r));
      const rules = STRATUS_RULES[id] ?? [];
      const labels = rules.flatMap((rule) =>
        records.map((r) => ({ event: `cloudtrail:${r.key}`, rule, technique, attackId: id })),
      );
      return { name: id, records, labels };
    });
}

/** OTRF "Cloud Bank Breach S3": the 11 events with the stolen instance-profile key are credential replay. */
export function otrfStream(): CorpusStream {
  const dir = join(CORPUS_DIR, 'otrf-security-datasets');
  const file = 'ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl';
  const malicious = new Set(
    readLines(join(dir, 'labels.jsonl'))
      .filter((l) => l.file === file && l.label === 'malicious')
      .map((l) => Number(l.line)),
  );
  const records = readLines(join(dir, file)).map((r, i) => keyed(`otrf:${i + 1}`, r));
  const labels = records
    .filter((_, i) => malicious.has(i + 1))
    .map((r) => ({
      event: `cloudtrail:${r.key}`,
      rule: 'credential-replay',
      technique: 'T1552.005 stolen instance credentials used outside the instance',
      attackId: 'otrf-cloud-bank-breach',
    }));
  return { name: 'otrf-cloud-bank-breach-s3', records, labels };
}

/** One Panther label row, as the corpus gives it. */
export interface PantherLabel {
  readonly line: number;
  readonly sourceRule: string;
  readonly isMalicious: boolean;
  readonly threshold: number | null;
  readonly hasMocks: boolean;
  readonly testName: string;
}

/** Panther rule tests: each test event alone (Panther's tests are per-event verdicts), with its label rows. */
export function pantherTestEvents(): { events: Map<number, KeyedRecord>; labels: PantherLabel[] } {
  const dir = join(CORPUS_DIR, 'panther-analysis');
  const events = new Map<number, KeyedRecord>();
  readLines(join(dir, 'rule-test-events.jsonl')).forEach((r, i) =>
    events.set(i + 1, keyed(`panther:${i + 1}`, r)),
  );
  const labels = readLines(join(dir, 'labels.jsonl'))
    .filter((l) => l.file === 'rule-test-events.jsonl')
    .map((l) => ({
      line: Number(l.line),
      sourceRule: String(l.source_rule),
      isMalicious: l.label === 'malicious',
      threshold: typeof l.threshold === 'number' ? l.threshold : null,
      hasMocks: l.has_mocks === true,
      testName: String(l.test_name),
    }));
  return { events, labels };
}

/** Panther scenarios: attacker and victim files as one timeline; the attacker's events are labelled. */
export function pantherScenarioStreams(): CorpusStream[] {
  const dir = join(CORPUS_DIR, 'panther-analysis');
  return Object.entries(PANTHER_SCENARIO_RULES).map(([scenario, rules]) => {
    const attacker = readLines(join(dir, `scenario-${scenario}-attacker.jsonl`)).map((r, i) =>
      keyed(`panther-scenario:${scenario}:attacker:${i + 1}`, r),
    );
    const victim = readLines(join(dir, `scenario-${scenario}-victim.jsonl`)).map((r, i) =>
      keyed(`panther-scenario:${scenario}:victim:${i + 1}`, r),
    );
    const labels = rules.flatMap((rule) =>
      attacker.map((r) => ({
        event: `cloudtrail:${r.key}`,
        rule,
        technique: `panther scenario ${scenario}`,
        attackId: scenario,
      })),
    );
    return { name: `panther-scenario-${scenario}`, records: [...attacker, ...victim], labels };
  });
}
