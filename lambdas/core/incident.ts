/**
 * Incidents: the findings of one identity close together in time form one incident, the attack
 * sequence an analyst reads, with at most two alerts. Pure state folding; the state lives in the
 * identity's own baseline record (`IdentityBaseline.incident`), so it is committed with the
 * identity's fold under the same versioned, batch-remembering write: a redelivered batch is not
 * folded again, and a retried one re-derives the same finding ids (which the ledger already holds),
 * so an incident never alerts twice for one finding.
 *
 * Alert policy: an incident alerts on its first finding, and once more on the first later finding
 * whose severity is above every severity it has alerted at; every other finding joins the incident
 * (Security Hub and the incident's fact list are updated) without paging anyone. When one hostile
 * source acts on several identities, their incidents share one id and one alert budget
 * (campaign.ts): the incident's own policy, and the campaign's, must both allow an alert.
 */
import type { AlertGate } from './campaign.js';
import { MAX_ITEMS, incidentId, severityRank, type IncidentFact, type IncidentRef } from './finding.js';
import type { Severity } from './rules/rule.js';

/** Incident grouping and alert limits. */
export interface IncidentConfig {
  /** A finding this long after the incident's latest one starts a new incident. */
  readonly gapSeconds: number;
  /** An incident is closed to new findings this long after it started (a noisy identity still alerts daily). */
  readonly maxSpanSeconds: number;
  /** Alerts per incident. */
  readonly maxAlerts: number;
}

/** @default 6-hour gap, 24-hour span, two alerts. */
export const DEFAULT_INCIDENT_CONFIG: IncidentConfig = {
  gapSeconds: 6 * 3600,
  maxSpanSeconds: 24 * 3600,
  maxAlerts: 2,
};

/** Facts kept per incident (the first ones: the start of an attack is what an analyst needs). */
export const MAX_FACTS = 24;
/** Finding ids and fact keys remembered per incident. */
const MAX_KEYS = 64;
/** Longest fact text kept. */
const MAX_TEXT = 240;
/** Longest key kept (keys only need to tell values apart). */
const MAX_KEY = 160;

/** A stored fact (short keys keep the identity item small). */
interface StoredFact {
  t: number;
  r: string;
  s: Severity;
  x: string;
  f: string;
}

/** The open incident of an identity, as kept in its baseline record. */
export interface IncidentState {
  id: string;
  startMs: number;
  lastMs: number;
  severity: Severity;
  alerts: number;
  /** Highest severity alerted at. */
  alertedSeverity?: Severity;
  /** Ids of the findings that alerted (at most `maxAlerts`). */
  alerted: string[];
  /** Distinct findings joined (also past the key cap). */
  findingCount: number;
  /** Finding ids and `<finding id>\u0000<item>` keys already in the incident. */
  keys: string[];
  facts: StoredFact[];
  factsOmitted: number;
}

/** What joins an incident: a finding's identity-independent parts. */
export interface Joining {
  readonly id: string;
  readonly ruleId: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly items?: readonly string[];
}

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * The incident a finding at `atMs` joins: the identity's open one when it is recent enough, else a
 * new one (the returned state replaces the old one in the baseline).
 */
export function incidentAt(
  current: IncidentState | undefined,
  identityKey: string,
  atMs: number,
  cfg: IncidentConfig,
): IncidentState {
  if (
    current !== undefined &&
    atMs < current.lastMs + cfg.gapSeconds * 1000 &&
    atMs < current.startMs + cfg.maxSpanSeconds * 1000
  )
    return current;
  return {
    id: incidentId(identityKey, atMs),
    startMs: atMs,
    lastMs: atMs,
    severity: 'INFORMATIONAL',
    alerts: 0,
    alerted: [],
    findingCount: 0,
    keys: [],
    facts: [],
    factsOmitted: 0,
  };
}

function remember(inc: IncidentState, key: string): void {
  if (inc.keys.length < MAX_KEYS) inc.keys.push(cut(key, MAX_KEY));
}

function addFact(inc: IncidentState, fact: StoredFact): void {
  if (inc.facts.length >= MAX_FACTS) {
    inc.factsOmitted += 1;
    return;
  }
  // Keep event order even when a late event arrives in a later batch.
  let i = inc.facts.length;
  while (i > 0 && (inc.facts[i - 1] as StoredFact).t > fact.t) i -= 1;
  inc.facts.splice(i, 0, fact);
}

/**
 * Join a finding (or a repeat of one) to an incident; returns whether it is one of the incident's
 * alerting findings. A finding id the incident already holds keeps the decision it got (the ledger
 * turns a repeat into a count update; if its alert was never delivered and the ledger forgot it, the
 * retry alerts, as it must); its new items (values it did not list yet) become facts of their own.
 */
export function joinIncident(
  inc: IncidentState,
  f: Joining,
  atMs: number,
  cfg: IncidentConfig,
  gate?: AlertGate,
): boolean {
  inc.lastMs = Math.max(inc.lastMs, atMs);
  if (severityRank(f.severity) > severityRank(inc.severity)) inc.severity = f.severity;
  const itemKey = (item: string): string => cut(`${f.id}\u0000${item}`, MAX_KEY);
  if (inc.keys.includes(f.id)) {
    for (const item of (f.items ?? []).slice(0, MAX_ITEMS)) {
      if (inc.keys.includes(itemKey(item))) continue;
      remember(inc, itemKey(item));
      addFact(inc, { t: atMs, r: f.ruleId, s: f.severity, x: cut(`also ${item}`, MAX_TEXT), f: f.id });
    }
    return inc.alerted.includes(f.id);
  }
  remember(inc, f.id);
  for (const item of (f.items ?? []).slice(0, MAX_ITEMS)) remember(inc, itemKey(item));
  inc.findingCount += 1;
  addFact(inc, { t: atMs, r: f.ruleId, s: f.severity, x: cut(f.summary, MAX_TEXT), f: f.id });
  const isAlert =
    (inc.alerts === 0 ||
      (inc.alerts < cfg.maxAlerts &&
        inc.alertedSeverity !== undefined &&
        severityRank(f.severity) > severityRank(inc.alertedSeverity))) &&
    (gate === undefined || gate.allows(f));
  if (isAlert) {
    gate?.alerted(f);
    inc.alerts += 1;
    inc.alerted.push(f.id);
    if (inc.alertedSeverity === undefined || severityRank(f.severity) > severityRank(inc.alertedSeverity))
      inc.alertedSeverity = f.severity;
  }
  return isAlert;
}

/** The incident as findings carry it. */
export function incidentRef(inc: IncidentState): IncidentRef {
  return {
    id: inc.id,
    startMs: inc.startMs,
    lastMs: inc.lastMs,
    severity: inc.severity,
    findings: inc.findingCount,
    alerts: inc.alerts,
    facts: inc.facts.map((x): IncidentFact => ({
      atMs: x.t,
      ruleId: x.r,
      severity: x.s,
      text: x.x,
      findingId: x.f,
    })),
    factsOmitted: inc.factsOmitted,
  };
}
