/**
 * In-process BaselineStore and FindingLedger for the CLI, tests and benchmarks: the same
 * versioned, conditional semantics as the DynamoDB adapter, kept in Maps, optionally persisted
 * to a JSON file (`--state FILE`) so successive replays keep learning.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

import { reviveRecord } from '../core/baseline.js';
import { mergeFinding, type Finding } from '../core/finding.js';
import type {
  BaselineStore,
  CommitResult,
  FindingLedger,
  LedgerResult,
  LoadedRecord,
  StateChange,
} from '../core/ports.js';

/**
 * Versioned records in memory; commit is conditional per record like DynamoDB's. No copies: loaded
 * records are handed out read-only (the engine copies a record before it folds into it) and a
 * committed record is taken over as it is (the engine builds new ones for every evaluation). Deep
 * copies here were a third of the local engine's time.
 */
export class MemoryBaselineStore implements BaselineStore {
  readonly records = new Map<string, LoadedRecord>();
  /** Request counters, for benchmarks and tests. */
  readonly counters = { loads: 0, commits: 0, recordsWritten: 0 };

  load(keys: readonly string[]): Promise<Map<string, LoadedRecord>> {
    this.counters.loads += 1;
    const out = new Map<string, LoadedRecord>();
    for (const k of keys) {
      const r = this.records.get(k);
      if (r) out.set(k, r);
    }
    return Promise.resolve(out);
  }

  commit(_batchId: string, changes: readonly StateChange[]): Promise<CommitResult> {
    this.counters.commits += 1;
    const committed: string[] = [];
    const conflicts: string[] = [];
    for (const c of changes) {
      const current = this.records.get(c.key);
      if ((current?.version ?? undefined) !== c.expectedVersion) {
        conflicts.push(c.key);
        continue;
      }
      this.records.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
      committed.push(c.key);
    }
    this.counters.recordsWritten += committed.length;
    return Promise.resolve({ committed, conflicts });
  }
}

/** Finding ledger in memory: the first sighting of an id alerts, later ones raise its count. */
export class MemoryFindingLedger implements FindingLedger {
  readonly findings = new Map<string, Finding>();

  record(findings: readonly Finding[]): Promise<LedgerResult> {
    const fresh: Finding[] = [];
    const repeats: Finding[] = [];
    for (const f of findings) {
      const prior = this.findings.get(f.id);
      if (prior) {
        const merged = mergeFinding(prior, f);
        this.findings.set(f.id, merged);
        repeats.push(merged);
      } else {
        this.findings.set(f.id, f);
        fresh.push(f);
      }
    }
    return Promise.resolve({ fresh, repeats });
  }

  forget(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.findings.delete(id);
    return Promise.resolve();
  }
}

/** The persisted shape of `--state FILE`. */
interface StateFile {
  readonly format: 'nhi-watch-state/1';
  readonly records: [string, LoadedRecord][];
  readonly findings: [string, Finding][];
  /** Every batch id replayed into this state (records alone remember only their recent ones). */
  readonly batches?: string[];
}

/** Thrown when a state file exists but cannot be used. */
export class StateFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateFileError';
  }
}

/** Load a state file into a store and ledger; a missing file starts empty. */
export async function loadStateFile(
  path: string,
  store: MemoryBaselineStore,
  ledger: MemoryFindingLedger,
  batches?: Set<string>,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StateFileError(`cannot read state file ${path}`, { cause: error });
  }
  let parsed: StateFile;
  try {
    parsed = JSON.parse(text) as StateFile;
  } catch (error) {
    throw new StateFileError(`state file ${path} is not valid JSON`, { cause: error });
  }
  if (
    parsed.format !== 'nhi-watch-state/1' ||
    !Array.isArray(parsed.records) ||
    !Array.isArray(parsed.findings)
  ) {
    throw new StateFileError(`state file ${path} is not an nhi-watch state file (format nhi-watch-state/1)`);
  }
  // Maps keyed by observed values get their null prototype back (a learned `__proto__` stays data).
  for (const [k, v] of parsed.records) store.records.set(k, { ...v, record: reviveRecord(v.record) });
  for (const [k, v] of parsed.findings) ledger.findings.set(k, v);
  for (const b of parsed.batches ?? []) batches?.add(b);
}

/** Write a store and ledger to a state file atomically (temp file + rename). */
export async function saveStateFile(
  path: string,
  store: MemoryBaselineStore,
  ledger: MemoryFindingLedger,
  batches?: ReadonlySet<string>,
): Promise<void> {
  const body: StateFile = {
    format: 'nhi-watch-state/1',
    records: [...store.records],
    findings: [...ledger.findings],
    batches: [...(batches ?? [])],
  };
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(body));
  await rename(tmp, path);
}
