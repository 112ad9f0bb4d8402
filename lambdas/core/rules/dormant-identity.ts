import { calls, describeTop, formatDuration, formatTime } from '../baseline-facts.js';
import type { IdentityEvent } from '../identity-event.js';
import { at, burst, ev, history } from './test-events.js';
import { num, type DetectionRule, type RuleContext, type RuleMatch, type RuleCase } from './rule.js';

const DAY_MS = 86_400_000;
/**
 * A revival after this many days of silence is HIGH, a shorter one MEDIUM. It grades a finding
 * the rule makes either way (whether it fires is `dormantDays` / `gapFactor` / `minPriorEvents`),
 * so it is the rule's severity scale, not a detection threshold.
 */
const HIGH_AFTER_DAYS = 90;
/** A revival after less than this many days of silence is LOW, up to HIGH_AFTER_DAYS MEDIUM. Severity scale as above. */
const MEDIUM_AFTER_DAYS = 30;
/** With fewer earlier events than this the history is sparse: one level lower. Severity scale as above. */
const FULL_HISTORY_EVENTS = 10;
const LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;

function detect(event: IdentityEvent, ctx: RuleContext): RuleMatch | undefined {
  const b = ctx.baseline;
  const gap = event.timeMs - b.lastSeenMs;
  const t = ctx.thresholds;
  const dormantMs = num(t, 'dormantDays') * DAY_MS;
  if (gap < dormantMs || b.eventCount < num(t, 'minPriorEvents')) return undefined;
  // A job with a long cadence (monthly, quarterly) is not dormant between runs.
  const required = Math.max(dormantMs, num(t, 'gapFactor') * b.maxGapMs);
  if (gap < required) return undefined;

  const who = event.identity.name ?? event.identity.key;
  const isFailure = event.outcome.authn === 'failure';
  const isSparse = b.eventCount < FULL_HISTORY_EVENTS;
  const level =
    (gap >= HIGH_AFTER_DAYS * DAY_MS ? 2 : gap >= MEDIUM_AFTER_DAYS * DAY_MS ? 1 : 0) - (isSparse ? 1 : 0);
  const severity = LEVELS[Math.max(0, level)] ?? 'LOW';
  return {
    discriminator: `revived-after:${formatTime(b.lastSeenMs)}`,
    severity,
    summary: `${who} ${isFailure ? 'was tried' : 'became active'} again after ${formatDuration(gap)} of silence (${event.action.name})`,
    evidence: [
      `${isFailure ? 'failed authentication' : 'first call'} after ${formatDuration(gap)} of silence: last seen ${formatTime(b.lastSeenMs)}, now ${formatTime(event.timeMs)}`,
      `threshold ${formatDuration(required)}: the larger of ${num(t, 'dormantDays')} days and ${num(t, 'gapFactor')} × its longest earlier gap (${b.maxGapMs > 0 ? formatDuration(b.maxGapMs) : 'none'})`,
      `before the silence: ${calls(b.eventCount)} from ${formatTime(b.firstSeenMs)} to ${formatTime(b.lastSeenMs)}; actions: ${describeTop(b.dims.actions, 3)}`,
      `severity ${severity}: ${gap >= HIGH_AFTER_DAYS * DAY_MS ? `${HIGH_AFTER_DAYS}+` : gap >= MEDIUM_AFTER_DAYS * DAY_MS ? `${MEDIUM_AFTER_DAYS}+` : `under ${MEDIUM_AFTER_DAYS}`} days of silence${isSparse ? `, one level lower for a sparse history (under ${FULL_HISTORY_EVENTS} earlier calls)` : ''}`,
    ],
  };
}

/** A monthly job: `perRun` calls on the 1st of every 31 days, `runs` times. */
const monthly = (runs: number, perRun: number) =>
  Array.from({ length: runs }, (_, r) => burst({}, at(31 * r, 4), perRun, 10 * 60_000)).flat();

/** A credential silent for weeks that acts again was usually forgotten, not retired: revived NHIs are a favourite foothold. */
export const dormantIdentity: DetectionRule = {
  id: 'dormant-identity',
  title: 'Dormant non-human identity active again',
  severity: 'MEDIUM',
  asffTypes: ['Unusual Behaviors/User', 'TTPs/Initial Access', 'TTPs/Persistence'],
  references: [
    'OWASP-NHI:NHI1',
    'OWASP-NHI:NHI7',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'Seasonal or yearly jobs (year-end reports, annual key rotation) seen for the first time by nhi-watch',
    'Disaster-recovery or break-glass roles exercised in a drill',
    'A project resumed after a pause',
  ],
  runbook:
    'Ask the owner whether the identity should still exist; if nobody claims it, disable it (deactivate keys, deny-all policy on the role) and review the calls made since it woke up.',
  defaults: {
    /** Silence after which activity counts as a revival. */
    dormantDays: 14,
    /** And at least this multiple of the identity's longest earlier gap (monthly jobs are not dormant). */
    gapFactor: 2,
    /** Identities with fewer earlier events have no history to be dormant from. */
    minPriorEvents: 2,
  },
  needsLearning: false,
  detect,
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'worker active for 8 days, silent 45 days, then a call',
        events: [...history(), ev({ timeMs: at(7 + 46, 10) })],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'setup role used 12 times on day 0, then 120 days later (HIGH)',
        events: [
          ...burst({}, at(0, 9), 12, 20 * 60_000),
          ev({
            timeMs: at(120, 3),
            action: { name: 'iam.amazonaws.com:ListRoles', service: 'iam.amazonaws.com' },
          }),
        ],
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'first sign of life after 60 days is a failed authentication',
        events: [
          ...history(),
          ev({ timeMs: at(7 + 61, 10), outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' } }),
        ],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'monthly job (31-day cadence) silent for 95 days: three runs missed, then a call',
        events: [...monthly(4, 5), ev({ timeMs: at(93 + 95, 4) })],
        // Six earlier calls before judging: the job's second run is not itself taken for a revival.
        thresholds: { minPriorEvents: 6 },
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'silence of 13 days with dormantDays lowered to 12: LOW, under a month',
        events: [...history(), ev({ timeMs: at(7 + 13, 10) })],
        thresholds: { dormantDays: 12 },
        fires: true,
        severity: 'LOW',
      },
      {
        name: 'silence of 20 days after a week of activity: LOW, under a month',
        events: [...history(), ev({ timeMs: at(7 + 20, 10) })],
        fires: true,
        severity: 'LOW',
      },
      {
        name: 'an identity with only 5 earlier calls returns after 60 days: one level lower for the sparse history',
        events: [...burst({}, at(0, 9), 5, 10 * 60_000), ev({ timeMs: at(60, 9) })],
        fires: true,
        severity: 'LOW',
      },
      {
        name: 'an identity with 3 calls on its first day, back after 100 days: HIGH lowered to MEDIUM for the sparse history',
        events: [...burst({}, at(0, 9), 3, 10 * 60_000), ev({ timeMs: at(100, 9) })],
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'monthly job silent for 70 days (two runs missed) with gapFactor 3: its owner tolerates missed runs',
        events: [...monthly(3, 5), ev({ timeMs: at(62 + 70, 4) })],
        thresholds: { gapFactor: 3, minPriorEvents: 6 },
        fires: false,
      },
      {
        name: 'a weekly job runs again on schedule',
        events: Array.from({ length: 6 }, (_, r) => burst({}, at(7 * r, 4), 5, 10 * 60_000)).flat(),
        fires: false,
      },
      {
        name: 'silence of 13 days (just under dormantDays)',
        events: [...history(), ev({ timeMs: at(7 + 13, 10) })],
        fires: false,
      },
      {
        name: 'with minPriorEvents 10, an identity with only 5 earlier calls has no history to be dormant from',
        events: [...burst({}, at(0, 9), 5, 10 * 60_000), ev({ timeMs: at(60, 9) })],
        thresholds: { minPriorEvents: 10 },
        fires: false,
      },
      {
        name: 'a brand-new identity’s first call',
        events: [ev({ timeMs: at(90, 9) })],
        fires: false,
      },
    ];
  },
};
