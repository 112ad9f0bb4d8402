import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, evaluate, type EvaluateOutput } from '../../lambdas/core/engine';
import { incidentId, type Finding } from '../../lambdas/core/finding';
import {
  DEFAULT_INCIDENT_CONFIG,
  MAX_FACTS,
  incidentAt,
  incidentRef,
  joinIncident,
  type Joining,
} from '../../lambdas/core/incident';
import type { LoadedRecord } from '../../lambdas/core/ports';
import type { DetectionRule, Severity } from '../../lambdas/core/rules/rule';
import { at, ev } from '../../lambdas/core/rules/test-events';

const KEY = 'aws:123456789012:role/orders-worker';
const cfg = DEFAULT_INCIDENT_CONFIG;
const finding = (id: string, severity: Severity, items?: string[]): Joining => ({
  id,
  ruleId: `rule-${id}`,
  severity,
  summary: `summary of ${id}`,
  ...(items !== undefined ? { items } : {}),
});

describe('incidents', () => {
  it('alerts on the first finding and once more on a severity escalation, never a third time', () => {
    const inc = incidentAt(undefined, KEY, at(0, 9), cfg);
    const alerts = [
      joinIncident(inc, finding('a', 'MEDIUM'), at(0, 9), cfg),
      joinIncident(inc, finding('b', 'MEDIUM'), at(0, 9, 1), cfg),
      joinIncident(inc, finding('c', 'LOW'), at(0, 9, 2), cfg),
      joinIncident(inc, finding('d', 'HIGH'), at(0, 9, 3), cfg),
      joinIncident(inc, finding('e', 'CRITICAL'), at(0, 9, 4), cfg),
      joinIncident(inc, finding('a', 'CRITICAL'), at(0, 9, 5), cfg),
    ];
    // A repeat of an alerting finding keeps its decision: the ledger makes it a count update, or,
    // if that alert was never delivered, the retry delivers it.
    expect(alerts).toEqual([true, false, false, true, false, true]);
    const ref = incidentRef(inc);
    expect(ref).toMatchObject({ alerts: 2, findings: 5, severity: 'CRITICAL', factsOmitted: 0 });
    expect(ref.facts.map((f) => f.findingId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('lists a repeated finding’s new items as facts of their own, each once', () => {
    const inc = incidentAt(undefined, KEY, at(0, 9), cfg);
    joinIncident(inc, finding('c', 'HIGH', ['allowedActions: iam:ListUsers']), at(0, 9), cfg);
    joinIncident(
      inc,
      finding('c', 'HIGH', ['allowedActions: iam:ListUsers', 'allowedActions: iam:ListRoles']),
      at(0, 9, 1),
      cfg,
    );
    joinIncident(inc, finding('c', 'HIGH', ['allowedActions: iam:ListRoles']), at(0, 9, 2), cfg);
    expect(incidentRef(inc).facts.map((f) => f.text)).toEqual([
      'summary of c',
      'also allowedActions: iam:ListRoles',
    ]);
  });

  it('starts a new incident, with its own id, after a quiet gap or past its longest span', () => {
    const first = incidentAt(undefined, KEY, at(0, 9), cfg);
    joinIncident(first, finding('a', 'HIGH'), at(0, 9), cfg);
    expect(incidentAt(first, KEY, at(0, 14), cfg)).toBe(first);
    const later = incidentAt(first, KEY, at(0, 16), cfg);
    expect(later).not.toBe(first);
    expect(later.id).toBe(incidentId(KEY, at(0, 16)));
    expect(joinIncident(later, finding('a', 'HIGH'), at(0, 16), cfg)).toBe(true);
    // Findings every 5 hours keep one incident open, but not beyond 24 hours.
    let inc = first;
    for (let h = 14; h <= 29; h += 5) {
      inc = incidentAt(inc, KEY, at(0, 9) + (h - 9) * 3_600_000, cfg);
      joinIncident(inc, finding(`f${h}`, 'HIGH'), at(0, 9) + (h - 9) * 3_600_000, cfg);
    }
    expect(inc).toBe(first);
    expect(incidentAt(inc, KEY, at(1, 9, 30), cfg)).not.toBe(first);
  });

  it('keeps facts in event order when a late event arrives, and bounds them', () => {
    const inc = incidentAt(undefined, KEY, at(0, 9, 10), cfg);
    joinIncident(inc, finding('late-b', 'HIGH'), at(0, 9, 10), cfg);
    joinIncident(inc, finding('early-a', 'HIGH'), at(0, 9, 5), cfg);
    expect(incidentRef(inc).facts.map((f) => f.findingId)).toEqual(['early-a', 'late-b']);
    for (let i = 0; i < MAX_FACTS + 5; i++) joinIncident(inc, finding(`x${i}`, 'LOW'), at(0, 10, i), cfg);
    const ref = incidentRef(inc);
    expect(ref.facts).toHaveLength(MAX_FACTS);
    expect(ref.factsOmitted).toBe(7);
  });
});

/** A rule that fires on every event with the severity and discriminator the event's action names. */
const everyCall: DetectionRule = {
  id: 'every-call',
  title: 'every call',
  severity: 'MEDIUM',
  asffTypes: [],
  references: [],
  falsePositives: [],
  runbook: '',
  defaults: {},
  needsLearning: false,
  detect: (e) => {
    const [sev, what] = e.action.name.split('/') as [Severity, string];
    return { discriminator: what, severity: sev, summary: `did ${what}`, evidence: [`called ${what}`] };
  },
};
const call = (minute: number, severity: Severity, what: string) =>
  ev({ timeMs: at(0, 9, minute), eventId: `e-${minute}`, action: { name: `${severity}/${what}` } });

function batch(
  batchId: string,
  events: ReturnType<typeof ev>[],
  state: Map<string, LoadedRecord>,
): EvaluateOutput {
  const out = evaluate({
    batchId,
    events,
    state,
    rules: [everyCall],
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
  });
  for (const c of out.changes) state.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
  return out;
}
const alerting = (fs: readonly Finding[]) => fs.filter((f) => f.alert === true).map((f) => f.discriminator);

describe('the engine groups findings into incidents', () => {
  it('alerts at most twice for one identity’s attack spread over batches, and every finding names the incident', () => {
    const state = new Map<string, LoadedRecord>();
    const b1 = batch('b1', [call(0, 'MEDIUM', 'ListUsers'), call(1, 'MEDIUM', 'ListRoles')], state);
    const b2 = batch('b2', [call(6, 'HIGH', 'CreateAccessKey'), call(7, 'HIGH', 'AttachUserPolicy')], state);
    const b3 = batch('b3', [call(12, 'CRITICAL', 'StopLogging')], state);
    expect(alerting(b1.findings)).toEqual(['ListUsers']);
    expect(alerting(b2.findings)).toEqual(['CreateAccessKey']);
    expect(alerting(b3.findings)).toEqual([]);
    const all = [...b1.findings, ...b2.findings, ...b3.findings];
    expect(new Set(all.map((f) => f.incident?.id))).toEqual(
      new Set([incidentId(ev({}).identity.key, at(0, 9))]),
    );
    // The last finding carries the whole sequence, in order.
    expect(b3.findings[0]!.incident!.facts.map((f) => f.text)).toEqual([
      'did ListUsers',
      'did ListRoles',
      'did CreateAccessKey',
      'did AttachUserPolicy',
      'did StopLogging',
    ]);
    expect(b3.findings[0]!.incident).toMatchObject({ alerts: 2, findings: 5, severity: 'CRITICAL' });
  });

  it('a redelivered batch raises nothing again; a retry from the same state, or after its alert was lost, decides the same alerts', () => {
    const state = new Map<string, LoadedRecord>();
    const events = [call(0, 'HIGH', 'ListUsers'), call(1, 'HIGH', 'ListRoles')];
    const before = new Map(state);
    const first = batch('b1', events, state);
    expect(batch('b1', events, state).findings).toEqual([]);
    const retry = batch('b1', events, before);
    expect(retry.findings.map((f) => [f.id, f.alert])).toEqual(first.findings.map((f) => [f.id, f.alert]));
    // Same events in a new batch after the state was committed (the delivery failed and the
    // ledger forgot the finding): the finding that alerted is still marked to alert.
    const again = batch('b1-retry', events, state);
    expect(again.findings.map((f) => [f.id, f.alert])).toEqual(first.findings.map((f) => [f.id, f.alert]));
  });

  it('says in every finding how much history it was judged against', () => {
    const state = new Map<string, LoadedRecord>();
    const [first] = batch('b1', [call(0, 'HIGH', 'ListUsers')], state).findings;
    expect(first!.maturity).toEqual({ days: 0, calls: 0, distinct: {}, isLearned: false, priors: [] });
    expect(first!.evidence.at(-1)).toBe(
      "judged on the identity's first call: no history of its own (learning); no population priors consulted",
    );
    const later = ev({ timeMs: at(3, 9), eventId: 'e-later', action: { name: 'HIGH/GetItem' } });
    const [f] = batch('b2', [later], state).findings;
    expect(f!.maturity).toMatchObject({ days: 3, calls: 1, isLearned: false });
    expect(f!.maturity!.distinct.actions).toBe(1);
    expect(f!.evidence.at(-1)).toMatch(
      /^judged against 3 days and 1 call of history \(1 actions, .*\), still learning; no population priors consulted$/,
    );
  });
});
