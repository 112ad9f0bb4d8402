/**
 * The finding ledger's state machine, pure: what one finding's ledger entry becomes when a batch
 * claims it for delivery, and what "delivered" means per destination. Adapters (memory,
 * DynamoDB) store the state and apply these transitions under their own concurrency control
 * (a conditional write on the entry's version), so both behave the same.
 *
 * - A batch's contribution to a finding's count is added once per batch id (the entry remembers
 *   its recent batch ids): the same payload delivered five times, concurrently or not, counts once.
 * - A finding is *delivered* to a destination when that destination accepted it, or when it was
 *   parked for that destination in the on-failure queue; the entry records, per destination, the
 *   count it holds. An `alert` destination (SNS) needs a finding once; a `mirror` destination
 *   (Security Hub) needs every new count.
 * - Only one invocation delivers a finding at a time: it *claims* the entry with a lease. Another
 *   invocation that finds a live claim waits; a claim whose lease ran out (its owner crashed or
 *   was killed) can be taken over. Nothing is marked delivered before it was.
 */
import { batchTag } from './baseline.js';
import type { Finding } from './finding.js';

/** How a destination treats a finding: alert once, or mirror every new count. */
export type DestinationMode = 'alert' | 'mirror';

/** A destination as the ledger sees it. */
export interface DestinationSpec {
  readonly destination: string;
  readonly mode: DestinationMode;
}

/** Batch ids an entry remembers (redelivered batches arrive within minutes). */
export const LEDGER_BATCH_MEMORY = 32;

/** One finding's ledger entry. */
export interface LedgerState {
  readonly count: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Recent batches whose contribution is in `count`. */
  readonly batches: readonly string[];
  /** Count each destination holds (0 or absent: never delivered there). */
  readonly delivered: Readonly<Record<string, number>>;
  /** The invocation delivering it now, until when. */
  readonly claim?: { readonly owner: string; readonly untilMs: number };
}

/** A claimed finding: the cumulative finding, where it must still go, and where it already is. */
export interface LedgerEntry {
  /** The finding with its cumulative count and time span. */
  readonly finding: Finding;
  /** Destinations that still need it. */
  readonly outstanding: readonly string[];
  /** Count each destination held before this delivery. */
  readonly delivered: Readonly<Record<string, number>>;
}

/** Outcome of claiming one finding. */
export type ClaimPlan =
  | {
      readonly outcome: 'claimed';
      readonly next: LedgerState;
      readonly entry: LedgerEntry;
      readonly counted: boolean;
    }
  | { readonly outcome: 'busy'; readonly next: LedgerState | undefined; readonly counted: boolean }
  | { readonly outcome: 'settled'; readonly next: LedgerState | undefined; readonly counted: boolean };

const deliveredTo = (s: LedgerState, destination: string): number => s.delivered[destination] ?? 0;

/** Destinations of `specs` that still need the entry. */
export function outstandingOf(s: LedgerState, specs: readonly DestinationSpec[]): string[] {
  return specs
    .filter((d) =>
      d.mode === 'alert' ? deliveredTo(s, d.destination) === 0 : deliveredTo(s, d.destination) < s.count,
    )
    .map((d) => d.destination);
}

/**
 * Claim `finding` for `owner` until `untilMs`: count the batch once, then take the claim if any
 * destination needs the finding and no other live claim holds it. `next` is the state to write
 * (undefined: nothing changed).
 */
export function planClaim(
  prior: LedgerState | undefined,
  finding: Finding,
  batchId: string,
  specs: readonly DestinationSpec[],
  owner: string,
  nowMs: number,
  untilMs: number,
): ClaimPlan {
  const base: LedgerState = prior ?? {
    count: 0,
    firstSeenMs: finding.firstSeenMs,
    lastSeenMs: finding.lastSeenMs,
    batches: [],
    delivered: {},
  };
  // Remembered by tag (baseline.ts): 32 full delivery ids were 2 KB of every entry.
  const tag = batchTag(batchId);
  const counted = !base.batches.some((b) => b === tag || b === batchId);
  const merged: LedgerState = counted
    ? {
        ...base,
        count: base.count + finding.count,
        firstSeenMs: Math.min(base.firstSeenMs, finding.firstSeenMs),
        lastSeenMs: Math.max(base.lastSeenMs, finding.lastSeenMs),
        batches: [...base.batches, tag].slice(-LEDGER_BATCH_MEMORY),
      }
    : base;
  const changed = counted ? merged : undefined;
  const outstanding = outstandingOf(merged, specs);
  if (outstanding.length === 0) return { outcome: 'settled', next: changed, counted };
  const claim = merged.claim;
  if (claim !== undefined && claim.owner !== owner && claim.untilMs > nowMs)
    return { outcome: 'busy', next: changed, counted };
  return {
    outcome: 'claimed',
    next: { ...merged, claim: { owner, untilMs } },
    counted,
    entry: {
      finding: {
        ...finding,
        count: merged.count,
        firstSeenMs: merged.firstSeenMs,
        lastSeenMs: merged.lastSeenMs,
      },
      outstanding,
      delivered: merged.delivered,
    },
  };
}

/** One destination now holds a finding at this count. */
export interface DeliveryMark {
  readonly id: string;
  readonly destination: string;
  readonly count: number;
}

/** The state after marks (counts only rise) and, if `release`, without `owner`'s claim. */
export function applyMarks(
  s: LedgerState,
  marks: readonly DeliveryMark[],
  owner: string,
  release: boolean,
): LedgerState {
  const delivered: Record<string, number> = { ...s.delivered };
  for (const m of marks) delivered[m.destination] = Math.max(delivered[m.destination] ?? 0, m.count);
  const next: LedgerState = { ...s, delivered };
  if (release && s.claim?.owner === owner) {
    const { claim: _released, ...rest } = next;
    return rest;
  }
  return next;
}
