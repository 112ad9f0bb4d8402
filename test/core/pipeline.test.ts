import { runPipeline, type PipelineDeps } from '../../lambdas/core/pipeline';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import { ContractSet } from '../../lambdas/core/contracts';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import type { FindingSink, PublishResult } from '../../lambdas/core/ports';
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

  it('returns undelivered findings and alerts on the retry of the batch', async () => {
    const { sink, deps } = setup();
    sink.failNext = true;
    const first = await runPipeline('b1', batch, deps);
    expect(first.undelivered).toHaveLength(1);
    expect(first.undelivered[0]!.reason).toBe('SNS unavailable');
    // The platform redelivers; state is committed already but the finding was forgotten, so a
    // replay of the same events in a new batch alerts.
    await runPipeline('b1-retry', [ev({ timeMs: at(0, 1, 1), outcome: { authn: 'failure' } })], deps);
    expect(sink.fresh).toHaveLength(1);
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
