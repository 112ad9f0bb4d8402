import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { countRequests } from '../../lambdas/adapters/request-counter';
import { recordJsonOf } from '../../lambdas/adapters/record-codec';
import { emptyBaseline, type IdentityBaseline } from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../lambdas/core/engine';
import { populationKeys, type PopulationRecord } from '../../lambdas/core/priors';
import { getOwn } from '../../lambdas/core/safe-record';
import { SAMPLED_WRITES, routineWeight } from '../../lambdas/core/write-policy';
import type { Finding } from '../../lambdas/core/finding';
import { runPipeline, type PipelineDeps } from '../../lambdas/core/pipeline';
import type { BaselineStore, FindingSink, PublishResult, StateChange } from '../../lambdas/core/ports';
import { UA, at, ev } from '../../lambdas/core/rules/test-events';
import { startDynamoDbLocal, type LocalServer } from '../support/servers';

let ddb: LocalServer;
let client: DynamoDBClient;
let tableNo = 0;
/** A write time whose TTLs lie after the real clock for decades (DynamoDB Local sweeps expired items). */
const FUTURE_WRITE_TIME = Date.UTC(2099, 5, 1);

const newTable = async (): Promise<string> => {
  const name = `baselines-${++tableNo}`;
  await createBaselineTable(client, name);
  return name;
};

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

const KEY = 'aws:123456789012:role/orders-worker';
const baseline = (n: number): IdentityBaseline => ({
  ...emptyBaseline(ev({ timeMs: at(0) })),
  eventCount: n,
});

describe('DynamoDbBaselineStore', () => {
  it('creates, reads back and versions a record; a stale writer gets a conflict, not an error', async () => {
    const store = new DynamoDbBaselineStore({ client, tableName: await newTable() });
    expect((await store.load([KEY])).size).toBe(0);

    expect(await store.commit('b1', [{ key: KEY, expectedVersion: undefined, record: baseline(1) }])).toEqual(
      { committed: [KEY], conflicts: [] },
    );
    const first = (await store.load([KEY])).get(KEY);
    expect(first?.version).toBe(1);
    expect((first?.record as IdentityBaseline).eventCount).toBe(1);

    // A second creator and a writer holding version 1 after it moved both conflict.
    expect(await store.commit('b2', [{ key: KEY, expectedVersion: undefined, record: baseline(9) }])).toEqual(
      { committed: [], conflicts: [KEY] },
    );
    await store.commit('b3', [{ key: KEY, expectedVersion: 1, record: baseline(2) }]);
    expect(await store.commit('b4', [{ key: KEY, expectedVersion: 1, record: baseline(9) }])).toEqual({
      committed: [],
      conflicts: [KEY],
    });
    expect((await store.load([KEY])).get(KEY)).toMatchObject({ version: 2, record: { eventCount: 2 } });
  });

  it('loads more than 100 keys (several BatchGetItem requests) and skips absent ones', async () => {
    const store = new DynamoDbBaselineStore({ client, tableName: await newTable() });
    const keys = Array.from({ length: 230 }, (_, i) => `aws:123456789012:role/r${i}`);
    const changes = keys
      .filter((_, i) => i % 2 === 0)
      .map((key) => ({ key, expectedVersion: undefined, record: { ...baseline(1), key } }));
    await store.commit('b1', changes);
    const counter = countRequests(client);
    const loaded = await store.load([...keys, ...keys]);
    expect(loaded.size).toBe(115);
    expect(counter.counts.commands.BatchGetItemCommand).toBe(3);
  });

  it('stores identity and source records with TTLs from the write, and compresses large bodies', async () => {
    const tableName = await newTable();
    // Far in the future: DynamoDB Local's TTL sweeper deletes items whose expiry is past on the real clock.
    const writeTime = FUTURE_WRITE_TIME;
    const store = new DynamoDbBaselineStore({
      client,
      tableName,
      compressAboveBytes: 200,
      nowMs: () => writeTime,
    });
    const big = baseline(5);
    await store.commit('b1', [
      { key: KEY, expectedVersion: undefined, record: big },
      {
        key: 'src#192.0.2.7',
        expectedVersion: undefined,
        record: {
          type: 'source',
          key: 'src#192.0.2.7',
          ip: '192.0.2.7',
          firstSeenMs: at(0),
          lastSeenMs: at(1),
          failures: [],
          batches: ['b1'],
        },
      },
    ]);
    const id = (
      await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `id#${KEY}` } } }))
    ).Item!;
    expect(Number(id.expiresAt!.N)).toBe(writeTime / 1000 + 400 * 86_400);
    expect(id.body!.B).toBeDefined();
    expect(JSON.parse(recordJsonOf(id.body))).toEqual(big);
    const src = (
      await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'src#192.0.2.7' } } }))
    ).Item!;
    expect(Number(src.expiresAt!.N)).toBe(writeTime / 1000 + 2 * 86_400);
    expect((await store.load([KEY])).get(KEY)?.record).toEqual(big);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  });
});

describe('item size', () => {
  /** Size of an item as DynamoDB counts it: attribute names plus values. */
  const itemBytes = (item: Record<string, { S?: string; N?: string; B?: Uint8Array }>): number =>
    Object.entries(item).reduce(
      (n, [k, v]) =>
        n +
        Buffer.byteLength(k) +
        (v.S !== undefined ? Buffer.byteLength(v.S) : v.N !== undefined ? v.N.length : (v.B?.length ?? 0)),
      0,
    );

  it('keeps an identity and a source under 64 KB however diverse their traffic', async () => {
    const tableName = await newTable();
    const store = new DynamoDbBaselineStore({ client, tableName });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const sink: FindingSink = {
      publish: (f, r) => Promise.resolve({ delivered: f.length + r.length, failed: [] }),
    };
    const deps: PipelineDeps = {
      store,
      ledger,
      sink,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => at(1),
    };
    // Every event new in every dimension: action, network, ASN, country, user agent, credential,
    // role assumed, target account, scopes, region; and every tenth a failed login from one source.
    const events = Array.from({ length: 6000 }, (_, i) =>
      ev({
        eventId: `e${i}`,
        timeMs: at(0, 0, 0) + i * 1000,
        credential: { id: `ASIA${String(i).padStart(16, '0')}` },
        origin: {
          ip: '198.51.100.7',
          network: `10.${i >> 8}.${i & 255}.0/24`,
          asn: 64_512 + i,
          asOrg: `Org ${i} ${'x'.repeat(80)}`,
          country: `C${i}`,
          userAgent: `agent-${i}/${'9'.repeat(100)}`,
          userAgentFamily: `family-${i}-${'f'.repeat(60)}`,
        },
        action: {
          name: `service${i}.amazonaws.com:Action${i}${'A'.repeat(60)}`,
          region: `region-${i}`,
          targetRoleArn: `arn:aws:iam::210987654321:role/r${i}-${'r'.repeat(60)}`,
          targetAccountId: `${210_000_000_000 + i}`,
        },
        outcome: i % 10 === 0 ? { authn: 'failure' } : { scopes: [`scope:${i}:${'s'.repeat(60)}`] },
        identity: i % 10 === 0 ? { key: `aws:123456789012:role/victim-${i}` } : {},
      }),
    );
    for (let i = 0; i < events.length; i += 1000)
      await runPipeline(`big-${i}`, events.slice(i, i + 1000), deps);

    for (const pk of [`id#${KEY}`, 'src#198.51.100.7']) {
      const item = (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } } })))
        .Item!;
      expect(item).toBeDefined();
      expect(itemBytes(item as never)).toBeLessThan(64 * 1024);
    }
    expect((await store.load([KEY])).get(KEY)).toMatchObject({ record: { eventCount: 5400 } });
  });
});

describe('DynamoDbFindingLedger', () => {
  const finding = (count: number, lastSeenMs: number): Finding =>
    ({
      id: 'nhi-watch/on-failure/abc',
      ruleId: 'on-failure',
      count,
      firstSeenMs: at(0),
      lastSeenMs,
      windowStartMs: at(0),
      eventIds: [],
    }) as unknown as Finding;

  const ROUTES = [
    { destination: 'sns', mode: 'alert' as const },
    { destination: 'security-hub', mode: 'mirror' as const },
  ];
  const request = (owner: string, nowMs = at(1)) => ({
    owner,
    nowMs,
    untilMs: nowMs + 30_000,
    destinations: ROUTES,
  });
  const ID = 'nhi-watch/on-failure/abc';
  const item = async (tableName: string) =>
    (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `fnd#${ID}` } }, ConsistentRead: true }),
      )
    ).Item!;

  it('claims a new finding for every destination, counts a batch once, and marks delivery per destination', async () => {
    const tableName = await newTable();
    // Far in the future: DynamoDB Local's TTL sweeper deletes items whose expiry is past on the real clock.
    const writeTime = FUTURE_WRITE_TIME;
    const ledger = new DynamoDbFindingLedger({
      client,
      tableName,
      dedupWindowSeconds: 3600,
      nowMs: () => writeTime,
    });

    const first = await ledger.claim('b1', [finding(2, at(0, 0, 1))], request('inv-1'));
    expect(first.claimed.map((e) => [e.outstanding, e.finding.count])).toEqual([
      [['sns', 'security-hub'], 2],
    ]);
    // The entry is transient: it expires a dedup window and a day after it was first written.
    expect(Number((await item(tableName)).expiresAt!.N)).toBe(writeTime / 1000 + 3600 + 86_400);
    // Another invocation meanwhile (same batch redelivered): busy, and the batch is not counted twice.
    const concurrent = await ledger.claim('b1', [finding(2, at(0, 0, 1))], request('inv-2'));
    expect(concurrent).toMatchObject({ claimed: [], busy: [{ id: ID }], counted: [] });
    // SNS accepted: marked at once; Security Hub accepted: marked, claim released.
    await ledger.settle('inv-1', [{ id: ID, destination: 'sns', count: 2 }], []);
    await ledger.settle('inv-1', [{ id: ID, destination: 'security-hub', count: 2 }], [ID]);
    expect(await ledger.claim('b1', [finding(2, at(0, 0, 1))], request('inv-3'))).toMatchObject({
      claimed: [],
      busy: [],
      settled: [{ id: ID, count: 2 }],
      counted: [],
    });
    // A new batch raises the count: Security Hub (mirror) needs it again, SNS (alert) does not.
    const next = await ledger.claim('b2', [finding(3, at(0, 0, 5))], request('inv-4'));
    expect(next.claimed.map((e) => [e.outstanding, e.finding.count, e.finding.lastSeenMs])).toEqual([
      [['security-hub'], 5, at(0, 0, 5)],
    ]);
    expect((await item(tableName)).count).toEqual({ N: '5' });
  });

  it('hands a claim whose lease ran out to the next invocation; the marks of the crashed owner stay', async () => {
    const tableName = await newTable();
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    await ledger.claim('b1', [finding(1, at(0, 0, 1))], request('crashed', at(1)));
    await ledger.settle('crashed', [{ id: ID, destination: 'sns', count: 1 }], []);
    // The owner died before Security Hub. Within its lease the retry waits; after it, takes over what is left.
    expect(
      (await ledger.claim('b1', [finding(1, at(0, 0, 1))], request('retry', at(1) + 1_000))).busy,
    ).toHaveLength(1);
    const after = await ledger.claim('b1', [finding(1, at(0, 0, 1))], request('retry', at(1) + 31_000));
    expect(after.claimed.map((e) => [e.outstanding, e.delivered])).toEqual([[['security-hub'], { sns: 1 }]]);
    // A late mark of the old owner is still true, and does not release the new owner's claim.
    await ledger.settle('crashed', [{ id: ID, destination: 'security-hub', count: 1 }], [ID]);
    expect((await item(tableName)).owner).toEqual({ S: 'retry' });
    expect((await item(tableName)).dlv).toEqual({ M: { sns: { N: '1' }, 'security-hub': { N: '1' } } });
  });

  it('lets exactly one of 8 concurrent claimers of one finding deliver it, and counts each batch once', async () => {
    const tableName = await newTable();
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ledger.claim(`b${i % 2}`, [finding(1, at(0, 0, 1))], request(`inv-${i}`)),
      ),
    );
    expect(results.flatMap((r) => r.claimed)).toHaveLength(1);
    expect(results.flatMap((r) => r.busy)).toHaveLength(7);
    expect(results.flatMap((r) => r.counted)).toHaveLength(2);
    expect((await item(tableName)).count).toEqual({ N: '2' });
  });

  it('reads a batch of findings with one BatchGetItem per 100, and writes nothing on a delivered redelivery', async () => {
    const ledger = new DynamoDbFindingLedger({
      client,
      tableName: await newTable(),
      dedupWindowSeconds: 3600,
    });
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...finding(1, at(0, 0, 1)), id: `nhi-watch/r/${i}` }));
    const counter = countRequests(client);
    const first = await ledger.claim('b1', many(150), request('inv-1'));
    await ledger.settle(
      'inv-1',
      first.claimed.flatMap((e) =>
        ROUTES.map((r) => ({ id: e.finding.id, destination: r.destination, count: 1 })),
      ),
      first.claimed.map((e) => e.finding.id),
    );
    const before = { ...counter.counts.commands };
    const again = await ledger.claim('b1', many(150), request('inv-2'));
    expect(again.settled).toHaveLength(150);
    expect(before).toEqual({ BatchGetItemCommand: 2, PutItemCommand: 150, UpdateItemCommand: 150 });
    expect(counter.counts.commands).toEqual({
      BatchGetItemCommand: 4,
      PutItemCommand: 150,
      UpdateItemCommand: 150,
    });
  });
});

describe('runPipeline on DynamoDB', () => {
  const sink: FindingSink = {
    publish: (fresh, repeats): Promise<PublishResult> =>
      Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] }),
  };

  it('loses no update when 8 invocations update one identity concurrently', async () => {
    const tableName = await newTable();
    const store = new DynamoDbBaselineStore({ client, tableName });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const deps: PipelineDeps = {
      store,
      ledger,
      sink,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => at(1),
      maxCommitAttempts: 20,
      backoff: (attempt) => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt)),
    };
    const batches = Array.from({ length: 8 }, (_, i) => [
      ev({ timeMs: at(0, 2, i) }),
      ev({ timeMs: at(0, 2, i) + 1 }),
      ev({ timeMs: at(0, 2, i) + 2 }),
    ]);
    await Promise.all(batches.map((b, i) => runPipeline(`c${i}`, b, deps)));
    expect((await store.load([KEY])).get(KEY)).toMatchObject({ version: 8, record: { eventCount: 24 } });
  });
  it('counts every new identity in its population once when the population record conflicts and its identity did not', async () => {
    const tableName = await newTable();
    const store = new DynamoDbBaselineStore({ client, tableName });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const deps: PipelineDeps = {
      store,
      ledger,
      sink,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => at(1),
      maxCommitAttempts: 30,
      backoff: (attempt) => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt)),
    };
    // Eight new roles of one account, one invocation each: their identity records never conflict,
    // the account's population record does, and its retry must still count each role as new.
    const role = (i: number) => ({
      key: `aws:123456789012:role/worker-${i}`,
      principal: `arn:aws:iam::123456789012:role/worker-${i}`,
      name: `worker-${i}`,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runPipeline(`n${i}`, [ev({ timeMs: at(0, 2, i), eventId: `n${i}`, identity: role(i) })], deps),
      ),
    );
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const pops = populationKeys(ev({ identity: role(0) }))!;
    const stored = await store.load([pops.account, pops.kind]);
    for (const key of [pops.account, pops.kind]) {
      const p = stored.get(key)!.record as PopulationRecord;
      expect({ key, eventCount: p.eventCount, identities: p.identities }).toEqual({
        key,
        eventCount: 8,
        identities: 8,
      });
      expect(getOwn(p.actions, 'dynamodb.amazonaws.com:GetItem')?.i).toBe(8);
    }
  });

  it('counts a new identity once in its population when two invocations bring its first calls and their writes interleave', async () => {
    const tableName = await newTable();
    const store = new DynamoDbBaselineStore({ client, tableName });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const deps = (through: BaselineStore): PipelineDeps => ({
      store: through,
      ledger,
      sink,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => at(1),
      maxCommitAttempts: 30,
    });
    const signal = () => {
      let open = (): void => undefined;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open: () => open(), opened };
    };
    const bLoaded = signal();
    const aIdentityWritten = signal();
    const bWrote = signal();
    const isPopulation = (c: StateChange) => c.key.startsWith('pop#');
    // Both read the role as absent. a writes the role's record first; b then writes the account's
    // population record first (its role record conflicts); a's population write conflicts.
    let aFirst = true;
    const a: BaselineStore = {
      load: (keys) => store.load(keys),
      commit: async (batchId, changes) => {
        if (!aFirst) return store.commit(batchId, changes);
        aFirst = false;
        await bLoaded.opened;
        const first = await store.commit(
          batchId,
          changes.filter((c) => !isPopulation(c)),
        );
        aIdentityWritten.open();
        await bWrote.opened;
        const second = await store.commit(batchId, changes.filter(isPopulation));
        return {
          committed: [...first.committed, ...second.committed],
          conflicts: [...first.conflicts, ...second.conflicts],
        };
      },
    };
    let bFirst = true;
    const b: BaselineStore = {
      load: async (keys) => {
        const loaded = await store.load(keys);
        bLoaded.open();
        return loaded;
      },
      commit: async (batchId, changes) => {
        if (!bFirst) return store.commit(batchId, changes);
        bFirst = false;
        await aIdentityWritten.opened;
        const result = await store.commit(batchId, changes);
        bWrote.open();
        return result;
      },
    };

    const [ra, rb] = await Promise.all([
      runPipeline('a', [ev({ timeMs: at(0, 2), eventId: 'a' })], deps(a)),
      runPipeline('b', [ev({ timeMs: at(0, 3), eventId: 'b' })], deps(b)),
    ]);

    expect(ra.conflicts + rb.conflicts).toBeGreaterThan(0);
    const pops = populationKeys(ev({}))!;
    const stored = await store.load([KEY, pops.account]);
    expect((stored.get(KEY)!.record as IdentityBaseline).eventCount).toBe(2);
    const p = stored.get(pops.account)!.record as PopulationRecord;
    expect({ eventCount: p.eventCount, identities: p.identities }).toEqual({ eventCount: 2, identities: 1 });
    expect(getOwn(p.actions, 'dynamodb.amazonaws.com:GetItem')?.i).toBe(1);
  });
});

describe('the sampling write policy on DynamoDB under concurrency', () => {
  const sink: FindingSink = {
    publish: (fresh, repeats): Promise<PublishResult> =>
      Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] }),
  };
  const DAY = 86_400_000;
  const SAMPLED: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, writePolicy: SAMPLED_WRITES };
  const pops = populationKeys(ev({}))!;

  /** A table holding an identity learned over 8 days (300 calls, stored exactly), and pipeline deps on it. */
  async function learned() {
    const tableName = await newTable();
    const store = new DynamoDbBaselineStore({ client, tableName });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
    const deps = (config: EngineConfig, through: BaselineStore = store): PipelineDeps => ({
      store: through,
      ledger,
      sink,
      rules: [],
      contracts: new ContractSet([]),
      config,
      nowMs: () => at(9),
      maxCommitAttempts: 30,
      backoff: (attempt) => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt)),
    });
    const history = Array.from({ length: 300 }, (_, i) =>
      ev({ timeMs: at(0) + Math.floor((i * 8 * DAY) / 300), eventId: `h${i}` }),
    );
    for (let i = 0; i < history.length; i += 100)
      await runPipeline(`history-${i}`, history.slice(i, i + 100), deps(DEFAULT_ENGINE_CONFIG));
    return { store, deps };
  }
  /** `n` event ids whose routine call of the identity is (or is not) in its 1-in-32 sample. */
  const ids = (sampled: boolean, n: number, from: string): string[] => {
    const out: string[] = [];
    for (let i = 0; out.length < n; i++)
      if (routineWeight(`${from}-${i}`, KEY, 32) > 0 === sampled) out.push(`${from}-${i}`);
    return out;
  };

  it('folds every routine call of 8 concurrent invocations exactly once, with the weight its event id gives it', async () => {
    const { store, deps } = await learned();
    const seeded = await store.load([pops.account, pops.kind]);
    // Eight deliveries of the same routine call: four hold one event in the identity's sample, four none.
    const deliveries = Array.from({ length: 8 }, (_, d) => {
      const eventIds = [...ids(false, 5, `d${d}`), ...(d < 4 ? ids(true, 1, `d${d}`) : [])];
      return eventIds.map((eventId, j) => ev({ timeMs: at(8, 0, 1) + d * 60_000 + j * 1_000, eventId }));
    });
    const all = deliveries.flat();

    const results = await Promise.all(
      deliveries.map((events, d) => runPipeline(`c${d}`, events, deps(SAMPLED))),
    );

    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    const after = await store.load([KEY, pops.account, pops.kind]);
    const identity = after.get(KEY)!.record as IdentityBaseline;
    expect(identity.eventCount).toBe(300 + 4 * 32);
    expect(getOwn(identity.credentials, 'ASIAEXAMPLEWORKER001')?.n).toBe(300 + 4 * 32);
    // The deliveries written are the ones with a sampled call; the others left nothing to count twice.
    expect(identity.batches.filter((b) => b.startsWith('c')).sort()).toEqual(['c0', 'c1', 'c2', 'c3']);
    // Population records: every event once, sampled 1 in 256.
    for (const key of [pops.account, pops.kind]) {
      const before = (seeded.get(key)!.record as PopulationRecord).eventCount;
      const weights = all.reduce((n, e) => n + routineWeight(e.eventId, key, 256), 0);
      expect((after.get(key)!.record as PopulationRecord).eventCount).toBe(before + weights);
    }
  });

  it('weighs a call left out of the sample once: a retry after a conflict elsewhere does not count it again', async () => {
    const { store, deps } = await learned();
    // Delivery d: a routine call of the learned identity outside its sample (nothing to write for
    // it) and a new role of the account (its population record is written). While d commits,
    // delivery x writes the identity (1,000 CLI calls: the SDK calls' share drops under a quarter,
    // so the same routine call would now be material) and the population: d's population write
    // conflicts and d is retried.
    const [skipped] = ids(false, 1, 'd');
    const newRole = { key: 'aws:123456789012:role/new-worker', name: 'new-worker' };
    const d = [
      ev({ timeMs: at(8, 0, 1), eventId: skipped! }),
      ev({ timeMs: at(8, 0, 1), eventId: 'd-new', identity: newRole }),
    ];
    const x = Array.from({ length: 1000 }, (_, i) =>
      ev({ timeMs: at(8, 0, 2) + i * 10, eventId: `x-${i}`, origin: UA.awsCli }),
    );
    let raced = false;
    const racing: BaselineStore = {
      load: (keys) => store.load(keys),
      commit: async (batchId, changes) => {
        if (!raced) {
          raced = true;
          await runPipeline('x', x, deps(SAMPLED));
        }
        return store.commit(batchId, changes);
      },
    };

    const result = await runPipeline('d', d, deps(SAMPLED, racing));

    expect(result.conflicts).toBeGreaterThan(0);
    const after = await store.load([KEY, pops.account]);
    const identity = after.get(KEY)!.record as IdentityBaseline;
    expect(identity.eventCount).toBe(300 + 1000);
    expect(identity.batches).not.toContain('d');
    expect((after.get(pops.account)!.record as PopulationRecord).identities).toBe(2);
  });
});
