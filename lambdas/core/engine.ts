/**
 * The engine: evaluate a batch of identity events against loaded state and rules, returning the
 * findings and the next state. Pure: no I/O, no clock, no globals. The Lambdas, the CLI, the rule
 * harness and the benchmarks all call this one function.
 */
import {
  DEFAULT_LEARNING,
  DEFAULT_LIMITS,
  cloneRecord,
  emptyBaseline,
  emptySource,
  foldIdentity,
  foldSource,
  hourStart,
  isAuthnFailure,
  isDenial,
  isLearned,
  isBackfillBatch,
  rememberBatch,
  batchTag,
  sourceKey,
  type BaselineLimits,
  type DimensionName,
  type FoldNotes,
  type IdentityBaseline,
  type LearningConfig,
  type SourceState,
  type StateRecord,
} from './baseline.js';
import { callerLinkKey, isLinkLive, issuedLinkKey, newLink, withChain, type LinkRecord } from './chains.js';
import { hasValue, totalCalls } from './baseline-facts.js';
import { foldBreadth } from './breadth.js';
import {
  DEFAULT_CAMPAIGN_CONFIG,
  campaignAt,
  campaignGate,
  campaignReason,
  isCampaignAddress,
  spansOthers,
  touchCampaign,
  type CampaignConfig,
  type CampaignState,
} from './campaign.js';
import { ContractSet } from './contracts.js';
import { MAX_ITEMS, findingId, mergeFinding, type Finding, type Maturity } from './finding.js';
import {
  DEFAULT_INCIDENT_CONFIG,
  incidentAt,
  incidentRef,
  joinIncident,
  type IncidentConfig,
  type IncidentState,
} from './incident.js';
import {
  emptyPopulation,
  foldPopulation,
  populationKeys,
  type PopulationFoldHints,
  type PopulationRecord,
  type Priors,
} from './priors.js';
import { isSampling, routineWeight, type WritePolicy } from './write-policy.js';
import { hourThreshold, rateAnomaly } from './rules/rate-anomaly.js';
import { getOwn, hasOwn } from './safe-record.js';
import type { AlertGate } from './campaign.js';
import type { IdentityEvent } from './identity-event.js';
import { titleForCall } from './identity-title.js';
import type { LoadedRecord, StateChange } from './ports.js';
import type { DetectionRule, RuleContext, RuleMatch, Thresholds } from './rules/rule.js';

/** Engine configuration: every threshold has a default; configuration overlays it. */
export interface EngineConfig {
  readonly limits: BaselineLimits;
  readonly learning: LearningConfig;
  /** Per-rule threshold overrides, by rule id. */
  readonly thresholds: Readonly<Record<string, Thresholds>>;
  /** Repeats of one finding within this window raise its count instead of creating a new one. */
  readonly dedupWindowSeconds: number;
  /** Rule ids switched off. */
  readonly disabledRules: readonly string[];
  /** Incident grouping and alert limits. @default {@link DEFAULT_INCIDENT_CONFIG} */
  readonly incident?: IncidentConfig;
  /** When one source's findings on several identities form one incident. @default {@link DEFAULT_CAMPAIGN_CONFIG} */
  readonly campaign?: CampaignConfig;
  /**
   * Which changes are written and which routine counter updates are sampled (core/write-policy.ts).
   * @default every change written (EXACT_WRITES); the Lambda handlers use SAMPLED_WRITES
   */
  readonly writePolicy?: WritePolicy;
}

/** @default 7-day / 200-event learning, 6-hour dedup window, all rules on. */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  limits: DEFAULT_LIMITS,
  learning: DEFAULT_LEARNING,
  thresholds: {},
  dedupWindowSeconds: 6 * 3600,
  disabledRules: [],
};

/** Everything one evaluation needs. */
export interface EvaluateInput {
  /** Id of the delivery (CloudWatch Logs payload hash, file name…): a record already holding it is not folded again. */
  readonly batchId: string;
  readonly events: readonly IdentityEvent[];
  readonly state: ReadonlyMap<string, LoadedRecord>;
  readonly rules: readonly DetectionRule[];
  readonly contracts: ContractSet;
  readonly config: EngineConfig;
  /**
   * A retry of this batch within one invocation (the pipeline after a commit conflict): what earlier
   * attempts already decided, so no record is folded twice and no event is weighed twice.
   * @default none: a first attempt
   */
  readonly retry?: RetryState;
}

/**
 * What earlier attempts of a batch decided, carried into its retry (core/pipeline.ts). A record an
 * attempt committed, or that the write policy left unwritten, is settled for the batch: the retry
 * treats it as holding the batch (a sampled-out event is not weighed again against fresher state,
 * which would count it with weight 1 after it was counted with 0). Events of a settled identity fold
 * into population records with the hints of the attempt that settled it: the identity record a retry
 * reads already holds the batch, so it can no longer tell that the identity or the action was new.
 */
export interface RetryState {
  /** Record keys settled for this batch (committed, or left unwritten by the write policy). */
  readonly settled: ReadonlySet<string>;
  /** Population hints of events whose identity is settled, as the settling attempt computed them. */
  readonly hints: ReadonlyMap<IdentityEvent, PopulationFoldHints>;
}

/** Counters of one evaluation. */
export interface EvaluateStats {
  readonly events: number;
  readonly identities: number;
  /** Events skipped because their identity's record already holds this batch (redelivery). */
  readonly redelivered: number;
  readonly findings: number;
  /** Identities whose evaluation threw (see {@link EvaluateOutput.identityErrors}). */
  readonly identityErrors: number;
  /** Under a sampling write policy: records touched whose changes were all routine and unsampled, so not written. */
  readonly unwritten?: number;
}

/**
 * An identity whose evaluation threw. Its findings and state changes of this batch are dropped;
 * the rest of the batch goes on. `key` is the identity key as observed (attacker-influenced):
 * neutralise it before showing or logging it.
 */
export interface IdentityError {
  readonly key: string;
  /** Where it threw: `rule:<rule id>`, `fold`, or `load` (the stored record could not be read). */
  readonly stage: string;
  /** Bounded reason: `<stage> threw <ErrorName>`, the same for every identity failing the same way. */
  readonly reason: string;
  /** The error's message (may quote attacker text: neutralise before showing). */
  readonly message: string;
  /** Events of this identity in the batch that were not evaluated (including the one that threw). */
  readonly events: number;
}

/** Findings and the next state. */
export interface EvaluateOutput {
  readonly findings: Finding[];
  readonly changes: StateChange[];
  readonly stats: EvaluateStats;
  /** Identities contained after throwing, one entry each. */
  readonly identityErrors: IdentityError[];
  /** Records the write policy decided not to write for this batch (settled all the same: see {@link RetryState}). */
  readonly unwrittenKeys: readonly string[];
  /** The population hints each event was folded with (see {@link RetryState}). */
  readonly hints: ReadonlyMap<IdentityEvent, PopulationFoldHints>;
}

/** Where in one identity's evaluation an exception came from. */
class StageError extends Error {
  constructor(
    readonly stage: string,
    cause: unknown,
  ) {
    super(stage, { cause });
    this.name = 'StageError';
  }
}

/** Run `fn`, tagging whatever it throws with `stage`. */
function inStage<T>(stage: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StageError) throw error;
    throw new StageError(stage, error);
  }
}

function identityError(key: string, error: unknown): Omit<IdentityError, 'events'> {
  const stage = error instanceof StageError ? error.stage : 'engine';
  const cause: unknown = error instanceof StageError ? error.cause : error;
  const name = cause instanceof Error ? cause.name : typeof cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { key, stage, reason: `${stage} threw ${name.slice(0, 64)}`, message: message.slice(0, 512) };
}

/** Keys of the state records a batch needs: its identities, the sources it touches, their populations and the issuance links of its keys. */
export function stateKeys(events: readonly IdentityEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    keys.add(e.identity.key);
    const sk = sourceStateKey(e);
    if (sk !== undefined) keys.add(sk);
    const used = callerLinkKey(e);
    if (used !== undefined) keys.add(used);
    const issued = issuedLinkKey(e);
    if (issued !== undefined) keys.add(issued);
    const pk = populationKeys(e);
    if (pk !== undefined) {
      keys.add(pk.account);
      keys.add(pk.kind);
    }
  }
  return [...keys];
}

/**
 * The first read of a batch (the pipeline's, before its identities are known): every key of
 * {@link stateKeys} but the source addresses (see {@link sourceKeysNeeded}). `strong` are the records
 * the batch will most likely write — populations, and identities with as many calls as the write
 * policy writes exactly — read strongly consistent, since a stale version there would only buy a
 * failed conditional write (billed) and a second read. `eventual` may be read eventually consistent
 * (half the read units on DynamoDB): a stale record is either written conditionally on the version
 * it was read at (the write then conflicts and the retry reads strongly), or not written, which a
 * read a moment earlier would have decided the same way.
 */
export function firstReadKeys(
  events: readonly IdentityEvent[],
  config: EngineConfig,
): { readonly strong: string[]; readonly eventual: string[] } {
  const busyFrom = config.writePolicy?.exactFromEvents ?? DEFAULT_BUSY_IDENTITY_EVENTS;
  const perIdentity = new Map<string, number>();
  const strong = new Set<string>();
  const eventual = new Set<string>();
  for (const e of events) {
    perIdentity.set(e.identity.key, (perIdentity.get(e.identity.key) ?? 0) + 1);
    const used = callerLinkKey(e);
    if (used !== undefined) eventual.add(used);
    const issued = issuedLinkKey(e);
    if (issued !== undefined) eventual.add(issued);
    const pk = populationKeys(e);
    if (pk !== undefined) strong.add(pk.account).add(pk.kind);
  }
  for (const [key, n] of perIdentity) (n >= busyFrom ? strong : eventual).add(key);
  for (const key of strong) eventual.delete(key);
  return { strong: [...strong], eventual: [...eventual] };
}

/** Calls of one identity in a batch from which its record is read strongly consistent, when no write policy says. */
const DEFAULT_BUSY_IDENTITY_EVENTS = 32;

/**
 * The source-address records a batch must read, given its identities' records. A source record
 * (`src#<ip>`: authentication failures from the address across identities, and its campaign) exists
 * for the few addresses that failed or drew findings, yet every call from an address would read its
 * key — about one read unit per event, almost always for nothing. It is read only where it can
 * change an outcome: a failure (folded into it; credential-stuffing), a public address outside AWS
 * (findings from it join its campaign), and the calls of an identity that is new, has failures in
 * its window or in the batch, or calls in the batch from a network its record does not hold
 * (success-after-failures counts other identities' failures only from a network new to the
 * identity, and its own burst from its own window). Everywhere else the engine sees an empty
 * source and decides exactly as with the stored one. A rule that reads `RuleContext.source` must
 * keep to these cases (rules/rule.ts).
 */
export function sourceKeysNeeded(
  events: readonly IdentityEvent[],
  state: ReadonlyMap<string, LoadedRecord>,
): string[] {
  const byIdentity = new Map<string, IdentityEvent[]>();
  for (const e of events) {
    const group = byIdentity.get(e.identity.key);
    if (group === undefined) byIdentity.set(e.identity.key, [e]);
    else group.push(e);
  }
  const keys = new Set<string>();
  for (const [key, group] of byIdentity) {
    const loaded = state.get(key)?.record;
    const b = loaded?.type === 'identity' ? loaded : undefined;
    const isEveryCall =
      b === undefined ||
      b.failures.length > 0 ||
      group.some(
        (e) =>
          isAuthnFailure(e) || e.origin.network === undefined || !hasOwn(b.dims.networks, e.origin.network),
      );
    for (const e of group) {
      const sk = sourceStateKey(e);
      if (sk !== undefined && (isEveryCall || isAuthnFailure(e) || isCampaignAddress(e))) keys.add(sk);
    }
  }
  return [...keys];
}

/** Source state is kept for real IP sources, not for AWS services acting on a caller's behalf. */
function sourceStateKey(e: IdentityEvent): string | undefined {
  if (!e.origin.isIp || e.origin.awsService !== undefined || e.origin.ip === undefined) return undefined;
  return sourceKey(e.origin.ip);
}

interface Working<T extends StateRecord> {
  record: T;
  version: number | undefined;
  isChanged: boolean;
  isRedelivered: boolean;
  /** Under a sampling write policy: the events folded, with the weight each is stored with. */
  folded?: Folded[];
  /** Under a sampling write policy: a material event was folded (the record must be written). */
  isMaterial?: boolean;
}

/** An event folded into a record under a sampling policy, for refolding with its stored weight. */
interface Folded {
  readonly event: IdentityEvent;
  readonly weight: number;
  /** For population records: what the identity's baseline said before the event. */
  readonly hints?: PopulationFoldHints;
}

/**
 * Evaluate a batch. Events are processed in event-time order; the input state is not mutated, except
 * records loaded as `isExclusive` (made for this evaluation alone), which are folded in place.
 */
export function evaluate(input: EvaluateInput): EvaluateOutput {
  const { config, batchId } = input;
  const rules = input.rules.filter((r) => !config.disabledRules.includes(r.id));
  const thresholdsByRule = new Map<string, Thresholds>(
    rules.map((r) => [r.id, { ...r.defaults, ...config.thresholds[r.id] }]),
  );
  const windowMs = config.dedupWindowSeconds * 1000;
  const isBackfill = isBackfillBatch(batchId);
  /** What records remember this batch by (computed once: a hash for a long id). */
  const tag = batchTag(batchId);
  const policy = !isBackfill && isSampling(config.writePolicy) ? config.writePolicy : undefined;
  /** rate-anomaly's thresholds, when it runs: the write policy counts hours near them exactly. */
  const rateThresholds = rules.some((r) => r.id === rateAnomaly.id)
    ? thresholdsByRule.get(rateAnomaly.id)
    : undefined;
  /** Events per identity and per population key in this batch (an identity with many is written exactly). */
  const perKey = new Map<string, number>();
  if (policy !== undefined)
    for (const e of input.events) {
      perKey.set(e.identity.key, (perKey.get(e.identity.key) ?? 0) + 1);
      const pk = populationKeys(e);
      if (pk !== undefined) {
        perKey.set(pk.account, (perKey.get(pk.account) ?? 0) + 1);
        perKey.set(pk.kind, (perKey.get(pk.kind) ?? 0) + 1);
      }
    }
  const incidentConfig = config.incident ?? DEFAULT_INCIDENT_CONFIG;
  const campaignConfig = config.campaign ?? DEFAULT_CAMPAIGN_CONFIG;
  /** The incident each finding joined last (the state object itself: it keeps growing within the batch). */
  const incidentOf = new Map<string, IncidentState>();
  /** The campaign (and its source address) each finding joined, when its incident groups identities. */
  const campaignOf = new Map<string, { campaign: CampaignState; source: string }>();

  const events = [...input.events].sort((a, b) => a.timeMs - b.timeMs);
  const identities = new Map<string, Working<IdentityBaseline>>();
  const sources = new Map<string, Working<SourceState>>();
  const links = new Map<string, Working<LinkRecord>>();
  const populations = new Map<string, Working<PopulationRecord>>();
  const findings = new Map<string, Finding>();
  /** Identities contained after throwing: their remaining events are skipped. */
  const failed = new Map<string, { error: Omit<IdentityError, 'events'>; events: number }>();
  let redelivered = 0;

  const settled = input.retry?.settled;
  const isSettled = (key: string): boolean => settled?.has(key) === true;
  /** The hints each event was folded into population records with (a retry reuses them). */
  const hintsUsed = new Map<IdentityEvent, PopulationFoldHints>();

  const working = <T extends StateRecord>(
    map: Map<string, Working<T>>,
    key: string,
    fresh: () => T,
    type: T['type'],
  ): Working<T> => {
    let w = map.get(key);
    if (w) return w;
    const loaded = input.state.get(key);
    if (loaded && loaded.record.type === type) {
      // A record decoded for this load is the engine's to fold into; a shared one is copied first.
      // Under a sampling write policy the loaded record must stay as stored: it is what the policy
      // compares with (staleness) and what the batch is refolded onto with its weights.
      const record =
        loaded.isExclusive === true && policy === undefined
          ? (loaded.record as T)
          : cloneRecord(loaded.record as T);
      w = {
        record,
        version: loaded.version,
        isChanged: false,
        isRedelivered: record.batches.includes(tag) || isSettled(key),
      };
    } else {
      w = { record: fresh(), version: undefined, isChanged: false, isRedelivered: isSettled(key) };
    }
    map.set(key, w);
    return w;
  };

  // Rules, with their merged thresholds, resolved once per batch.
  const active = rules.map((rule) => ({ rule, thresholds: thresholdsByRule.get(rule.id) ?? rule.defaults }));
  const foldSrc = (src: Working<SourceState> | undefined, event: IdentityEvent): void => {
    if (src && !src.isRedelivered && isAuthnFailure(event)) {
      foldSource(src.record, event, config.limits);
      src.isChanged = true;
    }
  };

  // Identity chains (chains.ts): the link of the key a call was made with attributes it; a successful
  // issuance writes the link of the key it created, once (an existing link is never rewritten, so a
  // redelivered or duplicated issuance changes nothing). Links remember batches like every record.
  const linkOf = (key: string): Working<LinkRecord> | undefined => {
    const w = links.get(key);
    if (w !== undefined) return w;
    const loaded = input.state.get(key);
    if (loaded === undefined || loaded.record.type !== 'link') return undefined;
    return working(links, key, () => loaded.record as LinkRecord, 'link');
  };
  const attribute = (event: IdentityEvent): IdentityEvent => {
    const usedKey = callerLinkKey(event);
    const caller = usedKey !== undefined ? linkOf(usedKey) : undefined;
    const chain =
      caller !== undefined && isLinkLive(caller.record, event.timeMs) ? caller.record.chain : undefined;
    const issuedKey = issuedLinkKey(event);
    const issuance = event.issuance;
    if (issuedKey !== undefined && issuance !== undefined && linkOf(issuedKey) === undefined) {
      links.set(issuedKey, {
        record: newLink(event, issuance, chain),
        version: undefined,
        isChanged: true,
        isRedelivered: false,
      });
    }
    return chain !== undefined ? withChain(event, chain) : event;
  };

  const population = (key: string, fresh: () => PopulationRecord): Working<PopulationRecord> =>
    populations.get(key) ?? working(populations, key, fresh, 'population');
  // Population records fold every event they have not seen, whatever the identity record says, so
  // a retry after a conflict on one of them folds exactly what it missed (like source records).
  const foldPop = (
    pops: readonly Working<PopulationRecord>[],
    event: IdentityEvent,
    baseline: IdentityBaseline,
  ): void => {
    const hints = input.retry?.hints.get(event) ?? {
      isNewIdentity: baseline.eventCount === 0,
      isNewActionForIdentity: !hasValue(baseline.dims.actions, event.action.name),
    };
    if (pops.length > 0) hintsUsed.set(event, hints);
    for (const p of pops) {
      if (p.isRedelivered) continue;
      const notes: FoldNotes = { isNovel: false };
      if (!foldPopulation(p.record, event, hints, config.limits, 1, notes)) continue;
      p.isChanged = true;
      if (policy === undefined) continue;
      // Populations: every change but their call counters is material (write-policy.ts).
      const isMaterial =
        notes.isNovel || p.version === undefined || (perKey.get(p.record.key) ?? 0) >= policy.exactFromEvents;
      const weight = isMaterial
        ? 1
        : routineWeight(event.eventId, p.record.key, policy.populationSampleEvery);
      (p.folded ??= []).push({ event, weight, hints });
      if (isMaterial) p.isMaterial = true;
    }
  };

  // One identity's events, evaluated in event-time order; whatever throws is contained to that
  // identity (its findings and changes of this batch dropped, the rest of the batch unaffected).
  const step = (event: IdentityEvent): void => {
    const id =
      identities.get(event.identity.key) ??
      inStage('load', () => working(identities, event.identity.key, () => emptyBaseline(event), 'identity'));
    const ip = event.origin.ip;
    const sk = ip !== undefined ? sourceStateKey(event) : undefined;
    const src =
      sk !== undefined && ip !== undefined
        ? (sources.get(sk) ??
          inStage('load', () => working(sources, sk, () => emptySource(ip, event.timeMs), 'source')))
        : undefined;
    const pk = populationKeys(event);
    const pops: Working<PopulationRecord>[] = [];
    let priors: Priors | undefined;
    if (pk !== undefined) {
      const account = pk.account.slice('pop#acct#'.length);
      inStage('load', () => {
        const acct = population(pk.account, () =>
          emptyPopulation(pk.account, 'account', account, event.timeMs),
        );
        const kind = population(pk.kind, () =>
          emptyPopulation(pk.kind, 'kind', account, event.timeMs, pk.peerKind),
        );
        pops.push(acct, kind);
        priors = { peerKind: pk.peerKind, account: acct.record, kind: kind.record };
      });
    }
    // The call's chain, and the link of a key it issued, whatever the identity record says.
    const seen = inStage('load', () => attribute(event));
    // Source, population and identity records remember batches independently, so a retry that
    // re-reads one of them folds exactly what that record has not seen. Rules see them before the event.
    if (id.isRedelivered) {
      redelivered += 1;
      inStage('fold', () => {
        foldSrc(src, event);
        foldPop(pops, event, id.record);
      });
      return;
    }

    const baseline = id.record;
    // History meets the live stream: a backfill chunk leaves to the live deliveries every event
    // from the first one they folded for this identity on (both carry the same CloudTrail events).
    if (isBackfill && baseline.liveFromMs !== undefined && event.timeMs >= baseline.liveFromMs) {
      redelivered += 1;
      return;
    }
    const liveFromMoved =
      !isBackfill && (baseline.liveFromMs === undefined || event.timeMs < baseline.liveFromMs);
    if (liveFromMoved) baseline.liveFromMs = event.timeMs;
    const learned = isLearned(baseline, event.timeMs, config.learning);
    // One context per event; only the thresholds change from rule to rule.
    const ctx: { -readonly [K in keyof RuleContext]: RuleContext[K] } = {
      baseline,
      source: src?.record,
      isLearned: learned,
      contract: input.contracts.forIdentity(event.identity.key),
      thresholds: {},
      learning: config.learning,
      limits: config.limits,
      priors,
    };
    let maturity: Maturity | undefined;
    let hasFinding = false;
    const record = (rule: DetectionRule, match: RuleMatch): void => {
      hasFinding = true;
      maturity ??= maturityOf(baseline, event, learned);
      const windowStartMs = Math.floor(event.timeMs / windowMs) * windowMs;
      const fid = findingId(rule.id, event.identity.key, match.discriminator, windowStartMs);
      const m =
        match.priors !== undefined && match.priors.length > 0
          ? { ...maturity, priors: match.priors }
          : maturity;
      // `seen`: the event with its credential chain, so every finding names whose credential it was.
      const f = buildFinding(fid, rule, seen, match, windowStartMs, m);
      const key = event.identity.key;
      const inc = incidentAt(baseline.incident, key, event.timeMs, incidentConfig);
      baseline.incident = inc;
      // A public source outside AWS keeps a campaign: its findings across identities, and their
      // alerts. When it is hostile or new (campaign.ts), its identities' incidents share one id and
      // one alert budget.
      let gate: AlertGate | undefined;
      if (src !== undefined && ip !== undefined && isCampaignAddress(event)) {
        const { gapSeconds, maxSpanSeconds, maxAlerts } = incidentConfig;
        const camp = campaignAt(src.record.campaign, inc.id, event.timeMs, gapSeconds, maxSpanSeconds);
        const isGrouping =
          campaignReason(event, src.record, priors?.account, gapSeconds, campaignConfig) !== undefined;
        if (isGrouping && inc.findingCount === 0 && spansOthers(camp, key)) inc.id = camp.id;
        gate = campaignGate(camp, maxAlerts, isGrouping, src.isRedelivered);
        if (!src.isRedelivered) {
          touchCampaign(camp, key, event.timeMs);
          src.record.campaign = camp;
          src.isChanged = true;
        }
        if (isGrouping && camp.id === inc.id) campaignOf.set(fid, { campaign: camp, source: ip });
      }
      const isAlert = joinIncident(inc, f, event.timeMs, incidentConfig, gate);
      incidentOf.set(fid, inc);
      const prior = findings.get(fid);
      findings.set(fid, prior ? mergeFinding(prior, f) : { ...f, alert: isAlert });
    };
    for (const { rule, thresholds } of active) {
      if (rule.needsLearning && !learned) continue;
      ctx.thresholds = thresholds;
      let match: RuleMatch | undefined;
      try {
        match = rule.detect(seen, ctx);
        if (match) {
          record(rule, match);
          for (const more of match.also ?? []) record(rule, more);
        }
      } catch (error) {
        throw new StageError(`rule:${rule.id}`, error);
      }
    }

    inStage('fold', () => {
      // Populations first: they need the identity's baseline as it was before the event.
      foldPop(pops, event, baseline);
      const notes: FoldNotes = { isNovel: false };
      const readsBefore = baseline.reads;
      const isRareClass = policy !== undefined && isRareUaClass(baseline, event, policy.exactBelowShare);
      foldIdentity(baseline, event, config.limits, 1, notes);
      foldBreadth(baseline, event, config.limits);
      id.isChanged = true;
      foldSrc(src, event);
      if (policy === undefined) return;
      // The rules saw this event exactly; what is stored of it follows the write policy.
      const stored = id.version === undefined ? undefined : input.state.get(event.identity.key)?.record;
      const isMaterial =
        stored === undefined ||
        stored.type !== 'identity' ||
        !learned ||
        hasFinding ||
        notes.isNovel ||
        baseline.reads !== readsBefore ||
        isDenial(event) ||
        isRareClass ||
        (notes.minCount ?? Infinity) < policy.exactBelowCount ||
        // A busy hour (two or more calls in this delivery, the hour past a fraction of its threshold) is counted exactly.
        ((perKey.get(event.identity.key) ?? 0) >= 2 &&
          isBusyHour(baseline, event.timeMs, rateThresholds, policy.exactAboveRateFraction)) ||
        liveFromMoved ||
        ctx.contract !== undefined ||
        event.eventId === '' ||
        event.timeMs < stored.firstSeenMs ||
        event.timeMs - stored.lastSeenMs > policy.maxStalenessSeconds * 1000 ||
        (perKey.get(event.identity.key) ?? 0) >= policy.exactFromEvents;
      const weight = isMaterial
        ? 1
        : routineWeight(event.eventId, event.identity.key, policy.routineSampleEvery);
      (id.folded ??= []).push({ event, weight });
      if (isMaterial) id.isMaterial = true;
    });
  };

  for (const event of events) {
    const key = event.identity.key;
    const prior = failed.get(key);
    if (prior) {
      prior.events += 1;
      continue;
    }
    try {
      step(event);
    } catch (error) {
      failed.set(key, { error: identityError(key, error), events: 1 });
      const w = identities.get(key);
      if (w) w.isChanged = false;
      for (const [fid, f] of findings) if (f.identityKey === key) findings.delete(fid);
    }
  }

  const unwrittenKeys: string[] = [];
  if (policy !== undefined) {
    for (const [key, w] of identities)
      if (w.isChanged && !settleIdentity(w, input.state.get(key), config)) unwrittenKeys.push(key);
    for (const [key, w] of populations)
      if (w.isChanged && !settlePopulation(w, input.state.get(key), config)) unwrittenKeys.push(key);
  }
  const changes: StateChange[] = [];
  for (const map of [identities, sources, populations, links] as Map<string, Working<StateRecord>>[]) {
    for (const [key, w] of map) {
      if (!w.isChanged) continue;
      rememberBatch(w.record, tag, config.limits);
      changes.push({ key, expectedVersion: w.version, record: w.record });
    }
  }
  // Every finding carries its incident as it stands at the end of the batch: the alerting one lists
  // the whole sequence known so far, later events of the batch included.
  const out = [...findings.values()].map((f) => {
    const inc = incidentOf.get(f.id);
    if (inc === undefined) return f;
    const c = campaignOf.get(f.id);
    const ref = incidentRef(inc);
    return c === undefined || c.campaign.identityCount < 2
      ? { ...f, incident: ref }
      : {
          ...f,
          incident: {
            ...ref,
            campaign: {
              source: c.source,
              identities: c.campaign.identityCount,
              identityKeys: [...c.campaign.identities],
              alerts: c.campaign.alerts,
            },
          },
        };
  });
  const identityErrors = [...failed.values()].map(({ error, events: n }) => ({ ...error, events: n }));
  return {
    findings: out,
    changes,
    stats: {
      events: events.length,
      identities: identities.size,
      redelivered,
      findings: out.length,
      identityErrors: identityErrors.length,
      ...(policy !== undefined ? { unwritten: unwrittenKeys.length } : {}),
    },
    identityErrors,
    unwrittenKeys,
    hints: hintsUsed,
  };
}

/** Whether the event's user-agent class holds less than `share` of the identity's calls (new-user-agent reads shares). */
function isRareUaClass(b: IdentityBaseline, event: IdentityEvent, share: number): boolean {
  const cls = event.origin.userAgentClass;
  if (cls === undefined || share <= 0) return false;
  const total = totalCalls(b.dims.uaClasses);
  return total === 0 || (getOwn(b.dims.uaClasses, cls)?.n ?? 0) < share * total;
}

/** Whether the hour of `timeMs` (in the working record, this event counted) is past `fraction` of its rate-anomaly threshold. */
function isBusyHour(
  b: IdentityBaseline,
  timeMs: number,
  thresholds: Thresholds | undefined,
  fraction: number,
): boolean {
  if (thresholds === undefined || fraction <= 0 || hourStart(timeMs) !== b.rate.bucketStartMs) return false;
  const { limit } = hourThreshold(b.rate, new Date(timeMs).getUTCHours(), thresholds);
  return b.rate.bucketCount > fraction * limit;
}

/**
 * The first decision of settling a record under a sampling write policy: `undefined` when the working
 * record is stored as it is (no policy, or every weight 1); `'unwritten'` when every event was routine
 * and none fell in the sample (the record is marked unchanged); else the folds to refold with their weights.
 */
function sampledFolds(w: Working<StateRecord>): readonly Folded[] | 'unwritten' | undefined {
  const folded = w.folded;
  if (folded === undefined || folded.every((f) => f.weight === 1)) return undefined;
  if (w.isMaterial !== true && folded.every((f) => f.weight === 0)) {
    w.isChanged = false;
    return 'unwritten';
  }
  return folded;
}

/**
 * Under a sampling write policy, what of an identity's batch is stored (core/write-policy.ts):
 * nothing when every event was routine and none fell in the sample (returns false, and the record
 * is not written); otherwise the stored record refolded with each event's weight (the working
 * record as it is when every weight is 1). The incident and the live boundary are the batch's.
 */
function settleIdentity(
  w: Working<IdentityBaseline>,
  loaded: LoadedRecord | undefined,
  config: EngineConfig,
): boolean {
  const folded = sampledFolds(w);
  if (folded === 'unwritten') return false;
  if (folded === undefined || loaded === undefined || loaded.record.type !== 'identity') return true;
  const rec = cloneRecord(loaded.record);
  for (const f of folded) {
    foldIdentity(rec, f.event, config.limits, f.weight);
    foldBreadth(rec, f.event, config.limits);
  }
  if (w.record.incident !== undefined) rec.incident = w.record.incident;
  if (w.record.liveFromMs !== undefined) rec.liveFromMs = w.record.liveFromMs;
  w.record = rec;
  return true;
}

/** {@link settleIdentity} for a population record. */
function settlePopulation(
  w: Working<PopulationRecord>,
  loaded: LoadedRecord | undefined,
  config: EngineConfig,
): boolean {
  const folded = sampledFolds(w);
  if (folded === 'unwritten') return false;
  if (folded === undefined || loaded === undefined || loaded.record.type !== 'population') return true;
  const rec = cloneRecord(loaded.record);
  for (const f of folded)
    if (f.hints !== undefined) foldPopulation(rec, f.event, f.hints, config.limits, f.weight);
  w.record = rec;
  return true;
}

/** Largest number of distinct values named per dimension in the maturity line. */
const MATURITY_DIMENSIONS: readonly [DimensionName, string][] = [
  ['actions', 'actions'],
  ['asns', 'ASNs'],
  ['networks', 'networks'],
  ['uaFamilies', 'user-agent families'],
  ['rolesAssumed', 'roles assumed'],
  ['regions', 'regions'],
];

/** How much history the identity had before this event. */
function maturityOf(b: IdentityBaseline, e: IdentityEvent, isLearned: boolean): Maturity {
  const distinct: Record<string, number> = {};
  for (const [dim] of MATURITY_DIMENSIONS) {
    const n = Object.keys(b.dims[dim]).length;
    if (n > 0) distinct[dim] = n;
  }
  const days = b.eventCount === 0 ? 0 : Math.max(0, Math.round((e.timeMs - b.firstSeenMs) / 8_640_000) / 10);
  return { days, calls: b.eventCount, distinct, isLearned, priors: [] };
}

/** The maturity as one evidence line. */
export function maturityLine(m: Maturity): string {
  const priors =
    m.priors.length > 0 ? `; priors consulted: ${m.priors.join('; ')}` : '; no population priors consulted';
  if (m.calls === 0) return `judged on the identity's first call: no history of its own (learning)${priors}`;
  const dims = MATURITY_DIMENSIONS.filter(([d]) => (m.distinct[d] ?? 0) > 0)
    .map(([d, label]) => `${m.distinct[d]} ${label}`)
    .join(', ');
  return `judged against ${m.days} day${m.days === 1 ? '' : 's'} and ${m.calls.toLocaleString('en-US')} call${m.calls === 1 ? '' : 's'} of history${dims !== '' ? ` (${dims})` : ''}, ${m.isLearned ? 'learning complete' : 'still learning'}${priors}`;
}

function buildFinding(
  id: string,
  rule: DetectionRule,
  e: IdentityEvent,
  m: RuleMatch,
  windowStartMs: number,
  maturity: Maturity,
): Finding {
  const o = e.origin;
  const f: Finding = {
    id,
    ruleId: rule.id,
    title: titleForCall(rule.title, e),
    severity: m.severity ?? rule.severity,
    summary: m.summary,
    evidence: [...m.evidence, maturityLine(maturity)],
    identityKey: e.identity.key,
    identityKind: e.identity.kind,
    credentialKind: e.credential.kind,
    action: e.action.name,
    source: e.source,
    discriminator: m.discriminator,
    windowStartMs,
    firstSeenMs: e.timeMs,
    lastSeenMs: e.timeMs,
    count: 1,
    eventIds: e.eventId ? [e.eventId] : [],
    asffTypes: rule.asffTypes,
    references: rule.references,
    runbook: rule.runbook,
    maturity,
  };
  const optional: Partial<Record<keyof Finding, unknown>> = {
    items: m.items !== undefined && m.items.length > 0 ? m.items.slice(0, MAX_ITEMS) : undefined,
    principal: e.identity.principal,
    identityName: e.identity.name,
    sessionName: e.identity.sessionName,
    accountId: e.identity.accountId ?? e.recipientAccountId,
    credentialId: e.credential.id,
    sourceIp: o.ip,
    asn: o.asn,
    asOrg: o.asOrg,
    country: o.country,
    userAgent: o.userAgent,
    resource: e.action.resource,
    region: e.action.region,
    chain: e.chain,
  };
  const out = f as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return f;
}
