/**
 * The "done when": the simulator's labelled attacks, replayed through the whole engine
 * (normalisers, baselines, all rules, contracts), are each found by the rule they are labelled
 * with, and benign traffic after learning stays quiet.
 */
import { simulate, type SimulationResult } from '../../simulate/index';
import { loadLocalSetup, replayEvents, type ReplayResult } from '../../lambdas/local/replay';
import { RULES } from '../../lambdas/core/rules/index';

interface Scored {
  readonly episodes: number;
  readonly missed: string[];
  readonly falseFindings: string[];
  readonly benignEvents: number;
}

/**
 * Score findings against labels: an episode is found when a finding of its rule covers one of its
 * events. False findings and benign events are counted from `fromMs` on (the end of the run's
 * learning period, or its start).
 */
function score(sim: SimulationResult, result: ReplayResult, fromMs = sim.meta.startMs): Scored {
  const rulesByEvent = new Map<string, Set<string>>();
  const episodes = new Map<string, { rule: string; ids: Set<string> }>();
  for (const l of sim.labels) {
    if (!rulesByEvent.has(l.eventId)) rulesByEvent.set(l.eventId, new Set());
    rulesByEvent.get(l.eventId)!.add(l.rule);
    const k = `${l.attackId} / ${l.rule}`;
    if (!episodes.has(k)) episodes.set(k, { rule: l.rule, ids: new Set() });
    episodes.get(k)!.ids.add(l.eventId);
  }
  const missed = [...episodes]
    .filter(
      ([, ep]) =>
        !result.findings.some((f) => f.ruleId === ep.rule && f.eventIds.some((id) => ep.ids.has(id))),
    )
    .map(([k]) => k);
  const falseFindings = result.findings
    .filter((f) => f.firstSeenMs >= fromMs && !f.eventIds.some((id) => rulesByEvent.has(id)))
    .map((f) => `${f.ruleId} ${f.identityKey}: ${f.summary}`);
  const eventsFrom =
    sim.cloudtrail.filter((r) => Date.parse(r.eventTime) >= fromMs).length +
    sim.apiGateway.filter((l) => Number(l.requestTimeEpoch) >= fromMs).length;
  return { episodes: episodes.size, missed, falseFindings, benignEvents: eventsFrom - rulesByEvent.size };
}

// One seed end to end here; `npm run bench:detect` replays and scores seeds 1–5.
describe('simulate --seed 1, replayed', () => {
  const seed = 1;
  let sim: SimulationResult;
  let result: ReplayResult;
  beforeAll(async () => {
    sim = simulate({ seed });
    const setup = await loadLocalSetup({ inlineContracts: sim.contracts });
    result = await replayEvents({ cloudtrail: sim.cloudtrail, apiGateway: sim.apiGateway }, setup);
  });

  it('normalises every simulated line', () => {
    expect(result.rejects.size).toBe(0);
    expect(result.events).toBe(sim.cloudtrail.length + sim.apiGateway.length);
  });

  it('finds every injected attack episode with the rule it is labelled with', () => {
    const s = score(sim, result);
    expect(s.episodes).toBeGreaterThanOrEqual(RULES.length);
    expect(s.missed).toEqual([]);
  });

  it('covers every rule of the catalogue with at least one labelled episode', () => {
    expect(new Set(sim.labels.map((l) => l.rule))).toEqual(new Set(RULES.map((r) => r.id)));
  });

  // After learning, as DESIGN's target says: while the platform's automation (an IAM reconciler,
  // Terraform, a new workload) is still being learned, its first sensitive changes are reported
  // (bench:detect counts those apart, "raised during learning").
  it('raises at most 10 findings per 100,000 benign events after learning that touch no attack event', () => {
    const s = score(sim, result, sim.meta.attackWindowStartMs);
    expect(s.benignEvents).toBeGreaterThan(100_000);
    expect(s.falseFindings.length / (s.benignEvents / 100_000)).toBeLessThanOrEqual(10);
  });
});
