/**
 * `nhi-watch findings` against the loopback Security Hub receiver, which validates every
 * GetFindings / BatchUpdateFindings / BatchImportFindings request against the SDK's own schema:
 * list and filter, show, triage with a note, archive what stopped recurring.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  BatchImportFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import { main } from '../../bin/cli';
import type { FindingsIo } from '../../bin/cli-findings';
import { toAsff } from '../../lambdas/core/asff';
import type { Finding } from '../../lambdas/core/finding';
import { T0, at, iamUser } from '../../lambdas/core/rules/test-events';
import { validateAsffFinding } from '../support/asff-schema';
import { LOCAL } from '../support/aws';
import { findingFor } from '../support/findings';
import { startSecurityHubReceiver, type SecurityHubReceiver } from '../support/servers';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const NOW = T0 + 45 * 86_400_000;
const ROOT = join(__dirname, '../..');

let hub: SecurityHubReceiver;
let client: SecurityHubClient;

/** Run the command in-process against the receiver; returns exit status and what it wrote. */
async function findings(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: FindingsIo = {
    out: sink((s) => (out += s)),
    err: sink((s) => (err += s)),
    securityHub: () => client,
    nowMs: () => NOW,
    env: { AWS_REGION: REGION, AWS_ACCOUNT_ID: ACCOUNT },
  };
  const code = await main(['findings', ...args], { findingsIo: () => io });
  return { code, out, err };
}

const replay = findingFor({ timeMs: at(44, 3) });
const newAction = findingFor(
  { timeMs: at(43, 5), identity: iamUser('ci-deployer'), action: { name: 'iam.amazonaws.com:CreateUser' } },
  { discriminator: 'iam:CreateUser', summary: 'first CreateUser', evidence: ['never called iam:CreateUser'] },
  { id: 'new-action', title: 'Non-human identity used an action for the first time', severity: 'LOW' },
);
const stale = findingFor(
  { timeMs: at(2, 1), identity: iamUser('old-batch') },
  { discriminator: 'AS9009', summary: 'old replay', evidence: ['from AS9009'] },
);

async function importAll(list: readonly Finding[], nowMs: number): Promise<void> {
  const asff = list.map((f) =>
    toAsff(f, { region: REGION, accountId: ACCOUNT, nowIso: new Date(nowMs).toISOString() }),
  );
  await client.send(new BatchImportFindingsCommand({ Findings: asff }));
}

beforeAll(async () => {
  hub = await startSecurityHubReceiver(validateAsffFinding);
  client = new SecurityHubClient({ ...LOCAL, region: REGION, endpoint: hub.endpoint });
});
afterAll(async () => {
  client.destroy();
  await hub.stop();
});
beforeEach(async () => {
  hub.reset();
  await importAll([replay, newAction, stale], NOW - 3_600_000);
  // Another product's finding in the same account: never listed, updated or archived by nhi-watch.
  const foreign = {
    ...toAsff(replay, { region: REGION, accountId: ACCOUNT }),
    Id: 'arn:aws:guardduty:eu-west-1:123456789012:detector/x/finding/y',
    GeneratorId: 'arn:aws:guardduty:eu-west-1:123456789012:detector/x',
    LastObservedAt: new Date(at(1)).toISOString(),
  };
  await client.send(new BatchImportFindingsCommand({ Findings: [foreign as unknown as AwsSecurityFinding] }));
});
afterEach(() => expect(hub.problems).toEqual([]));

describe('nhi-watch findings', () => {
  it('lists nhi-watch findings only, filtered by severity, rule, identity, time and workflow status', async () => {
    const all = await findings('list', '--format', 'jsonl');
    expect(all.code).toBe(0);
    const ids = (text: string) =>
      text
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { Id: string }).Id)
        .sort();
    expect(ids(all.out)).toEqual([replay.id, newAction.id, stale.id].sort());
    expect(ids((await findings('list', '--format', 'jsonl', '--severity', 'HIGH')).out)).toEqual(
      [replay.id, stale.id].sort(),
    );
    expect(ids((await findings('list', '--format', 'jsonl', '--rule', 'new-action')).out)).toEqual([
      newAction.id,
    ]);
    expect(
      ids((await findings('list', '--format', 'jsonl', '--identity', 'aws:123456789012:user/old-batch')).out),
    ).toEqual([stale.id]);
    expect(ids((await findings('list', '--format', 'jsonl', '--since', '7d')).out)).toEqual(
      [replay.id, newAction.id].sort(),
    );
    expect(ids((await findings('list', '--format', 'jsonl', '--status', 'RESOLVED')).out)).toEqual([]);
    // The table names rule, identity and title; every request was scoped to nhi-watch's product.
    const table = await findings('list', '--severity', 'LOW');
    expect(table.out).toContain(newAction.id);
    expect(table.out).toContain('aws:123456789012:user/ci-deployer');
    expect(table.out).toContain('1 finding(s)');
    for (const call of hub.apiCalls.filter((c) => c.operation === 'GetFindings'))
      expect(call.body.Filters).toMatchObject({
        ProductArn: [
          {
            Value: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
            Comparison: 'EQUALS',
          },
        ],
        GeneratorId: expect.arrayContaining([
          expect.objectContaining({ Value: expect.stringMatching(/^nhi-watch\//) }),
        ]),
      });
    expect((await findings('list', '--severity', 'SEVERE')).code).toBe(2);
  });

  it('shows one finding with its evidence and runbook, and exits 1 for an unknown id', async () => {
    const shown = await findings('show', newAction.id);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('never called iam:CreateUser');
    expect(shown.out).toContain('runbook');
    expect(shown.out).toContain(newAction.runbook.slice(0, 60));
    expect(shown.out).toContain('identityKey');
    const missing = await findings('show', 'nhi-watch/credential-replay/0000');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no nhi-watch finding');
  });

  it('sets the workflow status with a note, which a later re-import of the finding keeps', async () => {
    const r = await findings(
      'update',
      replay.id,
      newAction.id,
      'nhi-watch/credential-replay/unknown',
      '--status',
      'NOTIFIED',
      '--note',
      'ticket SEC-1234',
      '--by',
      'alice',
    );
    expect(r.code).toBe(1); // one id was not an nhi-watch finding
    expect(r.err).toContain('nhi-watch/credential-replay/unknown not updated');
    const kept = hub.findings.get(replay.id)!.finding;
    expect(kept.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(kept.Note).toMatchObject({ Text: 'ticket SEC-1234', UpdatedBy: 'alice' });
    const update = hub.apiCalls.find((c) => c.operation === 'BatchUpdateFindings')!;
    expect(update.body.FindingIdentifiers).toHaveLength(2);
    // The pipeline imports a repeat of the finding: the analyst's status and note stay.
    await importAll([replay], NOW);
    expect(hub.findings.get(replay.id)!.finding.Workflow).toEqual({ Status: 'NOTIFIED' });
    const notified = await findings('list', '--format', 'jsonl', '--status', 'NOTIFIED');
    expect(notified.out.trim().split('\n')).toHaveLength(2);
    expect((await findings('update', replay.id, '--status', 'DONE')).code).toBe(2);
  });

  it('archives findings not observed for longer than --older-than, and only those', async () => {
    const dry = await findings('archive', '--older-than', '30', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out.trim()).toBe(stale.id);
    expect(hub.findings.get(stale.id)!.finding.RecordState).toBe('ACTIVE');
    const before = hub.findings.get(stale.id)!.finding;
    const r = await findings('archive', '--older-than', '30d');
    expect(r.code).toBe(0);
    expect(r.err).toContain('1 finding(s) not observed for 30.0 days archived');
    const archived = hub.findings.get(stale.id)!.finding;
    expect(archived.RecordState).toBe('ARCHIVED');
    expect(Date.parse(String(archived.UpdatedAt))).toBeGreaterThan(Date.parse(String(before.UpdatedAt)));
    expect(archived.Title).toBe(before.Title);
    expect(hub.findings.get(replay.id)!.finding.RecordState).toBe('ACTIVE');
    expect(
      hub.findings.get('arn:aws:guardduty:eu-west-1:123456789012:detector/x/finding/y')!.finding.RecordState,
    ).toBe('ACTIVE');
    expect(hub.calls.at(-1)!.ids).toEqual([stale.id]);
    expect((await findings('list', '--format', 'jsonl', '--archived')).out).toContain(stale.id);
    expect((await findings('list', '--format', 'jsonl')).out).not.toContain(stale.id);
  });

  it('runs as the installed command with the SDK endpoint and credentials from the environment', async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/nhi-watch-cli.js'), 'findings', 'list', '--rule', 'new-action'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_SECURITYHUB: hub.endpoint,
          AWS_REGION: REGION,
          AWS_ACCOUNT_ID: ACCOUNT,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_PROFILE: '',
        },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain(newAction.id);
    expect(out).not.toContain(replay.id);
  });
});
