/**
 * In-process BaselineStore and FindingLedger for the CLI, tests and benchmarks: the same
 * versioned, conditional semantics as the DynamoDB adapter, kept in Maps, optionally persisted
 * to a JSON file (`--state FILE`) so successive replays keep learning.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

import { reviveRecord } from '../core/baseline.js';
import { mergeFinding, type Finding } from '../core/finding.js';
import { applyMarks, planClaim, type DeliveryMark, type LedgerState } from '../core/ledger.js';
import type {
  BaselineStore,
  ClaimRequest,
  ClaimResult,
  CommitResult,
  FindingLedger,
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

/**
 * Finding ledger in memory, with the same claim / settle transitions as the DynamoDB one
 * (core/ledger.ts). `findings` holds each finding with its cumulative count (what a state file
 * keeps); a finding loaded from a state file without its ledger state counts as delivered.
 */
export class MemoryFindingLedger implements FindingLedger {
  readonly findings = new Map<string, Finding>();
  readonly states = new Map<string, LedgerState>();

  claim(batchId: string, findings: readonly Finding[], request: ClaimRequest): Promise<ClaimResult> {
    const claimed: ClaimResult['claimed'][number][] = [];
    const busy: Finding[] = [];
    const settled: Finding[] = [];
    const counted: string[] = [];
    for (const f of findings) {
      const plan = planClaim(
        this.stateOf(f.id, request),
        f,
        batchId,
        request.destinations,
        request.owner,
        request.nowMs,
        request.untilMs,
      );
      if (plan.next !== undefined) {
        this.states.set(f.id, plan.next);
        // The first sighting's evidence is kept, event ids accumulate (as a repeat always merged).
        const prior = this.findings.get(f.id);
        const merged = prior !== undefined && plan.counted ? mergeFinding(prior, f) : (prior ?? f);
        this.findings.set(f.id, {
          ...merged,
          count: plan.next.count,
          firstSeenMs: plan.next.firstSeenMs,
          lastSeenMs: plan.next.lastSeenMs,
        });
      }
      if (plan.counted) counted.push(f.id);
      if (plan.outcome === 'claimed')
        claimed.push({ ...plan.entry, finding: this.findings.get(f.id) ?? plan.entry.finding });
      else if (plan.outcome === 'busy') busy.push(f);
      else settled.push(this.findings.get(f.id) ?? f);
    }
    return Promise.resolve({ claimed, busy, settled, counted });
  }

  settle(owner: string, marks: readonly DeliveryMark[], release: readonly string[]): Promise<void> {
    const ids = new Set([...marks.map((m) => m.id), ...release]);
    const releasing = new Set(release);
    for (const id of ids) {
      const s = this.states.get(id);
      if (s === undefined) continue;
      this.states.set(
        id,
        applyMarks(
          s,
          marks.filter((m) => m.id === id),
          owner,
          releasing.has(id),
        ),
      );
    }
    return Promise.resolve();
  }

  private stateOf(id: string, request: ClaimRequest): LedgerState | undefined {
    const state = this.states.get(id);
    if (state !== undefined) return state;
    const known = this.findings.get(id);
    if (known === undefined) return undefined;
    // From a state file: delivered everywhere at its count.
    return {
      count: known.count,
      firstSeenMs: known.firstSeenMs,
      lastSeenMs: known.lastSeenMs,
      batches: [],
      delivered: Object.fromEntries(request.destinations.map((d) => [d.destination, known.count])),
    };
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
