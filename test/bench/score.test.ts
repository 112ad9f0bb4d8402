import {
  alertsPerEpisode,
  hitsAtLeast,
  scoreDetection,
  scoreIncidents,
  type EventFact,
  type Hit,
  type LabelRow,
} from '../../bench/score';
import type { Severity } from '../../lambdas/core/rules/rule';

const label = (event: string, rule: string, attackId: string, technique = 'T1550'): LabelRow => ({
  event,
  rule,
  attackId,
  technique,
});
const hit = (event: string, ruleId: string, findingId: string, severity: Severity = 'HIGH'): Hit => ({
  event,
  ruleId,
  findingId,
  severity,
});
const facts = (n: number, learnedFrom: number): EventFact[] =>
  Array.from({ length: n }, (_, i) => ({ event: `e${i}`, isAfterLearning: i >= learnedFrom }));

describe('scoreDetection', () => {
  it('counts an episode as found when a finding of its rule fires on any one of its events', () => {
    const labels = [
      label('e1', 'credential-replay', 'a1'),
      label('e2', 'credential-replay', 'a1'),
      label('e3', 'credential-replay', 'a2'),
    ];
    const score = scoreDetection(labels, [hit('e2', 'credential-replay', 'f1')], facts(5, 0));
    expect(score.byRule['credential-replay']).toMatchObject({
      episodes: 2,
      found: 1,
      recall: 0.5,
      missed: ['a2'],
    });
  });

  it('does not credit an episode found only by a different rule, and counts that finding as false but on attack traffic', () => {
    const labels = [label('e1', 'credential-replay', 'a1')];
    const score = scoreDetection(labels, [hit('e1', 'new-source', 'f1')], facts(3, 0));
    expect(score.byRule['credential-replay']?.recall).toBe(0);
    expect(score.byRule['new-source']).toMatchObject({
      findings: 1,
      trueFindings: 0,
      precision: 0,
      onOtherAttacks: 1,
      precisionAnyAttack: 1,
    });
    expect(score.benignFindings).toBe(0);
  });

  it('scores precision per finding id, not per matched event', () => {
    const labels = [label('e1', 'rate-anomaly', 'a1')];
    const hits = [
      hit('e1', 'rate-anomaly', 'f1'),
      hit('e2', 'rate-anomaly', 'f1'),
      hit('e3', 'rate-anomaly', 'f2'),
      hit('e4', 'rate-anomaly', 'f2'),
    ];
    const score = scoreDetection(labels, hits, facts(5, 0));
    expect(score.byRule['rate-anomaly']).toMatchObject({ findings: 2, trueFindings: 1, precision: 0.5 });
  });

  it('reports false findings per 100k benign events after learning, ignoring findings raised while learning', () => {
    // 10 events, learned from e4: 6 benign events after learning (e4…e9); e9 is labelled → 5 benign.
    const labels = [label('e9', 'new-action', 'a1')];
    const hits = [
      hit('e1', 'auth-failure-burst', 'learning'),
      hit('e5', 'new-action', 'noise'),
      hit('e9', 'new-action', 'true'),
    ];
    const score = scoreDetection(labels, hits, facts(10, 4));
    expect(score.benignAfterLearning).toBe(5);
    expect(score.benignFindings).toBe(2);
    expect(score.benignFindingsAfterLearning).toBe(1);
    expect(score.falsePer100kBenign).toBeCloseTo(20_000);
    expect(score.benignFindingsByRule).toEqual({ 'auth-failure-burst': 1, 'new-action': 1 });
  });

  it('groups recall by technique across rules and leaves ratios null when there is nothing to divide', () => {
    const labels = [
      label('e1', 'credential-replay', 'a1', 'T1552.005'),
      label('e2', 'new-source', 'a1', 'T1552.005'),
      label('e3', 'new-action', 'a2', 'T1526'),
    ];
    const score = scoreDetection(labels, [hit('e2', 'new-source', 'f1')], facts(4, 0));
    expect(score.byTechnique['T1552.005']).toMatchObject({ episodes: 2, found: 1, recall: 0.5 });
    expect(score.byTechnique['T1526']).toMatchObject({ episodes: 1, found: 0, recall: 0 });
    expect(score.byRule['new-action']?.precision).toBeNull();
    expect(scoreDetection([], [], []).falsePer100kBenign).toBeNull();
  });
});

describe('hitsAtLeast', () => {
  it('keeps MEDIUM, HIGH and CRITICAL matches and drops LOW and INFORMATIONAL ones', () => {
    const hits = [
      hit('e1', 'r', 'f1', 'INFORMATIONAL'),
      hit('e2', 'r', 'f2', 'LOW'),
      hit('e3', 'r', 'f3', 'MEDIUM'),
      hit('e4', 'r', 'f4', 'CRITICAL'),
    ];
    expect(hitsAtLeast(hits, 'MEDIUM').map((h) => h.findingId)).toEqual(['f3', 'f4']);
  });
});

describe('alertsPerEpisode', () => {
  const labels = [
    label('e1', 'new-source', 'a1'),
    label('e2', 'rate-anomaly', 'a1'),
    label('e3', 'new-source', 'a2'),
    label('e9', 'new-source', 'a3'),
  ];

  it('counts the distinct alerted findings that fired on an attack, over every rule it is labelled for', () => {
    const hits = [
      hit('e1', 'new-source', 'f1'),
      hit('e2', 'rate-anomaly', 'f2'),
      hit('e2', 'new-action', 'f3'),
      hit('e1', 'new-source', 'f1'),
      hit('e3', 'new-source', 'f4'),
    ];
    const a = alertsPerEpisode(labels, hits, new Set(['f1', 'f2', 'f3', 'f4']));
    expect(a).toEqual({
      episodes: 3,
      alerted: 2,
      mean: 2,
      max: 3,
      overLimit: [{ attackId: 'a1', alerts: 3 }],
    });
  });

  it('does not count findings that did not alert (repeats, updates of an incident)', () => {
    const hits = [hit('e1', 'new-source', 'f1'), hit('e2', 'rate-anomaly', 'f2')];
    expect(alertsPerEpisode(labels, hits, new Set(['f1']))).toMatchObject({ max: 1, alerted: 1 });
    expect(alertsPerEpisode(labels, hits, new Set())).toMatchObject({ max: 0, alerted: 0, mean: null });
  });
});

describe('scoreIncidents', () => {
  const labels = [label('e1', 'credential-stuffing', 'atk-1'), label('e2', 'credential-stuffing', 'atk-1')];

  it('counts an incident true when one of its findings is of the rule its events are labelled for', () => {
    const hits = [
      hit('e1', 'contract-violation', 'f1'),
      hit('e2', 'credential-stuffing', 'f2'),
      hit('e9', 'new-source', 'f3'),
    ];
    const incidentOf = new Map([
      ['f1', 'i1'],
      ['f2', 'i1'],
      ['f3', 'i2'],
    ]);
    expect(scoreIncidents(labels, hits, incidentOf)).toEqual({
      incidents: 2,
      trueIncidents: 1,
      onOtherAttacks: 0,
      benign: 1,
      precision: 0.5,
      findingsWithoutIncident: 0,
    });
  });

  it('keeps an incident of other rules on attack events false, and a finding without an incident its own incident', () => {
    const hits = [hit('e1', 'contract-violation', 'f1'), hit('e2', 'new-source', 'f2')];
    const score = scoreIncidents(labels, hits, new Map([['f1', 'i1']]));
    expect(score).toMatchObject({ incidents: 2, trueIncidents: 0, onOtherAttacks: 2, precision: 0 });
    expect(score.findingsWithoutIncident).toBe(1);
  });

  it('has no precision without incidents', () => {
    expect(scoreIncidents(labels, [], new Map()).precision).toBeNull();
  });
});
