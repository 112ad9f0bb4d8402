/**
 * Identity chains end to end on DynamoDB Local: issuance records normalised by the production
 * CloudTrail parser, links written by one invocation and read by the next, the chain in the
 * finding, the e-mail alert and the ASFF, redelivery writing nothing twice, and link TTLs.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { recordJsonOf } from '../../lambdas/adapters/record-codec';
import { renderAlert } from '../../lambdas/core/alert';
import { toAsff } from '../../lambdas/core/asff';
import { describeChain, linkKey, type LinkRecord } from '../../lambdas/core/chains';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import { runPipeline, type PipelineDeps } from '../../lambdas/core/pipeline';
import type { FindingSink, PublishResult } from '../../lambdas/core/ports';
import { RULES } from '../../lambdas/core/rules/index';
import {
  assumeRoleIssuance,
  assumedRole,
  cloudTrail,
  normaliseRecord,
  webIdentityIssuance,
  type CaseRecord,
} from '../../lambdas/core/rules/raw-records';
import { at } from '../../lambdas/core/rules/test-events';
import { startDynamoDbLocal, type LocalServer } from '../support/servers';

let ddb: LocalServer;
let client: DynamoDBClient;
let tableNo = 0;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client?.destroy();
  await ddb?.stop();
});

const CI_KEY = 'ASIAEXAMPLECICHAIN01';
const ADMIN_KEY = 'ASIAEXAMPLEADMINKEY1';
const SUBJECT = 'repo:octo-org/storefront:environment:production';

/** Invocation 1: the CI job's token exchange and its role chain into prod-admin, from an AWS build host. */
const issuance: CaseRecord[] = [
  webIdentityIssuance(SUBJECT, 'token.actions.githubusercontent.com', {
    timeMs: at(0, 10),
    role: 'ci-deployer',
    session: 'GitHubActions',
    accessKeyId: CI_KEY,
    sourceIPAddress: '3.80.10.20',
  }),
  assumeRoleIssuance(assumedRole('ci-deployer', 'GitHubActions', CI_KEY), {
    timeMs: at(0, 10, 1),
    role: 'prod-admin',
    session: 'deploy-42',
    accessKeyId: ADMIN_KEY,
    sourceIPAddress: '3.80.10.20',
  }),
];

/** Invocation 2: prod-admin's key used by the build host, then from a VPS outside AWS. */
const use: CaseRecord[] = [
  cloudTrail(assumedRole('prod-admin', 'deploy-42', ADMIN_KEY), {
    timeMs: at(0, 10, 2),
    action: 'cloudformation.amazonaws.com:UpdateStack',
    sourceIPAddress: '3.80.10.20',
  }),
  cloudTrail(assumedRole('prod-admin', 'deploy-42', ADMIN_KEY), {
    timeMs: at(0, 10, 30),
    action: 'iam.amazonaws.com:CreateAccessKey',
    sourceIPAddress: '203.0.113.45',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64',
  }),
];

const events = (records: readonly CaseRecord[]): IdentityEvent[] => records.map(normaliseRecord);

/** A sink that keeps what it was handed. */
class KeepingSink implements FindingSink {
  readonly fresh: Finding[] = [];
  readonly repeats: Finding[] = [];
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    this.fresh.push(...fresh);
    this.repeats.push(...repeats);
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

/** A fresh invocation: new store, ledger and sink objects over the same table (nothing shared in memory). */
function invocation(tableName: string, writeTimeMs: number): { deps: PipelineDeps; sink: KeepingSink } {
  const sink = new KeepingSink();
  return {
    sink,
    deps: {
      store: new DynamoDbBaselineStore({ client, tableName, nowMs: () => writeTimeMs }),
      ledger: new DynamoDbFindingLedger({
        client,
        tableName,
        dedupWindowSeconds: 6 * 3600,
        nowMs: () => writeTimeMs,
      }),
      sink,
      rules: RULES,
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => writeTimeMs,
    },
  };
}

const linkItem = async (tableName: string, key: string) =>
  (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: linkKey(key) } } }))).Item;

describe('identity chains on DynamoDB', () => {
  it('attributes a key issued in one invocation to its federated subject in the next, in the finding, the alert and the ASFF', async () => {
    const tableName = `chains-${++tableNo}`;
    await createBaselineTable(client, tableName);
    // TTLs count from the write: a wall-clock time, or DynamoDB Local may expire the links mid-test.
    const writeTime = Math.floor(Date.now() / 1000) * 1000;

    await runPipeline('delivery-1', events(issuance), invocation(tableName, writeTime).deps);
    const second = invocation(tableName, writeTime + 60_000);
    await runPipeline('delivery-2', events(use), second.deps);

    const replay = second.sink.fresh.find((f) => f.ruleId === 'chain-replay');
    expect(replay).toBeDefined();
    const chain = (replay as Finding).chain;
    expect(chain).toBeDefined();
    expect(describeChain(chain!)).toBe(
      'repository octo-org/storefront in environment production via GitHub OIDC → role/ci-deployer → AssumeRole → role/prod-admin (session deploy-42)',
    );
    expect(chain!.root).toMatchObject({
      kind: 'federated',
      identityKey: 'aws:123456789012:role/ci-deployer',
    });
    expect(chain!.hops.map((h) => h.accessKeyId)).toEqual([CI_KEY, ADMIN_KEY]);
    // Every finding made with the key carries the chain, whatever rule raised it.
    for (const f of second.sink.fresh.filter((x) => x.credentialId === ADMIN_KEY))
      expect(f.chain).toEqual(chain);

    const body = renderAlert(replay!).body;
    expect(body).toContain(
      'Chain         repository octo-org/storefront in environment production via GitHub OIDC → role/ci-deployer → AssumeRole → role/prod-admin (session deploy-42)',
    );
    const asff = toAsff(replay!, { region: 'us-east-1', accountId: '123456789012' });
    expect(asff.ProductFields['nhi-watch/chain']).toBe(describeChain(chain!));
    expect(asff.ProductFields['nhi-watch/chainRoot']).toBe('aws:123456789012:role/ci-deployer');
    expect(asff.ProductFields['nhi-watch/chainDepth']).toBe('2');
  });

  it('writes each link once with the credential’s lifetime as TTL, and never the session token', async () => {
    const tableName = `chains-${++tableNo}`;
    await createBaselineTable(client, tableName);
    // TTLs count from the write: a wall-clock time, or DynamoDB Local may expire the links mid-test.
    const writeTime = Math.floor(Date.now() / 1000) * 1000;
    const first = await runPipeline('delivery-1', events(issuance), invocation(tableName, writeTime).deps);
    expect(first.events).toBe(2);

    const item = await linkItem(tableName, ADMIN_KEY);
    expect(item).toBeDefined();
    expect(item!.ver?.N).toBe('1');
    // Issued for one hour: kept one hour, plus an hour for late deliveries, from the write.
    expect(Number(item!.expiresAt?.N)).toBe(writeTime / 1000 + 3600 + 3600);
    const text = JSON.stringify(item);
    expect(text).not.toContain('IQoJb3JpZ2luX2Vj');
    const body = recordJsonOf(item!.body);
    const link = JSON.parse(body) as LinkRecord;
    expect(link).toMatchObject({
      type: 'link',
      accessKeyId: ADMIN_KEY,
      issuedAtMs: at(0, 10, 1),
      expiresAtMs: at(0, 11, 1),
    });

    // The same delivery again, and a second delivery carrying the same issuance records: no link is rewritten.
    await runPipeline('delivery-1', events(issuance), invocation(tableName, writeTime + 1000).deps);
    await runPipeline('delivery-1b', events(issuance), invocation(tableName, writeTime + 2000).deps);
    expect((await linkItem(tableName, ADMIN_KEY))!.ver?.N).toBe('1');
    expect((await linkItem(tableName, CI_KEY))!.ver?.N).toBe('1');
  });

  it('alerts once when the delivery of the replayed use is redelivered', async () => {
    const tableName = `chains-${++tableNo}`;
    await createBaselineTable(client, tableName);
    // TTLs count from the write: a wall-clock time, or DynamoDB Local may expire the links mid-test.
    const writeTime = Math.floor(Date.now() / 1000) * 1000;
    await runPipeline('delivery-1', events(issuance), invocation(tableName, writeTime).deps);
    const once = invocation(tableName, writeTime);
    await runPipeline('delivery-2', events(use), once.deps);
    const again = invocation(tableName, writeTime);
    const redelivered = await runPipeline('delivery-2', events(use), again.deps);
    expect(once.sink.fresh.filter((f) => f.ruleId === 'chain-replay')).toHaveLength(1);
    expect(again.sink.fresh.filter((f) => f.ruleId === 'chain-replay')).toHaveLength(0);
    expect(redelivered.redelivered).toBe(2);
  });
});
