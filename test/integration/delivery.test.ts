/**
 * Finding delivery against real local servers: SNS + SQS (fauxqs, SNS behind a fault-injecting
 * proxy) and the loopback Security Hub receiver. What a subscriber receives, what Security Hub
 * receives, and that a finding no destination takes ends up in the on-failure queue.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';

import { SecurityHubFindingSink } from '../../lambdas/adapters/security-hub-sink';
import { SnsFindingSink } from '../../lambdas/adapters/sns-sink';
import {
  OnFailureQueueError,
  SqsOnFailureQueue,
  type UndeliveredFinding,
} from '../../lambdas/adapters/sqs-on-failure';
import { MemoryBaselineStore, MemoryFindingLedger } from '../../lambdas/adapters/memory-store';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import { runPipeline, type PipelineResult } from '../../lambdas/core/pipeline';
import type { DeliveryRoute, OnFailureDestination } from '../../lambdas/core/ports';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import { at, ev } from '../../lambdas/core/rules/test-events';
import { productionRenderer, productionToAsff } from '../../lambdas/handlers/production';
import { redrive } from '../../scripts/redrive';
import { validateAsffFinding } from '../support/asff-schema';
import {
  LOCAL,
  createTopology,
  deliveredText,
  drain,
  notifications,
  sns,
  sqs,
  type Topology,
} from '../support/aws';
import {
  startFauxqs,
  startFaultyProxy,
  startSecurityHubReceiver,
  type FaultyProxy,
  type LocalServer,
  type SecurityHubReceiver,
} from '../support/servers';

const noSleep = (): Promise<void> => Promise.resolve();

/** A rule that fires on every event, one finding per event id. */
const everyEvent: DetectionRule = {
  id: 'every-event',
  title: 'Every event',
  severity: 'HIGH',
  asffTypes: ['TTPs/Credential Access'],
  references: ['MITRE:T1078'],
  falsePositives: [],
  runbook: 'Check the identity.',
  defaults: {},
  needsLearning: false,
  detect: (e) => ({ discriminator: e.eventId, summary: `event ${e.eventId}`, evidence: ['fired'] }),
};
/** `n` events of `n` identities (`<key>-<i>`): one finding each, each its own incident, so every one alerts. */
const eventsOf = (n: number, key = 'aws:123456789012:role/orders-worker') =>
  Array.from({ length: n }, (_, i) =>
    ev({ eventId: `e${i}`, timeMs: at(0, 1, i), identity: { key: `${key}-${i}` } }),
  );
const findings = (n: number, key = 'aws:123456789012:role/orders-worker'): Finding[] =>
  evaluate({
    batchId: 'fixture',
    events: eventsOf(n, key),
    state: new Map(),
    rules: [everyEvent],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  }).findings;

const render = productionRenderer('us-east-1', '123456789012', true);
const asff = productionToAsff('us-east-1', '123456789012');

let fauxqs: LocalServer;
let snsProxy: FaultyProxy;
let hub: SecurityHubReceiver;
let snsClient: SNSClient;
let sqsClient: SQSClient;
let hubClient: SecurityHubClient;
let n = 0;
let topo: Topology;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  snsProxy = await startFaultyProxy(fauxqs.endpoint);
  hub = await startSecurityHubReceiver(validateAsffFinding);
  snsClient = sns(snsProxy.endpoint);
  sqsClient = sqs(fauxqs.endpoint);
  hubClient = new SecurityHubClient({ ...LOCAL, endpoint: hub.endpoint });
});
afterAll(async () => {
  for (const c of [snsClient, sqsClient, hubClient]) c?.destroy();
  await Promise.all([hub?.stop(), snsProxy?.stop()]);
  await fauxqs?.stop();
});
beforeEach(async () => {
  hub.reset();
  snsProxy.reset();
  topo = await createTopology(snsClient, sqsClient, `t${++n}`);
});

const snsSink = (threshold = 10): SnsFindingSink =>
  new SnsFindingSink({
    client: snsClient,
    topicArn: topo.topicArn,
    render,
    digestThreshold: threshold,
    sleep: noSleep,
  });
const hubSink = (maxAttempts = 5): SecurityHubFindingSink =>
  new SecurityHubFindingSink({
    client: hubClient,
    nowMs: () => at(1),
    sleep: noSleep,
    toAsff: asff,
    maxAttempts,
  });

describe('SNS alerts', () => {
  it('publishes one message per fresh finding with a short subject and filterable attributes; repeats do not alert', async () => {
    const fresh = findings(3);
    const result = await snsSink().publish(fresh, findings(2, 'aws:123456789012:role/other'));
    expect(result).toEqual({ delivered: 3, failed: [] });
    const received = notifications(await drain(sqsClient, topo.alertQueueUrl));
    expect(received).toHaveLength(3);
    for (const note of received) {
      expect(note.Subject!.length).toBeLessThan(100);
      expect(note.MessageAttributes).toMatchObject({
        severity: { Type: 'String', Value: 'HIGH' },
        ruleId: { Type: 'String', Value: 'every-event' },
        identity: {
          Type: 'String',
          Value: expect.stringMatching(/^aws:123456789012:role\/orders-worker-\d$/),
        },
        account: { Type: 'String', Value: '123456789012' },
      });
    }
    // Per protocol: readable text for e-mail (no JSON in it), the subject for SMS, and the finding
    // itself as JSON — nothing else — for machines (SQS, Lambda, HTTPS, email-json).
    for (const r of received) {
      expect(deliveredText(r, 'email')).toMatch(/^HIGH: Every event\n/);
      expect(deliveredText(r, 'email')).not.toContain('{"');
      expect(deliveredText(r, 'sms')).toBe(r.Subject);
      expect(deliveredText(r, 'lambda')).toBe(deliveredText(r, 'sqs'));
    }
    expect(received.map((r) => (JSON.parse(deliveredText(r, 'sqs')) as Finding).id).sort()).toEqual(
      fresh.map((f) => f.id).sort(),
    );
  });

  it('sends a digest instead of one message per finding when a batch yields many', async () => {
    const fresh = findings(12);
    expect((await snsSink(10).publish(fresh, [])).failed).toEqual([]);
    const received = notifications(await drain(sqsClient, topo.alertQueueUrl));
    expect(received).toHaveLength(1);
    expect(received[0]!.Subject).toMatch(/12 findings/);
    expect(deliveredText(received[0]!, 'email')).toMatch(/12 findings/);
    const digest = JSON.parse(deliveredText(received[0]!, 'sqs')) as {
      count: number;
      findings: Finding[];
    };
    expect(digest.count).toBe(12);
    expect(digest.findings.map((f) => f.id).sort()).toEqual(fresh.map((f) => f.id).sort());
  });

  it('retries a failing SNS, then reports the findings as failed at SNS', async () => {
    snsProxy.failRequests(500, 100);
    const before = snsProxy.counts.failed;
    const result = await snsSink().publish(findings(2), []);
    const attempts = snsProxy.counts.failed - before;
    expect(result.delivered).toBe(0);
    expect(result.failed.map((f) => f.reason)).toEqual([
      expect.stringMatching(/SNS/),
      expect.stringMatching(/SNS/),
    ]);
    // The SDK's 3 attempts, times the sink's 3 attempts.
    expect(attempts).toBe(9);
  });
});

describe('Security Hub import', () => {
  it('imports fresh findings and repeats in chunks of at most 100', async () => {
    const result = await hubSink().publish(findings(180), findings(70, 'aws:123456789012:role/other'));
    expect(result).toEqual({ delivered: 250, failed: [] });
    expect(hub.calls.map((c) => c.ids.length)).toEqual([100, 100, 50]);
    expect(hub.findings.size).toBe(250);
    expect(hub.problems).toEqual([]);
  });

  it('retries 429 and 500 answers and FailedFindings, losing nothing', async () => {
    hub.failRequests(429, 4);
    hub.failRequests(500, 2);
    hub.rejectFindings('InternalFailure', 1);
    const all = findings(5);
    const result = await hubSink().publish(all, []);
    expect(result.failed).toEqual([]);
    expect([...hub.findings.keys()].sort()).toEqual(all.map((f) => f.id).sort());
    expect(hub.calls.filter((c) => c.status !== 200).length).toBe(6);
  });

  it('reports findings it still cannot import as failed at Security Hub', async () => {
    hub.failRequests(500, 1000);
    const result = await new SecurityHubFindingSink({
      client: hubClient,
      nowMs: () => at(1),
      sleep: noSleep,
      maxAttempts: 2,
      toAsff: asff,
    }).publish(findings(3), []);
    expect(result.failed).toHaveLength(3);
    expect(result.failed.every((f) => /HTTP 500/.test(f.reason))).toBe(true);
  });
});

/** A batch of `n` events (one finding each) through the pipeline with these routes and on-failure queue. */
function deliverBatch(
  n: number,
  routes: readonly DeliveryRoute[],
  onFailure: OnFailureDestination,
  ledger = new MemoryFindingLedger(),
): Promise<PipelineResult> {
  return runPipeline('batch-1', eventsOf(n), {
    store: new MemoryBaselineStore(),
    ledger,
    routes,
    onFailure,
    rules: [everyEvent],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
    nowMs: () => at(2),
  });
}
const queue = (url = topo.onFailureQueueUrl): SqsOnFailureQueue =>
  new SqsOnFailureQueue({ client: sqsClient, queueUrl: url, sleep: noSleep });
const parkedIn = async (url = topo.onFailureQueueUrl): Promise<UndeliveredFinding[]> =>
  (await drain(sqsClient, url)).map((m) => JSON.parse(m.Body!) as UndeliveredFinding);
const alertedIds = async (): Promise<string[]> =>
  notifications(await drain(sqsClient, topo.alertQueueUrl))
    .map((n) => (JSON.parse(deliveredText(n, 'sqs')) as Finding).id)
    .sort();

describe('on-failure path', () => {
  it('parks a finding that SNS refused in the on-failure queue, for SNS only, and marks it delivered', async () => {
    const ledger = new MemoryFindingLedger();
    const fresh = findings(1);
    snsProxy.failRequests(500, 9);
    const routes: DeliveryRoute[] = [
      { destination: 'sns', mode: 'alert', sink: snsSink() },
      { destination: 'security-hub', mode: 'mirror', sink: hubSink() },
    ];

    const result = await deliverBatch(1, routes, queue(), ledger);

    expect(result).toMatchObject({ publishFailures: 1, delivered: 1 });
    expect(result.parked).toHaveLength(1);
    expect(hub.findings.has(fresh[0]!.id)).toBe(true);
    expect(await parkedIn()).toEqual([
      {
        format: 'nhi-watch/undelivered-finding@1',
        finding: fresh[0],
        destinations: ['sns'],
        reason: expect.stringMatching(/SNS/),
        failedAt: new Date(at(2)).toISOString(),
      },
    ]);
    // Parked counts as delivered: the same batch again sends and parks nothing.
    const again = await deliverBatch(1, routes, queue(), ledger);
    expect(again).toMatchObject({ publishFailures: 0, delivered: 0, fresh: [] });
    expect(await parkedIn()).toEqual([]);
    expect(hub.calls).toHaveLength(1);
  });

  it('redrives parked findings to the destinations that lack them, and empties the queue', async () => {
    const fresh = findings(3);
    snsProxy.failRequests(500, 9);
    await deliverBatch(3, [{ destination: 'sns', mode: 'alert', sink: snsSink() }], queue());
    expect(await alertedIds()).toEqual([]);

    const lines: string[] = [];
    const result = await redrive({
      sqs: sqsClient,
      queueUrl: topo.onFailureQueueUrl,
      sinks: { sns: snsSink() },
      log: (l) => lines.push(l),
    });

    expect(result).toEqual({ seen: 3, redriven: 3, reparked: 0, kept: 0 });
    expect(await alertedIds()).toEqual(fresh.map((f) => f.id).sort());
    expect(await drain(sqsClient, topo.onFailureQueueUrl)).toEqual([]);
  });

  it('redrive delivers per destination: what one destination took is not sent again, the rest is re-parked', async () => {
    const fresh = findings(2);
    snsProxy.failRequests(500, 9);
    hub.failRequests(500, 1000);
    await deliverBatch(
      2,
      [
        { destination: 'sns', mode: 'alert', sink: snsSink() },
        { destination: 'security-hub', mode: 'mirror', sink: hubSink(2) },
      ],
      queue(),
    );
    // Parked for both; now SNS is back, Security Hub still down.
    const sinks = { sns: snsSink(), 'security-hub': hubSink(1) };
    const first = await redrive({
      sqs: sqsClient,
      queueUrl: topo.onFailureQueueUrl,
      sinks,
      log: () => undefined,
    });
    expect(first).toEqual({ seen: 2, redriven: 0, reparked: 2, kept: 0 });
    expect(await alertedIds()).toEqual(fresh.map((f) => f.id).sort());
    // Security Hub is back: the second redrive imports, and SNS gets nothing again.
    hub.reset();
    const second = await redrive({
      sqs: sqsClient,
      queueUrl: topo.onFailureQueueUrl,
      sinks,
      log: () => undefined,
    });
    expect(second).toEqual({ seen: 2, redriven: 2, reparked: 0, kept: 0 });
    expect(await alertedIds()).toEqual([]);
    expect([...hub.findings.keys()].sort()).toEqual(fresh.map((f) => f.id).sort());
    expect(await drain(sqsClient, topo.onFailureQueueUrl)).toEqual([]);
  });

  it('when the on-failure queue fails too, marks nothing and throws, so the retried batch alerts', async () => {
    const ledger = new MemoryFindingLedger();
    const fresh = findings(2);
    snsProxy.failRequests(500, 9);
    const routes: DeliveryRoute[] = [{ destination: 'sns', mode: 'alert', sink: snsSink() }];

    await expect(
      deliverBatch(2, routes, queue(`${topo.onFailureQueueUrl}-missing`), ledger),
    ).rejects.toBeInstanceOf(OnFailureQueueError);
    const retry = await deliverBatch(2, routes, queue(), ledger);

    expect(retry.fresh.map((f) => f.id).sort()).toEqual(fresh.map((f) => f.id).sort());
    expect(await alertedIds()).toEqual(fresh.map((f) => f.id).sort());
  });
});
