/**
 * Scoring detection against labelled events: recall per labelled episode, precision per finding,
 * and false findings per 100,000 benign events after learning. Pure: the detection benchmark feeds
 * it what the engine matched, event by event, and the labels.
 *
 * Definitions (also in docs/BENCHMARKS.md):
 * - An **episode** is one labelled attack for one rule: the label rows sharing `attackId` and `rule`.
 *   It is **found** when at least one finding of that rule fired on at least one of its events.
 *   Recall per rule / per technique = found episodes / episodes.
 * - A **finding** (one finding id, i.e. one alert) is **true** when at least one event it fired on
 *   carries a label row for the finding's own rule. A finding that fired only on events labelled
 *   for *other* rules is false for precision (strict), but it is reported apart as "on other
 *   attacks", with the precision that counts it as true, because it is not noise on benign traffic.
 * - **Incident precision (strict)**: the unit an analyst reads and is paged for is the incident (the
 *   findings the engine grouped: one identity's, or one hostile source's across identities). An
 *   incident is **true** when at least one of its findings is true by the rule above (its own rule
 *   is labelled on an event it fired on); an incident whose findings all fired on attack events
 *   labelled only for other rules is false ("on other attacks"), and one on benign events only is
 *   false. Per-finding precision stays reported beside it.
 * - **False findings per 100k benign events after learning**: findings that fired only on
 *   unlabelled events, at least one of them after its identity's learning period, per 100,000
 *   unlabelled events that occurred after their identity's learning period.
 */

import { severityRank } from '../lambdas/core/finding.js';
import type { Severity } from '../lambdas/core/rules/rule.js';

/** One label row: this event is part of attack `attackId`, and rule `rule` should catch it. */
export interface LabelRow {
  /** Event key (the benchmark uses `<source>:<eventId>`). */
  readonly event: string;
  readonly rule: string;
  readonly technique: string;
  readonly attackId: string;
}

/** One rule match on one event, with the finding (alert) it was folded into. */
export interface Hit {
  readonly ruleId: string;
  readonly findingId: string;
  readonly event: string;
  /** Severity of the match (the rule's, or the one the match set). */
  readonly severity: Severity;
}

/** One evaluated event: whether its identity had its learning period behind it when it arrived. */
export interface EventFact {
  readonly event: string;
  readonly isAfterLearning: boolean;
}

/** Recall and precision for one group (a rule, a technique, or everything). */
export interface GroupScore {
  readonly episodes: number;
  readonly found: number;
  /** found / episodes; null when there are no episodes. */
  readonly recall: number | null;
  readonly findings: number;
  readonly trueFindings: number;
  /** trueFindings / findings; null when there are no findings. */
  readonly precision: number | null;
  /** Findings false for this rule that fired on events labelled for another rule. */
  readonly onOtherAttacks: number;
  /** (trueFindings + onOtherAttacks) / findings: precision when any finding on attack traffic counts. */
  readonly precisionAnyAttack: number | null;
  /** Labelled episodes not found, by attack id (to read why). */
  readonly missed: readonly string[];
}

/** The full score of one run. */
export interface DetectionScore {
  readonly overall: GroupScore;
  readonly byRule: Readonly<Record<string, GroupScore>>;
  readonly byTechnique: Readonly<
    Record<string, Pick<GroupScore, 'episodes' | 'found' | 'recall' | 'missed'>>
  >;
  readonly events: number;
  readonly labelledEvents: number;
  readonly benignAfterLearning: number;
  /** Findings that fired only on unlabelled events. */
  readonly benignFindings: number;
  /** Of those, findings with at least one event after learning. */
  readonly benignFindingsAfterLearning: number;
  /** benignFindingsAfterLearning per 100,000 benignAfterLearning events; null when there are none. */
  readonly falsePer100kBenign: number | null;
  /** Benign findings by rule (all of them, learning or not). */
  readonly benignFindingsByRule: Readonly<Record<string, number>>;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

interface Episode {
  readonly attackId: string;
  readonly rule: string;
  readonly technique: string;
  readonly events: Set<string>;
}

/** Score one run. */
export function scoreDetection(
  labels: readonly LabelRow[],
  hits: readonly Hit[],
  events: readonly EventFact[],
): DetectionScore {
  // Labels: per event, the rules it is labelled for; per (attack, rule), the episode.
  const rulesByEvent = new Map<string, Set<string>>();
  const episodes = new Map<string, Episode>();
  for (const l of labels) {
    let rs = rulesByEvent.get(l.event);
    if (!rs) rulesByEvent.set(l.event, (rs = new Set()));
    rs.add(l.rule);
    const key = `${l.attackId}\u0000${l.rule}`;
    let ep = episodes.get(key);
    if (!ep)
      episodes.set(
        key,
        (ep = { attackId: l.attackId, rule: l.rule, technique: l.technique, events: new Set() }),
      );
    ep.events.add(l.event);
  }

  // Findings: the events each finding id fired on.
  const findings = new Map<string, { ruleId: string; events: Set<string> }>();
  const hitEventsByRule = new Map<string, Set<string>>();
  for (const h of hits) {
    let f = findings.get(h.findingId);
    if (!f) findings.set(h.findingId, (f = { ruleId: h.ruleId, events: new Set() }));
    f.events.add(h.event);
    let s = hitEventsByRule.get(h.ruleId);
    if (!s) hitEventsByRule.set(h.ruleId, (s = new Set()));
    s.add(h.event);
  }

  const afterLearning = new Map(events.map((e) => [e.event, e.isAfterLearning]));
  const ruleIds = new Set<string>([
    ...[...episodes.values()].map((e) => e.rule),
    ...[...findings.values()].map((f) => f.ruleId),
  ]);

  const byRule: Record<string, GroupScore> = {};
  const acc = {
    episodes: 0,
    found: 0,
    findings: 0,
    trueFindings: 0,
    onOtherAttacks: 0,
    missed: [] as string[],
  };
  for (const rule of [...ruleIds].sort()) {
    const eps = [...episodes.values()].filter((e) => e.rule === rule);
    const hitEvents = hitEventsByRule.get(rule) ?? new Set<string>();
    const missed = eps.filter((e) => ![...e.events].some((ev) => hitEvents.has(ev))).map((e) => e.attackId);
    const fs = [...findings.values()].filter((f) => f.ruleId === rule);
    let trueFindings = 0;
    let onOther = 0;
    for (const f of fs) {
      const labelled = [...f.events].map((e) => rulesByEvent.get(e));
      if (labelled.some((rs) => rs?.has(rule))) trueFindings += 1;
      else if (labelled.some((rs) => rs !== undefined)) onOther += 1;
    }
    const s: GroupScore = {
      episodes: eps.length,
      found: eps.length - missed.length,
      recall: ratio(eps.length - missed.length, eps.length),
      findings: fs.length,
      trueFindings,
      precision: ratio(trueFindings, fs.length),
      onOtherAttacks: onOther,
      precisionAnyAttack: ratio(trueFindings + onOther, fs.length),
      missed: missed.sort(),
    };
    byRule[rule] = s;
    acc.episodes += s.episodes;
    acc.found += s.found;
    acc.findings += s.findings;
    acc.trueFindings += s.trueFindings;
    acc.onOtherAttacks += s.onOtherAttacks;
    acc.missed.push(...missed.map((m) => `${rule}:${m}`));
  }

  const byTechnique: Record<string, Pick<GroupScore, 'episodes' | 'found' | 'recall' | 'missed'>> = {};
  const techniques = [...new Set([...episodes.values()].map((e) => e.technique))].sort();
  for (const t of techniques) {
    const eps = [...episodes.values()].filter((e) => e.technique === t);
    const missed = eps
      .filter((e) => ![...e.events].some((ev) => hitEventsByRule.get(e.rule)?.has(ev) === true))
      .map((e) => `${e.rule}:${e.attackId}`);
    byTechnique[t] = {
      episodes: eps.length,
      found: eps.length - missed.length,
      recall: ratio(eps.length - missed.length, eps.length),
      missed: missed.sort(),
    };
  }

  let benignAfterLearning = 0;
  for (const e of events) if (e.isAfterLearning && !rulesByEvent.has(e.event)) benignAfterLearning += 1;
  let benignFindings = 0;
  let benignFindingsAfterLearning = 0;
  const benignFindingsByRule: Record<string, number> = {};
  for (const f of findings.values()) {
    if ([...f.events].some((e) => rulesByEvent.has(e))) continue;
    benignFindings += 1;
    benignFindingsByRule[f.ruleId] = (benignFindingsByRule[f.ruleId] ?? 0) + 1;
    if ([...f.events].some((e) => afterLearning.get(e) === true)) benignFindingsAfterLearning += 1;
  }

  return {
    overall: {
      episodes: acc.episodes,
      found: acc.found,
      recall: ratio(acc.found, acc.episodes),
      findings: acc.findings,
      trueFindings: acc.trueFindings,
      precision: ratio(acc.trueFindings, acc.findings),
      onOtherAttacks: acc.onOtherAttacks,
      precisionAnyAttack: ratio(acc.trueFindings + acc.onOtherAttacks, acc.findings),
      missed: acc.missed.sort(),
    },
    byRule,
    byTechnique,
    events: events.length,
    labelledEvents: rulesByEvent.size,
    benignAfterLearning,
    benignFindings,
    benignFindingsAfterLearning,
    falsePer100kBenign:
      benignAfterLearning === 0 ? null : (benignFindingsAfterLearning / benignAfterLearning) * 100_000,
    benignFindingsByRule,
  };
}

/** The hits at or above a severity (e.g. MEDIUM+: what a team is paged or e-mailed for). */
export const hitsAtLeast = (hits: readonly Hit[], min: Severity): Hit[] =>
  hits.filter((h) => severityRank(h.severity) >= severityRank(min));

/** Alerts per labelled attack: how many alerts an analyst receives for one attack. */
export interface AlertsPerEpisode {
  /** Labelled attacks (distinct attack ids, whatever rules they are labelled for). */
  readonly episodes: number;
  /** Attacks with at least one alert. */
  readonly alerted: number;
  /** Mean alerts over the attacks with at least one alert; null when none alerted. */
  readonly mean: number | null;
  readonly max: number;
  /** Attack ids with more alerts than `limit`, with their alert counts, most first. */
  readonly overLimit: readonly { readonly attackId: string; readonly alerts: number }[];
}

/**
 * Alerts per attack: an alert (an alerted finding id) belongs to an attack when it fired on at
 * least one of the attack's labelled events. An alert that spans two attacks counts for both.
 */
export function alertsPerEpisode(
  labels: readonly LabelRow[],
  hits: readonly Hit[],
  alerted: ReadonlySet<string>,
  limit = 2,
): AlertsPerEpisode {
  const attacksByEvent = new Map<string, Set<string>>();
  const attacks = new Set<string>();
  for (const l of labels) {
    attacks.add(l.attackId);
    let s = attacksByEvent.get(l.event);
    if (!s) attacksByEvent.set(l.event, (s = new Set()));
    s.add(l.attackId);
  }
  const alertsByAttack = new Map<string, Set<string>>();
  for (const h of hits) {
    if (!alerted.has(h.findingId)) continue;
    for (const a of attacksByEvent.get(h.event) ?? []) {
      let s = alertsByAttack.get(a);
      if (!s) alertsByAttack.set(a, (s = new Set()));
      s.add(h.findingId);
    }
  }
  const counts = [...alertsByAttack.entries()].map(([attackId, s]) => ({ attackId, alerts: s.size }));
  const total = counts.reduce((a, c) => a + c.alerts, 0);
  return {
    episodes: attacks.size,
    alerted: counts.length,
    mean: counts.length === 0 ? null : total / counts.length,
    max: counts.reduce((a, c) => Math.max(a, c.alerts), 0),
    overLimit: counts
      .filter((c) => c.alerts > limit)
      .sort((a, b) => b.alerts - a.alerts || a.attackId.localeCompare(b.attackId)),
  };
}

/** Precision over incidents (see the definitions at the top). */
export interface IncidentScore {
  readonly incidents: number;
  /** Incidents holding at least one true finding. */
  readonly trueIncidents: number;
  /** Incidents with no true finding, on attack events labelled for other rules. */
  readonly onOtherAttacks: number;
  /** Incidents on unlabelled events only. */
  readonly benign: number;
  /** trueIncidents / incidents; null when there are none. */
  readonly precision: number | null;
  /** Findings the hits named that no incident claimed (each counted as an incident of its own). */
  readonly findingsWithoutIncident: number;
}

/**
 * Strict precision per incident: `incidentOf` maps a finding id to the incident the engine put it
 * in (a finding without one is an incident of its own).
 */
export function scoreIncidents(
  labels: readonly LabelRow[],
  hits: readonly Hit[],
  incidentOf: ReadonlyMap<string, string>,
): IncidentScore {
  const rulesByEvent = new Map<string, Set<string>>();
  for (const l of labels) {
    let rs = rulesByEvent.get(l.event);
    if (!rs) rulesByEvent.set(l.event, (rs = new Set()));
    rs.add(l.rule);
  }
  type Verdict = 'true' | 'other' | 'benign';
  const findingVerdict = new Map<string, Verdict>();
  const rank: Record<Verdict, number> = { benign: 0, other: 1, true: 2 };
  for (const h of hits) {
    const rs = rulesByEvent.get(h.event);
    const v: Verdict = rs === undefined ? 'benign' : rs.has(h.ruleId) ? 'true' : 'other';
    const prior = findingVerdict.get(h.findingId);
    if (prior === undefined || rank[v] > rank[prior]) findingVerdict.set(h.findingId, v);
  }
  const incidents = new Map<string, Verdict>();
  let findingsWithoutIncident = 0;
  for (const [fid, v] of findingVerdict) {
    let inc = incidentOf.get(fid);
    if (inc === undefined) {
      findingsWithoutIncident += 1;
      inc = `finding:${fid}`;
    }
    const prior = incidents.get(inc);
    if (prior === undefined || rank[v] > rank[prior]) incidents.set(inc, v);
  }
  const count = (v: Verdict): number => [...incidents.values()].filter((x) => x === v).length;
  const trueIncidents = count('true');
  return {
    incidents: incidents.size,
    trueIncidents,
    onOtherAttacks: count('other'),
    benign: count('benign'),
    precision: ratio(trueIncidents, incidents.size),
    findingsWithoutIncident,
  };
}
