import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { InProcessAws } from '../../bench/in-process-aws';
import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../../lambdas/adapters/dynamodb-store';
import { batchTag, emptyBaseline } from '../../lambdas/core/baseline';
import type { Finding } from '../../lambdas/core/finding';
import { ev } from '../../lambdas/core/rules/test-events';

// The benchmark's in-process DynamoDB must answer the production adapters as DynamoDB does, or the
// real-path figures would time a different path: conditional writes, conflicts, the ledger's updates.
describe('in-process DynamoDB behind the real SDK client', () => {
  const aws = new InProcessAws();
  let uninstall: () => void;
  let client: DynamoDBClient;
  beforeAll(() => {
    uninstall = aws.install();
    client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: InProcessAws.ENDPOINTS.AWS_ENDPOINT_URL_DYNAMODB,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(() => {
    client.destroy();
    uninstall();
  });

  it('keeps records by version: a second writer at the same version gets a conflict, not an overwrite', async () => {
    const store = new DynamoDbBaselineStore({ client, tableName: 'bench-store' });
    const record = emptyBaseline(ev({ identity: { key: 'role/a' } }));
    const change = { key: 'role/a', expectedVersion: undefined, record };

    expect(await store.commit('b1', [change])).toEqual({ committed: ['role/a'], conflicts: [] });
    expect(await store.commit('b2', [change])).toEqual({ committed: [], conflicts: ['role/a'] });
    const loaded = await store.load(['role/a', 'role/absent']);
    expect([...loaded.keys()]).toEqual(['role/a']);
    expect(loaded.get('role/a')?.version).toBe(1);

    // Records keep batch tags (core/baseline.ts batchTag): 200 of them make a body well over 1 KB.
    const big = {
      ...record,
      batches: Array.from({ length: 200 }, (_, i) => batchTag(`batch-${i}-${'x'.repeat(20)}`)),
    };
    expect(await store.commit('b3', [{ key: 'role/a', expectedVersion: 1, record: big }])).toEqual({
      committed: ['role/a'],
      conflicts: [],
    });
    expect((await store.load(['role/a'])).get('role/a')).toEqual({ record: big, version: 2 });
    expect(aws.counters.conditionalFailures).toBe(1);
  });

  it('runs the finding ledger: a claim is counted once per batch and marks need the claim', async () => {
    const ledger = new DynamoDbFindingLedger({ client, tableName: 'bench-ledger', dedupWindowSeconds: 3600 });
    const finding = { id: 'f1', count: 1, firstSeenMs: 1_000, lastSeenMs: 1_000 } as unknown as Finding;
    const request = {
      destinations: [{ destination: 'sns', mode: 'alert' as const }],
      owner: 'me',
      nowMs: 1_000,
      untilMs: 60_000,
    };

    const first = await ledger.claim('batch-1', [finding], request);
    expect(first.claimed.map((e) => e.finding.id)).toEqual(['f1']);
    expect(first.counted).toEqual(['f1']);
    await ledger.settle('me', [{ id: 'f1', destination: 'sns', count: 1 }], ['f1']);

    const again = await ledger.claim('batch-1', [finding], { ...request, owner: 'other' });
    expect(again.counted).toEqual([]);
    expect(again.claimed).toEqual([]);
    // A mark by an owner that holds no claim is refused by its condition.
    await expect(ledger.settle('stranger', [], ['f1'])).resolves.toBeUndefined();
  });

  it('answers an operation the adapters do not use with an error naming it', async () => {
    const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
    await expect(client.send(new ScanCommand({ TableName: 'bench-store' }))).rejects.toThrow(
      /does not support the Scan operation/,
    );
  });
});
