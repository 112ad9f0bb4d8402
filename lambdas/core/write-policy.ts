/**
 * When a state record is written. Writing every identity touched by every delivery costs one
 * DynamoDB write (≥ 1 write unit) per identity per delivery: at 10k identities a 1,000-event
 * delivery touches ~950 of them, ~1 write unit per event. Most of those writes only move counters
 * (one more call of a known action, from a known network, with a known key). This policy keeps
 * every *material* change exact and samples the routine counter updates:
 *
 * - **Material** (always written, counted exactly): a new identity; any event while the identity is
 *   still learning; a value new to any dimension (action, network, ASN, country, user agent, role,
 *   scope, region, subject…), a new credential, a new origin / network / user-agent class for a
 *   credential, a credential's first use inside or outside AWS; a finding or an incident change;
 *   an authentication failure or a denial (short windows); a sensitive read (breadth window); a
 *   live delivery's first event for the identity (`liveFromMs`); an event more than
 *   `maxStalenessSeconds` after the stored last-seen time; an identity with an integration
 *   contract (its rate envelopes read the counters); an identity with `exactFromEvents` or more
 *   events in the delivery (one write then costs at most 1/`exactFromEvents` of a unit per event);
 *   a call touching a value counted fewer than `exactBelowCount` times (rules compare small
 *   counts to thresholds); a call of a user-agent class under `exactBelowShare` of the identity's
 *   calls (new-user-agent reads shares); a call in an hour past `exactAboveRateFraction` of its
 *   rate-anomaly threshold (a busy hour is counted exactly from there on).
 *   Backfill chunks are always exact.
 * - **Routine** (everything else): an event is kept in the stored counters with probability
 *   1/`routineSampleEvery`, decided by a hash of its event id and identity key (so a retry, a
 *   concurrent redelivery and a backfill of the same event decide the same), and then counts for
 *   `routineSampleEvery` calls (a Horvitz–Thompson estimate: unbiased); otherwise it moves only the
 *   times. A record whose delivery has neither a material event nor a sampled one is not written
 *   at all, and does not remember the delivery. Within an invocation that record is settled all
 *   the same: a retry after a commit conflict elsewhere does not weigh its events again (engine.ts
 *   `RetryState`). A later redelivery by the platform evaluates it again against the record as it
 *   is then: the same decision unless that record changed so that the call became material, when
 *   the call is counted once (weight 1, having been counted 0 times).
 *
 * Rules always see the delivery's own events exactly (the engine folds every event for
 * evaluation); only what is stored for later deliveries is sampled. What becomes approximate:
 * call counters of learned identities (event count, per-value counts, hourly profile), with a
 * relative standard error of about √(routineSampleEvery / routine calls) — 8 % after 5,000
 * routine calls at 1/32 — and last-seen times, at most `maxStalenessSeconds` behind. What never
 * does: first-seen values and times, every value a dimension holds, credentials and where they
 * were used, windows of failures, denials and reads, findings, incidents, alerts, the finding
 * ledger, and everything during learning.
 *
 * Population records (priors) follow the same rule with `populationSampleEvery`: only their call
 * counts are estimates; identities, actions and who called them stay exact.
 */

/** The write policy's knobs. */
export interface WritePolicy {
  /** A routine event is kept in an identity's counters once in this many (1: every event, exact). */
  readonly routineSampleEvery: number;
  /** The same for population records (their counts are evidence only). */
  readonly populationSampleEvery: number;
  /** An event this long after the stored last-seen time is material (bounds last-seen staleness). */
  readonly maxStalenessSeconds: number;
  /** An identity (or population) with this many events in one delivery is written exactly. */
  readonly exactFromEvents: number;
  /** A call touching a value counted fewer times than this is material: rules compare small counts to thresholds (sensitive-action's 5 calls, new-federated-subject's 5 assumptions). */
  readonly exactBelowCount: number;
  /** A call of a user-agent class holding less than this share of the identity's calls is material: new-user-agent reads class shares. */
  readonly exactBelowShare: number;
  /** A call in an hour already past this fraction of its rate-anomaly threshold is material: busy hours are counted exactly. */
  readonly exactAboveRateFraction: number;
}

/** Every change written, every counter exact: the local default (writes are free there). */
export const EXACT_WRITES: WritePolicy = {
  routineSampleEvery: 1,
  populationSampleEvery: 1,
  maxStalenessSeconds: 0,
  exactFromEvents: 1,
  exactBelowCount: Infinity,
  exactBelowShare: 1,
  exactAboveRateFraction: 0,
};

/**
 * The deployed default (DynamoDB bills every write): at 10k identities, ≤ 0.05 write units per event
 * (docs/BENCHMARKS.md, `npm run bench:writes`).
 */
export const SAMPLED_WRITES: WritePolicy = {
  routineSampleEvery: 32,
  populationSampleEvery: 256,
  maxStalenessSeconds: 6 * 3600,
  exactFromEvents: 32,
  exactBelowCount: 8,
  exactBelowShare: 0.25,
  exactAboveRateFraction: 0.5,
};

/** Whether a policy samples at all. */
export const isSampling = (p: WritePolicy | undefined): p is WritePolicy =>
  p !== undefined && (p.routineSampleEvery > 1 || p.populationSampleEvery > 1);

/** 32-bit FNV-1a of a string with a murmur3 finaliser: uniform enough for 1-in-N sampling, pure. */
export function sampleHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The weight a routine event is stored with under 1-in-`every` sampling: `every` when its hash
 * falls in the sample, else 0. Deterministic in (event id, record key).
 */
export function routineWeight(eventId: string, recordKey: string, every: number): number {
  if (every <= 1) return 1;
  return sampleHash(`${eventId}\u0000${recordKey}`) < 0x100000000 / every ? every : 0;
}
