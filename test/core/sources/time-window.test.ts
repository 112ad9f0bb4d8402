import {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  EARLIEST_PLAUSIBLE_MS,
  MAX_TIME_MS,
  NO_CLOCK_WINDOW,
  isWithin,
  plausibleWindow,
} from '../../../lambdas/core/sources/time-window.js';

describe('plausibleWindow', () => {
  it('runs from 2006 to the skew allowance after the delivery', () => {
    const received = Date.UTC(2026, 2, 2, 12);
    expect(plausibleWindow(received)).toEqual({
      notBeforeMs: Date.UTC(2006, 0, 1),
      notAfterMs: received + DEFAULT_MAX_CLOCK_SKEW_MS,
    });
    expect(plausibleWindow(received, 0).notAfterMs).toBe(received);
  });

  it('stays inside what a Date can hold', () => {
    expect(plausibleWindow(MAX_TIME_MS).notAfterMs).toBe(MAX_TIME_MS);
    expect(plausibleWindow(0).notAfterMs).toBe(EARLIEST_PLAUSIBLE_MS);
  });

  it.each([
    [Number.NaN, 0],
    [Infinity, 0],
    [Date.UTC(2026, 0, 1), -1],
    [Date.UTC(2026, 0, 1), Number.NaN],
  ])('refuses a delivery time %p with skew %p (a programmer error)', (received, skew) => {
    expect(() => plausibleWindow(received, skew)).toThrow(RangeError);
  });
});

describe('isWithin', () => {
  const window = plausibleWindow(Date.UTC(2026, 2, 2), 0);
  it.each([
    [EARLIEST_PLAUSIBLE_MS, true],
    [Date.UTC(2026, 2, 2), true],
    [EARLIEST_PLAUSIBLE_MS - 1, false],
    [Date.UTC(2026, 2, 2) + 1, false],
    [Number.NaN, false],
    [Infinity, false],
    [-Infinity, false],
  ])('%p → %p', (t, inside) => {
    expect(isWithin(window, t)).toBe(inside);
  });

  it('without a clock, bounds only below', () => {
    expect(isWithin(NO_CLOCK_WINDOW, Date.UTC(2999, 0, 1))).toBe(true);
    expect(isWithin(NO_CLOCK_WINDOW, Date.UTC(2005, 11, 31))).toBe(false);
  });
});
