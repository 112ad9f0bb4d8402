import { callsThisHour, calls, formatCount, formatTime, historyLine } from '../baseline-facts.js';
import { hourStart, type RateProfile, type RateSlot } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { at, burst, history, inTimeOrder, type EventOverrides } from './test-events.js';
import {
  num,
  type DetectionRule,
  type RuleContext,
  type RuleMatch,
  type Thresholds,
  type RuleCase,
} from './rule.js';

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
  if (count <= limit) return undefined;

  const slot = b.rate.slots[hour];
  const bucket = hourStart(event.timeMs);
  const who = event.identity.name ?? event.identity.key;
  return {
    discriminator: `hour:${formatTime(bucket)}`,
    summary: `${who} made ${calls(count)} in the hour from ${formatTime(bucket)}, over its threshold of ${formatCount(Math.floor(limit))} for that hour`,
    evidence: [
      `${calls(count)} so far in the hour from ${formatTime(bucket)} to ${formatTime(bucket + HOUR_MS)}; threshold ${formatCount(Math.floor(limit))} (${basis})`,
      slot
        ? `hour-of-day ${hour}:00 UTC: mean ${slot.m.toFixed(1)}, stddev ${Math.sqrt(Math.max(0, slot.v)).toFixed(1)} calls over ${slot.s} samples`
        : `hour-of-day ${hour}:00 UTC: no profile`,
      `busiest completed hour so far: ${calls(b.rate.peak)}`,
      `latest call: ${event.action.name}`,
      historyLine(b),
    ],
  };
}

/** A nightly job: `count` calls at 02:00 UTC every day for `days` days. */
const nightly = (base: EventOverrides, days: number, count: number, hour = 2) =>
  Array.from({ length: days }, (_, d) => burst(base, at(d, hour), count)).flat();

/** A daily job: `count` calls in the hour from `hour`:00 UTC for `days` days. */
const daily = (days: number, hour: number, count: number) =>
  Array.from({ length: days }, (_, d) => burst({}, at(d, hour), count)).flat();

/** A report job whose 14:00 hour swings between 20 and 220 calls from day to day. */
const swinging = [20, 200, 40, 180, 60, 220, 30, 190, 50].flatMap((count, d) => burst({}, at(d, 14), count));

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
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'worker doing ~4 calls an hour bursts to 400 calls at 14:00',
        events: [...history(), ...burst({}, at(9, 14), 400)],
        fires: true,
      },
      {
        name: 'nightly 02:00 batch (1,000 calls) runs at 14:00 instead',
        events: [...inTimeOrder(nightly({}, 9, 1000), history({}, 9, 20)), ...burst({}, at(9, 14), 1000)],
        fires: true,
      },
      {
        name: 'short history (under-sampled slots, learning lowered): 3 × the busiest hour',
        events: [...burst({}, at(0, 9), 60), ...burst({}, at(0, 10), 60), ...burst({}, at(0, 11), 400)],
        learning: { learningPeriodSeconds: 3600, learningMinEvents: 50 },
        fires: true,
      },
      {
        name: 'a busy hour of 90 calls (20× the usual 4) with minCalls lowered to 50',
        events: [...history(), ...burst({}, at(9, 14), 90)],
        thresholds: { minCalls: 50 },
        fires: true,
      },
      {
        name: 'nightly batch starts an hour late (03:00) with the neighbouring-hour tolerance off',
        events: [...inTimeOrder(nightly({}, 8, 1000), history({}, 8, 20)), ...burst({}, at(8, 3), 1000)],
        thresholds: { neighbourHours: 0 },
        fires: true,
      },
      {
        name: 'report job whose 14:00 hour swings between 20 and 220 calls makes 500, sigmas lowered to 3',
        events: [...inTimeOrder(swinging, history({}, 9, 20)), ...burst({}, at(9, 14), 500)],
        thresholds: { sigmas: 3 },
        fires: true,
      },
      {
        name: 'steady ETL hour of 200 calls doubles to 450, factor lowered to 2',
        events: [...inTimeOrder(daily(9, 14, 200), history({}, 9, 20)), ...burst({}, at(9, 14), 450)],
        thresholds: { factor: 2 },
        fires: true,
      },
      {
        name: 'three days of history, 200 calls at 14:00 (usually 4) under a 100-call 10:00 job, minSlotSamples 3: its own hour judges it',
        events: [...inTimeOrder(daily(3, 10, 100), history({}, 3, 40)), ...burst({}, at(3, 14), 200)],
        learning: { learningPeriodSeconds: 2 * 86_400, learningMinEvents: 100 },
        thresholds: { minSlotSamples: 3 },
        fires: true,
      },
      {
        name: 'nightly 02:00 batch of 1,000 calls on its usual night',
        events: inTimeOrder(nightly({}, 9, 1000), history({}, 9, 20)),
        fires: false,
      },
      {
        name: 'nightly batch starts an hour late (03:00): within the neighbouring-hour tolerance',
        events: [...inTimeOrder(nightly({}, 8, 1000), history({}, 8, 20)), ...burst({}, at(8, 3), 1000)],
        fires: false,
      },
      {
        name: 'a busy hour of 90 calls (20× the usual 4) stays under minCalls',
        events: [...history(), ...burst({}, at(9, 14), 90)],
        fires: false,
      },
      {
        name: '180 calls spread over two hours (90 in each)',
        events: [...history(), ...burst({}, at(9, 14), 180, 2 * HOUR_MS - 60_000)],
        fires: false,
      },
      {
        name: 'burst of 400 during the learning period (3 days)',
        events: [...history({}, 3), ...burst({}, at(3, 14), 400)],
        fires: false,
      },
    ];
  },
};
