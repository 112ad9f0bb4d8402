/**
 * `nhi-watch backfill --log-group` and `--lookup-events` against loopback CloudWatch Logs, CloudTrail
 * and STS servers that check every request against the SDK's own schema, folding into DynamoDB Local:
 * a trail's log group and an API's access-log group (the only place API Gateway history lives), and
 * two regions of CloudTrail's event history. What each test checks is the count each identity's
 * record holds: exactly the number of its events in the whole, settled slots read — after a second
 * run too (never counted twice), and with nothing past the settle time folded.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { DynamoDbBaselineStore } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { normaliseText, loadLocalSetup, type LocalSetup } from '../../lambdas/local/replay';
import { HISTORY_SLOT_MS } from '../../lambdas/local/history-slots';
import { simulate } from '../../simulate/index';
import { dynamoDb } from '../support/aws';
import { startCloudFormationServer, type CloudFormationServer } from '../support/cloudformation-server';
import { startHistoryServer, type HistoryServer } from '../support/history-server';
import { captureStdout } from '../support/lambda';
import { startDynamoDbLocal, type LocalServer } from '../support/servers';

// DynamoDB Local on a loaded 2-core machine, and LookupEvents paced at 2 requests per second.
jest.setTimeout(180_000);

const ACCOUNT = '123456789012';
const TRAIL_GROUP = 'aws-cloudtrail-logs-123456789012';
const API_GROUP = 'API-Gateway-Execution-Logs_orders/prod-access';
const HOUR_MS = 3_600_000;

let ddb: LocalServer;
let server: HistoryServer;
let cfn: CloudFormationServer;
let ddbClient: DynamoDBClient;
let setup: LocalSetup;
let trail: object[];
let apiLines: object[];
let tableNo = 0;
const saved = { ...process.env };

const eventTime = (r: object): number => Date.parse(String((r as { eventTime?: unknown }).eventTime));
const requestTime = (l: object): number => Number((l as { requestTimeEpoch?: unknown }).requestTimeEpoch);

const newTable = async (): Promise<string> => {
  const name = `history-${++tableNo}`;
  await createBaselineTable(ddbClient, name);
  return name;
};

/** Events per identity, as the production normaliser reads the records. */
const countByIdentity = (records: readonly object[], logGroup: string): Map<string, number> => {
  const n = normaliseText(records.map((r) => JSON.stringify(r)).join('\n'), setup.intel, logGroup);
  const m = new Map<string, number>();
  for (const e of n.events) m.set(e.identity.key, (m.get(e.identity.key) ?? 0) + 1);
  return m;
};

const merge = (...maps: ReadonlyMap<string, number>[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
};

async function counts(tableName: string, keys: Iterable<string>): Promise<Map<string, number>> {
  const loaded = await new DynamoDbBaselineStore({ client: ddbClient, tableName }).load([...keys]);
  return new Map([...loaded].map(([k, v]) => [k, (v.record as IdentityBaseline).eventCount]));
}

interface Summary {
  readonly source: string;
  readonly events: number;
  readonly chunks: number;
  readonly chunksAlreadyFolded: number;
  readonly byStream: Record<string, number>;
}

async function backfill(
  args: string[],
): Promise<{ code: number | undefined; summary?: Summary; logs: unknown[] }> {
  const { main } = await import('../../bin/cli.js');
  const run = await captureStdout(() => main(['backfill', ...args, '--format', 'json']));
  const summary = run.logs.find((l) => typeof l === 'object' && l !== null && 'byStream' in l) as
    Summary | undefined;
  return { code: run.result, ...(summary !== undefined ? { summary } : {}), logs: run.logs };
}

/** Slot-aligned window: three hours that ended two hours ago (settled), and the last hour (not yet). */
const windowEnd = Math.floor((Date.now() - 2 * HOUR_MS) / HISTORY_SLOT_MS) * HISTORY_SLOT_MS;
const windowStart = windowEnd - 3 * HOUR_MS;
const inWindow = (t: number): boolean => t >= windowStart && t < windowEnd;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  server = await startHistoryServer(ACCOUNT);
  cfn = await startCloudFormationServer(ACCOUNT, 'us-east-1');
  ddbClient = dynamoDb(ddb.endpoint);
  setup = await loadLocalSetup({});
  // A small fleet whose last days are now: its records fill the window and the unsettled last hour.
  const sim = simulate({ seed: 8, days: 3, scale: 0.1, start: Date.now() - 3 * 86_400_000 + HOUR_MS });
  trail = sim.cloudtrail.filter((r) => eventTime(r) >= windowStart - HOUR_MS);
  apiLines = sim.apiGateway.filter((l) => requestTime(l) >= windowStart - HOUR_MS);
  // A log group holds one event per record, stamped with the record's time (CloudTrail's delivery to
  // CloudWatch Logs stamps it so); streams interleaved.
  server.groups.set(
    TRAIL_GROUP,
    trail.map((r, i) => ({
      eventId: `t${String(i).padStart(8, '0')}`,
      logStreamName: `${ACCOUNT}_CloudTrail_us-east-1_${i % 3}`,
      timestamp: eventTime(r),
      message: JSON.stringify(r),
    })),
  );
  server.groups.set(
    API_GROUP,
    apiLines.map((l, i) => ({
      eventId: `a${String(i).padStart(8, '0')}`,
      logStreamName: `stream-${i % 2}`,
      timestamp: requestTime(l),
      message: JSON.stringify(l),
    })),
  );
  // The event history: the trail's records split between two regions.
  for (const [region, part] of [
    ['us-east-1', 0],
    ['eu-west-1', 1],
  ] as const)
    server.trails.set(
      region,
      trail
        .filter((_, i) => i % 2 === part)
        .map((r, i) => ({
          eventId: `${region}-${i}`,
          eventTimeMs: eventTime(r),
          eventName: String((r as { eventName?: unknown }).eventName),
          cloudTrailEvent: JSON.stringify(r),
        })),
    );
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.endpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: server.endpoint,
    AWS_ENDPOINT_URL_STS: server.endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.endpoint,
  });
});

afterAll(async () => {
  process.env = saved;
  ddbClient?.destroy();
  await server?.stop();
  await cfn?.stop();
  await ddb?.stop();
});

const since = new Date(windowStart).toISOString();

describe('nhi-watch backfill --log-group', () => {
  it("folds a trail's group and an API's access-log group once each, whole settled slots only", async () => {
    const table = await newTable();
    const until = new Date(windowEnd).toISOString();
    const args = [
      '--log-group',
      TRAIL_GROUP,
      '--log-group',
      API_GROUP,
      '--table',
      table,
      '--since',
      since,
      '--until',
      until,
    ];
    const first = await backfill(args);
    expect(first.code).toBe(0);
    const expected = merge(
      countByIdentity(
        trail.filter((r) => inWindow(eventTime(r))),
        TRAIL_GROUP,
      ),
      countByIdentity(
        apiLines.filter((l) => inWindow(requestTime(l))),
        API_GROUP,
      ),
    );
    // The window holds traffic of both kinds; what came in the last two hours is left for later.
    expect([...expected.keys()].some((k) => k.startsWith('aws:'))).toBe(true);
    expect([...expected.keys()].some((k) => !k.startsWith('aws:'))).toBe(true);
    expect(first.summary!.events).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    expect(Object.keys(first.summary!.byStream).sort()).toEqual(
      [`logs://us-east-1/${ACCOUNT}/${API_GROUP}`, `logs://us-east-1/${ACCOUNT}/${TRAIL_GROUP}`].sort(),
    );
    expect(await counts(table, expected.keys())).toEqual(expected);

    // Again: every chunk is found folded, no count moves.
    const second = await backfill(args);
    expect(second.code).toBe(0);
    expect(second.summary!.events).toBe(0);
    expect(second.summary!.chunksAlreadyFolded).toBe(first.summary!.chunks);
    expect(await counts(table, expected.keys())).toEqual(expected);
    expect(server.problems).toEqual([]);
    expect(server.calls.some((c) => c.operation === 'FilterLogEvents' && 'nextToken' in c.body)).toBe(true);
  });

  it('leaves the last hour, still filling, for a later run (the table found by the stack name)', async () => {
    const table = await newTable();
    cfn.stacks.set('NhiWatch', {
      BaselineTableName: table,
      AlertTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:a`,
    });
    const settledEnd = (): number => Math.floor((Date.now() - HOUR_MS) / HISTORY_SLOT_MS) * HISTORY_SLOT_MS;
    const expectedUpTo = (end: number): number =>
      [
        ...countByIdentity(
          trail.filter((r) => eventTime(r) >= windowEnd && eventTime(r) < end),
          TRAIL_GROUP,
        ).values(),
      ].reduce((a, b) => a + b, 0);
    const before = settledEnd();
    // No --until: up to now, but only slots that ended an hour ago.
    const run = await backfill([
      '--log-group',
      TRAIL_GROUP,
      '--stack',
      'NhiWatch',
      '--since',
      new Date(windowEnd).toISOString(),
    ]);
    const after = settledEnd();
    expect(run.code).toBe(0);
    expect(trail.some((r) => eventTime(r) >= after)).toBe(true);
    // A slot boundary may pass while it runs: either cut is right, nothing later.
    expect([expectedUpTo(before), expectedUpTo(after)]).toContain(run.summary!.events);
    expect(run.summary!.events).toBeGreaterThan(0);
    expect((await counts(table, [...countByIdentity(trail, TRAIL_GROUP).keys()])).size).toBeGreaterThan(0);
    expect(cfn.problems).toEqual([]);
  });

  it('exits 1 naming the group when CloudWatch Logs refuses, and 2 on a second source or an --account filter', async () => {
    const table = await newTable();
    server.failWith = { status: 400, type: 'AccessDeniedException' };
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array): boolean => stderr.push(String(chunk)) > 0;
    try {
      const { main } = await import('../../bin/cli.js');
      expect(await main(['backfill', '--log-group', TRAIL_GROUP, '--table', table, '--since', since])).toBe(
        1,
      );
    } finally {
      process.stderr.write = write;
      server.failWith = undefined;
    }
    expect(stderr.join('')).toMatch(
      new RegExp(
        `backfill stopped: read logs://us-east-1/${ACCOUNT}/${TRAIL_GROUP} .*AccessDeniedException.*run the same command again to resume`,
      ),
    );
    const { main } = await import('../../bin/cli.js');
    const both = await captureStdout(() =>
      main(['backfill', 's3://bucket', '--log-group', TRAIL_GROUP, '--table', table]),
    );
    expect(both.result).toBe(2);
    const filtered = await captureStdout(() =>
      main(['backfill', '--lookup-events', '--account', ACCOUNT, '--table', table]),
    );
    expect(filtered.result).toBe(2);
    const noStack = await captureStdout(() => main(['backfill', '--lookup-events', '--stack', 'Missing']));
    expect(noStack.result).toBe(1);
  });
});

describe('nhi-watch backfill --lookup-events', () => {
  it('folds two regions of the event history once, under the 2 requests per second the service allows', async () => {
    const table = await newTable();
    const lastHour = new Date(windowEnd).toISOString();
    const args = [
      '--lookup-events',
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--table',
      table,
      // One hour of the window keeps the paced reads short.
      '--since',
      new Date(windowEnd - HOUR_MS).toISOString(),
      '--until',
      lastHour,
    ];
    const calls = server.calls.length;
    const first = await backfill(args);
    expect(first.code).toBe(0);
    const expected = countByIdentity(
      trail.filter((r) => eventTime(r) >= windowEnd - HOUR_MS && eventTime(r) < windowEnd),
      'lookup',
    );
    expect(first.summary!.events).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    expect(Object.keys(first.summary!.byStream).sort()).toEqual([
      `lookup-events://${ACCOUNT}/eu-west-1`,
      `lookup-events://${ACCOUNT}/us-east-1`,
    ]);
    expect(await counts(table, expected.keys())).toEqual(expected);
    const lookups = server.calls.slice(calls).filter((c) => c.operation === 'LookupEvents');
    expect(new Set(lookups.map((c) => c.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));

    const second = await backfill(args);
    expect(second.summary!.events).toBe(0);
    expect(await counts(table, expected.keys())).toEqual(expected);
    expect(server.problems).toEqual([]);
  });
});
