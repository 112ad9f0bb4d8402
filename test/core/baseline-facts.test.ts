import fc from 'fast-check';
import { DEFAULT_LIMITS, emptyBaseline, foldIdentity } from '../../lambdas/core/baseline';
import { emptyRecord, recordOf } from '../../lambdas/core/safe-record';
import {
  callsThisHour,
  callsThisMinute,
  describeTop,
  formatCount,
  formatDuration,
  formatTime,
  quoteUntrusted,
} from '../../lambdas/core/baseline-facts';
import { at, ev } from '../../lambdas/core/rules/test-events';

const folded = (times: number[]) => {
  const b = emptyBaseline(ev({ timeMs: times[0]! }));
  for (const t of times) foldIdentity(b, ev({ timeMs: t }), DEFAULT_LIMITS);
  return b;
};

describe('per-minute and per-hour counts', () => {
  it('counts the calls of the current minute, the event included, and restarts at the next minute', () => {
    const b = folded([at(0, 9, 0), at(0, 9, 0) + 20_000, at(0, 9, 0) + 59_000]);
    expect(b.rate.minuteCount).toBe(3);
    expect(callsThisMinute(b, at(0, 9, 0) + 59_500)).toBe(4);
    expect(callsThisMinute(b, at(0, 9, 1))).toBe(1);
    expect(callsThisHour(b, at(0, 9, 30))).toBe(4);
    expect(callsThisHour(b, at(0, 10, 0))).toBe(1);
  });

  it('does not count an event older than the current minute / hour (a late delivery)', () => {
    const b = folded([at(0, 9, 5), at(0, 9, 6)]);
    foldIdentity(b, ev({ timeMs: at(0, 9, 5) + 1000 }), DEFAULT_LIMITS);
    expect(b.rate.minuteCount).toBe(1);
    expect(callsThisMinute(b, at(0, 9, 4))).toBeUndefined();
    expect(callsThisHour(b, at(0, 8, 59))).toBeUndefined();
  });

  it('treats a record written before the minute counter existed as an empty minute', () => {
    const b = folded([at(0, 9, 5)]);
    delete b.rate.minuteStartMs;
    delete b.rate.minuteCount;
    expect(callsThisMinute(b, at(0, 9, 5))).toBe(1);
    foldIdentity(b, ev({ timeMs: at(0, 9, 5) + 10 }), DEFAULT_LIMITS);
    expect(b.rate.minuteCount).toBe(1);
  });
});

describe('evidence formatting', () => {
  it('formats counts, times and durations without locale data', () => {
    expect(formatCount(41022)).toBe('41,022');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatTime(at(9, 14, 5) + 42_123)).toBe('2026-03-11T14:05Z');
    expect(formatTime(0)).toBe('1970-01-01T00:00Z');
    expect(formatTime(-8.64e15)).toBe('-271821-04-20T00:00Z');
    expect(formatDuration(143 * 86_400_000 + 5)).toBe('143 days');
    expect(formatDuration(25 * 3_600_000)).toBe('25 hours');
    expect(formatDuration(60_000)).toBe('1 minute');
  });

  it('lists the most used values first and says how many more there are', () => {
    const dim = recordOf([
      ['16509', { n: 41022, f: 0, l: 5 }],
      ['14618', { n: 1200, f: 0, l: 9 }],
      ['8075', { n: 3, f: 0, l: 1 }],
    ]);
    expect(describeTop(dim, 2, (v) => `AS${v}`)).toBe('AS16509 41,022 calls, AS14618 1,200 calls and 1 more');
    expect(describeTop(emptyRecord(), 2)).toBe('none');
  });

  it('neutralises control characters and bounds attacker-controlled text', () => {
    expect(quoteUntrusted('curl/8.0\r\nX-Injected: 1')).toBe('"curl/8.0  X-Injected: 1"');
    expect(quoteUntrusted('a'.repeat(300), 10)).toBe(`"${'a'.repeat(10)}…"`);
  });
});

describe('formatTime', () => {
  it.each([-1e19, 1e19, 8.64e15 + 60_000, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN])(
    'shows %p without throwing',
    (ms) => {
      expect(formatTime(ms)).toBe(`(no such time: ${String(ms)} ms)`);
    },
  );

  it('is total on every number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.double({ min: -9e15, max: 9e15 })), (ms) => {
        const text = formatTime(ms);
        return typeof text === 'string' && text.length > 0;
      }),
      { numRuns: 2000 },
    );
  });
});
