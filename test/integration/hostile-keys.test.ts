/**
 * Attacker-chosen keys through the production handler factories with the real DynamoDB adapters
 * against DynamoDB Local: a `__proto__` token id and `constructor` / `toString` values are stored,
 * read back through the record codec (JSON, gzip above 1 KB) and learned like any other value; the
 * innocent identities of the same delivery are all stored.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { getOwn } from '../../lambdas/core/safe-record';
import { decodeCloudWatchLogsEvent } from '../../lambdas/core/sources/cloudwatch-logs';
import { plausibleWindow } from '../../lambdas/core/sources/time-window';
import {
  createHandler as createApiGatewayHandler,
  normaliseAccessLogLine,
} from '../../lambdas/handlers/api-gateway-logs';
import {
  createHandler as createCloudTrailHandler,
  normaliseCloudTrailLine,
} from '../../lambdas/handlers/cloudtrail-logs';
import { subscriptionEvent } from '../support/cloudwatch-logs';
import { apiLine, cloudTrailLine, expectLearned, T } from '../support/hostile-lines';
import { memoryHandlerDeps, TEST_INTEL } from '../support/memory-handler';
import { prototypeSnapshot } from '../support/prototype';
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

/** Handler dependencies over a fresh DynamoDB Local table (the rest in memory / counting). */
async function world() {
  const tableName = `hostile-${++tableNo}`;
  await createBaselineTable(client, tableName);
  const w = memoryHandlerDeps({
    config: { ...DEFAULT_ENGINE_CONFIG, learning: { learningPeriodSeconds: 0, learningMinEvents: 1 } },
  });
  const store = new DynamoDbBaselineStore({ client, tableName });
  const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: 3600 });
  const deps = { ...w.deps, pipeline: { ...w.deps.pipeline, store, ledger } };
  return { ...w, deps, store };
}

const accessLine = (sub: string, jti: string, scope: string, i: number): string =>
  JSON.stringify({
    requestId: `r-${i}`,
    requestTimeEpoch: String(T + i),
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    httpMethod: 'GET',
    resourcePath: '/orders',
    status: '200',
    sourceIp: '198.51.100.7',
    userAgent: 'okhttp/4.12.0',
    sub,
    clientId: sub,
    jti,
    scope,
  });

describe('hostile keys against DynamoDB Local', () => {
  it('stores a __proto__ jti and constructor / toString values, and the 9 innocent identities beside them', async () => {
    const before = prototypeSnapshot();
    const w = await world();
    const handler = createApiGatewayHandler(w.deps);
    const innocents = Array.from({ length: 9 }, (_, i) =>
      accessLine(`client-${i}`, `token-${i}`, 'orders/read', i + 1),
    );
    const payload = subscriptionEvent(
      [accessLine('constructor', '__proto__', 'toString __proto__', 0), ...innocents],
      {
        startMs: T,
      },
    );
    const summary = await handler(payload);
    expect(summary.identityErrors).toBe(0);
    // A later delivery for the same identity reads the stored record back through the codec.
    const later = await handler(
      subscriptionEvent([accessLine('constructor', '__proto__', 'toString', 20)], { startMs: T + 60_000 }),
    );
    expect(later.identityErrors).toBe(0);

    const decoded = decodeCloudWatchLogsEvent(payload);
    if (!decoded.ok) throw new Error(decoded.reason);
    const keys = decoded.value.logEvents.map((l) => {
      const r = normaliseAccessLogLine(l.message, {
        logGroup: 'g',
        owner: 'o',
        timestampMs: l.timestamp,
        intel: TEST_INTEL,
        window: plausibleWindow(Date.now()),
      });
      if (!r.ok) throw new Error(r.reason);
      return r.value.identity.key;
    });
    const loaded = await w.store.load(keys);
    expect(loaded.size).toBe(10);
    const poisoned = loaded.get(keys[0]!)!.record as IdentityBaseline;
    expect(Object.getPrototypeOf(poisoned.credentials)).toBeNull();
    expect(getOwn(poisoned.credentials, '__proto__')?.n).toBe(2);
    expect(getOwn(poisoned.dims.scopes, 'toString')?.n).toBe(2);
    expect(getOwn(poisoned.dims.scopes, '__proto__')?.n).toBe(1);
    expect(prototypeSnapshot()).toEqual(before);
  });

  it('learns arbitrary hostile values of both sources through the real codec', async () => {
    const before = prototypeSnapshot();
    const w = await world();
    const handlers = { trail: createCloudTrailHandler(w.deps), access: createApiGatewayHandler(w.deps) };
    await fc.assert(
      fc.asyncProperty(
        fc.array(cloudTrailLine, { minLength: 1, maxLength: 3 }),
        fc.array(apiLine, { minLength: 1, maxLength: 3 }),
        async (trail, access) => {
          for (const [lines, handler, normalise] of [
            [trail, handlers.trail, normaliseCloudTrailLine],
            [access, handlers.access, normaliseAccessLogLine],
          ] as const) {
            const payload = subscriptionEvent(lines, { startMs: T });
            const summary = await handler(payload);
            expect(summary.identityErrors).toBe(0);
            const decoded = decodeCloudWatchLogsEvent(payload);
            if (!decoded.ok) throw new Error(decoded.reason);
            const events = decoded.value.logEvents.flatMap((l) => {
              const r = normalise(l.message, {
                logGroup: decoded.value.logGroup,
                owner: decoded.value.owner,
                timestampMs: l.timestamp,
                intel: TEST_INTEL,
                window: plausibleWindow(Date.now()),
              });
              return r.ok ? [r.value] : [];
            });
            const loaded: Map<string, LoadedRecord> = await w.store.load(events.map((e) => e.identity.key));
            expectLearned(loaded, events);
          }
          expect(prototypeSnapshot()).toEqual(before);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('oversized identities against DynamoDB Local (a partition key holds at most 2,048 bytes)', () => {
  const longName = 'A'.repeat(70_000);
  const trailLine = (user: string, account: string, i: number): string =>
    JSON.stringify({
      eventVersion: '1.08',
      eventTime: new Date(T + i * 1000).toISOString(),
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      eventID: `e-${i}`,
      recipientAccountId: account,
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: `arn:aws:iam::${account}:user/${user}`,
        accountId: account,
        accessKeyId: 'AKIAEXAMPLEKEY000001',
        userName: user,
      },
    });

  it('rejects a 70,000-character caller or account with a reason and stores the innocent identities of the delivery', async () => {
    const w = await world();
    const trail = createCloudTrailHandler(w.deps);
    const access = createApiGatewayHandler(w.deps);
    const innocentTrail = Array.from({ length: 4 }, (_, i) =>
      trailLine(`deployer-${i}`, '123456789012', i + 3),
    );
    const trailSummary = await trail(
      subscriptionEvent(
        [trailLine(longName, '123456789012', 0), trailLine('svc', longName, 1), ...innocentTrail],
        { startMs: T },
      ),
    );
    expect(trailSummary.identityErrors).toBe(0);
    expect(trailSummary.malformedReasons['identity-too-long']).toBe(2);
    expect(trailSummary.events).toBe(4);
    const innocentAccess = Array.from({ length: 4 }, (_, i) =>
      accessLine(`client-${i}`, `t-${i}`, 'orders/read', i + 1),
    );
    const accessSummary = await access(
      subscriptionEvent([accessLine(longName, 'jti', 'orders/read', 0), ...innocentAccess], { startMs: T }),
    );
    // An API client id is capped (256 characters) before it becomes a key: learned, not rejected.
    expect(accessSummary.identityErrors).toBe(0);
    expect(accessSummary.events).toBe(5);
    const accessKey = (line: string): string => {
      const r = normaliseAccessLogLine(line, {
        logGroup: 'g',
        owner: 'o',
        timestampMs: T,
        intel: TEST_INTEL,
        window: plausibleWindow(Date.now()),
      });
      if (!r.ok) throw new Error(r.reason);
      return r.value.identity.key;
    };
    const stored = await w.store.load([
      'aws:123456789012:user/deployer-0',
      ...innocentAccess.map(accessKey),
      accessKey(accessLine(longName, 'jti', 'orders/read', 0)),
    ]);
    expect(stored.size).toBe(6);
  });
});
