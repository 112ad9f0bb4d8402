/**
 * Small pure helpers the rules share to read a baseline and state its facts in a finding's evidence
 * ("seen before: AS16509 (Amazon) 41,022 calls, …"). Deterministic formatting: no locale, no clock.
 */
import { entriesOf, hasOwn, sizeOf, valuesOf } from './safe-record.js';
import { hourStart, type Dimension, type IdentityBaseline, type ValueStat } from './baseline.js';
import { AWS_ASNS } from './sources/ip-intel.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Whether an ASN (number or its decimal text) is one of Amazon's: a workload moving between them is not a new source. */
export const isAwsAsn = (asn: number | string): boolean =>
  AWS_ASNS.has(typeof asn === 'number' ? asn : Number(asn));

/** Whether a dimension holds a value (own keys only: a value named `constructor` is not "seen"). */
export const hasValue = (dim: Dimension, value: string): boolean => hasOwn(dim, value);

/** Number of distinct values of a dimension. */
export const distinctValues = (dim: Dimension): number => sizeOf(dim);

/** Total calls across a dimension's values. */
export function totalCalls(dim: Dimension): number {
  let n = 0;
  for (const stat of valuesOf(dim)) n += stat.n;
  return n;
}

/** Values of a dimension, most used first (ties: most recent first, then by name for determinism). */
export function topValues(dim: Dimension, limit: number): { value: string; stat: ValueStat }[] {
  return entriesOf(dim)
    .map(([value, stat]) => ({ value, stat }))
    .sort(
      (a, b) =>
        b.stat.n - a.stat.n || b.stat.l - a.stat.l || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
    )
    .slice(0, limit);
}

/** `41,022`: thousands separators without depending on the runtime's locale data. */
export function formatCount(n: number): string {
  const s = String(Math.round(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 call` / `41,022 calls`. */
export const calls = (n: number): string => `${formatCount(n)} ${n === 1 ? 'call' : 'calls'}`;

/** Largest magnitude of a Date time value (ECMA-262), epoch ms. */
const MAX_DATE_MS = 8.64e15;

/**
 * `2026-03-10T14:05Z`: minute precision, UTC. Total: a number no Date can hold (decoders never
 * store one, but a record written before they bounded times might) is shown as such, never thrown.
 */
export function formatTime(ms: number): string {
  const minute = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  if (!(Math.abs(minute) <= MAX_DATE_MS)) return `(no such time: ${String(ms)} ms)`;
  return new Date(minute).toISOString().replace(':00.000Z', 'Z');
}

/** `143 days`, `5 hours`, `12 minutes`: the largest whole unit. */
export function formatDuration(ms: number): string {
  const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms >= 2 * DAY_MS) return unit(Math.floor(ms / DAY_MS), 'day');
  if (ms >= 2 * HOUR_MS) return unit(Math.floor(ms / HOUR_MS), 'hour');
  return unit(Math.max(0, Math.floor(ms / MINUTE_MS)), 'minute');
}

/** `AS16509 (Amazon) 41,022 calls, AS14618 (Amazon) 1,200 calls and 3 more`: a dimension's top values for evidence. */
export function describeTop(
  dim: Dimension,
  limit: number,
  label: (value: string) => string = (v) => v,
): string {
  const top = topValues(dim, limit);
  if (top.length === 0) return 'none';
  const rest = distinctValues(dim) - top.length;
  const text = top.map(({ value, stat }) => `${label(value)} ${calls(stat.n)}`).join(', ');
  return rest > 0 ? `${text} and ${rest} more` : text;
}

/** `AS16509 (Amazon)` for AWS ASNs, `AS64500` otherwise (the baseline keeps numbers, not organisations). */
export const asnLabel = (asn: string): string => (isAwsAsn(asn) ? `AS${asn} (Amazon)` : `AS${asn}`);

/** One line on an identity's history: how many calls over what period. */
export function historyLine(b: IdentityBaseline): string {
  return `history: ${calls(b.eventCount)} from ${formatTime(b.firstSeenMs)} to ${formatTime(b.lastSeenMs)}`;
}

/** Calls in the hour bucket of `timeMs` including the event itself, or undefined for an event older than the current bucket. */
export function callsThisHour(b: IdentityBaseline, timeMs: number): number | undefined {
  const h = hourStart(timeMs);
  if (h === b.rate.bucketStartMs) return b.rate.bucketCount + 1;
  return h > b.rate.bucketStartMs ? 1 : undefined;
}

/** Calls in the minute of `timeMs` including the event itself, or undefined for an event older than the current minute. */
export function callsThisMinute(b: IdentityBaseline, timeMs: number): number | undefined {
  const m = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
  const current = b.rate.minuteStartMs;
  if (current === undefined || m > current) return 1;
  return m === current ? (b.rate.minuteCount ?? 0) + 1 : undefined;
}

/** Neutralise attacker-controlled text for evidence: control characters dropped, length bounded. */
export function quoteUntrusted(text: string, maxLength = 160): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return JSON.stringify(clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean);
}
