/** Cases of the `rate-anomaly` rule (test material: no production module imports this file). */
import { at, burst, history, inTimeOrder, type EventOverrides } from './test-events.js';
import { rawHistory, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

const HOUR_MS = 3_600_000;

/** A nightly job: `count` calls at 02:00 UTC every day for `days` days. */
const nightly = (base: EventOverrides, days: number, count: number, hour = 2) =>
  Array.from({ length: days }, (_, d) => burst(base, at(d, hour), count)).flat();

/** A daily job: `count` calls in the hour from `hour`:00 UTC for `days` days. */
const daily = (days: number, hour: number, count: number) =>
  Array.from({ length: days }, (_, d) => burst({}, at(d, hour), count)).flat();

/** A report job whose 14:00 hour swings between 20 and 220 calls from day to day. */
const swinging = [20, 200, 40, 180, 60, 220, 30, 190, 50].flatMap((count, d) => burst({}, at(d, 14), count));

/** `rate-anomaly`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const rateAnomalyCases = defineCases('rate-anomaly', [
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
  {
    name: 'raw CloudTrail: a worker doing ~4 calls an hour makes 400 GetItem calls at 14:00',
    log: [
      ...rawHistory((timeMs) => workerCall({ timeMs })),
      ...burst({}, at(9, 14), 400).map((e) => workerCall({ timeMs: e.timeMs })),
    ],
    fires: true,
  },
]);
