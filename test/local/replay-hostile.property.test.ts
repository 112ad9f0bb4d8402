/**
 * `nhi-watch replay` (replayFiles, what the CLI runs) on log files whose observed fields hold
 * attacker-chosen strings, every `Object.prototype` member name among them: no throw, no failed
 * identity, `Object.prototype` unchanged, and the values learned like any other — present in the
 * `--state` file's baselines after it is written and read back (the local codec).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MemoryBaselineStore, MemoryFindingLedger, loadStateFile } from '../../lambdas/adapters/memory-store';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG } from '../../lambdas/core/engine';
import { RULES } from '../../lambdas/core/rules/index';
import { normaliseText, replayFiles, type ReplayOptions } from '../../lambdas/local/replay';
import { apiLine, cloudTrailLine, expectLearned } from '../support/hostile-lines';
import { TEST_INTEL } from '../support/memory-handler';
import { prototypeSnapshot } from '../support/prototype';

const setup: ReplayOptions = {
  rules: RULES,
  contracts: new ContractSet([]),
  config: { ...DEFAULT_ENGINE_CONFIG, learning: { learningPeriodSeconds: 0, learningMinEvents: 1 } },
  suppress: undefined,
  intel: TEST_INTEL,
  warnings: [],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhi-watch-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replay with hostile field values', () => {
  it('never throws, fails no identity, leaves Object.prototype alone, keeps every value in the state file', async () => {
    const before = prototypeSnapshot();
    let run = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(cloudTrailLine, { minLength: 1, maxLength: 3 }),
        fc.array(apiLine, { minLength: 1, maxLength: 3 }),
        async (trail, access) => {
          run += 1;
          const files = [join(dir, `trail-${run}.jsonl`), join(dir, `access-${run}.jsonl`)];
          writeFileSync(files[0]!, `${trail.join('\n')}\n`);
          writeFileSync(files[1]!, `${access.join('\n')}\n`);
          const statePath = join(dir, `state-${run}.json`);
          const options = { ...setup, statePath };

          const first = await replayFiles(files, options);
          // A second replay of other lines starts from the state file the first one wrote.
          writeFileSync(files[0]!, `${trail.map((l) => l.replace('"e-1"', '"e-2"')).join('\n')}\n`);
          const second = await replayFiles(files, options);
          expect([...first.identityErrors, ...second.identityErrors]).toEqual([]);

          const store = new MemoryBaselineStore();
          await loadStateFile(statePath, store, new MemoryFindingLedger());
          const events = [
            ...normaliseText(trail.join('\n'), TEST_INTEL, files[0]!).events,
            ...normaliseText(access.join('\n'), TEST_INTEL, files[1]!).events,
          ];
          expect(first.events).toBe(events.length);
          accepted += events.length;
          expectLearned(store.records, events);
          expect(prototypeSnapshot()).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
    expect(accepted).toBeGreaterThan(25);
  });
});
