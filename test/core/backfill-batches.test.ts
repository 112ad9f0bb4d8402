/**
 * What the engine does with backfill chunks (batch ids `backfill:…`) beside live deliveries: the
 * two kinds of batch ids are remembered apart, and history stops where the live stream began.
 */
import {
  BACKFILL_BATCH_PREFIX,
  DEFAULT_LIMITS,
  emptyBaseline,
  rememberBatch,
  type IdentityBaseline,
} from '../../lambdas/core/baseline';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../../lambdas/core/engine';
import type { LoadedRecord } from '../../lambdas/core/ports';
import { at, ev } from '../../lambdas/core/rules/test-events';

const backfill = (n: number): string => `${BACKFILL_BATCH_PREFIX}${n}`;

describe('rememberBatch', () => {
  it('keeps the last live ids however many backfill chunks follow, and the last backfill ids however many live ones follow', () => {
    const record = emptyBaseline(ev({ timeMs: at(0) }));
    for (let i = 0; i < 5; i++) rememberBatch(record, `live-${i}`, DEFAULT_LIMITS);
    for (let i = 0; i < 100; i++) rememberBatch(record, backfill(i), DEFAULT_LIMITS);
    const max = DEFAULT_LIMITS.maxBatchIds;
    expect(record.batches.filter((b) => b.startsWith('live-'))).toEqual([
      'live-0',
      'live-1',
      'live-2',
      'live-3',
      'live-4',
    ]);
    expect(record.batches.filter((b) => b.startsWith(BACKFILL_BATCH_PREFIX))).toEqual(
      Array.from({ length: max }, (_, i) => backfill(100 - max + i)),
    );
    for (let i = 5; i < 100; i++) rememberBatch(record, `live-${i}`, DEFAULT_LIMITS);
    expect(record.batches.filter((b) => b.startsWith('live-'))).toHaveLength(max);
    expect(record.batches).toContain('live-99');
    expect(record.batches.filter((b) => b.startsWith(BACKFILL_BATCH_PREFIX))).toHaveLength(max);
  });
});

describe('backfill meets the live stream', () => {
  const evaluateBatch = (batchId: string, times: number[], state: Map<string, LoadedRecord>) =>
    evaluate({
      batchId,
      events: times.map((t, i) => ev({ timeMs: t, eventId: `${batchId}-${i}` })),
      state,
      rules: [],
      contracts: new ContractSet([]),
      config: DEFAULT_ENGINE_CONFIG,
    });
  const commit = (out: ReturnType<typeof evaluateBatch>, state: Map<string, LoadedRecord>): void => {
    for (const c of out.changes)
      state.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
  };
  const identity = (state: Map<string, LoadedRecord>): IdentityBaseline =>
    [...state.values()].map((l) => l.record).find((r) => r.type === 'identity') as IdentityBaseline;

  it('a backfill chunk folds only the events before the first one a live delivery folded', () => {
    const state = new Map<string, LoadedRecord>();
    commit(evaluateBatch('live-1', [at(5, 1), at(5, 2)], state), state);
    expect(identity(state).liveFromMs).toBe(at(5, 1));
    const out = evaluateBatch(backfill(1), [at(4, 1), at(4, 2), at(5, 1), at(5, 2), at(5, 3)], state);
    commit(out, state);
    expect(out.stats.redelivered).toBe(3);
    expect(identity(state).eventCount).toBe(4);
  });

  it('a live delivery of events older than the first live one moves the boundary back; backfill ids never set it', () => {
    const state = new Map<string, LoadedRecord>();
    commit(evaluateBatch(backfill(1), [at(1), at(2)], state), state);
    expect(identity(state).liveFromMs).toBeUndefined();
    commit(evaluateBatch('live-1', [at(6)], state), state);
    commit(evaluateBatch('live-2', [at(5)], state), state);
    expect(identity(state).liveFromMs).toBe(at(5));
  });
});
