/**
 * Evidence formatting shared by the rules: findings explain themselves in a few bounded lines
 * (counted values, capped lists, ISO times), whatever the attacker sends.
 */
import type { IdentityEvent } from '../identity-event.js';

/** Most values a list in an evidence line names before it says "+N more". */
export const MAX_LISTED = 10;

/** `a, b, c (+4 more)`: a list capped at `max` names. */
export function listBounded(values: readonly string[], max = MAX_LISTED): string {
  if (values.length <= max) return values.join(', ');
  return `${values.slice(0, max).join(', ')} (+${values.length - max} more)`;
}

/** Counts of each value, in first-seen order. */
export function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** `InvalidClientTokenId ×9, SignatureDoesNotMatch ×1`: counted values, most frequent first, capped. */
export function formatTally(counts: ReadonlyMap<string, number>, max = MAX_LISTED): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v} ×${n}`);
  return listBounded(sorted, max);
}

/** ISO-8601 time of an epoch-ms instant (seconds precision). */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Human duration: `45 s`, `12 min`, `5 h`, `93 d`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

/** Where an event came from, for evidence: `198.51.100.7 (AS7922 Comcast Cable, US, outside AWS)`. */
export function describeOrigin(event: IdentityEvent): string {
  const o = event.origin;
  if (o.awsService !== undefined) return `${o.awsService} (AWS service acting for the caller)`;
  const parts: string[] = [];
  if (o.asn !== undefined) parts.push(o.asOrg !== undefined ? `AS${o.asn} ${o.asOrg}` : `AS${o.asn}`);
  if (o.country !== undefined) parts.push(o.country);
  parts.push(o.isPrivate ? 'private address' : o.isAws ? 'AWS network' : 'outside AWS');
  return `${o.ip ?? 'unknown address'} (${parts.join(', ')})`;
}
