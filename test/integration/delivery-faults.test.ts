/**
 * Alerted means delivered, under faults. The production handler (production wiring from the
 * environment) runs against DynamoDB Local, fauxqs SNS → SQS and the Security Hub receiver, with a
 * fault injected at one step of one invocation:
 *
 * - steps: after evaluation (before the ledger claim), after the claim, during the SNS publish,
 *   during the Security Hub import, after delivery before the commit;
 * - faults: *crash* (the step throws), *timeout* (the step uses up the invocation's time: less than
 *   the safety margin is left when it returns), *kill* (the step never returns and the invocation
 *   is abandoned, as when the process is killed; Lambda's retry comes after the dead invocation's
 *   deadline, so the retry runs 61 s later on the clock).
 *
 * Then the platform's retry (the same payload again), then an operator's redrive of the on-failure
 * queue. Alerts per finding are counted on the SNS subscriber queue, imports per finding at the
 * receiver: every cell must be exactly one, for as many findings as a run without faults yields.
 * Also: the same fresh payload in 5 concurrent invocations gives one alert, a count of 1 and one
 * import per finding.
 */
import { writeFileSync } from 'node:fs';

import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';

import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import type { Finding } from '../../lambdas/core/finding';
import type { FindingSink } from '../../lambdas/core/ports';
import type { BatchSummary, LogsHandlerDeps } from '../../lambdas/handlers/pipeline-handler';
import { redrive } from '../../scripts/redrive';
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
import { corpusLines, subscriptionEvent } from '../support/cloudwatch-logs';
import { captureStdout, lambdaContext } from '../support/lambda';
import {
  startDynamoDbLocal,
  startFauxqs,
  startSecurityHubReceiver,
  type LocalServer,
  type SecurityHubReceiver,
} from '../support/servers';
import { productionEnv } from '../support/production-env';

const TABLE = 'nhi-watch-faults';
const NHI_CONFIG = JSON.stringify({ learning: { learningPeriodSeconds: 0, learningMinEvents: 5 } });

const STEPS = [
  'after evaluation',
  'after claim',
  'during SNS publish',
  'during Security Hub import',
  'after delivery, before commit',
] as const;
const FAULTS = ['crash', 'timeout', 'kill'] as const;
type Step = (typeof STEPS)[number];
type Fault = (typeof FAULTS)[number];

let ddb: LocalServer;
let fauxqs: LocalServer;
let hub: SecurityHubReceiver;
let ddbClient: DynamoDBClient;
let snsClient: SNSClient;
let sqsClient: SQSClient;
let topo: Topology;
let productionDeps: () => LogsHandlerDeps;
let createHandler: (
  deps: LogsHandlerDeps,
) => (
  event: CloudWatchLogsEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<BatchSummary>;
const saved = { ...process.env };

beforeAll(async () => {
  [ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  hub = await startSecurityHubReceiver(validateAsffFinding);
  ddbClient = dynamoDb(ddb.endpoint);
  snsClient = sns(fauxqs.endpoint);
  sqsClient = sqs(fauxqs.endpoint);
  await createBaselineTable(ddbClient, TABLE);
  topo = await createTopology(snsClient, sqsClient, 'faults');
  Object.assign(
    process.env,
    productionEnv({
      dynamoDbEndpoint: ddb.endpoint,
      fauxqsEndpoint: fauxqs.endpoint,
      securityHubEndpoint: hub.endpoint,
      tableName: TABLE,
      topicArn: topo.topicArn,
      onFailureQueueUrl: topo.onFailureQueueUrl,
      config: NHI_CONFIG,
      logLevel: 'ERROR',
    }),
  );
  const production = await import('../../lambdas/handlers/production.js');
  productionDeps = () => production.productionDeps(process.env);
  ({ createHandler } = await import('../../lambdas/handlers/cloudtrail-logs.js'));
});

afterAll(async () => {
  process.env = saved;
  for (const c of [ddbClient, snsClient, sqsClient]) c?.destroy();
  await hub?.stop();
  await Promise.all([ddb?.stop(), fauxqs?.stop()]);
});

let accounts = 0;
/**
 * The Panther compromised-root scenario in an account of its own, from addresses of its own in the
 * same networks (source windows are kept per address across accounts), so every finding is new.
 */
function payload(): CloudWatchLogsEvent {
  const n = ++accounts;
  const account = String(600_000_000_000 + n);
  return subscriptionEvent(
    [
      ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-attacker.jsonl'),
      ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-victim.jsonl'),
    ].map((l) =>
      l
        .replaceAll('493859302102', account)
        .replaceAll('92.55.146.245', `92.55.146.${n}`)
        .replaceAll('71.253.251.71', `71.253.251.${n}`),
    ),
  );
}

/** A Lambda context whose remaining time the test controls. */
function context(clock: { remainingMs: number }): Context {
  return { ...lambdaContext(), getRemainingTimeInMillis: () => clock.remainingMs };
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

/**
 * Production deps with `fault` injected at `step`, once; `clock` is the invocation's remaining time.
 * `dead` settles when a killed invocation has stopped at its step: from then on it does nothing, as
 * a killed process does nothing, so the retry never races the dead invocation's own in-flight calls.
 */
function faulty(
  step: Step,
  fault: Fault,
  clock: { remainingMs: number },
): { deps: LogsHandlerDeps; dead: Promise<void> } {
  const deps = productionDeps();
  let fired = false;
  let died: () => void = () => undefined;
  const dead = new Promise<void>((resolve) => {
    died = resolve;
  });
  const die = (): Promise<never> => {
    died();
    return never();
  };
  const hit = async <T>(inner: () => Promise<T>, when: 'before' | 'after'): Promise<T> => {
    if (fired) return inner();
    fired = true;
    if (fault === 'kill' && when === 'before') return die();
    if (fault === 'crash' && when === 'before') throw new Error(`injected crash ${step}`);
    const result = await inner();
    if (fault === 'kill') return die();
    if (fault === 'crash') throw new Error(`injected crash ${step}`);
    clock.remainingMs = 2_000; // the step used up the time: under the 3 s safety margin
    return result;
  };
  const { ledger, store } = deps.pipeline;
  const routes = deps.pipeline.routes ?? [];
  const wrapSink = (destination: string): typeof routes =>
    routes.map((r) =>
      r.destination !== destination
        ? r
        : {
            ...r,
            sink: {
              publish: (f, rep) =>
                hit(() => r.sink.publish(f, rep), fault === 'timeout' ? 'after' : 'before'),
            } satisfies FindingSink,
          },
    );
  const pipeline = { ...deps.pipeline };
  if (step === 'after evaluation')
    pipeline.ledger = {
      claim: (...a) => hit(() => ledger.claim(...a), fault === 'timeout' ? 'after' : 'before'),
      settle: (...a) => ledger.settle(...a),
    };
  if (step === 'after claim')
    pipeline.ledger = {
      claim: (...a) => hit(() => ledger.claim(...a), 'after'),
      settle: (...a) => ledger.settle(...a),
    };
  if (step === 'during SNS publish') pipeline.routes = wrapSink('sns');
  if (step === 'during Security Hub import') pipeline.routes = wrapSink('security-hub');
  if (step === 'after delivery, before commit')
    pipeline.store = {
      load: (keys) => store.load(keys),
      commit: (batchId, changes) => hit(() => store.commit(batchId, changes), 'before'),
    };
  // A timeout "before commit" is a delivery that used up the time: the commit must not start.
  if (step === 'after delivery, before commit' && fault === 'timeout') {
    pipeline.store = store;
    pipeline.routes = routes.map((r) =>
      r.destination !== 'security-hub'
        ? r
        : {
            ...r,
            sink: {
              publish: async (f, rep) => {
                const out = await r.sink.publish(f, rep);
                clock.remainingMs = 2_000;
                return out;
              },
            },
          },
    );
  }
  return { deps: { ...deps, pipeline }, dead };
}

/** Alerts per finding id on the subscriber queue, and imports per id at the receiver. */
async function deliveries(): Promise<{ alerts: Map<string, number>; imports: Map<string, number> }> {
  const alerts = new Map<string, number>();
  for (const note of notifications(await drain(sqsClient, topo.alertQueueUrl))) {
    const json = JSON.parse(deliveredText(note, 'sqs')) as Finding | { kind: 'digest'; findings: Finding[] };
    const ids =
      'kind' in json && json.kind === 'digest' ? json.findings.map((f) => f.id) : [(json as Finding).id];
    for (const id of ids) alerts.set(id, (alerts.get(id) ?? 0) + 1);
  }
  const imports = new Map<string, number>();
  for (const call of hub.calls.filter((c) => c.status === 200))
    for (const id of call.ids) imports.set(id, (imports.get(id) ?? 0) + 1);
  return { alerts, imports };
}

async function reset(): Promise<void> {
  hub.reset();
  await drain(sqsClient, topo.alertQueueUrl);
  await drain(sqsClient, topo.onFailureQueueUrl);
}

const quiet = <R>(fn: () => Promise<R>) => captureStdout(fn);

describe('delivery under faults', () => {
  const results: { step: Step; fault: Fault; findings: number; alerts: number[]; imports: number[] }[] = [];
  let expected = 0;
  let joined = 0;

  beforeAll(async () => {
    await reset();
    const run = await quiet(() =>
      createHandler(productionDeps())(payload(), context({ remainingMs: 60_000 })),
    );
    expect(run.error).toBeUndefined();
    expected = run.result!.fresh;
    joined = run.result!.joined;
    await reset();
  });

  afterAll(() => {
    if (results.length !== STEPS.length * FAULTS.length) return;
    const counts = (xs: number[]) => [...new Set(xs)].sort().join(' / ');
    const table = [
      '| step | crash | timeout | kill |',
      '| --- | --- | --- | --- |',
      ...STEPS.map(
        (step) =>
          `| ${step} | ${FAULTS.map((fault) => {
            const r = results.find((x) => x.step === step && x.fault === fault)!;
            return `${counts(r.alerts)} alert, ${counts(r.imports)} import (${r.findings} findings)`;
          }).join(' | ')} |`,
      ),
    ].join('\n');
    if (process.env.FAULT_MATRIX_OUT) writeFileSync(process.env.FAULT_MATRIX_OUT, `${table}\n`);
  });

  it.each(STEPS.flatMap((step) => FAULTS.map((fault) => [step, fault] as const)))(
    '%s × %s → the retry and a redrive deliver every finding exactly once',
    async (step, fault) => {
      expect(expected).toBeGreaterThan(0);
      await reset();
      const event = payload();
      const clock = { remainingMs: 60_000 };
      const injected = faulty(step, fault, clock);
      const handler = createHandler(injected.deps);

      if (fault === 'kill') {
        // Abandoned at its step: it never returns, as a killed process never does. The retry starts
        // once it has stopped there (a fixed sleep let a loaded machine's dead invocation still be
        // importing while the retry imported: two imports, an artefact of the test, not of a kill).
        void handler(event, context(clock)).catch(() => undefined);
        await injected.dead;
      } else {
        await quiet(() => handler(event, context(clock)));
      }
      // The platform's retry of the same payload (after the dead invocation's deadline for a kill).
      const deps = productionDeps();
      const shift = 61_000;
      const retry = await quiet(() =>
        createHandler({ ...deps, pipeline: { ...deps.pipeline, nowMs: () => Date.now() + shift } })(
          event,
          context({ remainingMs: 60_000 }),
        ),
      );
      expect(retry.error).toBeUndefined();
      // The operator redrives what was parked.
      const sinks = Object.fromEntries((deps.pipeline.routes ?? []).map((r) => [r.destination, r.sink]));
      await redrive({ sqs: sqsClient, queueUrl: topo.onFailureQueueUrl, sinks, log: () => undefined });

      const { alerts, imports } = await deliveries();
      results.push({
        step,
        fault,
        findings: imports.size,
        alerts: [...alerts.values()],
        imports: [...imports.values()],
      });
      expect(alerts.size).toBe(expected);
      expect([...alerts.values()].every((n) => n === 1)).toBe(true);
      // Security Hub gets every finding: the alerting ones and those that joined an incident quietly.
      expect(imports.size).toBe(expected + joined);
      for (const id of alerts.keys()) expect(imports.get(id)).toBe(1);
      expect([...imports.values()].every((n) => n === 1)).toBe(true);
    },
  );
});

describe('concurrent redelivery', () => {
  it('the same fresh payload in 5 concurrent invocations: one alert, count 1, one import per finding', async () => {
    await reset();
    const event = payload();
    const deps = productionDeps();
    const runs = await quiet(() =>
      Promise.all(
        Array.from({ length: 5 }, () => createHandler(deps)(event, context({ remainingMs: 60_000 }))),
      ),
    );
    expect(runs.error).toBeUndefined();

    const { alerts, imports } = await deliveries();
    expect(alerts.size).toBeGreaterThan(0);
    expect([...alerts.values()].every((n) => n === 1)).toBe(true);
    expect([...imports.values()].every((n) => n === 1)).toBe(true);
    for (const id of alerts.keys()) expect(imports.get(id)).toBe(1);
    expect(runs.result!.reduce((n, r) => n + r.fresh, 0)).toBe(alerts.size);
    expect(runs.result!.reduce((n, r) => n + r.fresh + r.joined, 0)).toBe(imports.size);
    for (const id of alerts.keys()) {
      const item = await ddbClient.send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `fnd#${id}` } }, ConsistentRead: true }),
      );
      expect(item.Item?.count).toEqual({ N: '1' });
    }
  });
});
