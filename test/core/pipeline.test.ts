import { DeadlineError, runPipeline, UndeliveredError, type PipelineDeps } from '../../lambdas/core/pipeline';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import { ContractSet } from '../../lambdas/core/contracts';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import type { FindingSink, PublishResult, UndeliveredFinding } from '../../lambdas/core/ports';
import type { Finding } from '../../lambdas/core/finding';
import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { MemoryBaselineStore, MemoryFindingLedger } from '../../lambdas/adapters/memory-store';
import { ev, at } from '../../lambdas/core/rules/test-events';

const onFailure: DetectionRule = {
  id: 'on-failure',
  title: 'Failure',
  severity: 'LOW',
  asffTypes: ['TTPs/Credential Access'],
  references: ['MITRE:T1110'],
  falsePositives: [],
  runbook: 'r',
  defaults: {},
  needsLearning: false,
  detect: (e) =>
    e.outcome.authn === 'failure' ? { discriminator: 'f', summary: 's', evidence: [] } : undefined,
};

/** A sink that records what it was given and can be told to fail. */
class RecordingSink implements FindingSink {
  fresh: Finding[] = [];
  repeats: Finding[] = [];
  failNext = false;
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.resolve({
        delivered: 0,
        failed: fresh.map((finding) => ({ finding, reason: 'SNS unavailable' })),
      });
    }
    this.fresh.push(...fresh);
    this.repeats.push(...repeats);
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

const setup = () => {
  const store = new MemoryBaselineStore();
  const ledger = new MemoryFindingLedger();
  const sink = new RecordingSink();
  const deps: PipelineDeps = {
    store,
    ledger,
    sink,
    rules: [onFailure],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
    nowMs: () => at(1),
  };
  return { store, ledger, sink, deps };
};
const KEY = 'aws:123456789012:role/orders-worker';
const count = (store: MemoryBaselineStore) => (store.records.get(KEY)?.record as IdentityBaseline).eventCount;
const batch = [ev({ timeMs: at(0, 1) }), ev({ timeMs: at(0, 1, 1), outcome: { authn: 'failure' } })];

describe('runPipeline', () => {
  it('alerts once and counts once when the same batch is delivered twice', async () => {
    const { store, sink, deps } = setup();
    await runPipeline('b1', batch, deps);
    const again = await runPipeline('b1', batch, deps);
    expect(count(store)).toBe(2);
    expect(sink.fresh).toHaveLength(1);
    expect(again.redelivered).toBe(2);
  });

  it('raises the count of a repeated finding instead of alerting again', async () => {
    const { sink, deps } = setup();
    await runPipeline('b1', batch, deps);
    await runPipeline('b2', [ev({ timeMs: at(0, 1, 2), outcome: { authn: 'failure' } })], deps);
    expect(sink.fresh).toHaveLength(1);
    expect(sink.repeats).toHaveLength(1);
    expect(sink.repeats[0]!.count).toBe(2);
  });

  it('fails the batch when a destination refuses and nothing can park it, and alerts on the retry', async () => {
    const { store, sink, deps } = setup();
    sink.failNext = true;
    await expect(runPipeline('b1', batch, deps)).rejects.toThrow(UndeliveredError);
    expect(store.records.has(KEY)).toBe(false);
    // The platform redelivers the same batch: the finding was never marked delivered, so it alerts, once.
    const retry = await runPipeline('b1', batch, deps);
    expect(retry.fresh).toHaveLength(1);
    expect(sink.fresh).toHaveLength(1);
    expect(count(store)).toBe(2);
  });

  it('parks refused findings with their destination and counts them as delivered there', async () => {
    const { sink, deps } = setup();
    const parked: UndeliveredFinding[] = [];
    const withQueue: PipelineDeps = {
      ...deps,
      onFailure: { park: (fs) => Promise.resolve(void parked.push(...fs)) },
    };
    sink.failNext = true;
    const first = await runPipeline('b1', batch, withQueue);
    expect(first.publishFailures).toBe(1);
    expect(first.parked.map((p) => [p.destinations, p.reason])).toEqual([[['local'], 'SNS unavailable']]);
    const again = await runPipeline('b1', batch, withQueue);
    expect(again.fresh).toHaveLength(0);
    expect(sink.fresh).toHaveLength(0);
    expect(parked).toHaveLength(1);
  });

  it('stops before a step that would start inside the safety margin, and the retry delivers', async () => {
    const { store, sink, deps } = setup();
    let left = 10_000;
    const timed: PipelineDeps = { ...deps, remainingMs: () => left, safetyMarginMs: 3_000 };
    const slowSink = {
      publish: async (f: readonly Finding[], r: readonly Finding[]) => {
        left = 2_000; // the delivery used up the time: no commit may start now
        return sink.publish(f, r);
      },
    };
    await expect(runPipeline('b1', batch, { ...timed, sink: slowSink })).rejects.toThrow(DeadlineError);
    expect(store.records.has(KEY)).toBe(false);
    left = 10_000;
    await runPipeline('b1', batch, { ...timed, sink: slowSink, remainingMs: () => 60_000 });
    expect(sink.fresh).toHaveLength(1);
    expect(count(store)).toBe(2);
  });

  it('sends the findings that join an open incident to the update path, not the alert path', async () => {
    const { sink: _local, ...deps } = setup().deps;
    // An alerting destination (SNS) and a mirror (Security Hub).
    const sink = new RecordingSink();
    const hub = new RecordingSink();
    // Two distinct failures of one identity (different error codes → different findings), one incident.
    const byCode: DetectionRule = {
      ...onFailure,
      detect: (e) =>
        e.outcome.authn === 'failure'
          ? {
              discriminator: e.outcome.errorCode ?? '',
              summary: `failed ${e.outcome.errorCode}`,
              evidence: [],
            }
          : undefined,
    };
    const result = await runPipeline(
      'b1',
      [
        ev({ timeMs: at(0, 1), outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' } }),
        ev({ timeMs: at(0, 1, 1), outcome: { authn: 'failure', errorCode: 'SignatureDoesNotMatch' } }),
      ],
      {
        ...deps,
        routes: [
          { destination: 'sns', mode: 'alert', sink },
          { destination: 'security-hub', mode: 'mirror', sink: hub },
        ],
        rules: [byCode],
      },
    );
    // The mirror imports both as new findings; the alerting destination pages the first only.
    expect(hub.fresh.map((f) => f.discriminator)).toEqual(['InvalidClientTokenId', 'SignatureDoesNotMatch']);
    expect(sink.fresh.map((f) => f.discriminator)).toEqual(['InvalidClientTokenId']);
    expect(sink.repeats.map((f) => [f.discriminator, f.alert, f.count])).toEqual([
      ['SignatureDoesNotMatch', false, 1],
    ]);
    expect(result.fresh).toHaveLength(1);
    expect(result.joined.map((f) => f.discriminator)).toEqual(['SignatureDoesNotMatch']);
    expect(sink.fresh[0]!.incident!.id).toBe(sink.repeats[0]!.incident!.id);
  });

  it('loses no update when two invocations update one identity concurrently', async () => {
    const { store, deps } = setup();
    const batches = Array.from({ length: 8 }, (_, i) => [
      ev({ timeMs: at(0, 2, i) }),
      ev({ timeMs: at(0, 2, i) + 1 }),
    ]);
    await Promise.all(batches.map((b, i) => runPipeline(`c${i}`, b, deps)));
    expect(count(store)).toBe(16);
  });
});
