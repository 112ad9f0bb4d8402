import { calls, describeTop, formatDuration, formatTime } from '../baseline-facts.js';
import type { IdentityEvent } from '../identity-event.js';
import { num, type DetectionRule, type RuleContext, type RuleMatch } from './rule.js';

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
};
