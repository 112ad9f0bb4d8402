/**
 * Contracts from logs, for `nhi-watch contracts draft|diff`: an entry layer like replay.ts.
 *
 * - draft: replay the events through every rule (no contracts), leave out the events that raised
 *   findings (and the identity's later events from the finding's address or non-AWS ASN, and from
 *   its credential during its span), keep the time window asked for, fold what remains into fresh baselines and
 *   draft from those — only for identities seen often enough over enough days, and only values
 *   with enough support.
 * - diff: replay the events with the contracts through the contract-violation rule itself, so
 *   the drift reported is exactly what the engine would raise (one code path).
 */
import { DEFAULT_LIMITS, emptyBaseline, foldIdentity, type IdentityBaseline } from '../core/baseline.js';
import { draftContract } from '../core/contract-draft.js';
import type { Contract } from '../core/contracts.js';
import { severityRank, type Finding } from '../core/finding.js';
import type { Severity } from '../core/classification.js';
import type { IdentityEvent } from '../core/identity-event.js';
import { contractViolation } from '../core/rules/contract-violation.js';
import { ContractSet } from '../core/contracts.js';
import { replayNormalised, type LocalSetup, type ReplayResult } from './replay.js';

const DAY_MS = 86_400_000;

/** Thresholds and window of a draft. */
export interface DraftFromEventsOptions {
  /** Only events at or after this time (epoch ms). */
  readonly sinceMs?: number;
  /** Only events before this time (epoch ms). */
  readonly untilMs?: number;
  /** Origins, user-agent families, actions and scopes seen fewer times are left out. @default 3 */
  readonly minValueCalls?: number;
  /** Origins and user-agent families used over a shorter span (first to last use) are left out. @default 24 */
  readonly minOriginSpanHours?: number;
  /** Identities with fewer clean calls get no contract. @default 50 */
  readonly minIdentityCalls?: number;
  /** Identities whose clean calls span fewer days get no contract. @default 3 */
  readonly minIdentityDays?: number;
  /** Only identities whose key passes. */
  readonly isSelected?: (key: string) => boolean;
  /** Learned state to start the finding replay from (read, never written). */
  readonly statePath?: string;
}

/** What a draft produced. */
export interface DraftFromEventsResult {
  readonly contracts: Contract[];
  /** Identities left out, with why. */
  readonly skipped: { readonly key: string; readonly reason: string }[];
  /** Events left out because they raised (or belong to) a finding. */
  readonly excludedEvents: number;
  readonly findings: number;
}

/**
 * Whether an event belongs to a finding: one of its events; the same identity's calls from the
 * finding's address or (outside AWS) its ASN from the finding on — an origin first seen in a
 * finding is not drafted, however often it was used afterwards; or its credential during its span.
 */
function belongsTo(e: IdentityEvent, f: Finding): boolean {
  if (e.identity.key !== f.identityKey) return false;
  if (e.eventId !== '' && f.eventIds.includes(e.eventId)) return true;
  if (e.timeMs < f.firstSeenMs) return false;
  const o = e.origin;
  if (f.sourceIp !== undefined && o.ip === f.sourceIp) return true;
  if (f.asn !== undefined && !o.isAws && o.asn === f.asn) return true;
  return f.credentialId !== undefined && e.credential.id === f.credentialId && e.timeMs <= f.lastSeenMs;
}

/** Draft contracts from events, leaving out what raised findings. */
export async function draftFromEvents(
  events: readonly IdentityEvent[],
  setup: LocalSetup,
  o: DraftFromEventsOptions = {},
): Promise<DraftFromEventsResult> {
  const since = o.sinceMs ?? Number.NEGATIVE_INFINITY;
  const until = o.untilMs ?? Number.POSITIVE_INFINITY;
  const windowed = events.filter(
    (e) => e.timeMs >= since && e.timeMs < until && (o.isSelected?.(e.identity.key) ?? true),
  );
  const replay = await replayNormalised(windowed, {
    ...setup,
    rules: setup.rules.filter((r) => r.id !== contractViolation.id),
    contracts: new ContractSet([]),
    ...(o.statePath !== undefined ? { statePath: o.statePath, isStateReadOnly: true } : {}),
  });
  const byIdentity = new Map<string, Finding[]>();
  for (const f of replay.findings)
    byIdentity.set(f.identityKey, [...(byIdentity.get(f.identityKey) ?? []), f]);
  const baselines = new Map<string, IdentityBaseline>();
  let excluded = 0;
  for (const e of [...windowed].sort((a, b) => a.timeMs - b.timeMs)) {
    if ((byIdentity.get(e.identity.key) ?? []).some((f) => belongsTo(e, f))) {
      excluded += 1;
      continue;
    }
    const b = baselines.get(e.identity.key) ?? emptyBaseline(e);
    baselines.set(e.identity.key, foldIdentity(b, e, DEFAULT_LIMITS));
  }
  const minCalls = o.minIdentityCalls ?? 50;
  const minDays = o.minIdentityDays ?? 3;
  const minValue = o.minValueCalls ?? 3;
  const contracts: Contract[] = [];
  const skipped: { key: string; reason: string }[] = [];
  for (const b of [...baselines.values()].sort((x, y) => (x.key < y.key ? -1 : 1))) {
    const days = (b.lastSeenMs - b.firstSeenMs) / DAY_MS;
    if (b.eventCount < minCalls || days < minDays) {
      skipped.push({
        key: b.key,
        reason: `${b.eventCount} clean call(s) over ${days.toFixed(1)} day(s); a draft needs ${minCalls} over ${minDays}`,
      });
      continue;
    }
    contracts.push(
      draftContract(b, {
        minOriginCalls: minValue,
        minActionCalls: minValue,
        minOriginSpanHours: o.minOriginSpanHours ?? 24,
      }),
    );
  }
  return { contracts, skipped, excludedEvents: excluded, findings: replay.findings.length };
}

/** An identity's drift: the contract breaches the engine raises on its events. */
export interface ContractDrift {
  readonly identityKey: string;
  /** Each breached field and value as the rule lists it (`allowedAsns: AS14061`, `allowedActions: s3.amazonaws.com:PutObject`). */
  readonly breaches: readonly string[];
  /** Calls that breached the contract. */
  readonly calls: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** The highest severity raised. */
  readonly severity: Severity;
  /** Contract-violation findings raised (one per dedup window). */
  readonly findings: number;
}

/** The breached items of a contract-violation finding: its items, else its discriminator. */
const breachesOf = (f: Finding): readonly string[] =>
  f.items !== undefined && f.items.length > 0 ? f.items : [f.discriminator];

/** Replay events with the contracts through the contract-violation rule: the drift the engine flags. */
export async function diffEvents(
  events: readonly IdentityEvent[],
  setup: LocalSetup,
  o: { readonly statePath?: string; readonly isSelected?: (key: string) => boolean } = {},
): Promise<{ drift: ContractDrift[]; replay: ReplayResult }> {
  const selected = o.isSelected ? events.filter((e) => o.isSelected?.(e.identity.key)) : events;
  const replay = await replayNormalised(selected, {
    ...setup,
    rules: [contractViolation],
    ...(o.statePath !== undefined ? { statePath: o.statePath, isStateReadOnly: true } : {}),
  });
  // One entry per identity, over all the dedup windows its findings fell into.
  const merged = new Map<string, ContractDrift>();
  for (const f of replay.findings) {
    if (f.ruleId !== contractViolation.id) continue;
    const prior = merged.get(f.identityKey);
    merged.set(f.identityKey, {
      identityKey: f.identityKey,
      breaches: [...new Set([...(prior?.breaches ?? []), ...breachesOf(f)])].sort(),
      calls: (prior?.calls ?? 0) + f.count,
      firstSeenMs: Math.min(prior?.firstSeenMs ?? f.firstSeenMs, f.firstSeenMs),
      lastSeenMs: Math.max(prior?.lastSeenMs ?? f.lastSeenMs, f.lastSeenMs),
      severity:
        prior !== undefined && severityRank(prior.severity) >= severityRank(f.severity)
          ? prior.severity
          : f.severity,
      findings: (prior?.findings ?? 0) + 1,
    });
  }
  const drift = [...merged.values()].sort((a, b) =>
    a.identityKey < b.identityKey ? -1 : a.identityKey > b.identityKey ? 1 : 0,
  );
  return { drift, replay };
}
