/**
 * Every file of the third-party corpus (../shared/corpus, read in place) goes through the decoders
 * and normalisers: nothing throws, every unusable unit is counted with its reason, and the counts
 * are the known figures of the corpus (see its README). Spot checks pin real facts of the data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IdentityEvent } from '../../../lambdas/core/identity-event.js';
import { parseApiGatewayAccessLog } from '../../../lambdas/core/sources/api-gateway.js';
import { normaliseCloudTrail, parseCloudTrailText } from '../../../lambdas/core/sources/cloudtrail/index.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';

const CORPUS = join(__dirname, '../../../../shared/corpus');

interface FileResult {
  readonly events: IdentityEvent[];
  readonly rejects: Record<string, number>;
}

function countReason(rejects: Record<string, number>, reason: string): void {
  rejects[reason] = (rejects[reason] ?? 0) + 1;
}

function runCloudTrailFile(path: string): FileResult {
  const parsed = parseCloudTrailText(readFileSync(path, 'utf8'));
  const rejects: Record<string, number> = {};
  for (const r of parsed.rejects) countReason(rejects, r.reason);
  const events: IdentityEvent[] = [];
  for (const record of parsed.records) {
    const n = normaliseCloudTrail(record, NO_IP_INTEL, { logGroup: path });
    if (n.ok) events.push(n.value);
    else countReason(rejects, n.reason);
  }
  return { events, rejects };
}

function runApiGatewayFile(path: string): FileResult {
  const rejects: Record<string, number> = {};
  const events: IdentityEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim().length === 0) continue;
    const n = parseApiGatewayAccessLog(line, NO_IP_INTEL, { logGroup: path });
    if (n.ok) events.push(n.value);
    else countReason(rejects, n.reason);
  }
  return { events, rejects };
}

/** Data files of one corpus tree (`cloudtrail` or `apigw`), as `<source>/<file>`. */
function dataFiles(tree: string): string[] {
  const files: string[] = [];
  for (const source of readdirSync(join(CORPUS, tree))) {
    for (const file of readdirSync(join(CORPUS, tree, source))) {
      if (file === 'labels.jsonl' || file.startsWith('LICENSE') || file === 'files.tsv') continue;
      files.push(`${source}/${file}`);
    }
  }
  return files.sort();
}

/** Known figures: events that normalise, and rejects by reason. */
const CLOUDTRAIL_EXPECTED: Readonly<Record<string, { events: number; rejects?: Record<string, number> }>> = {
  'elastic-integrations/test-assume-role-aws-service-json.jsonl': { events: 1 },
  'elastic-integrations/test-assume-role-email-session-json.jsonl': { events: 1 },
  'elastic-integrations/test-assume-role-json.jsonl': { events: 2 },
  'elastic-integrations/test-console-login-json.jsonl': { events: 3 },
  'elastic-integrations/test-get-caller-identity-json.jsonl': { events: 1 },
  'elastic-integrations/test-tls-details-json.jsonl': { events: 3 },
  'elastic-integrations/test-user-authentication.jsonl': { events: 1 },
  'invictus-aws-dataset/events.jsonl': { events: 2900 },
  // A CSV export, not CloudTrail JSON: the header and all 301 rows are counted as rejects.
  'otrf-security-datasets/AWS_S3_HoneyBucketLogs.csv': { events: 0, rejects: { 'invalid-json': 302 } },
  'otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl': { events: 103 },
  // README: eventTime missing in 14 events, `...` and `redacted` once each; 4 have no userIdentity
  // (and no service source), 1 has no eventSource.
  'panther-analysis/rule-test-events.jsonl': {
    events: 330,
    rejects: {
      'missing-event-time': 14,
      'invalid-event-time': 2,
      'missing-user-identity': 4,
      'missing-event-source': 1,
    },
  },
  'panther-analysis/scenario-compromised-root-creds-attacker.jsonl': { events: 12 },
  'panther-analysis/scenario-compromised-root-creds-victim.jsonl': { events: 4 },
  'panther-analysis/scenario-enrichment-example-attacker.jsonl': { events: 7 },
  'panther-analysis/scenario-enrichment-example-victim.jsonl': { events: 4 },
  'plaso/aws_cloudtrail.lookupevents.jsonl': { events: 6 },
  'stratus-red-team/aws.credential-access.ec2-get-password-data.jsonl': { events: 34 },
  'stratus-red-team/aws.credential-access.ec2-steal-instance-credentials.jsonl': { events: 45 },
  'stratus-red-team/aws.credential-access.secretsmanager-batch-retrieve-secrets.jsonl': { events: 5 },
  'stratus-red-team/aws.credential-access.secretsmanager-retrieve-secrets.jsonl': { events: 21 },
  'stratus-red-team/aws.defense-evasion.cloudtrail-delete.jsonl': { events: 1 },
  'stratus-red-team/aws.defense-evasion.cloudtrail-event-selectors.jsonl': { events: 1 },
  'stratus-red-team/aws.defense-evasion.cloudtrail-stop.jsonl': { events: 1 },
  'stratus-red-team/aws.defense-evasion.dns-delete-logs.jsonl': { events: 1 },
  'stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.jsonl': { events: 1 },
  'stratus-red-team/aws.discovery.ec2-download-user-data.jsonl': { events: 19 },
  'stratus-red-team/aws.execution.ec2-launch-unusual-instances.jsonl': { events: 3 },
  'stratus-red-team/aws.execution.ec2-user-data.jsonl': { events: 35 },
  'stratus-red-team/aws.execution.ssm-send-command.jsonl': { events: 56 },
  'stratus-red-team/aws.exfiltration.ec2-share-ami.jsonl': { events: 1 },
  'stratus-red-team/aws.exfiltration.ec2-share-ebs-snapshot.jsonl': { events: 1 },
  'stratus-red-team/aws.exfiltration.rds-share-snapshot.jsonl': { events: 1 },
  'stratus-red-team/aws.impact.bedrock-invoke-model.jsonl': { events: 15 },
  'stratus-red-team/aws.initial-access.console-login-without-mfa.jsonl': { events: 1 },
  'stratus-red-team/aws.lateral-movement.ec2-instance-connect.jsonl': { events: 3 },
  'stratus-red-team/aws.lateral-movement.ec2-serial-console-send-ssh-public-key.jsonl': { events: 4 },
  'stratus-red-team/aws.persistence.iam-backdoor-role.jsonl': { events: 1 },
  'stratus-red-team/aws.persistence.iam-backdoor-user.jsonl': { events: 1 },
  'stratus-red-team/aws.persistence.iam-create-admin-user.jsonl': { events: 3 },
  'stratus-red-team/aws.persistence.iam-create-backdoor-role.jsonl': { events: 2 },
  'stratus-red-team/aws.persistence.iam-create-user-login-profile.jsonl': { events: 3 },
  'stratus-red-team/aws.persistence.lambda-layer-extension.jsonl': { events: 1 },
  'stratus-red-team/aws.persistence.rolesanywhere-create-trust-anchor.jsonl': { events: 2 },
  'stratus-red-team/aws.persistence.sts-federation-token.jsonl': { events: 2 },
  'stratus-red-team/aws.privilege-escalation.iam-update-user-login-profile.jsonl': { events: 1 },
};

const APIGW_EXPECTED: Readonly<Record<string, number>> = {
  'elastic-integrations/test-apigateway-http.jsonl': 5,
  'elastic-integrations/test-apigateway-rest.jsonl': 5,
  'elastic-integrations/test-apigateway-websocket.jsonl': 4,
  'elastic-integrations/test-apigateway.jsonl': 2,
};

const cloudTrailResults = new Map<string, FileResult>();
const apiGatewayResults = new Map<string, FileResult>();

beforeAll(() => {
  for (const file of dataFiles('cloudtrail'))
    cloudTrailResults.set(file, runCloudTrailFile(join(CORPUS, 'cloudtrail', file)));
  for (const file of dataFiles('apigw'))
    apiGatewayResults.set(file, runApiGatewayFile(join(CORPUS, 'apigw', file)));
});

function eventsOf(file: string): IdentityEvent[] {
  const result = cloudTrailResults.get(file);
  if (result === undefined) throw new Error(`corpus file not read: ${file}`);
  return result.events;
}

describe('shared corpus — every file, known counts', () => {
  it('covers every data file of the corpus', () => {
    expect([...cloudTrailResults.keys()]).toEqual(Object.keys(CLOUDTRAIL_EXPECTED).sort());
    expect([...apiGatewayResults.keys()]).toEqual(Object.keys(APIGW_EXPECTED).sort());
  });

  it.each(Object.entries(CLOUDTRAIL_EXPECTED))('cloudtrail/%s', (file, expected) => {
    const result = cloudTrailResults.get(file);
    expect(result?.events.length).toBe(expected.events);
    expect(result?.rejects).toEqual(expected.rejects ?? {});
  });

  it.each(Object.entries(APIGW_EXPECTED))('apigw/%s', (file, events) => {
    const result = apiGatewayResults.get(file);
    expect(result?.events.length).toBe(events);
    expect(result?.rejects).toEqual({});
  });

  it('normalises 3,643 of the 3,664 CloudTrail JSON events', () => {
    const total = [...cloudTrailResults.values()].reduce((n, r) => n + r.events.length, 0);
    expect(total).toBe(3643);
  });
});

describe('shared corpus — real facts', () => {
  it('keys the OTRF stolen instance-profile key on its role, as a session key used with the AWS CLI', () => {
    const stolen = eventsOf('otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl').filter(
      (e) => e.credential.id === 'ASIA5FLZVX4OPVKKVBMX',
    );
    expect(stolen).toHaveLength(11);
    for (const e of stolen) {
      expect(e.identity.key).toBe('aws:123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0');
      expect(e.identity.sessionName).toBe('i-0317f6c6b66ae9c40');
      expect(e.credential.kind).toBe('session-key');
      expect(e.origin.userAgentFamily).toBe('aws-cli');
      expect(e.origin.userAgentClass).toBe('cli');
    }
    expect(new Set(stolen.map((e) => e.action.name))).toEqual(
      new Set(['s3.amazonaws.com:ListBuckets', 's3.amazonaws.com:ListObjects', 's3.amazonaws.com:GetObject']),
    );
  });

  it('sees EC2 assume the OTRF instance roles, keyed on the EC2 service', () => {
    const refreshes = eventsOf(
      'otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl',
    ).filter((e) => e.action.name === 'sts.amazonaws.com:AssumeRole');
    expect(refreshes).toHaveLength(5);
    for (const e of refreshes) {
      expect(e.identity.key).toBe('aws:service:ec2.amazonaws.com');
      expect(e.origin).toMatchObject({ awsService: 'ec2.amazonaws.com', isAws: true });
    }
    expect(
      refreshes.filter(
        (e) =>
          e.action.targetRoleArn ===
          'arn:aws:iam::123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0',
      ),
    ).toHaveLength(3);
  });

  it('classes the Stratus GetPasswordData enumeration as authorization denials', () => {
    const attempts = eventsOf('stratus-red-team/aws.credential-access.ec2-get-password-data.jsonl').filter(
      (e) => e.action.name === 'ec2.amazonaws.com:GetPasswordData',
    );
    expect(attempts).toHaveLength(30);
    for (const e of attempts) {
      expect(e.outcome).toMatchObject({
        authn: 'success',
        authz: 'denied',
        errorCode: 'Client.UnauthorizedOperation',
        isThrottled: false,
      });
      expect(e.origin.userAgentClass).toBe('offensive-tool');
      expect(e.origin.isIp).toBe(e.origin.ip === '200.249.253.51');
    }
  });

  it('counts throttling in the Invictus data as neither a failure nor a denial', () => {
    const events = eventsOf('invictus-aws-dataset/events.jsonl');
    const throttled = events.filter((e) => e.outcome.errorCode === 'ThrottlingException');
    expect(throttled).toHaveLength(102);
    for (const e of throttled)
      expect(e.outcome).toMatchObject({ isThrottled: true, authn: 'success', authz: 'unknown' });
    expect(events.filter((e) => e.outcome.authz === 'denied')).toHaveLength(44 + 16);
    expect(events.filter((e) => e.outcome.authn === 'failure')).toHaveLength(0);
  });

  it('finds the Invictus actors and their long-lived key, console sessions and tools', () => {
    const events = eventsOf('invictus-aws-dataset/events.jsonl');
    const bertJan = events.filter((e) => e.identity.key === 'aws:123837392027:user/bert-jan');
    expect(bertJan.length).toBeGreaterThan(2600);
    expect(new Set(bertJan.map((e) => e.credential.kind))).toEqual(
      new Set(['long-lived-key', 'session-key', 'console-session']),
    );
    expect(bertJan.filter((e) => e.origin.userAgentFamily === 'terraform').length).toBeGreaterThan(900);
    expect(events.filter((e) => e.identity.key === 'aws:123837392027:user/benjamin')).toHaveLength(105);
  });

  it('sees the Panther root-credential attack: failed then successful root console logins', () => {
    const attacker = eventsOf('panther-analysis/scenario-compromised-root-creds-attacker.jsonl');
    const logins = attacker.filter((e) => e.action.name === 'signin.amazonaws.com:ConsoleLogin');
    expect(logins.map((e) => e.outcome.authn)).toEqual(['failure', 'failure', 'failure', 'success']);
    for (const e of logins) {
      expect(e.identity).toMatchObject({ key: 'aws:493859302102:root', kind: 'root' });
      expect(e.origin.ip).toBe('92.55.146.245');
      expect(e.credential.kind).toBe('console-session');
    }
  });

  it('keeps the Elastic SAML event with a forwarded-for source and errorCode "200" as a success', () => {
    const saml = eventsOf('elastic-integrations/test-tls-details-json.jsonl').find(
      (e) => e.identity.kind === 'federated',
    );
    expect(saml?.origin).toMatchObject({ ip: '81.2.69.142, 192.168.10.10', isIp: false });
    expect(saml?.outcome).toMatchObject({ authn: 'success', authz: 'allowed', errorCode: '200' });
    expect(saml?.identity.key).toBe('aws:001122334455:saml-user/some.user@my.company.com');
  });

  it('reads the plaso LookupEvents file, including the service event without a type', () => {
    const events = eventsOf('plaso/aws_cloudtrail.lookupevents.jsonl');
    expect(events.filter((e) => e.identity.key === 'aws:012345678901:user/fakeusername')).toHaveLength(5);
    expect(events.filter((e) => e.identity.key === 'aws:service:ec2.amazonaws.com')).toHaveLength(1);
  });

  it('keys the Stratus federation token on the federated user, issued by the IAM user', () => {
    const federated = eventsOf('stratus-red-team/aws.persistence.sts-federation-token.jsonl').filter(
      (e) => e.identity.kind === 'federated',
    );
    expect(federated).toHaveLength(1);
    expect(federated[0]?.identity).toMatchObject({
      key: 'aws:742491224508:federated-user/stratus_red_team',
      issuer: 'arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user',
    });
  });

  it('reads the anonymised Stratus addresses written with leading zeros as decimal addresses, canonicalised', () => {
    const stratus = [...cloudTrailResults.entries()]
      .filter(([f]) => f.startsWith('stratus-red-team/'))
      .flatMap(([, r]) => r.events);
    expect(stratus.some((e) => e.origin.ip === '255.090.254.5')).toBe(false);
    const padded = stratus.filter((e) => e.origin.ip === '255.90.254.5');
    expect(padded.length).toBeGreaterThan(0);
    for (const e of padded)
      expect(e.origin).toMatchObject({
        isIp: true,
        isAws: false,
        isPrivate: false,
        network: '255.90.254.0/24',
      });
  });

  it('reads the Elastic API Gateway lines: anonymous clients per API, CLF times, WebSocket events', () => {
    const rest = apiGatewayResults.get('elastic-integrations/test-apigateway-rest.jsonl')?.events ?? [];
    expect(rest.map((e) => e.identity.key)).toEqual([
      'api:unknown:anonymous',
      'api:unknown:anonymous',
      'api:unknown:anonymous',
      'api:asad15n3p0:anonymous',
      'api:asad15n3p0:anonymous',
    ]);
    expect(rest[0]?.timeMs).toBe(Date.UTC(2023, 5, 10, 15, 36, 28));
    const ws = apiGatewayResults.get('elastic-integrations/test-apigateway-websocket.jsonl')?.events ?? [];
    expect(ws.map((e) => [e.action.name, e.outcome.status, e.outcome.authz])).toEqual([
      ['$connect', 500, 'allowed'],
      ['WEBSOCKET unknown', 403, 'denied'],
      ['$connect', 500, 'allowed'],
      ['$connect', 500, 'allowed'],
    ]);
  });
});
