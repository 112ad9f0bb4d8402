/**
 * Jest test order: the suites known to be slow start first, the rest as jest orders them (failed
 * first, then by the durations jest cached, else by file size). On a fresh clone (CI) jest has no
 * durations and orders by file size, which let a 40-second suite start last on one worker while the
 * other sat idle. Measured per-suite durations: `npx jest --json --outputFile=f` (testResults'
 * endTime - startTime); keep the list to the slowest dozen or so.
 */
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_FIRST = [
  'test/lib/package.test.ts',
  'test/bin/cli.test.ts',
  'test/lib/bundling.test.ts',
  'test/e2e/simulate-replay.test.ts',
  'test/integration/backfill.test.ts',
  'test/integration/backfill-history.test.ts',
  'test/lib/nag.test.ts',
  'test/local/event-stream.test.ts',
  'test/integration/delivery-faults.test.ts',
  'test/core/rules/harness.test.ts',
  'test/simulate/simulate.test.ts',
  'test/local/contracts.test.ts',
  'test/lib/identity-access-logging.test.ts',
  'test/integration/canary.test.ts',
  'test/integration/hostile-keys.test.ts',
  'test/integration/handlers.test.ts',
];

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = SLOW_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    const ordered = super.sort(tests);
    const position = new Map(ordered.map((t, i) => [t, i]));
    return [...ordered].sort((a, b) => rank(a) - rank(b) || position.get(a) - position.get(b));
  }
}

module.exports = SlowFirstSequencer;
