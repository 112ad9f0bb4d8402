import type { RateProfile } from '../../../lambdas/core/baseline';
import { hourThreshold, rateAnomaly } from '../../../lambdas/core/rules/rate-anomaly';
import { findCase, replay } from './replay-case';

const profile = (slots: Record<number, { m: number; v: number; s: number }>, peak: number): RateProfile => ({
  bucketStartMs: 0,
  bucketCount: 0,
  peak,
  slots: Array.from({ length: 24 }, (_, h) => slots[h] ?? { m: 0, v: 0, s: 9 }),
});
const t = rateAnomaly.defaults;

describe('hourThreshold', () => {
  it('uses the larger of mean + 6σ and 3 × mean, never below minCalls', () => {
    expect(hourThreshold(profile({ 14: { m: 40, v: 25, s: 9 } }, 5000), 14, t).limit).toBe(120);
    expect(hourThreshold(profile({ 14: { m: 40, v: 400, s: 9 } }, 5000), 14, t).limit).toBe(160);
    expect(hourThreshold(profile({ 14: { m: 4, v: 1, s: 9 } }, 5000), 14, t).limit).toBe(100);
  });

  it('lets a neighbouring hour’s busier profile raise the threshold (a job drifting by an hour), wrapping midnight', () => {
    expect(hourThreshold(profile({ 2: { m: 5000, v: 0, s: 9 } }, 5000), 3, t).limit).toBe(15000);
    expect(hourThreshold(profile({ 23: { m: 1000, v: 0, s: 9 } }, 1000), 0, t).limit).toBe(3000);
    expect(hourThreshold(profile({ 2: { m: 5000, v: 0, s: 9 } }, 5000), 4, t).limit).toBe(100);
  });

  it('ignores under-sampled neighbours and falls back to 3 × the busiest hour when its own slot is under-sampled', () => {
    expect(hourThreshold(profile({ 2: { m: 5000, v: 0, s: 2 } }, 5000), 3, t).limit).toBe(100);
    const own = hourThreshold(profile({ 14: { m: 40, v: 0, s: 2 } }, 70), 14, t);
    expect(own.limit).toBe(210);
    expect(own.basis).toContain('too few samples');
  });
});

describe('rate-anomaly findings', () => {
  it('are one per hour bucket, counting the calls above the threshold', () => {
    const [f, ...rest] = replay(rateAnomaly, findCase(rateAnomaly, 'worker doing ~4 calls an hour'));
    expect(rest).toHaveLength(0);
    expect(f?.discriminator).toBe('hour:2026-03-11T14:00Z');
    expect(f?.count).toBe(300);
    expect(f?.evidence[0]).toMatch(/^101 calls so far in the hour from 2026-03-11T14:00Z .* threshold 100/);
  });
});
