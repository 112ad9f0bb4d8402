/**
 * `nhi-watch backfill` against real local servers: a simulated organization trail archive (several
 * accounts and regions, gzipped objects in the `AWSLogs/<org-id>/<account>/CloudTrail/<region>/…`
 * layout, one corrupt object) in fauxqs S3, folded into DynamoDB Local tables created from the
 * stack's definition, and the production CloudTrail handler (`createHandler(productionDeps(env))`,
 * SNS through fauxqs) for the live side.
 *
 * What every test checks is the count each identity's record holds: it must equal the number of
 * distinct CloudTrail events of that identity, however the backfill was interrupted, repeated or
 * interleaved with live deliveries — never more (counted twice) and never less (lost).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { DynamoDbBackfillMarks } from '../../lambdas/adapters/dynamodb-backfill-marks';
import { DynamoDbBaselineStore } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { S3Archive } from '../../lambdas/adapters/s3-archive';
import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { createHandler } from '../../lambdas/handlers/cloudtrail-logs';
import type { BatchSummary } from '../../lambdas/handlers/pipeline-handler';
import { productionDeps } from '../../lambdas/handlers/production';
import {
  backfillArchive,
  type ArchiveReader,
  type BackfillMarks,
  type BackfillOptions,
  type BackfillResult,
} from '../../lambdas/local/backfill';
import { loadLocalSetup, normaliseText, type LocalSetup } from '../../lambdas/local/replay';
import { cloudTrailArchive, simulate, type SimulationResult } from '../../simulate/index';
import { createTopology, dynamoDb, sns, sqs } from '../support/aws';
import { subscriptionEvent } from '../support/cloudwatch-logs';
import { captureStdout, invoke } from '../support/lambda';
import { validateAsffFinding } from '../support/asff-schema';
import {
  startDynamoDbLocal,
  startFauxqs,
  startFaultyProxy,
  startSecurityHubReceiver,
  type LocalServer,
  type SecurityHubReceiver,
} from '../support/servers';

// DynamoDB Local and fauxqs on a loaded 2-core machine: a backfill of the archive takes seconds, not milliseconds.
jest.setTimeout(180_000);

const BUCKET = 'org-trail-archive';
const ORG = 'o-a1b2c3d4e5';
const LOG_GROUP = `aws-cloudtrail-logs-${ORG}`;
const CORRUPT_KEY = `AWSLogs/${ORG}/123456789012/CloudTrail/us-east-1/2025/06/03/123456789012_CloudTrail_us-east-1_20250603T1200Z_corrupt0.json.gz`;

let ddb: LocalServer;
let fauxqs: LocalServer;
let hub: SecurityHubReceiver;
let ddbClient: DynamoDBClient;
let s3: S3Client;
let setup: LocalSetup;
let sim: SimulationResult;
/** CloudTrail records before the attack window (the archive) and from it on (the next day, live). */
let history: object[];
let nextDay: object[];
/** Events per identity key in the archive, as the production normaliser reads them. */
let expected: Map<string, number>;
let tableNo = 0;
const saved = { ...process.env };

const newTable = async (): Promise<string> => {
  const name = `backfill-${++tableNo}`;
  await createBaselineTable(ddbClient, name);
  return name;
};

const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

const countByIdentity = (records: readonly object[]): Map<string, number> => {
  const n = normaliseText(JSON.stringify({ Records: records }), setup.intel, 'reference');
  const m = new Map<string, number>();
  for (const e of n.events) m.set(e.identity.key, (m.get(e.identity.key) ?? 0) + 1);
  return m;
};

/** Every identity's event count in a table, for the given keys. */
async function counts(tableName: string, keys: Iterable<string>): Promise<Map<string, number>> {
  const store = new DynamoDbBaselineStore({ client: ddbClient, tableName });
  const loaded = await store.load([...keys]);
  return new Map([...loaded].map(([k, v]) => [k, (v.record as IdentityBaseline).eventCount]));
}

/** The archive's first day (dormant identities' history lies months before the simulation's start). */
let archiveSince: number;

function options(tableName: string, extra: Partial<BackfillOptions> = {}): BackfillOptions {
  return {
    setup,
    reader: new S3Archive({ client: s3, bucket: BUCKET }),
    store: new DynamoDbBaselineStore({ client: ddbClient, tableName }),
    marks: new DynamoDbBackfillMarks({ client: ddbClient, tableName }),
    selection: { prefix: '', sinceMs: archiveSince, untilMs: sim.meta.attackWindowStartMs + 60_000 },
    ...extra,
  };
}

beforeAll(async () => {
  [ddb, fauxqs, hub] = await Promise.all([
    startDynamoDbLocal(),
    startFauxqs(),
    startSecurityHubReceiver(validateAsffFinding),
  ]);
  ddbClient = dynamoDb(ddb.endpoint);
  s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    endpoint: fauxqs.endpoint,
    forcePathStyle: true,
  });
  setup = await loadLocalSetup({});
  // Seven days of an organization's history, then the day the attacks start.
  sim = simulate({ seed: 2, days: 8, scale: 0.04, learningDays: 7 });
  const cut = sim.meta.attackWindowStartMs;
  const time = (r: object): number => Date.parse(String((r as { eventTime?: unknown }).eventTime));
  history = sim.cloudtrail.filter((r) => time(r) < cut);
  nextDay = sim.cloudtrail.filter((r) => time(r) >= cut);
  expected = countByIdentity(history);
  archiveSince = Math.min(...history.map(time));

  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // Objects every 12 hours (CloudTrail delivers every ~5 minutes; each object is one chunk and a few
  // DynamoDB round trips, so fewer objects keep the test short on a loaded machine),
  // records in each object in reverse time order, as real objects are not sorted.
  const objects = cloudTrailArchive(history, { organizationId: ORG, intervalMinutes: 720, isUnsorted: true });
  expect(new Set(objects.map((o) => o.account)).size).toBeGreaterThanOrEqual(2);
  expect(new Set(objects.map((o) => `${o.account}/${o.region}`)).size).toBeGreaterThanOrEqual(3);
  for (const o of objects)
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: o.key, Body: gzipSync(o.body) }));
  // A digest file and a corrupt object, as real archives have: ignored and counted respectively.
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: `AWSLogs/${ORG}/123456789012/CloudTrail-Digest/us-east-1/2025/06/03/digest.json.gz`,
      Body: gzipSync('{}'),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: CORRUPT_KEY,
      Body: Buffer.concat([gzipSync('{"Records":[').subarray(0, 12), Buffer.from('not gzip at all')]),
    }),
  );
});

afterAll(async () => {
  process.env = saved;
  ddbClient?.destroy();
  s3?.destroy();
  await Promise.all([ddb?.stop(), fauxqs?.stop(), hub?.stop()]);
});

describe('backfill of an organization archive', () => {
  let table: string;
  let first: BackfillResult;

  beforeAll(async () => {
    table = await newTable();
    first = await backfillArchive(options(table));
  });

  it('folds every event of every account and region once, and counts and skips the corrupt object', async () => {
    expect(first.events).toBe(sum(expected));
    expect(first.corrupt).toBe(1);
    expect(first.corruptKeys).toEqual([CORRUPT_KEY]);
    expect(first.byStream.size).toBeGreaterThanOrEqual(3);
    expect(await counts(table, expected.keys())).toEqual(expected);
    expect(first.identitiesCreated).toBe(expected.size);
    expect(first.identitiesExisting).toBe(0);
    // Learning only: findings evaluated and reported, none recorded in the ledger.
    expect(first.alerted).toBe(0);
  });

  it('counts nothing twice when run again', async () => {
    const again = await backfillArchive(options(table));
    expect(again.events).toBe(0);
    expect(again.chunksAlreadyFolded).toBe(first.chunks);
    expect(again.eventsAlreadyFolded).toBe(sum(expected));
    expect(await counts(table, expected.keys())).toEqual(expected);
  });

  it('reports in a dry run what would be learned and writes nothing', async () => {
    const empty = await newTable();
    const dry = await backfillArchive(options(empty, { isDryRun: true }));
    expect(dry.events).toBe(sum(expected));
    expect(dry.identitiesCreated).toBe(expected.size);
    expect((await counts(empty, expected.keys())).size).toBe(0);
  });

  it('selects accounts and regions', async () => {
    const account = '210987654321';
    const one = await backfillArchive(
      options(await newTable(), {
        isDryRun: true,
        selection: {
          prefix: '',
          sinceMs: archiveSince,
          untilMs: sim.meta.attackWindowStartMs + 60_000,
          accounts: new Set([account]),
        },
      }),
    );
    expect([...one.byStream.keys()].every((s) => s.startsWith(`${account}/`))).toBe(true);
    expect(one.events).toBeGreaterThan(0);
    expect(one.events).toBeLessThan(sum(expected));
  });
});

describe('resume', () => {
  it('after a crash mid-backfill and a crash between a commit and its marker, folds every event exactly once', async () => {
    const table = await newTable();
    const dir = mkdtempSync(join(tmpdir(), 'nhi-backfill-'));
    const checkpointPath = join(dir, 'checkpoint.json');
    try {
      // 1. The process dies while reading the 15th object (a kill, as far as the table can tell).
      const real = new S3Archive({ client: s3, bucket: BUCKET });
      let reads = 0;
      const dying: ArchiveReader = {
        bucket: BUCKET,
        children: (p) => real.children(p),
        objects: (p) => real.objects(p),
        read: (key) => (++reads === 15 ? Promise.reject(new Error('killed')) : real.read(key)),
      };
      await expect(
        backfillArchive(options(table, { reader: dying, checkpointPath, readAhead: 1 })),
      ).rejects.toThrow('killed');
      const checkpoint = JSON.parse(readFileSync(checkpointPath, 'utf8')) as { objects: number };
      expect(checkpoint.objects).toBeGreaterThan(0);

      // 2. Resumed, it dies again right after committing a chunk, before the chunk's marker is written.
      const marks = new DynamoDbBackfillMarks({ client: ddbClient, tableName: table });
      let marked = 0;
      const crashAfterCommit: BackfillMarks = {
        folded: (ids) => marks.folded(ids),
        mark: (m) => (++marked === 8 ? Promise.reject(new Error('killed after commit')) : marks.mark(m)),
      };
      const second = backfillArchive(
        options(table, { marks: crashAfterCommit, checkpointPath, readAhead: 1 }),
      );
      await expect(second).rejects.toThrow('killed after commit');

      // 3. Resumed again: skips what the checkpoint holds, recognises the committed-but-unmarked chunk.
      const last = await backfillArchive(options(table, { checkpointPath }));
      expect(last.checkpointed).toBeGreaterThan(0);
      expect(last.redelivered).toBeGreaterThan(0);
      expect(await counts(table, expected.keys())).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** CloudWatch Logs deliveries of CloudTrail records, as the organization trail's log group sends them. */
const deliveries = (records: readonly object[], size = 250): CloudWatchLogsEvent[] => {
  const out: CloudWatchLogsEvent[] = [];
  for (let i = 0; i < records.length; i += size) {
    const part = records.slice(i, i + size);
    out.push(
      subscriptionEvent(
        part.map((r) => JSON.stringify(r)),
        {
          logGroup: LOG_GROUP,
          owner: '999999999999',
          logStream: `${ORG}_CloudTrail_us-east-1`,
          startMs: Date.parse(String((part[0] as { eventTime?: unknown }).eventTime)),
        },
      ),
    );
  }
  return out;
};

/** The production CloudTrail handler of a deployment whose table is this one (Security Hub: the loopback receiver). */
async function deployment(
  tableName: string,
  prefix: string,
): Promise<(e: CloudWatchLogsEvent) => Promise<BatchSummary>> {
  const snsClient = sns(fauxqs.endpoint);
  const sqsClient = sqs(fauxqs.endpoint);
  const topo = await createTopology(snsClient, sqsClient, prefix);
  snsClient.destroy();
  sqsClient.destroy();
  const handler = createHandler(
    productionDeps({
      AWS_REGION: 'us-east-1',
      BASELINE_TABLE_NAME: tableName,
      ALERT_TOPIC_ARN: topo.topicArn,
      SECURITY_HUB_ENABLED: 'true',
      ON_FAILURE_QUEUE_URL: topo.onFailureQueueUrl,
    }),
  );
  return async (e) => {
    const run = await invoke(handler, e);
    if (run.error !== undefined) throw run.error as Error;
    return run.result as BatchSummary;
  };
}

/** Rules of the findings Security Hub received since the last reset. */
const rulesImported = (): Set<string> =>
  new Set(
    [...hub.findings.values()].map((f) => String(f.finding['GeneratorId']).replace(/^nhi-watch\//, '')),
  );

describe('backfill and the live stream', () => {
  beforeAll(() => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_SNS: fauxqs.endpoint,
      AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      AWS_ENDPOINT_URL_SECURITYHUB: hub.endpoint,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
  });

  it('a live batch folded before the backfill, and redelivered after it, is counted once; the backfill leaves the live events to the live stream', async () => {
    const table = await newTable();
    const handle = await deployment(table, 'overlap');
    // The deployment went live during the archive's last day: its deliveries carry the same
    // CloudTrail events as the archive's last objects.
    const overlapFrom = sim.meta.attackWindowStartMs - 6 * 3_600_000;
    const time = (r: object): number => Date.parse(String((r as { eventTime?: unknown }).eventTime));
    const overlap = history.filter((r) => time(r) >= overlapFrom);
    expect(overlap.length).toBeGreaterThan(0);
    const payloads = deliveries(overlap);
    for (const p of payloads) await handle(p);

    await backfillArchive(options(table));
    // CloudWatch Logs redelivers the first payload (a retry after a timeout, up to 24 h later).
    const redelivery = await handle(payloads[0] as CloudWatchLogsEvent);
    expect(redelivery.redelivered).toBe(redelivery.events);

    expect(await counts(table, expected.keys())).toEqual(expected);
  });

  it("after backfilling history, the next day's live deliveries raise learned-rule findings that an un-warmed deployment misses", async () => {
    const warmTable = await newTable();
    await backfillArchive(options(warmTable));
    const warm = await deployment(warmTable, 'warm');
    const cold = await deployment(await newTable(), 'cold');
    const payloads = deliveries(nextDay);
    hub.reset();
    for (const p of payloads) await warm(p);
    const warmRules = rulesImported();
    hub.reset();
    for (const p of payloads) await cold(p);
    const coldRules = rulesImported();
    expect(hub.problems).toEqual([]);
    // Rules that judge against a learned baseline stay silent for a week on a fresh deployment.
    const learned = ['new-action', 'new-source', 'new-user-agent', 'rate-anomaly', 'dormant-identity'];
    const caughtOnlyWarm = learned.filter((r) => warmRules.has(r) && !coldRules.has(r));
    expect(caughtOnlyWarm.length).toBeGreaterThanOrEqual(3);
    expect(learned.filter((r) => coldRules.has(r))).toEqual([]);
    // Rules that need no history fire in both.
    expect(coldRules.size).toBeGreaterThan(0);
  });
});

describe('throttling', () => {
  it('rides out S3 503 SlowDown and DynamoDB 429 answers with backoff and still folds every event once', async () => {
    const [s3Proxy, ddbProxy] = await Promise.all([
      startFaultyProxy(fauxqs.endpoint),
      startFaultyProxy(ddb.endpoint),
    ]);
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint: ddbProxy.endpoint,
      maxAttempts: 10,
    });
    const throttledS3 = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint: s3Proxy.endpoint,
      forcePathStyle: true,
      maxAttempts: 10,
    });
    try {
      const table = await newTable();
      const account = '210987654321';
      s3Proxy.failRequests(503, 3);
      ddbProxy.failRequests(429, 3);
      const result = await backfillArchive({
        ...options(table),
        reader: new S3Archive({ client: throttledS3, bucket: BUCKET }),
        store: new DynamoDbBaselineStore({ client, tableName: table }),
        marks: new DynamoDbBackfillMarks({ client, tableName: table }),
        selection: {
          prefix: '',
          sinceMs: archiveSince,
          untilMs: sim.meta.attackWindowStartMs + 60_000,
          accounts: new Set([account]),
        },
      });
      expect(s3Proxy.counts.failed).toBe(3);
      expect(ddbProxy.counts.failed).toBe(3);
      const partner = countByIdentity(
        history.filter((r) => (r as { recipientAccountId?: unknown }).recipientAccountId === account),
      );
      expect(result.events).toBe(sum(partner));
      expect(await counts(table, partner.keys())).toEqual(partner);
    } finally {
      client.destroy();
      throttledS3.destroy();
      await Promise.all([s3Proxy.stop(), ddbProxy.stop()]);
    }
  });
});

describe('nhi-watch backfill (the command)', () => {
  it('folds the selected part of the archive through the SDK standard configuration and prints a JSON summary; usage errors exit 2', async () => {
    const table = await newTable();
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
    });
    const { main } = await import('../../bin/cli.js');
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    const run = await captureStdout(() =>
      main([
        'backfill',
        `s3://${BUCKET}`,
        '--table',
        table,
        '--since',
        day(archiveSince),
        '--until',
        new Date(sim.meta.attackWindowStartMs + 60_000).toISOString(),
        '--account',
        '210987654321',
        '--format',
        'json',
      ]),
    );
    expect(run.result).toBe(0);
    const summary = run.logs.find((l) => 'byStream' in l) as {
      events: number;
      byStream: Record<string, number>;
    };
    expect(summary.events).toBeGreaterThan(0);
    expect(Object.keys(summary.byStream).every((s) => s.startsWith('210987654321/'))).toBe(true);
    const partner = countByIdentity(
      history.filter((r) => (r as { recipientAccountId?: unknown }).recipientAccountId === '210987654321'),
    );
    expect(await counts(table, partner.keys())).toEqual(partner);

    const bad = await captureStdout(() => main(['backfill', 'not-a-bucket', '--table', table]));
    expect(bad.result).toBe(2);
  });
});
