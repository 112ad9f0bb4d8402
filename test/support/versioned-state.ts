/**
 * State in a map for engine tests: hands out records with their versions and applies changes only
 * at the version they were read at (what the DynamoDB store's conditional writes guarantee).
 */
import type { LoadedRecord, StateChange } from '../../lambdas/core/ports';

export class VersionedState {
  readonly records = new Map<string, LoadedRecord>();
  /** Records written so far. */
  writes = 0;

  load(keys: readonly string[]): Map<string, LoadedRecord> {
    const out = new Map<string, LoadedRecord>();
    for (const k of keys) {
      const r = this.records.get(k);
      if (r) out.set(k, r);
    }
    return out;
  }

  commit(changes: readonly StateChange[]): void {
    for (const c of changes) {
      const current = this.records.get(c.key);
      if (current?.version !== c.expectedVersion) {
        throw new Error(
          `version conflict on ${c.key}: expected ${c.expectedVersion}, stored ${current?.version}`,
        );
      }
      // A stored record is a copy: later evaluations must not see the engine's working objects.
      this.records.set(c.key, { record: structuredClone(c.record), version: (current?.version ?? 0) + 1 });
      this.writes += 1;
    }
  }
}
