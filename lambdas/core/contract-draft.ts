/**
 * Draft an integration contract from what an identity was observed doing (its baseline): the
 * starting point `nhi-watch contracts draft` writes for the owners to review. Pure.
 */
import { totalCalls } from './baseline-facts.js';
import type { Dimension, IdentityBaseline } from './baseline.js';
import { isPrivateCidr, parseCidr } from './cidr.js';
import type { Contract } from './contracts.js';
import { entriesOf, keysOf } from './safe-record.js';
import { AWS_ASNS } from './sources/ip-intel.js';

/** Options for drafting a contract from a baseline. */
export interface DraftOptions {
  /** Origins (ASNs, networks, VPC endpoints) and user-agent families seen fewer times are left out. @default 2 */
  readonly minOriginCalls?: number;
  /** maxPerHour = this × the busiest hour seen (at least 10). @default 2 */
  readonly rateHeadroom?: number;
  /** An identity active in at least this many hours of the day gets no activeHoursUtc. @default 20 */
  readonly alwaysOnHours?: number;
}

const keysWith = (dim: Dimension, min: number): string[] =>
  entriesOf(dim)
    .filter(([, stat]) => stat.n >= min)
    .map(([k]) => k);

/** Hours of the day (UTC) in which the identity has been active, from its rate profile. */
export function activeHours(b: IdentityBaseline): Set<number> {
  const hours = new Set<number>();
  b.rate.slots.forEach((s, h) => {
    if (s.m > 0) hours.add(h);
  });
  if (b.rate.bucketCount > 0) hours.add(new Date(b.rate.bucketStartMs).getUTCHours());
  return hours;
}

/** The smallest [start, end) window (wrapping midnight) holding every active hour, or undefined when none / all day. */
function hoursWindow(
  hours: ReadonlySet<number>,
  alwaysOn: number,
): { start: number; end: number } | undefined {
  if (hours.size === 0 || hours.size >= alwaysOn) return undefined;
  // The longest circular run of inactive hours is what the window leaves out.
  let bestStart = -1;
  let bestLength = 0;
  for (let h = 0; h < 24; h++) {
    if (hours.has(h) || !hours.has((h + 23) % 24)) continue;
    let n = 0;
    while (n < 24 && !hours.has((h + n) % 24)) n += 1;
    if (n > bestLength) {
      bestStart = h;
      bestLength = n;
    }
  }
  if (bestStart === -1) return undefined;
  const start = (bestStart + bestLength) % 24;
  const end = bestStart === 0 ? 24 : bestStart;
  return { start, end };
}

/**
 * Draft a contract from what an identity was observed doing: its ASNs (all of Amazon's when it ran
 * in AWS), private networks, VPC endpoints (when every own call used one), actions, scopes, user-agent
 * families, credential kinds, active hours and an hourly envelope with headroom. A starting point
 * for the owners to review, never an approval of everything seen.
 */
export function draftContract(b: IdentityBaseline, options: DraftOptions = {}): Contract {
  const minOrigin = options.minOriginCalls ?? 2;
  const headroom = options.rateHeadroom ?? 2;
  const d = b.dims;
  const out: Record<string, unknown> = {
    identity: b.key,
    description: `Drafted by nhi-watch from ${b.eventCount} calls seen ${new Date(b.firstSeenMs).toISOString()} to ${new Date(b.lastSeenMs).toISOString()}; review before use.`,
  };
  const asns = keysWith(d.asns, minOrigin).map(Number);
  if (asns.some((a) => AWS_ASNS.has(a))) for (const a of AWS_ASNS) if (!asns.includes(a)) asns.push(a);
  if (asns.length > 0) out['allowedAsns'] = asns.sort((x, y) => x - y);
  const networks = keysWith(d.networks, minOrigin).filter((n) => {
    const c = parseCidr(n);
    // Public networks are covered by their ASNs; without ASN data, keep them too.
    return c.ok && (isPrivateCidr(c.value) || asns.length === 0);
  });
  if (networks.length > 0) out['allowedNetworks'] = networks.sort();
  const ownCalls = totalCalls(d.credentialKinds) - totalCalls(d.awsServices);
  const vpces = keysWith(d.vpcEndpoints, minOrigin);
  if (vpces.length > 0 && totalCalls(d.vpcEndpoints) >= ownCalls) out['allowedVpcEndpoints'] = vpces.sort();
  const actions = keysOf(d.actions).sort();
  if (actions.length > 0) out['allowedActions'] = actions;
  const scopes = keysOf(d.scopes).sort();
  if (scopes.length > 0) out['allowedScopes'] = scopes;
  const families = keysWith(d.uaFamilies, minOrigin).sort();
  if (families.length > 0) out['userAgentPatterns'] = families;
  const peak = Math.max(b.rate.peak, b.rate.bucketCount);
  if (peak > 0) out['rateEnvelope'] = { maxPerHour: Math.max(10, Math.ceil(peak * headroom)) };
  const window = hoursWindow(activeHours(b), options.alwaysOnHours ?? 20);
  if (window) out['activeHoursUtc'] = window;
  const kinds = keysOf(d.credentialKinds)
    .filter((k) => k !== 'unknown')
    .sort();
  if (kinds.length > 0) out['allowedCredentialKinds'] = kinds;
  return out as unknown as Contract;
}
