import { callsThisHour, calls, formatCount, formatTime, historyLine } from '../baseline-facts.js';
import { hourStart, type RateProfile, type RateSlot } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { num, type DetectionRule, type RuleContext, type RuleMatch, type Thresholds } from './rule.js';

const HOUR_MS = 3_600_000;

/** The hourly count above which a slot's hour is anomalous, or undefined when the slot has too few samples to judge. */
function slotLimit(slot: RateSlot | undefined, t: Thresholds): number | undefined {
  if (!slot || slot.s < num(t, 'minSlotSamples')) return undefined;
  const sd = Math.sqrt(Math.max(0, slot.v));
  return Math.max(slot.m + num(t, 'sigmas') * sd, num(t, 'factor') * slot.m);
}

/**
 * The threshold for the hour-of-day `hour`: the highest limit of that slot and its neighbours
 * (`neighbourHours` each side, so a job drifting by an hour is not a burst); when the hour's own
 * slot is under-sampled, `factor` × the busiest hour ever. Never below `minCalls`.
 */
export function hourThreshold(
  rate: RateProfile,
  hour: number,
  t: Thresholds,
): { limit: number; basis: string } {
  const minCalls = num(t, 'minCalls');
  const own = slotLimit(rate.slots[hour], t);
  if (own === undefined) {
    const limit = Math.max(minCalls, num(t, 'factor') * rate.peak);
    return {
      limit,
      basis: `hour-of-day ${hour}:00 has too few samples; ${num(t, 'factor')} × busiest hour (${calls(rate.peak)})`,
    };
  }
  let limit = own;
  const span = num(t, 'neighbourHours');
  for (let d = -span; d <= span; d++) {
    if (d === 0) continue;
    const n = slotLimit(rate.slots[(((hour + d) % 24) + 24) % 24], t);
    if (n !== undefined && n > limit) limit = n;
  }
  return { limit: Math.max(minCalls, limit), basis: `hour-of-day ${hour}:00 ±${span} h profile` };
}

function detect(event: IdentityEvent, ctx: RuleContext): RuleMatch | undefined {
  const b = ctx.baseline;
  const count = callsThisHour(b, event.timeMs);
  const t = ctx.thresholds;
  if (count === undefined || count < num(t, 'minCalls')) return undefined;
  const hour = new Date(event.timeMs).getUTCHours();
  const { limit, basis } = hourThreshold(b.rate, hour, t);
  // Part of the stored count may be estimated from sampled routine calls (core/write-policy.ts):
  // judge the calls the hour certainly had, so sampling never makes an hour look busier than it was
  // (a busy hour is counted exactly once past half its threshold, so a burst loses a sample or two).
  const estimated = hourStart(event.timeMs) === b.rate.bucketStartMs ? (b.rate.bucketEstimated ?? 0) : 0;
  const lower = count - estimated;
  if (lower <= limit) return undefined;

  const slot = b.rate.slots[hour];
  const bucket = hourStart(event.timeMs);
  const who = event.identity.name ?? event.identity.key;
  return {
    discriminator: `hour:${formatTime(bucket)}`,
    summary: `${who} made ${calls(count)} in the hour from ${formatTime(bucket)}, over its threshold of ${formatCount(Math.floor(limit))} for that hour`,
    evidence: [
      `${calls(count)} so far in the hour from ${formatTime(bucket)} to ${formatTime(bucket + HOUR_MS)}${estimated > 0 ? ` (${formatCount(estimated)} of them estimated from sampled routine calls; at least ${formatCount(lower)} certain)` : ''}; threshold ${formatCount(Math.floor(limit))} (${basis})`,
      slot
        ? `hour-of-day ${hour}:00 UTC: mean ${slot.m.toFixed(1)}, stddev ${Math.sqrt(Math.max(0, slot.v)).toFixed(1)} calls over ${slot.s} samples`
        : `hour-of-day ${hour}:00 UTC: no profile`,
      `busiest completed hour so far: ${calls(b.rate.peak)}`,
      `latest call: ${event.action.name}`,
      historyLine(b),
    ],
  };
}

/** Abnormal call frequency for this identity at this hour of day: bulk reads, enumeration, a runaway loop, a stolen key at work. */
export const rateAnomaly: DetectionRule = {
  id: 'rate-anomaly',
  title: 'Non-human identity calling far above its usual rate',
  severity: 'MEDIUM',
  asffTypes: [
    'Unusual Behaviors/Application',
    'TTPs/Collection',
    'TTPs/Discovery',
    'Effects/Data Exfiltration',
  ],
  references: [
    'OWASP-NHI:NHI5',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1530',
    'MITRE:T1619',
    'MITRE:T1580',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'Backfills, re-processing and one-off migrations run with the workload’s identity',
    'A traffic spike upstream (campaign, incident retry storm) or a retry loop after an outage',
    'A scheduled job moved to another hour (the profile follows after about two weeks)',
  ],
  runbook:
    'Look at what the calls in the hour were (actions, resources, origin): a retry loop is fixed by the owner; bulk reads of data or enumeration from an unusual origin mean the credential is in someone else’s hands — revoke it.',
  defaults: {
    /** No finding below this many calls in the hour. */
    minCalls: 100,
    /** Standard deviations above the hour-of-day mean. */
    sigmas: 6,
    /** And at least this multiple of the hour-of-day mean (or of the busiest hour when the slot is under-sampled). */
    factor: 3,
    /** Hour-of-day slots with fewer samples fall back to factor × busiest hour. */
    minSlotSamples: 5,
    /** Neighbouring hours whose profile also counts (a job drifting by an hour). */
    neighbourHours: 1,
  },
  needsLearning: true,
  detect,
};
