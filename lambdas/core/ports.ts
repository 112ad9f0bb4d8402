/**
 * The ports the pipeline talks through. The core defines them; adapters (memory, file, DynamoDB,
 * SNS, Security Hub) implement them. Interfaces only.
 */
import type { StateRecord } from './baseline.js';
import type { Finding } from './finding.js';

/** A state record with the version it was read at (optimistic concurrency). */
export interface LoadedRecord {
  readonly record: StateRecord;
  readonly version: number;
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

/** Where baselines and source state live. */
export interface BaselineStore {
  /** Load records by key; absent keys are absent from the map. */
  load(keys: readonly string[]): Promise<Map<string, LoadedRecord>>;
  /** Write changes, each conditional on its expected version; never partially applies one record. */
  commit(batchId: string, changes: readonly StateChange[]): Promise<CommitResult>;
}

/** Result of recording findings in the ledger: which are new (alert) and which are repeats (count only). */
export interface LedgerResult {
  readonly fresh: readonly Finding[];
  readonly repeats: readonly Finding[];
}

/** Remembers findings by id across batches, so repeats in a window raise a count instead of alerting again. */
export interface FindingLedger {
  /** Record findings; returns each with its cumulative count, split into first-seen and repeats. */
  record(findings: readonly Finding[]): Promise<LedgerResult>;
  /** Undo the "seen" mark of findings whose delivery failed, so a retry alerts. */
  forget(ids: readonly string[]): Promise<void>;
}

/** A finding that could not be delivered, with the reason. */
export interface DeliveryFailure {
  readonly finding: Finding;
  readonly reason: string;
}

/** Result of publishing. */
export interface PublishResult {
  readonly delivered: number;
  readonly failed: readonly DeliveryFailure[];
}

/** Where findings go (SNS, Security Hub, stdout, a file). */
export interface FindingSink {
  /** `fresh` findings alert; `repeats` only update (e.g. Security Hub count) and never alert. */
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult>;
}
