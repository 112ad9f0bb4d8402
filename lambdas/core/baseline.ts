/**
 * Per-identity baselines and per-source state, as pure fold functions. Every record is bounded
 * (caps on every dimension, least-recently-seen evicted) so a DynamoDB item stays far below 64 KB
 * whatever the traffic. No I/O, no clock: time comes from the events.
 */
import { createHash } from 'node:crypto';

import type { LinkRecord } from './chains.js';
import type { CredentialKind, IdentityEvent, IdentityKind } from './identity-event.js';
import type { BreadthEntry, BreadthGroup, BreadthPeak } from './breadth.js';
import type { CampaignState } from './campaign.js';
import type { IncidentState } from './incident.js';
import { revivePopulation, type PopulationRecord } from './priors.js';
import {
  deleteOwn,
  emptyRecord,
  getOwn,
  keysOf,
  setOwn,
  toSafeRecord,
  type SafeRecord,
} from './safe-record.js';

/** Count and first / last seen (epoch ms) of one value of a dimension. Short keys keep items small. */
export interface ValueStat {
  n: number;
  f: number;
  l: number;
}

/** Values of one dimension (network, ASN, action, …) → stats. Keys are observed values: a {@link SafeRecord}. */
export type Dimension = SafeRecord<ValueStat>;

/** The dimensions a baseline learns. */
export const DIMENSIONS = [
  'networks',
  'asns',
  'countries',
  'uaFamilies',
  'uaClasses',
  'actions',
  'rolesAssumed',
  'targetAccounts',
  'scopes',
  'credentialKinds',
  'vpcEndpoints',
  'awsServices',
  'regions',
  /** Federated subject patterns (GitHub repository, EKS service account, …) that assumed this role. */
  'subjects',
  /** Their owner scopes (GitHub organisation, EKS namespace, …). */
  'subjectOwners',
] as const;
/** One learned dimension's name. */
export type DimensionName = (typeof DIMENSIONS)[number];

/** Where one credential was used: what replay detection compares against. */
export interface CredentialState {
  kind: CredentialKind;
  f: number;
  l: number;
  n: number;
  /** Origin keys (`AS16509`, `net:203.0.113.0/24`, `svc:lambda.amazonaws.com`, `raw:<string>`) → stats. */
  origins: Dimension;
  /** Used from inside AWS (AWS network or AWS service) / from outside. */
  hasAws: boolean;
  hasOutside: boolean;
  /**
   * Used directly from an AWS network address (EC2, Lambda, ECS…), not through an AWS service acting
   * for the caller: replay detection must not mistake CloudFormation calling on a laptop's behalf for
   * the key living inside AWS. Absent on records written before the field existed.
   */
  hasAwsNetwork?: boolean;
  /** User-agent classes it was used with. */
  uaClasses: Dimension;
  /**
   * Networks (/24, /48) it was called from directly from AWS addresses, and private addresses
   * without a VPC endpoint (`priv:<network>`): EC2 instance credentials are compared on them.
   * Absent on records written before the field existed.
   */
  nets?: Dimension;
}

/** Hour-of-day rate statistics: mean and variance of calls per hour bucket (Welford / EWMA). */
export interface RateSlot {
  /** Mean calls per hour in this hour-of-day. */
  m: number;
  /** Variance. */
  v: number;
  /** Samples folded. */
  s: number;
}

/** Rate profile: the current hour bucket and 24 hour-of-day slots, plus the highest hour seen. */
export interface RateProfile {
  bucketStartMs: number;
  bucketCount: number;
  /** Highest completed hourly count. */
  peak: number;
  slots: RateSlot[];
  /** Start of the current minute (epoch ms), for per-minute rate envelopes; absent in records written before it existed. */
  minuteStartMs?: number;
  /** Calls in the current minute. */
  minuteCount?: number;
  /**
   * How much of `bucketCount` is estimate: a sampled routine call (core/write-policy.ts) counts for
   * N calls, N − 1 of them estimated; absent when the count is exact. rate-anomaly judges
   * `bucketCount − bucketEstimated`, calls the hour certainly had, so sampling never makes an hour
   * look busier than it was.
   */
  bucketEstimated?: number;
}

/** A timestamped entry of a short window (failures, denials). */
export interface WindowEntry {
  t: number;
  /** Action, source or identity the entry is about. */
  k: string;
  /** Error code of the failure / denial (truncated), so rules can explain and filter (e.g. expired tokens). */
  c?: string;
}

/** Longest error code kept in a window entry: codes are short; anything longer is not a code. */
const MAX_CODE_LENGTH = 64;

/** A window entry for an event: its time, what it is about and its error code when logged. */
function windowEntry(event: IdentityEvent, k: string): WindowEntry {
  const code = event.outcome.errorCode;
  return code === undefined || code === ''
    ? { t: event.timeMs, k }
    : { t: event.timeMs, k, c: code.slice(0, MAX_CODE_LENGTH) };
}

/** One bounded record per identity. */
export interface IdentityBaseline {
  readonly type: 'identity';
  readonly key: string;
  kind: IdentityKind;
  accountId?: string;
  principal?: string;
  name?: string;
  firstSeenMs: number;
  lastSeenMs: number;
  eventCount: number;
  /** Largest gap between consecutive events seen so far (ms): dormant detection compares to it. */
  maxGapMs: number;
  dims: Record<DimensionName, Dimension>;
  /** Credential id (observed: a token's `jti`, an access key id) → where it was used. */
  credentials: SafeRecord<CredentialState>;
  rate: RateProfile;
  failures: WindowEntry[];
  denials: WindowEntry[];
  /** Distinct sensitive reads and discovery calls of the last hour (breadth.ts); absent on older records. */
  reads?: BreadthEntry[];
  /** Widest earlier and current read bursts per group (breadth.ts); absent on older records. */
  readPeaks?: Partial<Record<BreadthGroup, BreadthPeak>>;
  /** Ids of the batches already folded in: redelivery of one is skipped. */
  batches: string[];
  /**
   * Event time of the earliest event a live delivery (not a backfill) folded in. A backfill skips
   * this identity's events from then on: the live stream has them already (the same CloudTrail
   * event reaches both the log group and the S3 archive).
   */
  liveFromMs?: number;
  /** The identity's latest incident (core/incident.ts), kept with the baseline so both commit together. */
  incident?: IncidentState;
}

/** Cross-identity state per source address: which identities failed from it, and when. */
export interface SourceState {
  readonly type: 'source';
  readonly key: string;
  ip: string;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Authentication failures from this source (k = identity key). */
  failures: WindowEntry[];
  /** Findings from this source across identities, while recent (campaign.ts). */
  campaign?: CampaignState;
  /** Ids of the batches already folded in. */
  batches: string[];
}

/** Anything the BaselineStore keeps: identity baselines, per-source state, population priors, issuance links (chains.ts). */
export type StateRecord = IdentityBaseline | SourceState | PopulationRecord | LinkRecord;

/** Caps that bound every record. */
export interface BaselineLimits {
  /** Values kept per dimension. */
  readonly maxValuesPerDimension: number;
  /** Values kept for the `actions` dimension (usually the widest). */
  readonly maxActions: number;
  readonly maxCredentials: number;
  readonly maxOriginsPerCredential: number;
  /** Entries kept in each short window. */
  readonly maxWindowEntries: number;
  /** Short-window entries older than this are dropped. */
  readonly windowRetentionSeconds: number;
  readonly maxBatchIds: number;
  /** Weight of a new hourly sample in the slot mean once a slot has this many samples (EWMA). */
  readonly rateSlotHalfLifeSamples: number;
  /** Actions kept per population record (account, kind of identity), least recently seen evicted. */
  readonly maxPopulationActions: number;
  /** Window, seconds, in which distinct sensitive reads and discovery calls are counted (sensitive-read-breadth). */
  readonly breadthWindowSeconds: number;
}

/** @default caps sized to keep an identity item under ~24 KB in the worst case. */
export const DEFAULT_LIMITS: BaselineLimits = {
  maxValuesPerDimension: 32,
  maxActions: 96,
  maxCredentials: 16,
  maxOriginsPerCredential: 8,
  maxWindowEntries: 64,
  windowRetentionSeconds: 3600,
  maxBatchIds: 16,
  rateSlotHalfLifeSamples: 14,
  maxPopulationActions: 256,
  breadthWindowSeconds: 600,
};

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Key of the source record for an IP. */
export const sourceKey = (ip: string): string => `src#${ip}`;

/** A fresh baseline for an identity first seen in `event`. */
export function emptyBaseline(event: IdentityEvent): IdentityBaseline {
  const dims = {} as Record<DimensionName, Dimension>;
  for (const d of DIMENSIONS) dims[d] = emptyRecord();
  const b: IdentityBaseline = {
    type: 'identity',
    key: event.identity.key,
    kind: event.identity.kind,
    firstSeenMs: event.timeMs,
    lastSeenMs: event.timeMs,
    eventCount: 0,
    maxGapMs: 0,
    dims,
    credentials: emptyRecord(),
    rate: { bucketStartMs: hourStart(event.timeMs), bucketCount: 0, peak: 0, slots: emptySlots() },
    failures: [],
    denials: [],
    batches: [],
  };
  if (event.identity.accountId !== undefined) b.accountId = event.identity.accountId;
  if (event.identity.principal !== undefined) b.principal = event.identity.principal;
  if (event.identity.name !== undefined) b.name = event.identity.name;
  return b;
}

/** A fresh source record. */
export function emptySource(ip: string, timeMs: number): SourceState {
  return {
    type: 'source',
    key: sourceKey(ip),
    ip,
    firstSeenMs: timeMs,
    lastSeenMs: timeMs,
    failures: [],
    batches: [],
  };
}

const emptySlots = (): RateSlot[] => Array.from({ length: 24 }, () => ({ m: 0, v: 0, s: 0 }));
/** Start of the UTC hour containing `timeMs`. */
export const hourStart = (timeMs: number): number => Math.floor(timeMs / HOUR_MS) * HOUR_MS;

/** The origin key a credential's use is compared on: ASN when known, else network, service or raw. */
export function originKey(event: IdentityEvent): string {
  const o = event.origin;
  if (o.awsService !== undefined) return `svc:${o.awsService}`;
  if (o.asn !== undefined) return `AS${o.asn}`;
  if (o.network !== undefined) return `net:${o.network}`;
  return `raw:${o.ip ?? 'unknown'}`;
}

/**
 * Record one use of `value` (counted `weight` times: 1, or the weight of a sampled routine event,
 * or 0 for a routine event left out of the counts, see core/write-policy.ts), evicting the least
 * recently seen value past `cap`. Returns whether the value is new to the dimension.
 */
export function touch(dim: Dimension, value: string, timeMs: number, cap: number, weight = 1): boolean {
  return touchCount(dim, value, timeMs, cap, weight) === 0;
}

/** {@link touch}, returning the value's count before the call (0 exactly when the value is new). */
function touchCount(dim: Dimension, value: string, timeMs: number, cap: number, weight: number): number {
  const stat = getOwn(dim, value);
  if (stat) {
    const before = stat.n;
    stat.n += weight;
    if (timeMs > stat.l) stat.l = timeMs;
    if (timeMs < stat.f) stat.f = timeMs;
    return before > 0 ? before : Number.MIN_VALUE;
  }
  setOwn(dim, value, { n: weight, f: timeMs, l: timeMs });
  evictOldest(dim, cap);
  return 0;
}

/** Drop the least recently seen entries of a record until it holds at most `cap`. */
function evictOldest<V extends { l: number }>(r: SafeRecord<V>, cap: number): void {
  const keys = keysOf(r);
  if (keys.length <= cap) return;
  let oldest = keys[0] as string;
  let oldestL = Infinity;
  for (const k of keys) {
    const l = (getOwn(r, k) as V).l;
    if (l < oldestL) {
      oldest = k;
      oldestL = l;
    }
  }
  deleteOwn(r, oldest);
}

/** {@link touchCount} for an optional value (undefined and empty values are not recorded: Infinity). */
function touchIf(
  dim: Dimension,
  value: string | undefined,
  timeMs: number,
  cap: number,
  weight: number,
): number {
  return value !== undefined && value !== '' ? touchCount(dim, value, timeMs, cap, weight) : Infinity;
}

/** Append to a short window, dropping entries past retention and past the cap. */
export function pushWindow(window: WindowEntry[], entry: WindowEntry, limits: BaselineLimits): WindowEntry[] {
  const horizon = entry.t - limits.windowRetentionSeconds * 1000;
  const kept = window.filter((e) => e.t >= horizon);
  kept.push(entry);
  kept.sort((x, y) => x.t - y.t);
  return kept.length > limits.maxWindowEntries ? kept.slice(kept.length - limits.maxWindowEntries) : kept;
}

/** Entries of a window within `windowSeconds` before (and including) `timeMs`. */
export const within = (
  window: readonly WindowEntry[],
  timeMs: number,
  windowSeconds: number,
): WindowEntry[] => window.filter((e) => e.t <= timeMs && e.t > timeMs - windowSeconds * 1000);

/** Close hour buckets up to the one containing `timeMs`, folding completed counts into the slots. */
export function advanceRate(rate: RateProfile, timeMs: number, limits: BaselineLimits): void {
  const target = hourStart(timeMs);
  if (target <= rate.bucketStartMs) return;
  foldSlot(rate, rate.bucketStartMs, rate.bucketCount, limits);
  // Empty hours in between count as zero-call hours (at most one day of them matters per slot).
  const gapHours = Math.min(24, Math.round((target - rate.bucketStartMs) / HOUR_MS) - 1);
  for (let i = 1; i <= gapHours; i++) foldSlot(rate, target - i * HOUR_MS, 0, limits);
  rate.bucketStartMs = target;
  rate.bucketCount = 0;
  delete rate.bucketEstimated;
}

function foldSlot(rate: RateProfile, bucketStartMs: number, count: number, limits: BaselineLimits): void {
  const slot = rate.slots[new Date(bucketStartMs).getUTCHours()];
  if (!slot) return;
  const n = Math.min(slot.s + 1, limits.rateSlotHalfLifeSamples);
  const delta = count - slot.m;
  slot.m += delta / n;
  slot.v += (delta * (count - slot.m) - slot.v) / n;
  slot.s += 1;
  if (count > rate.peak) rate.peak = count;
}

/** Count a call in the current minute (two numbers: bounded); an event older than the current minute is not counted. */
function countMinute(rate: RateProfile, timeMs: number, weight: number): void {
  const m = Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
  if (rate.minuteStartMs === undefined || m > rate.minuteStartMs) {
    rate.minuteStartMs = m;
    rate.minuteCount = weight;
  } else if (m === rate.minuteStartMs) {
    rate.minuteCount = (rate.minuteCount ?? 0) + weight;
  }
}

/** Whether an event is an authentication failure. */
export const isAuthnFailure = (event: IdentityEvent): boolean => event.outcome.authn === 'failure';
/** Whether an event is an authorization denial. */
export const isDenial = (event: IdentityEvent): boolean => event.outcome.authz === 'denied';

/** What a fold noticed (core/write-policy.ts: a novel event is always written, never sampled). */
export interface FoldNotes {
  /** The event added something the record did not hold: a value, a credential, an origin, a flag. */
  isNovel: boolean;
  /** Smallest count (before the event) of the values it touched in the record's dimensions (Infinity: none). */
  minCount?: number;
}

/**
 * Fold one event into an identity baseline (mutates and returns it). Callers keep the state the
 * rules saw: the engine evaluates rules first, then folds.
 *
 * `weight` is how many calls the event counts for in the counters (event count, value counts,
 * hour and minute buckets): 1 normally; the write policy (core/write-policy.ts) folds a sampled
 * routine event with its sampling weight and one left out of the sample with 0 (times still move).
 * `notes.isNovel` is set when the event added anything new.
 */
export function foldIdentity(
  b: IdentityBaseline,
  event: IdentityEvent,
  limits: BaselineLimits,
  weight = 1,
  notes?: FoldNotes,
): IdentityBaseline {
  const t = event.timeMs;
  if (b.eventCount > 0 && t > b.lastSeenMs) b.maxGapMs = Math.max(b.maxGapMs, t - b.lastSeenMs);
  if (t < b.firstSeenMs) b.firstSeenMs = t;
  if (t > b.lastSeenMs) b.lastSeenMs = t;
  b.eventCount += weight;
  let isNovel = false;
  if (b.kind === 'unknown' && event.identity.kind !== 'unknown') {
    b.kind = event.identity.kind;
    isNovel = true;
  }

  advanceRate(b.rate, t, limits);
  if (hourStart(t) === b.rate.bucketStartMs) {
    b.rate.bucketCount += weight;
    // A sampled call stands for `weight` calls: one observed, the rest estimated.
    if (weight > 1) b.rate.bucketEstimated = (b.rate.bucketEstimated ?? 0) + weight - 1;
  }
  countMinute(b.rate, t, weight);

  if (isAuthnFailure(event)) {
    b.failures = pushWindow(b.failures, windowEntry(event, event.origin.ip ?? ''), limits);
  } else if (isDenial(event) && event.origin.awsService === undefined) {
    // A denial an AWS service met while acting for the identity (sign-in, SQS, CloudFormation…) is
    // not the identity probing its permissions: access-denied-burst does not count it.
    b.denials = pushWindow(b.denials, windowEntry(event, event.action.name), limits);
  }
  // Failed authentication says nothing about what the identity normally does.
  if (isAuthnFailure(event)) {
    if (notes) notes.isNovel = true;
    return b;
  }

  // Each dimension touched directly (no per-event arrays): this runs for every event.
  const o = event.origin;
  const a = event.action;
  const d = b.dims;
  const cap = limits.maxValuesPerDimension;
  const w = weight;
  let least = Math.min(
    touchIf(d.networks, o.network, t, cap, w),
    o.asn !== undefined ? touchCount(d.asns, String(o.asn), t, cap, w) : Infinity,
    touchIf(d.countries, o.country, t, cap, w),
    touchIf(d.uaFamilies, o.userAgentFamily, t, cap, w),
    touchIf(d.uaClasses, o.userAgentClass, t, cap, w),
    // Denied actions are not part of the learned scope.
    isDenial(event) ? Infinity : touchIf(d.actions, a.name, t, limits.maxActions, w),
    touchIf(d.rolesAssumed, a.targetRoleArn, t, cap, w),
    touchIf(d.targetAccounts, a.targetAccountId, t, cap, w),
    touchIf(d.credentialKinds, event.credential.kind, t, cap, w),
    touchIf(d.vpcEndpoints, o.vpcEndpointId, t, cap, w),
    touchIf(d.awsServices, o.awsService, t, cap, w),
    touchIf(d.regions, a.region, t, cap, w),
  );
  const scopes = event.outcome.scopes;
  if (scopes) for (const sc of scopes) least = Math.min(least, touchIf(d.scopes, sc, t, cap, w));
  // A federated subject that obtained credentials for this role (a denied attempt is not part of its scope).
  const subject = event.issuance?.subject;
  if (subject !== undefined && !isDenial(event)) {
    least = Math.min(
      least,
      touchCount(d.subjects, subject.pattern, t, cap, w),
      touchCount(d.subjectOwners, subject.owner, t, cap, w),
    );
  }
  if (least === 0) isNovel = true;
  if (notes) notes.minCount = Math.min(notes.minCount ?? Infinity, least);

  const credId = event.credential.id;
  if (credId !== undefined && credId !== '') {
    let c = getOwn(b.credentials, credId);
    if (!c) {
      c = {
        kind: event.credential.kind,
        f: t,
        l: t,
        n: 0,
        origins: emptyRecord(),
        hasAws: false,
        hasOutside: false,
        uaClasses: emptyRecord(),
      };
      setOwn(b.credentials, credId, c);
      evictOldest(b.credentials, limits.maxCredentials);
      isNovel = true;
    }
    c.n += w;
    if (t > c.l) c.l = t;
    if (t < c.f) c.f = t;
    const perCredential = limits.maxOriginsPerCredential;
    if (touch(c.origins, originKey(event), t, perCredential, w)) isNovel = true;
    if (touch(c.uaClasses, event.origin.userAgentClass, t, perCredential, w)) isNovel = true;
    if (event.origin.isIp && event.origin.awsService === undefined && event.origin.network !== undefined) {
      if (event.origin.isAws) {
        if (touch((c.nets ??= emptyRecord()), event.origin.network, t, perCredential, w)) isNovel = true;
      } else if (event.origin.isPrivate && event.origin.vpcEndpointId === undefined) {
        if (touch((c.nets ??= emptyRecord()), `priv:${event.origin.network}`, t, perCredential, w))
          isNovel = true;
      }
    }
    if (event.origin.isAws) {
      if (!c.hasAws) isNovel = true;
      c.hasAws = true;
      if (event.origin.isIp && event.origin.awsService === undefined) {
        if (c.hasAwsNetwork !== true) isNovel = true;
        c.hasAwsNetwork = true;
      }
    } else if (event.origin.isIp && !event.origin.isPrivate) {
      if (!c.hasOutside) isNovel = true;
      c.hasOutside = true;
    }
  }
  if (notes && isNovel) notes.isNovel = true;
  return b;
}

/** Fold one event into a source record (mutates and returns it). */
export function foldSource(s: SourceState, event: IdentityEvent, limits: BaselineLimits): SourceState {
  const t = event.timeMs;
  if (t < s.firstSeenMs) s.firstSeenMs = t;
  if (t > s.lastSeenMs) s.lastSeenMs = t;
  if (isAuthnFailure(event))
    s.failures = pushWindow(s.failures, windowEntry(event, event.identity.key), limits);
  return s;
}

/** Batch ids of history folded by `nhi-watch backfill` start with this. */
export const BACKFILL_BATCH_PREFIX = 'backfill:';
/** A backfill batch's tag (what records keep) starts with this. */
const BACKFILL_TAG_PREFIX = 'bf:';
/** Ids this long or shorter are their own tag (tests, short local ids). */
const MAX_VERBATIM_BATCH_ID = 16;
/** Characters of base64url SHA-256 a long id is remembered by: 78 bits, so a stranger batch matches one of 16 remembered tags with odds ~5e-23. */
const BATCH_TAG_CHARS = 13;

/** Whether a batch id (or its tag) is a backfill chunk's. */
export const isBackfillBatch = (batchId: string): boolean =>
  batchId.startsWith(BACKFILL_BATCH_PREFIX) || batchId.startsWith(BACKFILL_TAG_PREFIX);

/**
 * What a record remembers a batch by. A delivery's id is the SHA-256 of its payload (64 hex
 * characters); 16 of them were ~1.1 KB of every record, incompressible, pushing items past the
 * 1 KB write unit. A long id is remembered by 13 characters of the base64url SHA-256 of the id
 * (`bf:` + 12 for backfill chunks, so they stay apart); a short id is its own tag. Idempotent
 * (`batchTag(batchTag(x)) === batchTag(x)`), so records written with full ids are read back by
 * mapping them through it ({@link reviveRecord}).
 */
export function batchTag(batchId: string): string {
  if (batchId.length <= MAX_VERBATIM_BATCH_ID) return batchId;
  const digest = createHash('sha256').update(batchId).digest('base64url');
  return isBackfillBatch(batchId)
    ? `${BACKFILL_TAG_PREFIX}${digest.slice(0, BATCH_TAG_CHARS - 1)}`
    : digest.slice(0, BATCH_TAG_CHARS);
}

/** Whether a record already holds a batch (by id or tag). */
export const hasBatch = (record: { readonly batches: readonly string[] }, batchId: string): boolean =>
  record.batches.includes(batchTag(batchId));

/** Batch lists read from storage: full ids written before tags existed become tags. */
const tagBatches = (batches: unknown): string[] =>
  Array.isArray(batches) ? batches.map((b) => (typeof b === 'string' ? batchTag(b) : String(b))) : [];

/**
 * Remember a batch id on a record, bounded: the last `maxBatchIds` live deliveries and, apart from
 * them, the last `maxBatchIds` backfill chunks. Kept apart so that a long backfill folding history
 * into an identity never pushes a live delivery's id out of the record: CloudWatch Logs may still
 * redeliver that payload, and it must be recognised.
 */
export function rememberBatch(record: StateRecord, batchId: string, limits: BaselineLimits): void {
  const tag = batchTag(batchId);
  if (record.batches.includes(tag)) return;
  record.batches.push(tag);
  const isBackfill = isBackfillBatch(tag);
  let sameKind = 0;
  for (const id of record.batches) if (isBackfillBatch(id) === isBackfill) sameKind++;
  for (let i = 0; sameKind > limits.maxBatchIds && i < record.batches.length;) {
    if (isBackfillBatch(record.batches[i] as string) === isBackfill) {
      record.batches.splice(i, 1);
      sameKind--;
    } else i++;
  }
}

/** Learning status of a baseline: "first seen" rules stay quiet until both thresholds are met. */
export interface LearningConfig {
  readonly learningPeriodSeconds: number;
  readonly learningMinEvents: number;
}

/** @default 7 days and 200 events. */
export const DEFAULT_LEARNING: LearningConfig = { learningPeriodSeconds: 7 * 86_400, learningMinEvents: 200 };

/** Whether an identity has a learning period behind it at `timeMs`. */
export const isLearned = (b: IdentityBaseline, timeMs: number, cfg: LearningConfig): boolean =>
  b.eventCount >= cfg.learningMinEvents && timeMs - b.firstSeenMs >= cfg.learningPeriodSeconds * 1000;

/**
 * A state record decoded from JSON (DynamoDB body, state file, a copy), with every map keyed by
 * observed values turned back into a null-prototype {@link SafeRecord} (JSON.parse makes plain
 * objects, on which a learned `constructor` or `__proto__` would read a built-in). Mutates and
 * returns the parsed value; anything that is not a record of a known type is returned unchanged
 * for the caller to reject.
 */
export function reviveRecord(parsed: unknown): StateRecord {
  const r = parsed as StateRecord;
  if (typeof parsed !== 'object' || parsed === null) return r;
  if (r.batches !== undefined) r.batches = tagBatches(r.batches);
  if (r.type === 'population') return revivePopulation(r);
  if (r.type !== 'identity') return r;
  const dims = (typeof r.dims === 'object' && r.dims !== null ? r.dims : {}) as Record<
    DimensionName,
    unknown
  >;
  const revived = {} as Record<DimensionName, Dimension>;
  for (const d of DIMENSIONS) revived[d] = toSafeRecord<ValueStat>(dims[d]);
  r.dims = revived;
  r.credentials = toSafeRecord<CredentialState>(r.credentials, (v) => {
    const c = v as CredentialState;
    c.origins = toSafeRecord<ValueStat>(c.origins);
    c.uaClasses = toSafeRecord<ValueStat>(c.uaClasses);
    if (c.nets !== undefined) c.nets = toSafeRecord<ValueStat>(c.nets);
    return c;
  });
  return r;
}

/** Decode a state record's JSON text (what the stores write). */
export const parseRecord = (json: string): StateRecord => reviveRecord(JSON.parse(json));

/** Deep copy of a record (records are JSON with null-prototype maps). */
export const cloneRecord = <T extends StateRecord>(r: T): T => parseRecord(JSON.stringify(r)) as T;
