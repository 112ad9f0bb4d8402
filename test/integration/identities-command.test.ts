/**
 * `nhi-watch identities`: the inventory from a state file written by a real replay and from the
 * baseline table in DynamoDB Local, holding the same baselines — same identities, same facts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { main } from '../../bin/cli';
import type { IdentitiesIo } from '../../bin/cli-identities';
import type { IdentityProfile } from '../../lambdas/core/inventory';
import { DynamoDbBaselineStore } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { MemoryBaselineStore, MemoryFindingLedger, loadStateFile } from '../../lambdas/adapters/memory-store';
import { loadLocalSetup, replayFiles } from '../../lambdas/local/replay';
import { LOCAL } from '../support/aws';
import { startCloudFormationServer, type CloudFormationServer } from '../support/cloudformation-server';
import { startDynamoDbLocal, type LocalServer } from '../support/servers';

const ROOT = join(__dirname, '../..');
const CORPUS = join(ROOT, '../shared/corpus');
const OTRF = join(
  CORPUS,
  'cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl',
);
const INVICTUS = join(CORPUS, 'cloudtrail/invictus-aws-dataset/events.jsonl');
const STOLEN_ROLE = 'aws:123456789123:role/MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0';

let dir: string;
let state: string;
let ddb: LocalServer;
let cfn: CloudFormationServer;
let client: DynamoDBClient;
const TABLE = 'nhi-watch-inventory';

async function identities(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: IdentitiesIo = {
    out: sink((s) => (out += s)),
    err: sink((s) => (err += s)),
    dynamoDb: () => client,
    cloudFormation: () => new CloudFormationClient({ ...LOCAL, endpoint: cfn.endpoint }),
    env: {},
  };
  const code = await main(['identities', ...args], { identitiesIo: () => io });
  return { code, out, err };
}

const jsonl = (text: string): IdentityProfile[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as IdentityProfile);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-watch-identities-'));
  state = join(dir, 'state.json');
  const setup = await loadLocalSetup();
  await replayFiles([OTRF, INVICTUS], { ...setup, statePath: state });
  // The same baselines in the deployed table.
  ddb = await startDynamoDbLocal();
  cfn = await startCloudFormationServer('123456789012', 'us-east-1');
  cfn.stacks.set('NhiWatch', {
    BaselineTableName: TABLE,
    AlertTopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
  });
  cfn.stacks.set('SomethingElse', { BucketName: 'b' });
  client = new DynamoDBClient({ ...LOCAL, endpoint: ddb.endpoint });
  await createBaselineTable(client, TABLE);
  const store = new MemoryBaselineStore();
  await loadStateFile(state, store, new MemoryFindingLedger());
  await new DynamoDbBaselineStore({ client, tableName: TABLE }).commit(
    'seed',
    [...store.records].map(([key, { record }]) => ({ key, expectedVersion: undefined, record })),
  );
}, 120_000);
afterAll(async () => {
  client.destroy();
  await ddb.stop();
  await cfn.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('nhi-watch identities', () => {
  it('lists every identity of a state file with credentials, networks, actions, activity and findings', async () => {
    const r = await identities('--state', state, '--format', 'jsonl');
    expect(r.code).toBe(0);
    const list = jsonl(r.out);
    expect(list.length).toBeGreaterThan(3);
    const role = list.find((p) => p.key === STOLEN_ROLE)!;
    expect(role).toMatchObject({ kind: 'iam-role', accountId: '123456789123' });
    const key = role.credentials.find((c) => c.id === 'ASIA5FLZVX4OPVKKVBMX')!;
    expect(key).toMatchObject({ kind: 'session-key', isLongLived: false, isUsedOutsideAws: true });
    expect(role.countries.map((c) => c.value)).toContain('AU');
    expect(role.topActions.map((a) => a.value)).toContain('s3.amazonaws.com:ListBuckets');
    // The replay raised a credential-replay finding on it: the state file knows.
    expect(role.findings).toBeGreaterThanOrEqual(1);
    // Sorted by key, each once.
    const keys = list.map((p) => p.key);
    expect(keys).toEqual([...new Set(keys)].sort());
  });

  it('judges dormancy against the data clock or --as-of, and names the covering contract', async () => {
    const contracts = join(dir, 'contracts.yaml');
    writeFileSync(
      contracts,
      `version: 1\ncontracts:\n  - identity: "aws:123456789123:role/Mordor*"\n    allowedAsns: [16509]\n`,
    );
    const later = jsonl(
      (
        await identities(
          '--state',
          state,
          '--format',
          'jsonl',
          '--as-of',
          '2030-01-01',
          '--contracts',
          contracts,
        )
      ).out,
    );
    expect(later.every((p) => p.isDormant)).toBe(true);
    expect(later.find((p) => p.key === STOLEN_ROLE)!.contract).toBe('aws:123456789123:role/Mordor*');
    const own = jsonl((await identities('--state', state, '--format', 'jsonl')).out);
    expect(own.some((p) => !p.isDormant)).toBe(true);
  });

  it('reads the same inventory from the deployed table (findings not known there)', async () => {
    const fromFile = jsonl((await identities('--state', state, '--format', 'jsonl')).out);
    const r = await identities('--table', TABLE, '--format', 'jsonl');
    expect(r.code).toBe(0);
    const fromTable = jsonl(r.out);
    expect(fromTable.map((p) => p.key)).toEqual(fromFile.map((p) => p.key));
    const strip = ({ findings: _f, ...rest }: IdentityProfile) => rest;
    expect(fromTable.map(strip)).toEqual(fromFile.map(strip));
    expect(fromTable.every((p) => p.findings === undefined)).toBe(true);
    // The same by the deployed stack's name: its outputs name the table.
    const byStack = await identities('--stack', 'NhiWatch', '--format', 'jsonl');
    expect(byStack.code).toBe(0);
    expect(jsonl(byStack.out)).toEqual(fromTable);
    expect(cfn.problems).toEqual([]);
  });

  it('names the stack when it is missing or is not an nhi-watch stack, and wants one source', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array): boolean => stderr.push(String(chunk)) > 0;
    let missing: number;
    let other: number;
    try {
      missing = (await identities('--stack', 'Nope')).code;
      other = (await identities('--stack', 'SomethingElse')).code;
    } finally {
      process.stderr.write = write;
    }
    expect(missing).toBe(1);
    expect(stderr.join('')).toMatch(/cannot describe stack Nope: .*Stack with id Nope does not exist/);
    expect(other).toBe(1);
    expect(stderr.join('')).toMatch(
      /stack SomethingElse has no output BaselineTableName \(outputs: BucketName\)/,
    );
    expect((await identities('--stack', 'NhiWatch', '--table', TABLE)).code).toBe(2);
  });

  it('writes a table, CSV a spreadsheet cannot run formulas from, and one identity in full', async () => {
    const table = await identities('--state', state);
    expect(table.out).toMatch(/^IDENTITY\s+KIND\s+ACCOUNT/);
    expect(table.out).toMatch(/\d+ identities: \d+ dormant, \d+ with long-lived credentials/);
    const csv = await identities('--state', state, '--format', 'csv');
    const lines = csv.out.trim().split('\r\n');
    expect(lines[0]).toBe(
      'key,kind,accountId,principal,calls,firstSeen,lastSeen,isDormant,daysSilent,credentials,longLivedCredentials,oldestCredentialDays,asns,countries,networks,topActions,distinctActions,findings,contract',
    );
    expect(lines).toHaveLength(
      jsonl((await identities('--state', state, '--format', 'jsonl')).out).length + 1,
    );
    expect(csv.out).not.toMatch(/(^|,)[=+@]/m);
    const show = await identities('show', STOLEN_ROLE, '--state', state);
    expect(show.code).toBe(0);
    expect(show.out).toContain('ASIA5FLZVX4OPVKKVBMX session-key');
    expect(show.out).toContain('top actions');
    const missing = await identities('show', 'aws:000000000000:role/none', '--state', state);
    expect(missing.code).toBe(1);
    expect((await identities('--format', 'jsonl')).code).toBe(2);
    expect(readFileSync(state, 'utf8').length).toBeGreaterThan(0);
  });
});
