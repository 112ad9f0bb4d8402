/**
 * The window of plausible event times. A time outside it cannot be true (nothing was logged by an
 * AWS service before 2006; nothing is logged after it was delivered, beyond clock skew), and one
 * impossible time stored as "first seen" or "last seen" corrupts every later window, rate and
 * dormancy computed from the baseline, so decoders reject such lines with a reason instead.
 * Core is clock-free: the entry layer (a handler's clock at delivery, the CLI's wall clock)
 * supplies the upper bound.
 */

/** 2006-01-01T00:00:00Z: the first AWS service (S3, March 2006) postdates it. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2006, 0, 1);

/** Default allowance for clock skew and ingestion delay after the delivery's own time: one day. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/** The largest epoch ms a Date can represent (ECMA-262 time value range). */
export const MAX_TIME_MS = 8.64e15;

/** Inclusive bounds on event times a decoder accepts, epoch ms. */
export interface TimeWindow {
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

/**
 * The lower bound alone, for callers without a clock (unit tests, benchmarks over fixed data).
 * Entry layers pass {@link plausibleWindow} instead.
 */
export const NO_CLOCK_WINDOW: TimeWindow = { notBeforeMs: EARLIEST_PLAUSIBLE_MS, notAfterMs: MAX_TIME_MS };

/**
 * The window for a delivery received at `receivedAtMs` (the entry layer's clock): from 2006 to
 * `maxClockSkewMs` after receipt. A non-finite or negative skew is a programmer error.
 */
export function plausibleWindow(
  receivedAtMs: number,
  maxClockSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS,
): TimeWindow {
  if (!Number.isFinite(receivedAtMs) || !(maxClockSkewMs >= 0) || !Number.isFinite(maxClockSkewMs))
    throw new RangeError(`invalid time window: received at ${receivedAtMs}, skew ${maxClockSkewMs} ms`);
  return {
    notBeforeMs: EARLIEST_PLAUSIBLE_MS,
    notAfterMs: Math.min(MAX_TIME_MS, Math.max(EARLIEST_PLAUSIBLE_MS, receivedAtMs + maxClockSkewMs)),
  };
}

/** Whether `timeMs` is a finite time inside the window. */
export function isWithin(window: TimeWindow, timeMs: number): boolean {
  return timeMs >= window.notBeforeMs && timeMs <= window.notAfterMs;
}
