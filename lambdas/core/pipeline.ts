/**
 * One batch, end to end, through the ports: load state → evaluate → record findings in the
 * ledger → publish → commit state (retrying the identities whose version moved). Shared by the
 * Lambda handlers and the CLI so both behave the same. No SDK here: adapters come in as ports.
 *
 * Order matters for "nothing lost, nothing twice":
 * - findings are recorded and published before state is committed, so a crash after publishing
 *   makes the platform redeliver; the redelivered batch finds the same finding ids in the ledger
 *   and does not alert again;
 * - a finding whose delivery failed is forgotten by the ledger and returned to the caller (the
 *   handler sends it to the on-failure destination, or fails the invocation so it is retried);
 * - state records remember the batch id, so a batch already committed is not folded twice.
 */
import type { Finding } from './finding.js';
import { evaluate, stateKeys, type EngineConfig, type EvaluateOutput, type IdentityError } from './engine.js';
import type { ContractSet } from './contracts.js';
import type { IdentityEvent } from './identity-event.js';
import type { BaselineStore, DeliveryFailure, FindingLedger, FindingSink, LoadedRecord } from './ports.js';
import type { DetectionRule } from './rules/rule.js';
import type { SuppressionFilter } from './suppressions.js';

/** What the pipeline runs with. */
export interface PipelineDeps {
  readonly store: BaselineStore;
  readonly ledger: FindingLedger;
  readonly sink: FindingSink;
  readonly rules: readonly DetectionRule[];
  readonly contracts: ContractSet;
  readonly config: EngineConfig;
  readonly suppress?: SuppressionFilter;
  /** Wall clock, for suppression expiry only (detection runs on event time). */
  readonly nowMs: () => number;
  /** Commit attempts for identities whose version moved under us. @default 10 */
  readonly maxCommitAttempts?: number;
  /** Waits before commit attempt `attempt` (≥ 2), e.g. jittered backoff; none by default. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

/** What happened to one batch. */
export interface PipelineResult {
  readonly events: number;
  readonly identities: number;
  readonly redelivered: number;
  /** Findings first seen (alerted). */
  readonly fresh: readonly Finding[];
  /** Repeats of known findings (count raised, no alert). */
  readonly repeats: readonly Finding[];
  readonly suppressed: number;
  readonly delivered: number;
  /** Findings that could not be delivered: the caller must hand them to the on-failure path. */
  readonly undelivered: readonly DeliveryFailure[];
  /** Commit conflicts retried. */
  readonly conflicts: number;
  /** Identities whose evaluation threw: contained (nothing of theirs committed or alerted), one entry per identity. */
  readonly identityErrors: readonly IdentityError[];
}

/** Thrown when state could not be committed after every retry: the platform must redeliver the batch. */
export class BaselineConflictError extends Error {
  constructor(readonly keys: readonly string[]) {
    super(
      `baseline commit still conflicting after retries for ${keys.length} record(s): ${keys.slice(0, 5).join(', ')}`,
    );
    this.name = 'BaselineConflictError';
  }
}

/** Run one batch through the engine and the ports. */
export async function runPipeline(
  batchId: string,
  events: readonly IdentityEvent[],
  deps: PipelineDeps,
): Promise<PipelineResult> {
  const maxAttempts = deps.maxCommitAttempts ?? 10;
  const evalWith = (
    evts: readonly IdentityEvent[],
    state: ReadonlyMap<string, LoadedRecord>,
  ): EvaluateOutput =>
    evaluate({
      batchId,
      events: evts,
      state,
      rules: deps.rules,
      contracts: deps.contracts,
      config: deps.config,
    });

  let pending = events;
  let state = await deps.store.load(stateKeys(pending));
  let out = evalWith(pending, state);
  // One entry per identity, even when a conflict retry evaluates it again.
  const identityErrors = new Map<string, IdentityError>(out.identityErrors.map((e) => [e.key, e]));
  const stats = { events: out.stats.events, identities: out.stats.identities, redelivered: out.stats.redelivered };
  const fresh: Finding[] = [];
  const repeats: Finding[] = [];
  const undelivered: DeliveryFailure[] = [];
  let suppressed = 0;
  let delivered = 0;
  let conflicts = 0;

  for (let attempt = 1; ; attempt++) {
    const filtered = deps.suppress
      ? deps.suppress(out.findings, deps.nowMs())
      : { kept: out.findings, suppressed: 0 };
    suppressed += filtered.suppressed;
    if (filtered.kept.length > 0) {
      const ledger = await deps.ledger.record(filtered.kept);
      const published = await deps.sink.publish(ledger.fresh, ledger.repeats);
      delivered += published.delivered;
      if (published.failed.length > 0) {
        await deps.ledger.forget(published.failed.map((f) => f.finding.id));
        undelivered.push(...published.failed);
      }
      const failedIds = new Set(published.failed.map((f) => f.finding.id));
      fresh.push(...ledger.fresh.filter((f) => !failedIds.has(f.id)));
      repeats.push(...ledger.repeats.filter((f) => !failedIds.has(f.id)));
    }

    const result = await deps.store.commit(batchId, out.changes);
    if (result.conflicts.length === 0) break;
    conflicts += result.conflicts.length;
    if (attempt >= maxAttempts) throw new BaselineConflictError(result.conflicts);
    // Re-run the events touching a conflicting record against fresh state. Records that did
    // commit now hold this batch id, so they are not folded twice.
    if (deps.backoff) await deps.backoff(attempt + 1);
    const conflicting = new Set(result.conflicts);
    pending = pending.filter((e) => stateKeys([e]).some((k) => conflicting.has(k)));
    state = await deps.store.load(stateKeys(pending));
    out = evalWith(pending, state);
    for (const e of out.identityErrors) if (!identityErrors.has(e.key)) identityErrors.set(e.key, e);
  }

  return {
    ...stats,
    fresh,
    repeats,
    suppressed,
    delivered,
    undelivered,
    conflicts,
    identityErrors: [...identityErrors.values()],
  };
}
