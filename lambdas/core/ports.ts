/**
 * The ports the pipeline talks through. The core defines them; adapters (memory, file, DynamoDB,
 * SNS, Security Hub) implement them. Interfaces only.
 */
import type { StateRecord } from './baseline.js';
import type { Finding } from './finding.js';
import type { DeliveryMark, DestinationSpec, LedgerEntry } from './ledger.js';

/** A state record with the version it was read at (optimistic concurrency). */
export interface LoadedRecord {
  readonly record: StateRecord;
  readonly version: number;
  /**
   * The record object was made for this load alone (decoded from its stored text), so the engine may
   * fold into it instead of working on a copy. A store that hands out objects it keeps (the memory
   * store) leaves this unset. @default false
   */
  readonly isExclusive?: boolean;
}

/** A record to write, conditional on the version it was read at (undefined: must not exist yet). */
export interface StateChange {
  readonly key: string;
  readonly expectedVersion: number | undefined;
  readonly record: StateRecord;
}

/** Outcome of a commit: the keys whose version moved under us are retried by the pipeline. */
export interface CommitResult {
  readonly committed: readonly string[];
  readonly conflicts: readonly string[];
}

/** How a load reads. */
export interface LoadOptions {
  /**
   * The records may be read eventually consistent (on DynamoDB half the read units): only where a
   * stale record is caught by the conditional write of that record, or cannot change an outcome
   * (core/engine.ts firstReadKeys, sourceKeysNeeded). @default false: strongly consistent
   */
  readonly isEventual?: boolean;
}

/** Where baselines and source state live. */
export interface BaselineStore {
  /** Load records by key; absent keys are absent from the map. */
  load(keys: readonly string[], options?: LoadOptions): Promise<Map<string, LoadedRecord>>;
  /** Write changes, each conditional on its expected version; never partially applies one record. */
  commit(batchId: string, changes: readonly StateChange[]): Promise<CommitResult>;
}

/** What a claim found, finding by finding. */
export interface ClaimResult {
  /** Claimed by this invocation: deliver them to their outstanding destinations. */
  readonly claimed: readonly LedgerEntry[];
  /** Held by another live claim: wait and claim again. */
  readonly busy: readonly Finding[];
  /** Every destination already holds them. */
  readonly settled: readonly Finding[];
  /** Ids whose count this batch raised (first time this batch id reached them). */
  readonly counted: readonly string[];
}

/** What a claim is made with. */
export interface ClaimRequest {
  /** Unique per invocation (a retry of the same payload is another owner). */
  readonly owner: string;
  /** Lease end (wall clock, epoch ms): after it, another invocation may take the claim over. */
  readonly untilMs: number;
  readonly nowMs: number;
  readonly destinations: readonly DestinationSpec[];
}

/**
 * Remembers findings by id across batches: counts each batch once, and records per destination
 * what was delivered, only after it was (accepted, or parked in the on-failure queue).
 */
export interface FindingLedger {
  /** Count `batchId`'s findings once each, and claim those some destination still needs. */
  claim(batchId: string, findings: readonly Finding[], request: ClaimRequest): Promise<ClaimResult>;
  /** Record that destinations hold these findings; with `release`, give up `owner`'s claims on them. */
  settle(owner: string, marks: readonly DeliveryMark[], release: readonly string[]): Promise<void>;
}

/** A finding a destination could not take, with the reason. */
export interface DeliveryFailure {
  readonly finding: Finding;
  readonly reason: string;
}

/** A finding to park: what failed, and which destinations still need it. */
export interface UndeliveredFinding extends DeliveryFailure {
  readonly destinations: readonly string[];
}

/** Result of publishing to one destination. */
export interface PublishResult {
  readonly delivered: number;
  readonly failed: readonly DeliveryFailure[];
}

/** One destination (SNS, Security Hub, a local collector). */
export interface FindingSink {
  /** `fresh` findings are new to this destination; `repeats` it holds at a lower count. */
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult>;
}

/** A destination the pipeline delivers to. */
export interface DeliveryRoute extends DestinationSpec {
  readonly sink: FindingSink;
}

/** Where findings go that a destination refused: parked with the destinations that still need them. */
export interface OnFailureDestination {
  /** Park them all, or throw (then nothing is marked delivered and the batch is retried). */
  park(findings: readonly UndeliveredFinding[], failedAtMs: number): Promise<void>;
}
