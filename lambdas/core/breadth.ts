/**
 * Read breadth per identity: the distinct sensitive reads (secrets, decrypted parameters, user
 * data, password data) and distinct discovery calls (List* / Describe*, IAM and Organizations Get*)
 * an identity made in a short window, and the widest such burst it showed before. Kept on the
 * identity's record, bounded by the window caps. Pure.
 */
import type { BaselineLimits, IdentityBaseline } from './baseline.js';
import type { IdentityEvent } from './identity-event.js';
import { peerKindOf } from './priors.js';

/** The two kinds of breadth. */
export type BreadthGroup = 'secrets' | 'discovery';

/** One distinct read in the breadth window: latest time, what was read, its group. */
export interface BreadthEntry {
  t: number;
  k: string;
  g: BreadthGroup;
}

/** Widest burst before the current one (`p`), the current burst's width (`c`) and start (`s`). */
export interface BreadthPeak {
  p: number;
  c: number;
  s: number;
}

/** Services whose `Get*` calls read configuration (who exists, what they may do), not data. */
const DISCOVERY_GET_SERVICES = new Set(['iam', 'organizations', 'sts', 'sso', 'identitystore']);
const MAX_KEY = 200;

/**
 * The breadth group and distinct key of an event, or undefined when it is not a read that counts.
 * Reads an AWS service makes on the identity's behalf, infrastructure-as-code runs (a Terraform
 * refresh describes everything) and people's console or SSO sessions do not count.
 */
export function breadthKey(event: IdentityEvent): { group: BreadthGroup; key: string } | undefined {
  if (event.outcome.authn === 'failure' || event.source !== 'cloudtrail') return undefined;
  const o = event.origin;
  if (o.awsService !== undefined || o.userAgentClass === 'iac' || peerKindOf(event) === 'human')
    return undefined;
  const s = event.action.sensitive;
  if (s !== undefined && s.tactic === 'credential-access') {
    // Password data: every call counts (one instance's password read again and again is the signal).
    const key =
      s.id === 'ec2-get-password-data'
        ? `${s.id}|${event.timeMs}|${event.eventId}`
        : `${s.id}|${event.action.resource ?? event.eventId}`;
    return { group: 'secrets', key: key.slice(0, MAX_KEY) };
  }
  const name = event.action.name;
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const api = name.slice(colon + 1);
  const service = name.slice(0, colon).replace('.amazonaws.com', '');
  if (/^(?:List|Describe)/.test(api) || (api.startsWith('Get') && DISCOVERY_GET_SERVICES.has(service)))
    return { group: 'discovery', key: name.slice(0, MAX_KEY) };
  return undefined;
}

/** Distinct keys of a group within `windowSeconds` before (and including) `timeMs`. */
export function distinctInWindow(
  entries: readonly BreadthEntry[] | undefined,
  group: BreadthGroup,
  timeMs: number,
  windowSeconds: number,
): number {
  if (entries === undefined) return 0;
  const from = timeMs - windowSeconds * 1000;
  let n = 0;
  for (const e of entries) if (e.g === group && e.t > from && e.t <= timeMs) n += 1;
  return n;
}

/** Distinct keys of a group in the window, counting `key` as read now (what the window holds once the event is folded). */
export function distinctWith(
  entries: readonly BreadthEntry[] | undefined,
  group: BreadthGroup,
  key: string,
  timeMs: number,
  windowSeconds: number,
): number {
  const from = timeMs - windowSeconds * 1000;
  let n = 1;
  for (const e of entries ?? []) if (e.g === group && e.k !== key && e.t > from && e.t <= timeMs) n += 1;
  return n;
}

/**
 * Fold an event into the identity's read-breadth window (one entry per distinct key, at its latest
 * time) and its burst peaks. Mutates the baseline.
 */
export function foldBreadth(b: IdentityBaseline, event: IdentityEvent, limits: BaselineLimits): void {
  const bk = breadthKey(event);
  if (bk === undefined) return;
  const t = event.timeMs;
  const windowSeconds = limits.breadthWindowSeconds;
  const width = distinctWith(b.reads, bk.group, bk.key, t, windowSeconds);
  const horizon = t - Math.max(limits.windowRetentionSeconds, windowSeconds) * 1000;
  const kept = (b.reads ?? []).filter((e) => e.t >= horizon && !(e.k === bk.key && e.g === bk.group));
  kept.push({ t, k: bk.key, g: bk.group });
  kept.sort((x, y) => x.t - y.t);
  b.reads = kept.length > limits.maxWindowEntries ? kept.slice(kept.length - limits.maxWindowEntries) : kept;

  const peaks = b.readPeaks ?? {};
  const peak = peaks[bk.group] ?? { p: 0, c: 0, s: t };
  if (t - peak.s > windowSeconds * 1000) {
    // A new burst: the one before becomes history.
    peak.p = Math.max(peak.p, peak.c);
    peak.c = 0;
    peak.s = t;
  }
  peak.c = Math.max(peak.c, width);
  peaks[bk.group] = peak;
  b.readPeaks = peaks;
}
