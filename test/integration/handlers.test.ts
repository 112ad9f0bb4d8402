/**
 * The Lambda handlers end to end, as deployed: the exported `handler` (middy + Powertools) with
 * production wiring from environment variables, against real local servers — DynamoDB Local
 * (table created from the stack's definition), fauxqs SNS → SQS, the loopback Security Hub
 * receiver validating every finding against the SDK's ASFF schema. DynamoDB, SNS and SQS are
 * reached through counting / fault-injecting proxies; the SDK finds every endpoint through the
 * standard `AWS_ENDPOINT_URL_<SERVICE>` variables.
 *
 * Expected findings and baselines are not written down: the same payload is run through the
 * in-memory reference pipeline (same normaliser, rules and configuration), and the handler's
 * DynamoDB state, SNS alerts and Security Hub imports must match it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { gzipSync } from 'node:zlib';

import { DynamoDbBaselineStore } from '../../lambdas/adapters/dynamodb-store';
import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { DEFAULT_IP_INTEL_PATH, loadIpIntelDb } from '../../lambdas/adapters/ip-intel-db';
import { MemoryBaselineStore, MemoryFindingLedger } from '../../lambdas/adapters/memory-store';
import type { UndeliveredFinding } from '../../lambdas/adapters/sqs-on-failure';
import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { parseConfigJson } from '../../lambdas/core/config';
import { ContractSet } from '../../lambdas/core/contracts';
import { stateKeys } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import { runPipeline } from '../../lambdas/core/pipeline';
import type { FindingSink } from '../../lambdas/core/ports';
import { RULES } from '../../lambdas/core/rules/index';
import { decodeCloudWatchLogsEvent } from '../../lambdas/core/sources/cloudwatch-logs';
import { eventsOfDelivery } from '../../lambdas/core/sources/log-delivery';
import { plausibleWindow } from '../../lambdas/core/sources/time-window';
import { SAMPLED_WRITES } from '../../lambdas/core/write-policy';
import type { BatchSummary, LineNormaliser } from '../../lambdas/handlers/pipeline-handler';
import { validateAsffFinding } from '../support/asff-schema';
import {
  createTopology,
  deliveredText,
  drain,
  dynamoDb,
  notifications,
  sns,
  sqs,
  type Topology,
} from '../support/aws';
import { corpusLines, encodeEvent, payloadJson, subscriptionEvent } from '../support/cloudwatch-logs';
import { bundleHandler } from '../support/bundle';
import { startEventBridgeReceiver } from '../support/eventbridge-receiver';
import { captureStdout, invoke, lambdaContext, metricSum } from '../support/lambda';
import {
  startDynamoDbLocal,
  startFaultyProxy,
  startFauxqs,
  startSecurityHubReceiver,
  type FaultyProxy,
  type LocalServer,
  type SecurityHubReceiver,
} from '../support/servers';

type Handler = (event: CloudWatchLogsEvent, context: Context) => Promise<BatchSummary>;

/** Learn fast, so "first seen" rules can fire on a short corpus slice (a user's configuration, via NHI_CONFIG). */
const NHI_CONFIG = JSON.stringify({ learning: { learningPeriodSeconds: 0, learningMinEvents: 5 } });
const TABLE = 'nhi-watch-baselines';

let ddb: LocalServer;
let fauxqs: LocalServer;
let ddbProxy: FaultyProxy;
let snsProxy: FaultyProxy;
let sqsProxy: FaultyProxy;
let hub: SecurityHubReceiver;
let ddbClient: DynamoDBClient;
let snsClient: SNSClient;
let sqsClient: SQSClient;
let topo: Topology;
let cloudTrail: { handler: Handler; normaliseCloudTrailLine: LineNormaliser };
let apiGateway: { handler: Handler; normaliseAccessLogLine: LineNormaliser };
const saved = { ...process.env };

beforeAll(async () => {
  [ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  [ddbProxy, snsProxy, sqsProxy] = await Promise.all([
    startFaultyProxy(ddb.endpoint),
    startFaultyProxy(fauxqs.endpoint),
    startFaultyProxy(fauxqs.endpoint),
  ]);
  hub = await startSecurityHubReceiver(validateAsffFinding);
  ddbClient = dynamoDb(ddb.endpoint);
  snsClient = sns(fauxqs.endpoint);
  sqsClient = sqs(fauxqs.endpoint);
  await createBaselineTable(ddbClient, TABLE);
  topo = await createTopology(snsClient, sqsClient, 'handlers');
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: ddbProxy.endpoint,
    AWS_ENDPOINT_URL_SNS: snsProxy.endpoint,
    AWS_ENDPOINT_URL_SQS: sqsProxy.endpoint,
    AWS_ENDPOINT_URL_SECURITYHUB: hub.endpoint,
    BASELINE_TABLE_NAME: TABLE,
    ALERT_TOPIC_ARN: topo.topicArn,
    SECURITY_HUB_ENABLED: 'true',
    // The queue as the function sees it: through the SQS endpoint it is configured with.
    ON_FAILURE_QUEUE_URL: `${sqsProxy.endpoint}${new URL(topo.onFailureQueueUrl).pathname}`,
    NHI_CONFIG,
    POWERTOOLS_SERVICE_NAME: 'nhi-watch',
    POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  // Imported after the environment is set, as Lambda loads a handler module.
  cloudTrail = await import('../../lambdas/handlers/cloudtrail-logs.js');
  apiGateway = await import('../../lambdas/handlers/api-gateway-logs.js');
});

afterAll(async () => {
  process.env = saved;
  for (const c of [ddbClient, snsClient, sqsClient]) c?.destroy();
  await Promise.all([hub?.stop(), ddbProxy?.stop(), snsProxy?.stop(), sqsProxy?.stop()]);
  await Promise.all([ddb?.stop(), fauxqs?.stop()]);
});

beforeEach(async () => {
  hub.reset();
  for (const p of [ddbProxy, snsProxy, sqsProxy]) p.reset();
  await drain(sqsClient, topo.alertQueueUrl);
  await drain(sqsClient, topo.onFailureQueueUrl);
});

const intel = loadIpIntelDb();
const config = (() => {
  const parsed = parseConfigJson(NHI_CONFIG, { knownRuleIds: RULES.map((r) => r.id) });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value.engine;
})();

/** The events of a payload, normalised as the handler does. */
function eventsOf(event: CloudWatchLogsEvent, normalise: LineNormaliser): IdentityEvent[] {
  const decoded = decodeCloudWatchLogsEvent(event);
  if (!decoded.ok) throw new Error(decoded.reason);
  return eventsOfDelivery(decoded.value, normalise, intel, plausibleWindow(Date.now())).events;
}

/**
 * Run payloads through the in-memory reference pipeline, starting from the records DynamoDB holds
 * now for their identities: the state and findings the handler must produce.
 */
async function reference(payloads: readonly CloudWatchLogsEvent[], normalise: LineNormaliser) {
  const store = new MemoryBaselineStore();
  for (const [k, v] of await dynamoStore().load(stateKeys(payloads.flatMap((p) => eventsOf(p, normalise)))))
    store.records.set(k, v);
  const fresh: Finding[] = [];
  const joined: Finding[] = [];
  const repeats: Finding[] = [];
  const sink: FindingSink = {
    publish: (f, r) => Promise.resolve({ delivered: f.length + r.length, failed: [] }),
  };
  const { batchIdOf } = await import('../../lambdas/handlers/pipeline-handler.js');
  for (const p of payloads) {
    const result = await runPipeline(batchIdOf(p), eventsOf(p, normalise), {
      store,
      ledger: new MemoryFindingLedger(),
      sink,
      rules: RULES,
      contracts: new ContractSet([]),
      config,
      nowMs: () => Date.now(),
    });
    // The pipeline's own split: alerting firsts, firsts that joined an incident, repeats.
    fresh.push(...result.fresh);
    joined.push(...result.joined);
    repeats.push(...result.repeats);
  }
  return { store, fresh, joined, repeats };
}

const dynamoStore = (): DynamoDbBaselineStore =>
  new DynamoDbBaselineStore({ client: ddbClient, tableName: TABLE });
const ids = (fs: readonly { id: string }[]): string[] => fs.map((f) => f.id).sort();

/** The finding ids the alert subscriber received (one per alert, or all of a digest). */
async function alertedIds(): Promise<string[]> {
  const out: string[] = [];
  for (const note of notifications(await drain(sqsClient, topo.alertQueueUrl))) {
    expect(note.Subject!.length).toBeLessThan(100);
    const json = JSON.parse(deliveredText(note, 'sqs')) as Finding | { kind: 'digest'; findings: Finding[] };
    if ('kind' in json && json.kind === 'digest') out.push(...json.findings.map((f) => f.id));
    else out.push((json as Finding).id);
  }
  return out.sort();
}

const rootScenario = [
  ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-attacker.jsonl'),
  ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-victim.jsonl'),
];

describe('cloudtrail-logs handler', () => {
  it('turns a real gzipped CloudWatch Logs payload into DynamoDB baselines, SNS alerts and valid ASFF', async () => {
    const event = subscriptionEvent(rootScenario);
    const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
    expect(expected.fresh.length).toBeGreaterThan(0);

    const before = ddbProxy.counts.forwarded;
    const run = await invoke(cloudTrail.handler, event);
    const requests = ddbProxy.counts.forwarded - before;

    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({
      lines: rootScenario.length,
      events: rootScenario.length,
      malformedLines: 0,
      fresh: expected.fresh.length,
      deliveredToOnFailure: 0,
    });
    // Baselines: the handler's DynamoDB records are the reference pipeline's, version for version.
    const keys = [...expected.store.records.keys()];
    const stored = await dynamoStore().load(keys);
    expect(stored.size).toBe(keys.length);
    for (const k of keys) expect(stored.get(k)).toEqual(expected.store.records.get(k));
    // Alerts: one per alerting finding (at most two per incident), in the subscriber's queue.
    // ASFF: every finding, the ones that joined an incident without alerting included, valid.
    expect(await alertedIds()).toEqual(ids(expected.fresh));
    expect([...hub.findings.keys()].sort()).toEqual(
      ids([...expected.fresh, ...expected.joined, ...expected.repeats]),
    );
    expect(hub.problems).toEqual([]);
    // Metrics a dashboard reads.
    expect(metricSum(run.emf, 'Events')).toBe(rootScenario.length);
    expect(metricSum(run.emf, 'Findings', { rule: expected.fresh[0]!.ruleId })).toBe(
      expected.fresh.filter((f) => f.ruleId === expected.fresh[0]!.ruleId).length,
    );
    // DynamoDB requests: one BatchGetItem, a write per changed record; for the findings, one
    // BatchGetItem per 100, a claim per finding and a mark per finding and destination.
    const events = eventsOf(event, cloudTrail.normaliseCloudTrailLine);
    const records = stateKeys(events).length;
    // New findings, alerting or joining an incident: each is claimed and marked per destination.
    const fresh = expected.fresh.length + expected.joined.length;
    expect(requests).toBeLessThanOrEqual(
      Math.ceil(records / 100) + records + Math.ceil(fresh / 100) + 3 * fresh,
    );
  });

  it('changes no baseline and sends no second alert when the same payload is delivered twice', async () => {
    const event = subscriptionEvent(
      corpusLines('cloudtrail/otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.jsonl'),
    );
    const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
    expect(expected.fresh.length).toBeGreaterThan(0);
    const keys = [...expected.store.records.keys()];

    const first = await invoke(cloudTrail.handler, event);
    const afterFirst = await dynamoStore().load(keys);
    const second = await invoke(cloudTrail.handler, event);

    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ redelivered: first.result!.events, fresh: 0 });
    expect(afterFirst.size).toBe(keys.length);
    expect(await dynamoStore().load(keys)).toEqual(afterFirst);
    expect(await alertedIds()).toEqual(ids(expected.fresh));
  });

  it('loses no update when 8 invocations update one identity concurrently', async () => {
    const template = JSON.parse(corpusLines('cloudtrail/invictus-aws-dataset/events.jsonl')[0]!) as Record<
      string,
      unknown
    >;
    // The deployed write policy counts an identity's calls exactly when a delivery holds at least
    // `exactFromEvents` of them; fewer routine calls of a learned identity are stored as a 1-in-32
    // sample (estimates: test/integration/dynamodb-store.test.ts checks their exactly-once weights).
    const perDelivery = SAMPLED_WRITES.exactFromEvents;
    const payloads = Array.from({ length: 8 }, (_, i) =>
      subscriptionEvent(
        Array.from({ length: perDelivery }, (_, j) =>
          JSON.stringify({
            ...template,
            eventID: `c-${i}-${j}`,
            eventTime: new Date(Date.UTC(2026, 2, 2, 10, i, j)).toISOString().replace('.000', ''),
          }),
        ),
      ),
    );
    const key = eventsOf(payloads[0]!, cloudTrail.normaliseCloudTrailLine)[0]!.identity.key;

    const runs = await captureStdout(() =>
      Promise.all(payloads.map((p) => cloudTrail.handler(p, lambdaContext()))),
    );

    expect(runs.error).toBeUndefined();
    const record = (await dynamoStore().load([key])).get(key)!;
    expect((record.record as IdentityBaseline).eventCount).toBe(8 * perDelivery);
    const credentials: { n: number }[] = Object.values((record.record as IdentityBaseline).credentials);
    expect(credentials.reduce((n, c) => n + c.n, 0)).toBe(8 * perDelivery);
    expect((record.record as IdentityBaseline).batches).toHaveLength(8);
  });

  it('counts and skips malformed payloads and lines, and processes the rest of the batch', async () => {
    const gz = (text: string): CloudWatchLogsEvent => ({
      awslogs: { data: gzipSync(text).toString('base64') },
    });
    const bad: [CloudWatchLogsEvent, string][] = [
      [{ awslogs: { data: '!!! not base64 !!!' } }, 'invalid-base64'],
      [{ awslogs: { data: Buffer.from('plain text, not gzip').toString('base64') } }, 'not-gzip'],
      [{ awslogs: { data: gzipSync('{"truncated": ').toString('base64').slice(0, 24) } }, 'invalid-gzip'],
      [gz('this is not JSON'), 'invalid-json'],
      [
        gz(
          JSON.stringify({
            messageType: 'DATA_MESSAGE',
            owner: '123456789012',
            logGroup: 'g',
            logStream: 's',
          }),
        ),
        'missing-log-events',
      ],
      [{} as CloudWatchLogsEvent, 'missing-awslogs-data'],
    ];
    for (const [event, reason] of bad) {
      const run = await invoke(cloudTrail.handler, event);
      expect(run.error).toBeUndefined();
      expect(run.result?.malformedPayload).toBe(reason);
      expect(metricSum(run.emf, 'MalformedPayloads')).toBe(1);
    }

    const good = corpusLines('cloudtrail/panther-analysis/scenario-enrichment-example-victim.jsonl');
    const lines = [
      'not json at all',
      '[1,2,3]',
      JSON.stringify({ eventName: 'GetObject' }),
      ...good,
      '{"eventVersion":"1.08","userIdentity":',
    ];
    const event = encodeEvent(payloadJson(lines));
    const run = await invoke(cloudTrail.handler, event);
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ lines: lines.length, events: good.length, malformedLines: 4 });
    expect(metricSum(run.emf, 'MalformedLines')).toBe(4);
    const keys = [...new Set(eventsOf(event, cloudTrail.normaliseCloudTrailLine).map((e) => e.identity.key))];
    expect((await dynamoStore().load(keys)).size).toBe(keys.length);
  });

  it('rejects lines with impossible times, stores nothing impossible, and processes the rest of the payload', async () => {
    // Stratus Red Team's SSM episode, moved to an account no other test uses.
    const good = corpusLines('cloudtrail/stratus-red-team/aws.execution.ssm-send-command.jsonl').map((l) =>
      l.replaceAll('056392974792', '345678901234'),
    );
    const template = JSON.parse(good[0]!) as Record<string, unknown>;
    const at = (eventTime: string, eventID: string): string =>
      JSON.stringify({ ...template, eventTime, eventID });
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const timed = [
      ...good.map((message, i) => ({ message, timestamp: Date.UTC(2024, 7, 2, 10) + i })),
      { message: at('1970-01-01T00:00:00Z', 'epoch'), timestamp: Date.UTC(2024, 7, 2, 11) },
      { message: at(inThreeDays, 'future'), timestamp: Date.UTC(2024, 7, 2, 11) },
      { message: at('2024-08-02T09:08:27Z', 'stamped-never'), timestamp: -1e19 },
      { message: at('2024-08-02T09:08:27Z', 'stamped-far-ahead'), timestamp: 8e15 },
    ];
    const event = encodeEvent(
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        owner: '345678901234',
        logGroup: 'aws-cloudtrail-logs-345678901234',
        logStream: '345678901234_CloudTrail_us-east-1',
        subscriptionFilters: ['nhi-watch'],
        logEvents: timed.map((e, i) => ({ id: String(i), ...e })),
      }),
    );

    const run = await invoke(cloudTrail.handler, event);

    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ lines: timed.length, events: good.length, malformedLines: 4 });
    expect(run.result?.malformedReasons).toEqual({
      'event-time-out-of-range': 2,
      'log-event-time-out-of-range': 2,
    });
    const events = eventsOf(event, cloudTrail.normaliseCloudTrailLine);
    expect(events).toHaveLength(good.length);
    const earliest = Math.min(...events.map((e) => e.timeMs));
    const latest = Math.max(...events.map((e) => e.timeMs));
    const stored = await dynamoStore().load([...new Set(events.map((e) => e.identity.key))]);
    expect(stored.size).toBeGreaterThan(0);
    for (const record of stored.values()) {
      const b = record.record as IdentityBaseline;
      expect(b.firstSeenMs).toBeGreaterThanOrEqual(earliest);
      expect(b.lastSeenMs).toBeLessThanOrEqual(latest);
    }
  });
});

describe('delivery failures', () => {
  /** The Panther enrichment-example attack, replayed in another account (so its identities are new here). */
  const enrichment = (account: string): string[] =>
    corpusLines('cloudtrail/panther-analysis/scenario-enrichment-example-attacker.jsonl').map((l) =>
      l.replaceAll('493859302102', account),
    );

  it('retries Security Hub 429 / 500 and parks what SNS refuses in the on-failure queue: no finding lost', async () => {
    const event = subscriptionEvent(enrichment('210987654321'));
    const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
    expect(expected.fresh.length).toBeGreaterThan(0);
    hub.failRequests(429, 2);
    hub.failRequests(500, 1);
    snsProxy.failRequests(500, 10_000);

    const run = await invoke(cloudTrail.handler, event);

    expect(run.error).toBeUndefined();
    expect(hub.calls.filter((c) => c.status !== 200)).toHaveLength(3);
    expect([...hub.findings.keys()].sort()).toEqual(
      ids([...expected.fresh, ...expected.joined, ...expected.repeats]),
    );
    expect(hub.problems).toEqual([]);
    expect(snsProxy.counts.failed).toBeGreaterThan(3);
    expect(await alertedIds()).toEqual([]);
    const parked = (await drain(sqsClient, topo.onFailureQueueUrl)).map(
      (m) => JSON.parse(m.Body!) as UndeliveredFinding,
    );
    expect(ids(parked.map((p) => p.finding))).toEqual(ids(expected.fresh));
    expect(
      parked.every((p) => p.destinations.join() === 'sns' && p.format === 'nhi-watch/undelivered-finding@1'),
    ).toBe(true);
    expect(run.result).toMatchObject({
      publishFailures: expected.fresh.length,
      deliveredToOnFailure: expected.fresh.length,
    });
    expect(metricSum(run.emf, 'DeliveredToOnFailure')).toBe(expected.fresh.length);
    expect(metricSum(run.emf, 'PublishFailures')).toBe(expected.fresh.length);
  });

  it('fails the invocation before committing when even the on-failure queue is down, and alerts on the retry', async () => {
    const event = subscriptionEvent(enrichment('310987654321'));
    const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
    const keys = [...expected.store.records.keys()];
    const before = await dynamoStore().load(keys);
    snsProxy.failRequests(500, 10_000);
    sqsProxy.failRequests(500, 10_000);

    const failed = await invoke(cloudTrail.handler, event);

    expect(failed.error).toBeDefined();
    expect(await dynamoStore().load(keys)).toEqual(before);
    snsProxy.reset();
    sqsProxy.reset();
    // The platform retries the same payload.
    const retried = await invoke(cloudTrail.handler, event);
    expect(retried.error).toBeUndefined();
    expect(await alertedIds()).toEqual(ids(expected.fresh));
  });
});

describe('accounts without Security Hub', () => {
  it('alerts on SNS and imports nothing when SECURITY_HUB_ENABLED is false', async () => {
    const { createHandler } = await import('../../lambdas/handlers/cloudtrail-logs.js');
    const { productionDeps } = await import('../../lambdas/handlers/production.js');
    const withoutHub = createHandler(productionDeps({ ...process.env, SECURITY_HUB_ENABLED: 'false' }));
    const event = subscriptionEvent(rootScenario.map((l) => l.replaceAll('493859302102', '510987654321')));
    const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
    expect(expected.fresh.length).toBeGreaterThan(0);

    const run = await captureStdout(() => withoutHub(event));

    expect(run.error).toBeUndefined();
    expect(hub.calls).toEqual([]);
    expect(await alertedIds()).toEqual(ids(expected.fresh));
  });
});

describe('OCSF on EventBridge', () => {
  it('puts every finding on the bus as a valid OCSF Detection Finding when OCSF_EVENT_BUS_NAME is set', async () => {
    const bus = await startEventBridgeReceiver();
    const before = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
    try {
      const { createHandler } = await import('../../lambdas/handlers/cloudtrail-logs.js');
      const { productionDeps } = await import('../../lambdas/handlers/production.js');
      const withOcsf = createHandler(
        productionDeps({ ...process.env, OCSF_EVENT_BUS_NAME: 'nhi-watch-ocsf' }),
      );
      const event = subscriptionEvent(rootScenario.map((l) => l.replaceAll('493859302102', '610987654321')));
      const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
      expect(expected.fresh.length).toBeGreaterThan(0);

      const run = await captureStdout(() => withOcsf(event));

      expect(run.error).toBeUndefined();
      expect(bus.problems).toEqual([]);
      // Like Security Hub, the bus gets every finding, not only those that alert people.
      const uids = bus.events.map((e) => (e.detail['finding_info'] as { uid: string }).uid).sort();
      expect(uids).toEqual(ids([...expected.fresh, ...expected.joined]));
      for (const e of bus.events) {
        expect([e.eventBusName, e.source, e.detailType]).toEqual([
          'nhi-watch-ocsf',
          'nhi-watch',
          'OCSF Detection Finding',
        ]);
        expect(e.detail['activity_name']).toBe('Create');
      }
      expect(await alertedIds()).toEqual(ids(expected.fresh));
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = before;
      await bus.stop();
    }
  });
});

describe('api-gateway-logs handler', () => {
  it('builds baselines from real API Gateway access-log lines', async () => {
    const lines = [
      ...corpusLines('apigw/elastic-integrations/test-apigateway-rest.jsonl'),
      ...corpusLines('apigw/elastic-integrations/test-apigateway-http.jsonl'),
    ];
    const event = subscriptionEvent(lines, { logGroup: '/nhi-watch/access-logs/abc123/prod' });
    const expected = await reference([event], apiGateway.normaliseAccessLogLine);

    const run = await invoke(apiGateway.handler, event);

    expect(run.error).toBeUndefined();
    expect(run.result!.events + run.result!.malformedLines).toBe(lines.length);
    expect(run.result!.events).toBeGreaterThan(0);
    const keys = [...expected.store.records.keys()];
    const stored = await dynamoStore().load(keys);
    for (const k of keys) expect(stored.get(k)?.record).toEqual(expected.store.records.get(k)?.record);
  });
});

describe('the bundle the stack deploys', () => {
  it('runs as a cold-started Lambda: esbuild bundle of cloudtrail-logs, own process, same servers', async () => {
    const bundle = bundleHandler('lambdas/handlers/cloudtrail-logs.ts');
    try {
      const lines = rootScenario.map((l) => l.replaceAll('493859302102', '410987654321'));
      const event = subscriptionEvent(lines);
      const expected = await reference([event], cloudTrail.normaliseCloudTrailLine);
      expect(expected.fresh.length).toBeGreaterThan(0);

      const run = await bundle.invoke(event, { ...process.env, NHI_IP_DB_PATH: DEFAULT_IP_INTEL_PATH });

      expect(run.error).toBeUndefined();
      expect(run.result).toMatchObject({
        events: lines.length,
        fresh: expected.fresh.length,
        deliveredToOnFailure: 0,
      });
      expect(await alertedIds()).toEqual(ids(expected.fresh));
      expect([...hub.findings.keys()].sort()).toEqual(
        ids([...expected.fresh, ...expected.joined, ...expected.repeats]),
      );
    } finally {
      bundle.remove();
    }
  });
});
