/** Cases of the `dormant-identity` rule (test material: no production module imports this file). */
import { at, burst, ev, history } from './test-events.js';
import { rawHistory, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

/** A monthly job: `perRun` calls on the 1st of every 31 days, `runs` times. */
const monthly = (runs: number, perRun: number) =>
  Array.from({ length: runs }, (_, r) => burst({}, at(31 * r, 4), perRun, 10 * 60_000)).flat();

/** `dormant-identity`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const dormantIdentityCases = defineCases('dormant-identity', [
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
  {
    name: 'raw CloudTrail: a worker active for 8 days, silent 45 days, then a GetItem',
    log: [...rawHistory((timeMs) => workerCall({ timeMs })), workerCall({ timeMs: at(7 + 46, 10) })],
    fires: true,
    severity: 'MEDIUM',
  },
]);
