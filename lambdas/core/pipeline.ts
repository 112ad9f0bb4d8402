/**
 * One batch, end to end, through the ports: load state → evaluate → claim the findings in the
 * ledger → deliver them to each destination → park what a destination refused → mark delivered
 * → commit state (retrying the identities whose version moved). Shared by the Lambda handlers and
 * the CLI so both behave the same. No SDK here: adapters come in as ports.
 *
 * Order matters for "nothing lost, nothing twice":
 * - the ledger counts a batch's findings once per batch id, and marks a finding delivered to a
 *   destination only after that destination accepted it (or the on-failure queue parked it for
 *   that destination); a crash anywhere before that mark leaves the finding outstanding, and the
 *   platform's retry of the batch delivers it;
 * - one invocation at a time delivers a finding (a claim with a lease); another one waits for it,
 *   and takes over a claim whose lease ran out (its owner crashed or was killed);
 * - delivery happens before state is committed, so a crash before commit makes the platform
 *   redeliver; state records remember the batch id, so a batch already committed is not folded
 *   twice; population records are written after the identities their folds depend on, and a
 *   retry after a conflict refolds only the records that conflicted (engine.ts RetryState);
 * - when the invocation is about to run out of time it stops before starting the next step,
 *   gives its claims back and fails, so the retry starts clean.
 */
import { isAlerting, type Finding } from './finding.js';
import {
  evaluate,
  stateKeys,
  type EngineConfig,
  type EvaluateOutput,
  type IdentityError,
  type RetryState,
} from './engine.js';
import type { ContractSet } from './contracts.js';
import type { IdentityEvent } from './identity-event.js';
import type { DeliveryMark, LedgerEntry } from './ledger.js';
import { isPopulationKey, populationKeys, type PopulationFoldHints } from './priors.js';
import type {
  BaselineStore,
  CommitResult,
  DeliveryRoute,
  FindingLedger,
  FindingSink,
  LoadedRecord,
  OnFailureDestination,
  StateChange,
  UndeliveredFinding,
} from './ports.js';
import type { DetectionRule } from './rules/rule.js';
import type { SuppressionFilter } from './suppressions.js';

/** What the pipeline runs with. */
export interface PipelineDeps {
  readonly store: BaselineStore;
  readonly ledger: FindingLedger;
  /** Destinations, in delivery order (put the alerting one first: its window is the one that matters). */
  readonly routes?: readonly DeliveryRoute[];
  /** One local destination that gets every new finding and every raised count (CLI, benchmarks); used when `routes` is absent. */
  readonly sink?: FindingSink;
  /** Where refused findings are parked; without one, a refusal fails the batch (it is retried). */
  readonly onFailure?: OnFailureDestination;
  /** Claim owner: unique per invocation. @default a fixed local owner (one process) */
  readonly owner?: string;
  /** Time left in the invocation (ms). @default unbounded */
  readonly remainingMs?: () => number;
  /** No step starts with less than this left. @default 3000 */
  readonly safetyMarginMs?: number;
  /** Longest claim lease (ms). @default 60000 */
  readonly leaseMs?: number;
  /** Waits while another invocation holds a claim. @default none: a held claim fails the batch */
  readonly wait?: (ms: number) => Promise<void>;
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
  /** Findings new to every destination that alerted (the engine's `alert` decision: at most two per incident), delivered (or parked) by this invocation. */
  readonly fresh: readonly Finding[];
  /** Findings new to every destination that joined an open incident without alerting: mirrored (Security Hub), not paged. */
  readonly joined: readonly Finding[];
  /** Known findings whose count this batch raised (no alert; mirrors updated). */
  readonly repeats: readonly Finding[];
  readonly suppressed: number;
  /** Deliveries a destination accepted (a finding to two destinations is two). */
  readonly delivered: number;
  /** Findings a destination refused after its retries. */
  readonly publishFailures: number;
  /** Of those, parked in the on-failure queue (all of them, or the batch failed). */
  readonly parked: readonly UndeliveredFinding[];
  /** Commit conflicts retried. */
  readonly conflicts: number;
  /** Identities whose evaluation threw: contained (nothing of theirs committed or alerted), one entry per identity. */
  readonly identityErrors: readonly IdentityError[];
}

/** Thrown when the invocation is too close to its deadline to start a step: the platform retries the batch. */
export class DeadlineError extends Error {
  constructor(
    readonly step: string,
    readonly remainingMs: number,
  ) {
    super(`stopped before ${step}: ${remainingMs} ms left, under the safety margin; the batch is retried`);
    this.name = 'DeadlineError';
  }
}

/** Thrown when findings stayed claimed by another live invocation until our deadline: the batch is retried. */
export class DeliveryBusyError extends Error {
  constructor(readonly ids: readonly string[]) {
    super(
      `${ids.length} finding(s) still being delivered by another invocation: ${ids.slice(0, 3).join(', ')}`,
    );
    this.name = 'DeliveryBusyError';
  }
}

/** Thrown when a destination refused findings and there is no on-failure destination to park them. */
export class UndeliveredError extends Error {
  constructor(readonly failures: readonly UndeliveredFinding[]) {
    super(
      `${failures.length} finding(s) not delivered: ${failures
        .slice(0, 3)
        .map((f) => `${f.finding.id} (${f.destinations.join(', ')}: ${f.reason})`)
        .join('; ')}`,
    );
    this.name = 'UndeliveredError';
  }
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
    retry?: RetryState,
  ): EvaluateOutput =>
    evaluate({
      batchId,
      events: evts,
      state,
      rules: deps.rules,
      contracts: deps.contracts,
      config: deps.config,
      ...(retry !== undefined ? { retry } : {}),
    });
  // What earlier attempts settled (engine.ts RetryState): a retry refolds only the records that
  // conflicted, each onto its freshly read version, and weighs every event once.
  const settled = new Set<string>();
  const hints = new Map<IdentityEvent, PopulationFoldHints>();

  const guard = deadlineGuard(deps);
  guard('load');
  let pending = events;
  let state = await deps.store.load(stateKeys(pending));
  let out = evalWith(pending, state);
  // One entry per identity, even when a conflict retry evaluates it again.
  const identityErrors = new Map<string, IdentityError>(out.identityErrors.map((e) => [e.key, e]));
  const stats = {
    events: out.stats.events,
    identities: out.stats.identities,
    redelivered: out.stats.redelivered,
  };
  const totals: DeliveryTotals = {
    fresh: [],
    joined: [],
    repeats: [],
    delivered: 0,
    publishFailures: 0,
    parked: [],
  };
  let suppressed = 0;
  let conflicts = 0;

  for (let attempt = 1; ; attempt++) {
    const filtered = deps.suppress
      ? deps.suppress(out.findings, deps.nowMs())
      : { kept: out.findings, suppressed: 0 };
    suppressed += filtered.suppressed;
    if (filtered.kept.length > 0) await deliver(batchId, filtered.kept, deps, guard, totals);

    guard('commit');
    const result = await commitInOrder(batchId, pending, out.changes, deps.store);
    if (result.conflicts.length === 0) break;
    conflicts += result.conflicts.length;
    if (attempt >= maxAttempts) throw new BaselineConflictError(result.conflicts);
    // Re-run the events touching a conflicting record against fresh state. Records that committed
    // (they also hold this batch id) and records the write policy left unwritten are settled: the
    // retry does not fold them again, and folds a settled identity's events into its populations
    // with the hints this attempt computed.
    for (const key of result.committed) settled.add(key);
    for (const key of out.unwrittenKeys) settled.add(key);
    for (const [event, h] of out.hints)
      if (settled.has(event.identity.key) && !hints.has(event)) hints.set(event, h);
    if (deps.backoff) await deps.backoff(attempt + 1);
    const conflicting = new Set(result.conflicts);
    pending = pending.filter((e) => stateKeys([e]).some((k) => conflicting.has(k)));
    guard('load');
    state = await deps.store.load(stateKeys(pending));
    out = evalWith(pending, state, { settled, hints });
    for (const e of out.identityErrors) if (!identityErrors.has(e.key)) identityErrors.set(e.key, e);
  }

  return { ...stats, suppressed, conflicts, ...totals, identityErrors: [...identityErrors.values()] };
}

/**
 * Commit a batch's changes: every record but the populations first, then the populations whose
 * identities all committed. A population record is folded with facts about each identity before
 * its events (new identity, new action for it); those facts hold only for the identity fold that
 * commits, so a population whose identity conflicted is not written yet: it is reported as a
 * conflict and refolded on the retry, with the facts of the identity's committed fold.
 */
async function commitInOrder(
  batchId: string,
  events: readonly IdentityEvent[],
  changes: readonly StateChange[],
  store: BaselineStore,
): Promise<CommitResult> {
  const rest = changes.filter((c) => !isPopulationKey(c.key));
  const populations = changes.filter((c) => isPopulationKey(c.key));
  const first = rest.length > 0 ? await store.commit(batchId, rest) : { committed: [], conflicts: [] };
  if (populations.length === 0) return first;
  const conflicted = new Set(first.conflicts);
  const waiting = new Set<string>();
  if (conflicted.size > 0)
    for (const e of events) {
      const pk = conflicted.has(e.identity.key) ? populationKeys(e) : undefined;
      if (pk !== undefined) waiting.add(pk.account).add(pk.kind);
    }
  const ready = populations.filter((c) => !waiting.has(c.key));
  const second = ready.length > 0 ? await store.commit(batchId, ready) : { committed: [], conflicts: [] };
  return {
    committed: [...first.committed, ...second.committed],
    conflicts: [
      ...first.conflicts,
      ...second.conflicts,
      ...populations.filter((c) => waiting.has(c.key)).map((c) => c.key),
    ],
  };
}

interface DeliveryTotals {
  fresh: Finding[];
  joined: Finding[];
  repeats: Finding[];
  delivered: number;
  publishFailures: number;
  parked: UndeliveredFinding[];
}

type Guard = (step: string) => void;

/** Throws DeadlineError when less than the safety margin is left. */
function deadlineGuard(deps: PipelineDeps): Guard {
  const margin = deps.safetyMarginMs ?? 3_000;
  return (step) => {
    const left = deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    if (left < margin) throw new DeadlineError(step, left);
  };
}

const LOCAL_OWNER = 'local';
const BUSY_POLL_MS = 200;

/**
 * Claim, deliver, park, mark: every finding ends delivered (or parked) to every destination that
 * needs it, or the batch fails with its claims given back.
 */
async function deliver(
  batchId: string,
  findings: readonly Finding[],
  deps: PipelineDeps,
  guard: Guard,
  totals: DeliveryTotals,
): Promise<void> {
  const owner = deps.owner ?? LOCAL_OWNER;
  const routes = routesOf(deps);
  const margin = deps.safetyMarginMs ?? 3_000;
  const counted = new Set<string>();
  let pending = findings;
  for (;;) {
    guard('claim');
    const nowMs = deps.nowMs();
    const left = deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    const untilMs = nowMs + Math.min(deps.leaseMs ?? 60_000, Math.max(0, left - margin));
    const claim = await deps.ledger.claim(batchId, pending, {
      owner,
      untilMs,
      nowMs,
      destinations: routes,
    });
    for (const id of claim.counted) counted.add(id);
    await deliverClaimed(claim.claimed, owner, routes, deps, guard, totals);
    for (const e of claim.claimed)
      if (!isFresh(e.delivered) && counted.has(e.finding.id)) totals.repeats.push(e.finding);
    for (const f of claim.settled) if (counted.has(f.id)) totals.repeats.push(f);
    if (claim.busy.length === 0) return;
    // Another invocation is delivering some of them: wait for it (or for its lease to run out).
    const remaining = deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    if (deps.wait === undefined || remaining - margin < BUSY_POLL_MS)
      throw new DeliveryBusyError(claim.busy.map((f) => f.id));
    await deps.wait(BUSY_POLL_MS);
    pending = claim.busy;
  }
}

/** The configured routes, or the one local sink. */
const routesOf = (deps: PipelineDeps): readonly DeliveryRoute[] =>
  deps.routes ?? (deps.sink ? [{ destination: 'local', mode: 'mirror', sink: deps.sink }] : []);

const isFresh = (delivered: Readonly<Record<string, number>>): boolean =>
  Object.values(delivered).every((n) => n === 0);

async function deliverClaimed(
  claimed: readonly LedgerEntry[],
  owner: string,
  routes: readonly DeliveryRoute[],
  deps: PipelineDeps,
  guard: Guard,
  totals: DeliveryTotals,
): Promise<void> {
  if (claimed.length === 0) return;
  const ids = claimed.map((e) => e.finding.id);
  const failed = new Map<string, { finding: Finding; reasons: string[]; destinations: string[] }>();
  const used = routes.filter((r) => claimed.some((e) => e.outstanding.includes(r.destination)));
  let released = false;
  try {
    for (const route of used) {
      const entries = claimed.filter((e) => e.outstanding.includes(route.destination));
      guard(`delivery to ${route.destination}`);
      const unseen = entries.filter((e) => (e.delivered[route.destination] ?? 0) === 0).map((e) => e.finding);
      const known = entries.filter((e) => (e.delivered[route.destination] ?? 0) > 0).map((e) => e.finding);
      // A new finding the engine decided not to alert on (it joined an open incident) reaches an
      // alerting destination as a repeat would: recorded there, not paged. Mirrors import it as new.
      const paging = route.mode === 'alert';
      const fresh = paging ? unseen.filter(isAlerting) : unseen;
      const repeats = paging ? [...unseen.filter((f) => !isAlerting(f)), ...known] : known;
      let refused: readonly { finding: Finding; reason: string }[];
      try {
        refused = (await route.sink.publish(fresh, repeats)).failed;
      } catch (error) {
        // A destination that throws refused everything it was given; nothing it held is lost.
        const reason = `${route.destination} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        refused = entries.map((e) => ({ finding: e.finding, reason }));
      }
      const refusedIds = new Set(refused.map((f) => f.finding.id));
      const accepted = entries.filter((e) => !refusedIds.has(e.finding.id));
      // Mark at once what the destination accepted: the window in which a crash repeats it is this
      // write. After the last destination, with nothing refused, the same write gives the claims back.
      released = route === used[used.length - 1] && failed.size === 0 && refused.length === 0;
      if (accepted.length > 0 || released)
        await deps.ledger.settle(
          owner,
          accepted.map((e) => mark(e, route.destination)),
          released ? ids : [],
        );
      totals.delivered += accepted.length;
      totals.publishFailures += refused.length;
      for (const r of refused) {
        const f = failed.get(r.finding.id) ?? { finding: r.finding, reasons: [], destinations: [] };
        f.reasons.push(r.reason);
        f.destinations.push(route.destination);
        failed.set(r.finding.id, f);
      }
    }
    const undelivered: UndeliveredFinding[] = [...failed.values()].map((f) => ({
      finding: f.finding,
      reason: f.reasons.join('; '),
      destinations: f.destinations,
    }));
    const marks: DeliveryMark[] = [];
    if (undelivered.length > 0) {
      if (deps.onFailure === undefined) throw new UndeliveredError(undelivered);
      await deps.onFailure.park(undelivered, deps.nowMs());
      totals.parked.push(...undelivered);
      const byId = new Map(claimed.map((e) => [e.finding.id, e]));
      for (const u of undelivered)
        for (const d of u.destinations) marks.push(mark(byId.get(u.finding.id) as LedgerEntry, d));
    }
    if (!released) await deps.ledger.settle(owner, marks, ids);
  } catch (error) {
    // Give the claims back so the retry need not wait for the lease; what was marked stays marked.
    await deps.ledger.settle(owner, [], ids).catch(() => undefined);
    throw error;
  }
  const firsts = claimed.filter((e) => isFresh(e.delivered)).map((e) => e.finding);
  totals.fresh.push(...firsts.filter(isAlerting));
  totals.joined.push(...firsts.filter((f) => !isAlerting(f)));
}

const mark = (e: LedgerEntry, destination: string): DeliveryMark => ({
  id: e.finding.id,
  destination,
  count: e.finding.count,
});
