import { evaluate, DEFAULT_ENGINE_CONFIG, stateKeys } from '../../lambdas/core/engine';
import { ContractSet } from '../../lambdas/core/contracts';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { ev, at } from '../../lambdas/core/rules/test-events';

/** A rule that fires on every authentication failure: isolates the engine's own behaviour. */
const everyFailure: DetectionRule = {
  id: 'every-failure',
  title: 'Every failure',
  severity: 'LOW',
  asffTypes: ['TTPs/Credential Access'],
  references: ['MITRE:T1110'],
  falsePositives: [],
  runbook: 'none',
  defaults: {},
  needsLearning: false,
  detect: (e) =>
    e.outcome.authn === 'failure' ? { discriminator: 'x', summary: 's', evidence: ['e'] } : undefined,
};

const run = (events: ReturnType<typeof ev>[], state = new Map<string, LoadedRecord>(), batchId = 'b1') =>
  evaluate({
    batchId,
    events,
    state,
    rules: [everyFailure],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  });

describe('engine.evaluate', () => {
  const fail = (m: number) =>
    ev({ timeMs: at(0, 1, m), outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' } });

  it('folds repeats of one finding within the dedup window into one finding with a count', () => {
    const out = run([fail(1), fail(2), fail(3)]);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]!.count).toBe(3);
    expect(out.findings[0]!.firstSeenMs).toBe(at(0, 1, 1));
    expect(out.findings[0]!.lastSeenMs).toBe(at(0, 1, 3));
  });

  it('gives a finding the same id when the same events are evaluated again', () => {
    expect(run([fail(1)]).findings[0]!.id).toBe(run([fail(1)]).findings[0]!.id);
  });

  it('skips a redelivered batch: no findings, no changes, input state untouched', () => {
    const first = run([fail(1), ev({ timeMs: at(0, 1, 5) })]);
    const state = new Map(first.changes.map((c) => [c.key, { record: c.record, version: 1 }] as const));
    const before = JSON.stringify([...state]);
    const again = run([fail(1), ev({ timeMs: at(0, 1, 5) })], state, 'b1');
    expect(again.findings).toHaveLength(0);
    expect(again.changes).toHaveLength(0);
    expect(again.stats.redelivered).toBe(2);
    expect(JSON.stringify([...state])).toBe(before);
    const next = run([ev({ timeMs: at(0, 2) })], state, 'b2');
    expect(next.changes.find((c) => c.key === 'aws:123456789012:role/orders-worker')?.expectedVersion).toBe(
      1,
    );
  });

  it('keeps source state only for real IP sources and writes it only when failures occur', () => {
    const svc = ev({
      origin: { ip: 'lambda.amazonaws.com', isIp: false, awsService: 'lambda.amazonaws.com' },
    });
    // No source record for a service origin; the session key's issuance link is looked up (identity chains).
    expect(stateKeys([svc])).toEqual(['aws:123456789012:role/orders-worker', 'lnk#ASIAEXAMPLEWORKER001']);
    const out = run([ev({ timeMs: at(0, 1) })]);
    expect(out.changes.map((c) => c.key)).toEqual(['aws:123456789012:role/orders-worker']);
    expect(run([fail(1)]).changes.map((c) => c.key)).toContain('src#3.80.10.20');
  });
});
