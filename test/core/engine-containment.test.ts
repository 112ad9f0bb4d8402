import type { IdentityBaseline } from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { LoadedRecord } from '../../lambdas/core/ports';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import { at, ev } from '../../lambdas/core/rules/test-events';

/** Fires on every event; throws on the identity named `poison`, as a rule bug on odd input would. */
const fragile: DetectionRule = {
  id: 'fragile',
  title: 'Fragile',
  severity: 'LOW',
  asffTypes: ['TTPs/Credential Access'],
  references: ['MITRE:T1110'],
  falsePositives: [],
  runbook: 'none',
  defaults: {},
  needsLearning: false,
  detect: (e) => {
    if (e.identity.name === 'poison') throw new TypeError(`cannot read ${e.identity.key}`);
    return { discriminator: 'x', summary: 's', evidence: ['e'] };
  },
};

const identity = (name: string) => ({
  key: `aws:123456789012:role/${name}`,
  name,
  principal: `arn:aws:iam::123456789012:role/${name}`,
});
const names = ['poison', ...Array.from({ length: 9 }, (_, i) => `worker-${i}`)];
// Interleaved in time: the poisoned identity's events come first, between and last.
const batch = [0, 1, 2].flatMap((m) => names.map((n) => ev({ timeMs: at(0, 1, m), identity: identity(n) })));

const run = (state = new Map<string, LoadedRecord>(), batchId = 'b1') =>
  evaluate({
    batchId,
    events: batch,
    state,
    rules: [fragile],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  });

describe('engine: one identity throwing', () => {
  it('is contained: the other identities are folded and alerted, the failed one counted with its reason', () => {
    const out = run();
    const keys = out.changes.filter((c) => c.record.type === 'identity').map((c) => c.key);
    expect(keys.sort()).toEqual(
      names
        .slice(1)
        .map((n) => identity(n).key)
        .sort(),
    );
    expect(out.findings.map((f) => f.identityKey).sort()).toEqual(keys.sort());
    expect(out.stats.identityErrors).toBe(1);
    expect(out.identityErrors).toEqual([
      {
        key: identity('poison').key,
        stage: 'rule:fragile',
        reason: 'rule:fragile threw TypeError',
        message: `cannot read ${identity('poison').key}`,
        events: 3,
      },
    ]);
  });

  it('drops what the failed identity folded before it threw', () => {
    // Throws only on the poisoned identity's second event: its first was already folded.
    let seen = 0;
    const late: DetectionRule = {
      ...fragile,
      detect: (e) => {
        if (e.identity.name === 'poison' && ++seen === 2) throw new RangeError('late');
        return undefined;
      },
    };
    const out = evaluate({
      batchId: 'b1',
      events: batch,
      state: new Map(),
      rules: [late],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
    expect(out.changes.map((c) => c.key)).not.toContain(identity('poison').key);
    expect(out.identityErrors.map((e) => [e.reason, e.events])).toEqual([
      ['rule:fragile threw RangeError', 2],
    ]);
  });

  it('contains a stored record that cannot be folded (fold stage), and the rest commits', () => {
    const first = run(new Map(), 'b0');
    const state = new Map<string, LoadedRecord>(
      first.changes.map((c) => [c.key, { record: c.record, version: 1 }]),
    );
    const broken = structuredClone(state.get(identity('worker-3').key)!.record) as IdentityBaseline;
    (broken as unknown as { rate: null }).rate = null;
    state.set(identity('worker-3').key, { record: broken, version: 1 });
    const out = evaluate({
      batchId: 'b1',
      events: batch.filter((e) => e.identity.name !== 'poison'),
      state,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
    expect(out.identityErrors.map((e) => [e.key, e.stage])).toEqual([[identity('worker-3').key, 'fold']]);
    expect(out.changes.filter((c) => c.record.type === 'identity')).toHaveLength(8);
  });
});
