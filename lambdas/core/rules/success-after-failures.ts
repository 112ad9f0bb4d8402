import type { WindowEntry } from '../baseline.js';
import { hasOwn } from '../safe-record.js';
import { describeOrigin, formatTally, iso, listBounded, tally } from './evidence.js';
import { list, num, type DetectionRule, type Severity } from './rule.js';

/** A success from an address that just failed to authenticate several times: the guessing worked. */
export const successAfterFailures: DetectionRule = {
  id: 'success-after-failures',
  title: 'Successful authentication right after repeated failures from the same source',
  severity: 'HIGH',
  asffTypes: ['TTPs/Initial Access', 'TTPs/Credential Access'],
  references: [
    'OWASP-NHI:NHI4',
    'NIST-CSF-2.0:DE.AE-02',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1110',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'A client fixed in place: a wrong secret fails a few times, the operator corrects it, the next call succeeds from the same host.',
    'A shared egress address where one workload fails and another succeeds; the cross-identity path only fires when this identity has never called from that network.',
  ],
  runbook:
    'Treat the credential as compromised: revoke its sessions / rotate it now, then review everything it did from this source since the success (CloudTrail by access key id / token jti).',
  defaults: {
    /** Failures from the source within the window before the success. */
    minFailures: 3,
    /** How long before the success the failures count, seconds (at most the window retention, 3600 s by default). */
    windowSeconds: 900,
    /** Error codes that end normally in a success (an expired session refreshed, a clock-skewed request re-signed). */
    ignoredErrorCodes: [
      'ExpiredToken',
      'ExpiredTokenException',
      'TokenRefreshRequired',
      'RequestExpired',
      'Client.RequestExpired',
    ],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    if (event.outcome.authn !== 'success') return undefined;
    const o = event.origin;
    if (o.ip === undefined || !o.isIp || o.awsService !== undefined) return undefined;
    const own = ctx.baseline.failures;
    const fromSource = ctx.source?.failures;
    // The common case: nothing failed recently for this identity or from this address.
    if (own.length === 0 && (fromSource === undefined || fromSource.length === 0)) return undefined;

    const windowSeconds = num(ctx.thresholds, 'windowSeconds');
    const horizon = event.timeMs - windowSeconds * 1000;
    // Windows are kept in time order: when the newest entry is older than the window, nothing counts.
    const isOwnRecent = (own[own.length - 1]?.t ?? 0) > horizon;
    const isSourceRecent = (fromSource?.[fromSource.length - 1]?.t ?? 0) > horizon;
    if (!isOwnRecent && !isSourceRecent) return undefined;

    const minFailures = num(ctx.thresholds, 'minFailures');
    const ignored = list(ctx.thresholds, 'ignoredErrorCodes');
    const counts = (e: WindowEntry): boolean =>
      e.t > horizon && e.t <= event.timeMs && (e.c === undefined || !ignored.includes(e.c));

    // Failures against this identity from this address.
    const ownHits = isOwnRecent ? own.filter((e) => e.k === o.ip && counts(e)) : [];
    // Failures from this address against any identity (k = identity key).
    const sourceHits = isSourceRecent && fromSource ? fromSource.filter(counts) : [];
    const isOwnBurst = ownHits.length >= minFailures;
    if (!isOwnBurst && sourceHits.length < minFailures) return undefined;

    const others = new Set(sourceHits.map((e) => e.k));
    others.delete(event.identity.key);
    const isNewNetwork = o.network === undefined || !hasOwn(ctx.baseline.dims.networks, o.network);
    // Another identity's failures only count when this identity never called from here: a shared NAT is home to both.
    const isSprayHit = others.size > 0 && sourceHits.length >= minFailures && isNewNetwork;
    if (!isOwnBurst && !isSprayHit) return undefined;

    const hits = isOwnBurst ? ownHits : sourceHits;
    const lastFailureMs = Math.max(...hits.map((e) => e.t));
    const severity: Severity = event.identity.kind === 'root' || isSprayHit ? 'CRITICAL' : 'HIGH';
    const evidence = [
      isOwnBurst
        ? `${ownHits.length} failed authentications of this identity from ${o.ip} in the ${windowSeconds} s before this success (threshold ${minFailures})`
        : `${sourceHits.length} failed authentications from ${o.ip} against ${new Set(sourceHits.map((e) => e.k)).size} identities in the ${windowSeconds} s before this success (threshold ${minFailures})`,
      `error codes: ${formatTally(tally(hits.map((e) => e.c ?? 'unknown')))}`,
      `last failure ${iso(lastFailureMs)}, success ${iso(event.timeMs)} from ${describeOrigin(event)}`,
    ];
    if (others.size > 0)
      evidence.push(`other identities failing from this address: ${listBounded([...others])}`);
    if (isSprayHit && !isOwnBurst) {
      evidence.push(
        o.network === undefined
          ? 'this identity has no recorded network for this address'
          : `first success of this identity from ${o.network}`,
      );
    }
    return {
      discriminator: `source:${o.ip}`,
      summary: `${event.identity.name ?? event.identity.key} authenticated from ${o.ip} right after ${hits.length} failures from it`,
      evidence,
      severity,
    };
  },
};
