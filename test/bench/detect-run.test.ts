import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import { at, ev } from '../../lambdas/core/rules/test-events';
import { runDetection, toDeliveries } from '../../bench/detect-run';

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

describe('toDeliveries', () => {
  it('splits by source, size and time span, and orders deliveries by their first event', () => {
    const events = [
      ev({ eventId: 'a', timeMs: at(0, 0, 0) }),
      ev({ eventId: 'b', timeMs: at(0, 0, 1), source: 'api-gateway' }),
      ev({ eventId: 'c', timeMs: at(0, 0, 2) }),
      ev({ eventId: 'd', timeMs: at(0, 0, 3) }),
      ev({ eventId: 'e', timeMs: at(0, 0, 20) }),
    ];
    const out = toDeliveries(events, 2, 10 * 60_000).map((b) => b.map((e) => e.eventId));
    expect(out).toEqual([['a', 'c'], ['b'], ['d'], ['e']]);
  });
});

describe('runDetection', () => {
  it('records each rule match with its finding id and every event with its learning status', async () => {
    const events = [
      ev({ eventId: 'ok', timeMs: at(0, 1) }),
      ev({ eventId: 'bad1', timeMs: at(0, 2), outcome: { authn: 'failure' } }),
      ev({ eventId: 'bad2', timeMs: at(0, 3), outcome: { authn: 'failure' } }),
    ];
    const run = await runDetection(
      toDeliveries(events),
      [onFailure],
      new ContractSet([]),
      DEFAULT_ENGINE_CONFIG,
    );
    expect(run.hits.map((h) => h.event)).toEqual(['cloudtrail:bad1', 'cloudtrail:bad2']);
    expect(new Set(run.hits.map((h) => h.findingId)).size).toBe(1);
    expect(run.findings).toBe(1);
    expect(run.facts).toEqual([
      { event: 'cloudtrail:ok', isAfterLearning: false },
      { event: 'cloudtrail:bad1', isAfterLearning: false },
      { event: 'cloudtrail:bad2', isAfterLearning: false },
    ]);
  });
});
