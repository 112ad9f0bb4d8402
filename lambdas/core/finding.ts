/**
 * The finding: a rule's verdict on an identity, explained by the baseline facts it broke, with a
 * deterministic id so a retry or a repeat updates one finding instead of creating many.
 */
import { createHash } from 'node:crypto';
import type { CredentialChain, CredentialKind, EventSource, IdentityKind } from './identity-event.js';
import type { Reference, Severity } from './classification.js';

/**
 * How much history a finding was judged against: a finding on an identity's first day reads
 * differently from one after a month. Taken from the identity's baseline before the event.
 */
export interface Maturity {
  /** Days between the identity's first event and this one (one decimal). */
  readonly days: number;
  /** Calls of the identity folded before this one. */
  readonly calls: number;
  /** Distinct values the baseline held per learned dimension (only dimensions with values). */
  readonly distinct: Readonly<Record<string, number>>;
  /** Whether the identity had its learning period behind it. */
  readonly isLearned: boolean;
  /** Population priors the rule consulted (`account actions: 41 identities`, …); empty when none. */
  readonly priors: readonly string[];
}

/** One broken fact of an incident, in the order they happened. */
export interface IncidentFact {
  /** Event time of the fact (epoch ms). */
  readonly atMs: number;
  readonly ruleId: string;
  readonly severity: Severity;
  /** What broke, for people (attacker-influenced: neutralised when rendered). */
  readonly text: string;
  /** The finding it belongs to. */
  readonly findingId: string;
}

/**
 * The incident a finding belongs to: the findings of one identity close together in time, as one
 * attack sequence an analyst reads. Deterministic id from identity + incident start.
 */
export interface IncidentRef {
  /** `nhi-watch/incident/<hash of identity + start>`. */
  readonly id: string;
  /** Event time of the incident's first finding (epoch ms). */
  readonly startMs: number;
  /** Event time of its latest finding so far. */
  readonly lastMs: number;
  /** Highest severity so far. */
  readonly severity: Severity;
  /** Distinct findings in the incident so far. */
  readonly findings: number;
  /** Alerts the incident has raised so far (at most two). */
  readonly alerts: number;
  /** The broken facts so far, in order (the first ones when there are too many). */
  readonly facts: readonly IncidentFact[];
  /** Facts left out of `facts` (over the cap). */
  readonly factsOmitted: number;
  /**
   * When the incident spans identities: one hostile or new source acted on all of them, and their
   * incidents share this id and at most two alerts (campaign.ts).
   */
  readonly campaign?: IncidentCampaign;
}

/** One source's findings across identities, as an incident carries them. */
export interface IncidentCampaign {
  /** The source address. */
  readonly source: string;
  /** Identities it touched so far. */
  readonly identities: number;
  /** Their keys (the first 16; attacker-influenced: neutralise before showing). */
  readonly identityKeys: readonly string[];
  /** Alerts raised for the source so far. */
  readonly alerts: number;
}

/** One finding. Plain JSON: it is stored, published to SNS and converted to ASFF. */
export interface Finding {
  /** `nhi-watch/<ruleId>/<hash of identity + discriminator + window>`. */
  readonly id: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly identityKey: string;
  readonly identityKind: IdentityKind;
  readonly principal?: string;
  readonly identityName?: string;
  readonly sessionName?: string;
  readonly accountId?: string;
  readonly credentialId?: string;
  readonly credentialKind: CredentialKind;
  readonly sourceIp?: string;
  readonly asn?: number;
  readonly asOrg?: string;
  readonly country?: string;
  readonly userAgent?: string;
  readonly action: string;
  readonly resource?: string;
  readonly region?: string;
  readonly source: EventSource;
  readonly discriminator: string;
  /** Start of the dedup window (epoch ms). */
  readonly windowStartMs: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Matching events folded into this finding. */
  readonly count: number;
  /** Up to 10 event / request ids. */
  readonly eventIds: readonly string[];
  readonly asffTypes: readonly string[];
  readonly references: readonly Reference[];
  readonly runbook: string;
  /**
   * Distinct items this finding covers when one finding stands for many values (every breached
   * contract field and value of an identity in the window), merged across repeats, at most {@link MAX_ITEMS}.
   */
  readonly items?: readonly string[];
  /** How much history it was judged against (always set by the engine). */
  readonly maturity?: Maturity;
  /** The incident it belongs to (always set by the engine). */
  readonly incident?: IncidentRef;
  /**
   * The engine's alert decision: true for the finding that opens an incident and for the one that
   * raises its severity (at most two per incident); false for the rest, which update the incident
   * and Security Hub without paging anyone. Absent (findings from before incidents) means alert.
   */
  readonly alert?: boolean;
  /** Whose credential the call used: issuer → role → session (chains.ts), when its issuance was seen. */
  readonly chain?: CredentialChain;
}

/** Deterministic incident id from identity and incident start. */
export function incidentId(identityKey: string, startMs: number): string {
  const h = createHash('sha256').update(`incident\u0000${identityKey}\u0000${startMs}`).digest('hex');
  return `nhi-watch/incident/${h.slice(0, 32)}`;
}

/** Items kept per finding. */
export const MAX_ITEMS = 50;

/** Whether a finding should alert people (SNS) rather than only update records (Security Hub). */
export const isAlerting = (f: Finding): boolean => f.alert !== false;

/** Deterministic finding id from rule, identity, discriminator and window start. */
export function findingId(
  ruleId: string,
  identityKey: string,
  discriminator: string,
  windowStartMs: number,
): string {
  const h = createHash('sha256')
    .update(`${identityKey}\u0000${discriminator}\u0000${windowStartMs}`)
    .digest('hex');
  return `nhi-watch/${ruleId}/${h.slice(0, 32)}`;
}

/**
 * Merge a repeat of the same finding (same id): counts add up, the time span widens, the severity is
 * the highest, items are unioned, the latest incident snapshot wins; evidence of the first is kept.
 */
export function mergeFinding(a: Finding, b: Finding): Finding {
  const eventIds = [...a.eventIds];
  for (const id of b.eventIds) if (eventIds.length < 10 && !eventIds.includes(id)) eventIds.push(id);
  const items = mergeItems(a.items, b.items);
  const severity = severityRank(b.severity) > severityRank(a.severity) ? b.severity : a.severity;
  return {
    ...a,
    ...(items !== undefined ? { items } : {}),
    ...(b.incident !== undefined ? { incident: b.incident } : {}),
    severity,
    count: a.count + b.count,
    firstSeenMs: Math.min(a.firstSeenMs, b.firstSeenMs),
    lastSeenMs: Math.max(a.lastSeenMs, b.lastSeenMs),
    eventIds,
  };
}

function mergeItems(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): readonly string[] | undefined {
  if (b === undefined || b.length === 0) return a;
  const out = [...(a ?? [])];
  for (const x of b) if (out.length < MAX_ITEMS && !out.includes(x)) out.push(x);
  return out;
}

const SEVERITY_ORDER: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** Numeric rank of a severity (0 informational … 4 critical), for sorting and filters. */
export const severityRank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);
