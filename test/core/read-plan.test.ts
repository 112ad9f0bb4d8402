/**
 * The pipeline's read plan (core/pipeline.ts readState, engine.ts firstReadKeys / sourceKeysNeeded):
 * a batch reads a source-address record only where it can change an outcome, and reads eventually
 * consistent only what a conditional write or the outcome does not depend on. Detection must not
 * notice: every rule case replays to the same findings as with every record read.
 */
import { emptyBaseline, foldIdentity, DEFAULT_LIMITS, sourceKey } from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import {
  DEFAULT_ENGINE_CONFIG,
  evaluate,
  firstReadKeys,
  sourceKeysNeeded,
  stateKeys,
  type EngineConfig,
} from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import { readState } from '../../lambdas/core/pipeline';
import type { BaselineStore, LoadOptions, LoadedRecord, StateChange } from '../../lambdas/core/ports';
import { populationKeys } from '../../lambdas/core/priors';
import { RULE_CASES } from '../../lambdas/core/rules/cases';
import { RULES } from '../../lambdas/core/rules/index';
import type { RuleCase } from '../../lambdas/core/rules/rule-case';
import { T0, ev } from '../../lambdas/core/rules/test-events';
import { SAMPLED_WRITES } from '../../lambdas/core/write-policy';

/** A store in a map that remembers what it was asked to read, and how. */
class Carrier implements BaselineStore {
  readonly records = new Map<string, LoadedRecord>();
  readonly reads: { keys: readonly string[]; isEventual: boolean }[] = [];

  load(keys: readonly string[], options?: LoadOptions): Promise<Map<string, LoadedRecord>> {
    this.reads.push({ keys, isEventual: options?.isEventual === true });
    const out = new Map<string, LoadedRecord>();
    for (const k of keys) {
      const r = this.records.get(k);
      if (r) out.set(k, r);
    }
    return Promise.resolve(out);
  }

  commit(_batchId: string, changes: readonly StateChange[]) {
    for (const c of changes) {
      const current = this.records.get(c.key);
      if (current?.version !== c.expectedVersion) throw new Error(`version conflict on ${c.key}`);
      this.records.set(c.key, { record: structuredClone(c.record), version: (current?.version ?? 0) + 1 });
    }
    return Promise.resolve({ committed: changes.map((c) => c.key), conflicts: [] });
  }
}

const KEY = ev({}).identity.key;
const HOUR = 3_600_000;

/** A store holding the default identity after `n` calls from its usual AWS network. */
function known(n = 50): Carrier {
  const store = new Carrier();
  const b = emptyBaseline(ev({ timeMs: T0 }));
  for (let i = 0; i < n; i++)
    foldIdentity(b, ev({ timeMs: T0 + i * HOUR, eventId: `k${i}` }), DEFAULT_LIMITS);
  store.records.set(KEY, { record: b, version: 1 });
  return store;
}
const at = (hours: number) => T0 + hours * HOUR;
const AWS_IP = ev({}).origin.ip!;

describe('which source-address records a batch reads', () => {
  it('reads none for a known identity calling from a network it knows', async () => {
    const store = known();
    const events = [ev({ timeMs: at(60) }), ev({ timeMs: at(61) })];
    expect(sourceKeysNeeded(events, await store.load([KEY]))).toEqual([]);
  });

  it('reads the address of a failure, of a public address outside AWS, of a new network, of a new identity', async () => {
    const state = await known().load([KEY]);
    const failure = ev({ timeMs: at(60), outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' } });
    expect(sourceKeysNeeded([failure], state)).toEqual([sourceKey(AWS_IP)]);
    const outside = ev({
      timeMs: at(60),
      origin: { ip: '198.51.100.7', network: '198.51.100.0/24', isAws: false, asn: 64500, country: 'NL' },
    });
    // The public address is read; and, the identity calling from a new network, so is its usual one.
    expect(sourceKeysNeeded([ev({ timeMs: at(59) }), outside], state).sort()).toEqual(
      [sourceKey(AWS_IP), sourceKey('198.51.100.7')].sort(),
    );
    const newAwsNetwork = ev({ timeMs: at(60), origin: { ip: '3.81.1.2', network: '3.81.1.0/24' } });
    expect(sourceKeysNeeded([newAwsNetwork], state)).toEqual([sourceKey('3.81.1.2')]);
    expect(sourceKeysNeeded([ev({ timeMs: at(60) })], new Map())).toEqual([sourceKey(AWS_IP)]);
  });

  it('reads the addresses of an identity with failures in its window or in the batch', async () => {
    const store = known();
    const failing = structuredClone(store.records.get(KEY)!);
    foldIdentity(
      failing.record as never,
      ev({ timeMs: at(55), outcome: { authn: 'failure', errorCode: 'AccessDenied' } }),
      DEFAULT_LIMITS,
    );
    expect(sourceKeysNeeded([ev({ timeMs: at(60) })], new Map([[KEY, failing]]))).toEqual([
      sourceKey(AWS_IP),
    ]);
    const elsewhere = ev({
      timeMs: at(60),
      origin: { ip: '3.80.10.99' },
      outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' },
    });
    expect(sourceKeysNeeded([ev({ timeMs: at(60) }), elsewhere], await store.load([KEY])).sort()).toEqual(
      [sourceKey(AWS_IP), sourceKey('3.80.10.99')].sort(),
    );
  });
});

describe('how a batch reads', () => {
  it('reads populations and busy identities strongly, the rest eventually consistent, and retries strongly', async () => {
    const store = known();
    const busy = Array.from({ length: SAMPLED_WRITES.exactFromEvents }, (_, i) =>
      ev({ timeMs: at(60) + i, identity: { key: 'aws:123456789012:role/busy' } }),
    );
    const events = [ev({ timeMs: at(60) }), ...busy];
    const config: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, writePolicy: SAMPLED_WRITES };
    const pk = populationKeys(events[0]!)!;
    const plan = firstReadKeys(events, config);
    expect(plan.strong.sort()).toEqual([pk.account, pk.kind, 'aws:123456789012:role/busy'].sort());
    expect(plan.eventual).toContain(KEY);
    expect([...plan.strong, ...plan.eventual].some((k) => k.startsWith('src#'))).toBe(false);

    await readState(events, store, config, false);
    expect(store.reads.map((r) => r.isEventual)).toEqual([false, true, true]);
    store.reads.length = 0;
    await readState(events, store, config, true);
    expect(store.reads.every((r) => !r.isEventual)).toBe(true);
  });
});

/** Replay a case's events with every rule, state carried between batches, reading state with `read`. */
async function replay(
  c: RuleCase,
  ruleId: string,
  size: number,
  read: (
    events: readonly IdentityEvent[],
    store: Carrier,
    config: EngineConfig,
  ) => Promise<Map<string, LoadedRecord>>,
): Promise<Finding[]> {
  const config: EngineConfig = {
    ...DEFAULT_ENGINE_CONFIG,
    learning: c.learning ?? DEFAULT_ENGINE_CONFIG.learning,
    thresholds: c.thresholds ? { [ruleId]: c.thresholds } : {},
  };
  const store = new Carrier();
  const findings: Finding[] = [];
  for (let i = 0; i < c.events.length; i += size) {
    const events = c.events.slice(i, i + size);
    const out = evaluate({
      batchId: `${ruleId}/${c.name}/${i}`,
      events,
      state: await read(events, store, config),
      rules: RULES,
      contracts: new ContractSet(c.contracts ?? []),
      config,
    });
    await store.commit('', out.changes);
    findings.push(...out.findings);
  }
  return findings;
}

describe('detection under the read plan', () => {
  it('finds a spray from an AWS address: another identity succeeds from it, on a network new to it', async () => {
    // Failures from an EC2 address against five roles, then a known role succeeds from it: the
    // address is no campaign address (inside AWS), the role's usual network is another one.
    const attacker = { ip: '3.90.1.10', network: '3.90.1.0/24' };
    const failures = Array.from({ length: 5 }, (_, i) =>
      ev({
        timeMs: at(60) + i * 1000,
        identity: { key: `aws:123456789012:role/other-${i}` },
        origin: attacker,
        outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' },
      }),
    );
    const success = ev({ timeMs: at(60) + 10_000, origin: attacker });
    const store = known();
    const run = async (read: typeof readState | 'all') => {
      const s = new Carrier();
      for (const [k, v] of store.records) s.records.set(k, structuredClone(v));
      const findings: Finding[] = [];
      for (const [i, events] of [failures, [success]].entries()) {
        const out = evaluate({
          batchId: `spray-${i}`,
          events,
          state:
            read === 'all'
              ? await s.load(stateKeys(events))
              : await read(events, s, DEFAULT_ENGINE_CONFIG, false),
          rules: RULES,
          contracts: new ContractSet([]),
          config: DEFAULT_ENGINE_CONFIG,
        });
        await s.commit('', out.changes);
        findings.push(...out.findings);
      }
      return findings;
    };
    const planned = await run(readState);
    expect(planned.filter((f) => f.ruleId === 'success-after-failures').map((f) => f.identityKey)).toEqual([
      KEY,
    ]);
    expect(planned).toEqual(await run('all'));
  });

  const cases = [...RULE_CASES].flatMap(([ruleId, cs]) => cs.map((c) => [ruleId, c.name, c] as const));
  it.each(cases)('%s: "%s" gives the same findings as with every record read', async (ruleId, _name, c) => {
    for (const size of [1, 7, Math.max(1, c.events.length)]) {
      const all = await replay(c, ruleId, size, (events, store) => store.load(stateKeys(events)));
      const planned = await replay(c, ruleId, size, (events, store, config) =>
        readState(events, store, config, false),
      );
      expect({ size, findings: planned }).toEqual({ size, findings: all });
    }
  });
});
