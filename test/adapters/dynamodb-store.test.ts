import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { BaselineStoreError, DynamoDbBaselineStore } from '../../lambdas/adapters/dynamodb-store';
import { emptyBaseline } from '../../lambdas/core/baseline';
import { ev } from '../../lambdas/core/rules/test-events';

/** DynamoDB that leaves some keys unprocessed, as the real service does under load. */
function throttlingDynamoDb(unprocessedRounds: number) {
  const stored = new Map<string, string>();
  const requests: number[] = [];
  let rounds = 0;
  const send = (command: unknown) => {
    if (command instanceof BatchGetItemCommand) {
      const req = Object.values(command.input.RequestItems!)[0]!;
      const keys = req.Keys!.map((k) => k.pk!.S!);
      requests.push(keys.length);
      const leave = rounds++ < unprocessedRounds ? keys.slice(0, Math.ceil(keys.length / 2)) : [];
      const served = keys.filter((k) => !leave.includes(k) && stored.has(k));
      return Promise.resolve({
        Responses: { t: served.map((k) => ({ pk: { S: k }, ver: { N: '1' }, body: { S: stored.get(k)! } })) },
        UnprocessedKeys:
          leave.length > 0 ? { t: { ...req, Keys: leave.map((k) => ({ pk: { S: k } })) } } : {},
      });
    }
    return Promise.reject(new Error('unexpected command'));
  };
  return { client: { send } as unknown as DynamoDBClient, stored, requests };
}

const noSleep = () => Promise.resolve();
const record = (key: string) => JSON.stringify({ ...emptyBaseline(ev({ identity: { key } })), key });

describe('DynamoDbBaselineStore.load', () => {
  it('asks again for UnprocessedKeys until every key is served', async () => {
    const { client, stored, requests } = throttlingDynamoDb(2);
    const keys = ['aws:1:role/a', 'aws:1:role/b', 'aws:1:role/c', 'aws:1:role/d'];
    for (const k of keys) stored.set(`id#${k}`, record(k));
    const loaded = await new DynamoDbBaselineStore({ client, tableName: 't', sleep: noSleep }).load(keys);
    expect([...loaded.keys()].sort()).toEqual(keys);
    expect(requests).toEqual([4, 2, 1]);
  });

  it('fails with a retryable error instead of returning a partial state when keys stay unprocessed', async () => {
    const { client } = throttlingDynamoDb(100);
    await expect(
      new DynamoDbBaselineStore({ client, tableName: 't', sleep: noSleep, maxBatchAttempts: 3 }).load([
        'aws:1:role/a',
        'aws:1:role/b',
      ]),
    ).rejects.toBeInstanceOf(BaselineStoreError);
  });
});
