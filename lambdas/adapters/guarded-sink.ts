/**
 * The handlers' delivery guarantee, wrapped around the real sinks: a finding that a destination
 * still refuses after retries is parked in the on-failure queue *before* the batch's state is
 * committed. If parking fails too, the fresh findings' ledger marks are removed and the error is
 * thrown, so the invocation fails before commit and the redelivered batch alerts again. Either
 * way no finding is dropped silently.
 */
import type { Finding } from '../core/finding.js';
import type { FindingLedger, FindingSink, PublishResult } from '../core/ports.js';
import type { OnFailureDestination } from './sqs-on-failure.js';

/** Counters of one invocation, for metrics. */
export interface GuardStats {
  /** Findings a destination refused after retries. */
  publishFailures: number;
  /** Of those, parked in the on-failure queue. */
  parked: number;
}

/** Wraps a sink with the on-failure path. */
export class GuardedSink implements FindingSink {
  readonly stats: GuardStats = { publishFailures: 0, parked: 0 };

  constructor(
    private readonly inner: FindingSink,
    private readonly onFailure: OnFailureDestination,
    private readonly ledger: FindingLedger,
    private readonly nowMs: () => number,
  ) {}

  async publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    const result = await this.inner.publish(fresh, repeats);
    if (result.failed.length === 0) return result;
    this.stats.publishFailures += result.failed.length;
    try {
      await this.onFailure.send(result.failed, this.nowMs());
    } catch (error) {
      const freshIds = new Set(fresh.map((f) => f.id));
      await this.ledger.forget(result.failed.map((f) => f.finding.id).filter((id) => freshIds.has(id)));
      throw error;
    }
    this.stats.parked += result.failed.length;
    return { delivered: result.delivered, failed: [] };
  }
}
