import { cloneRecord } from '../../lambdas/core/baseline';
import { getOwn } from '../../lambdas/core/safe-record';
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

  it('folds a record loaded as exclusive in place, with the same result as on a copy of a shared one', () => {
    const first = run([fail(1), ev({ timeMs: at(0, 1, 5) })]);
    const text = JSON.stringify(first.changes.map((c) => [c.key, c.record]));
    const loaded = (isExclusive: boolean) =>
      new Map<string, LoadedRecord>(
        (JSON.parse(text) as [string, LoadedRecord['record']][]).map(([k, r]) => [
          k,
          { record: cloneRecord(r), version: 1, isExclusive },
        ]),
      );
    const shared = loaded(false);
    const sharedBefore = JSON.stringify([...shared]);
    const exclusive = loaded(true);
    const events = [fail(7), ev({ timeMs: at(0, 2) })];

    const onCopy = run(events, shared, 'b2');
    const inPlace = run(events, exclusive, 'b2');

    expect(JSON.stringify([...shared])).toBe(sharedBefore);
    expect(inPlace.findings).toEqual(onCopy.findings);
    expect(inPlace.changes).toEqual(onCopy.changes);
    const key = inPlace.changes[0]!.key;
    expect(inPlace.changes[0]!.record).toBe(exclusive.get(key)!.record);
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
    expect(stateKeys([svc]).filter((k) => !k.startsWith('pop#'))).toEqual([
      'aws:123456789012:role/orders-worker',
      'lnk#ASIAEXAMPLEWORKER001',
    ]);
    const out = run([ev({ timeMs: at(0, 1) })]);
    expect(out.changes.map((c) => c.key).filter((k) => !k.startsWith('pop#'))).toEqual([
      'aws:123456789012:role/orders-worker',
    ]);
    expect(run([fail(1)]).changes.map((c) => c.key)).toContain('src#3.80.10.20');
  });
});

describe('engine.evaluate: population priors', () => {
  const ACCT = 'pop#acct#123456789012';
  const LAMBDA = 'pop#kind#123456789012#lambda';
  const worker = (name: string, m: number, action = 'dynamodb.amazonaws.com:GetItem') =>
    ev({
      timeMs: at(0, 1, m),
      identity: { key: `aws:123456789012:role/${name}`, name },
      action: { name: action },
    });
  /** A rule recording the priors it was handed, to check what rules see. */
  const seen: { account: number | undefined; actionIdentities: number | undefined }[] = [];
  const recorder: DetectionRule = {
    ...everyFailure,
    id: 'recorder',
    detect: (e, ctx) => {
      seen.push({
        account: ctx.priors?.account?.eventCount,
        actionIdentities: ctx.priors?.kind ? getOwn(ctx.priors.kind.actions, e.action.name)?.i : undefined,
      });
      return undefined;
    },
  };
  const evalWith = (events: ReturnType<typeof ev>[], state: Map<string, LoadedRecord>, batchId: string) =>
    evaluate({
      batchId,
      events,
      state,
      rules: [recorder],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
  const store = (changes: { key: string; record: unknown }[], prior = new Map<string, LoadedRecord>()) => {
    const next = new Map(prior);
    for (const c of changes)
      next.set(c.key, {
        record: c.record as LoadedRecord['record'],
        version: (prior.get(c.key)?.version ?? 0) + 1,
      });
    return next;
  };

  beforeEach(() => seen.splice(0));

  it('writes each population record once per batch and counts identities per action', () => {
    const out = evalWith(
      [worker('a', 1), worker('b', 2), worker('a', 3), worker('c', 4, 's3.amazonaws.com:GetObject')],
      new Map(),
      'b1',
    );
    expect(out.changes.filter((c) => c.key === ACCT)).toHaveLength(1);
    expect(out.changes.filter((c) => c.key === LAMBDA)).toHaveLength(1);
    const acct = out.changes.find((c) => c.key === ACCT)!.record;
    expect(acct).toMatchObject({
      type: 'population',
      eventCount: 4,
      identities: 3,
      actions: {
        'dynamodb.amazonaws.com:GetItem': { n: 3, i: 2 },
        's3.amazonaws.com:GetObject': { n: 1, i: 1 },
      },
    });
  });

  it('hands rules the populations as they were before the event, from a new identity’s first event', () => {
    evalWith([worker('a', 1), worker('b', 2)], new Map(), 'b1');
    expect(seen).toEqual([
      { account: 0, actionIdentities: undefined },
      { account: 1, actionIdentities: 1 },
    ]);
  });

  it('folds a redelivered batch into no population twice, and a retry folds what a population missed', () => {
    const batch = [worker('a', 1), worker('b', 2)];
    const first = evalWith(batch, new Map(), 'b1');
    const state = store(first.changes);
    const again = evalWith(batch, state, 'b1');
    expect(again.changes).toHaveLength(0);
    // The account record's commit conflicted: the identities committed, the retry reads them back
    // holding the batch and folds the events into the fresh account record only, exactly once.
    const withoutAcct = new Map([...state].filter(([k]) => k !== ACCT));
    const retry = evalWith(batch, withoutAcct, 'b1');
    expect(retry.findings).toHaveLength(0);
    expect(retry.changes.map((c) => c.key)).toEqual([ACCT]);
    expect(retry.changes[0]!.record).toMatchObject({ eventCount: 2 });
  });

  it('keeps no population for AWS services', () => {
    const svc = ev({
      identity: { key: 'aws:service:lambda.amazonaws.com', kind: 'aws-service', accountId: undefined },
    });
    expect(stateKeys([svc]).some((k) => k.startsWith('pop#'))).toBe(false);
  });
});
