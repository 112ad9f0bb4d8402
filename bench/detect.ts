/**
 * `npm run bench:detect`: detection quality. Recall and precision per rule and per technique, and
 * false findings per 100,000 benign events after learning, on the simulator's labelled output for
 * several seeds and on the labelled real corpus (Stratus Red Team, OTRF, Panther). Figures are
 * reported as measured; definitions are in bench/score.ts and docs/BENCHMARKS.md.
 *
 * Options: `--seeds 1,2,3` (simulator seeds), `--days N` (simulated days), `--quick` (two seeds).
 */
import { join } from 'node:path';

import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { simulate } from '../lambdas/core/simulate/index.js';
import { normaliseApiGatewayAccessLog } from '../lambdas/core/sources/api-gateway.js';
import { normaliseCloudTrail } from '../lambdas/core/sources/cloudtrail/index.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import { ROOT } from './bundle.js';
import {
  PANTHER_RULES,
  PANTHER_SCENARIO_RULES,
  STRATUS_RULES,
  otrfStream,
  pantherScenarioStreams,
  pantherTestEvents,
  stratusStreams,
  type CorpusStream,
  type KeyedRecord,
} from './corpus.js';
import { eventKey, runDetection, toDeliveries, type DetectionRun } from './detect-run.js';
import { machineInfo, writeResults } from './harness.js';
import { scoreDetection, type DetectionScore, type GroupScore, type LabelRow } from './score.js';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const byTime = (a: IdentityEvent, b: IdentityEvent): number => a.timeMs - b.timeMs;

interface Options {
  readonly seeds: readonly number[];
  readonly days: number | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    if (eq !== undefined) return eq.slice(name.length + 3);
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seedsArg = value('seeds');
  const seeds =
    seedsArg !== undefined
      ? seedsArg.split(',').map(Number)
      : argv.includes('--quick')
        ? [1, 2]
        : [1, 2, 3, 4, 5];
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`--seeds must be integers, got ${seedsArg ?? ''}`);
  const daysArg = value('days');
  return { seeds, days: daysArg === undefined ? undefined : Number(daysArg) };
}

/** Normalise raw corpus records, counting the ones the normaliser rejects. */
function normaliseRecords(
  records: readonly KeyedRecord[],
  intel: IpIntel,
  logGroup: string,
): { events: IdentityEvent[]; rejected: Record<string, number> } {
  const events: IdentityEvent[] = [];
  const rejected: Record<string, number> = {};
  for (const r of records) {
    const n = normaliseCloudTrail(r.record, intel, { logGroup });
    if (n.ok) events.push(n.value);
    else rejected[n.reason] = (rejected[n.reason] ?? 0) + 1;
  }
  return { events: events.sort(byTime), rejected };
}

// ---------------------------------------------------------------------------------------------
// Simulator

interface SimulatorSeedResult {
  readonly seed: number;
  readonly events: number;
  readonly rejected: Record<string, number>;
  readonly labels: number;
  readonly run: Omit<DetectionRun, 'hits' | 'facts'>;
  readonly score: DetectionScore;
}

async function simulatorSeed(
  seed: number,
  days: number | undefined,
  intel: IpIntel,
): Promise<{ result: SimulatorSeedResult; labels: LabelRow[]; run: DetectionRun }> {
  const sim = simulate(days === undefined ? { seed } : { seed, days });
  const events: IdentityEvent[] = [];
  const rejected: Record<string, number> = {};
  const reject = (reason: string): void => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
  };
  for (const r of sim.cloudtrail) {
    const n = normaliseCloudTrail(r as unknown as Record<string, unknown>, intel, {
      logGroup: 'simulated-cloudtrail',
    });
    if (n.ok) events.push(n.value);
    else reject(`cloudtrail:${n.reason}`);
  }
  for (const l of sim.apiGateway) {
    const n = normaliseApiGatewayAccessLog(l as unknown as Record<string, unknown>, intel, {
      logGroup: 'simulated-api-gateway',
    });
    if (n.ok) events.push(n.value);
    else reject(`api-gateway:${n.reason}`);
  }
  events.sort(byTime);
  const labels: LabelRow[] = sim.labels.map((l) => ({
    event: eventKey({ source: l.source, eventId: l.eventId }),
    rule: l.rule,
    technique: l.technique,
    attackId: l.attackId,
  }));
  const contracts = new ContractSet(sim.contracts);
  const run = await runDetection(toDeliveries(events), RULES, contracts, DEFAULT_ENGINE_CONFIG);
  const score = scoreDetection(labels, run.hits, run.facts);
  const { hits: _hits, facts: _facts, ...counts } = run;
  return {
    result: { seed, events: events.length, rejected, labels: labels.length, run: counts, score },
    labels,
    run,
  };
}

// ---------------------------------------------------------------------------------------------
// Real corpus

interface StreamResult {
  readonly name: string;
  readonly records: number;
  readonly events: number;
  readonly rejected: Record<string, number>;
  readonly mappedRules: readonly string[];
  /** Rules that raised at least one finding on the stream, with their hit counts. */
  readonly fired: Record<string, number>;
  readonly score: DetectionScore;
}

async function corpusStream(
  stream: CorpusStream,
  intel: IpIntel,
  mappedRules: readonly string[],
): Promise<{ result: StreamResult; run: DetectionRun }> {
  const { events, rejected } = normaliseRecords(stream.records, intel, `corpus/${stream.name}`);
  const run = await runDetection(toDeliveries(events), RULES, new ContractSet([]), DEFAULT_ENGINE_CONFIG);
  const score = scoreDetection(stream.labels, run.hits, run.facts);
  return {
    result: {
      name: stream.name,
      records: stream.records.length,
      events: events.length,
      rejected,
      mappedRules,
      fired: run.hitsByRule,
      score,
    },
    run,
  };
}

/** Panther per-event verdicts for one mapped source rule. */
interface PantherRuleResult {
  readonly sourceRule: string;
  readonly rule: string;
  readonly malicious: number;
  readonly benign: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  /** Rows whose event the normaliser rejected (not evaluable). */
  readonly notEvaluable: number;
  readonly threshold: number | null;
  readonly hasMocks: boolean;
}

async function pantherTests(intel: IpIntel): Promise<PantherRuleResult[]> {
  const { events, labels } = pantherTestEvents();
  const mapped = labels.filter((l) => PANTHER_RULES[l.sourceRule] !== undefined);
  // Each test event is evaluated alone from empty state: Panther's tests are per-event verdicts.
  const firedOn = new Map<number, Set<string> | undefined>();
  for (const line of new Set(mapped.map((l) => l.line))) {
    const rec = events.get(line);
    if (!rec) continue;
    const { events: evs } = normaliseRecords([rec], intel, 'corpus/panther-tests');
    if (evs.length === 0) {
      firedOn.set(line, undefined);
      continue;
    }
    const run = await runDetection([evs], RULES, new ContractSet([]), DEFAULT_ENGINE_CONFIG);
    firedOn.set(line, new Set(run.hits.map((h) => h.ruleId)));
  }
  const out: PantherRuleResult[] = [];
  for (const sourceRule of [...new Set(mapped.map((l) => l.sourceRule))].sort()) {
    const rule = PANTHER_RULES[sourceRule] as string;
    const rows = mapped.filter((l) => l.sourceRule === sourceRule);
    let tp = 0;
    let fp = 0;
    let notEvaluable = 0;
    for (const r of rows) {
      const fired = firedOn.get(r.line);
      if (fired === undefined) {
        notEvaluable += 1;
        continue;
      }
      if (fired.has(rule) && r.isMalicious) tp += 1;
      if (fired.has(rule) && !r.isMalicious) fp += 1;
    }
    out.push({
      sourceRule,
      rule,
      malicious: rows.filter((r) => r.isMalicious).length,
      benign: rows.filter((r) => !r.isMalicious).length,
      truePositives: tp,
      falsePositives: fp,
      notEvaluable,
      threshold: rows[0]?.threshold ?? null,
      hasMocks: rows.some((r) => r.hasMocks),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null, digits = 1): string =>
  x === null ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits });

function ruleTable(score: DetectionScore): string[] {
  const lines = [
    '| rule | episodes | found | recall | findings | true | precision | false, on other attacks | precision, any attack | false, on benign |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const row = (name: string, s: GroupScore, benign: number | string): string =>
    `| ${name} | ${s.episodes} | ${s.found} | ${pct(s.recall)} | ${s.findings} | ${s.trueFindings} | ${pct(s.precision)} | ${s.onOtherAttacks} | ${pct(s.precisionAnyAttack)} | ${benign} |`;
  for (const [rule, s] of Object.entries(score.byRule))
    lines.push(row(rule, s, score.benignFindingsByRule[rule] ?? 0));
  lines.push(row('**all rules**', score.overall, score.benignFindings));
  return lines;
}

function techniqueTable(score: DetectionScore): string[] {
  const lines = ['| technique | episodes | found | recall | missed |', '|---|---:|---:|---:|---|'];
  for (const [t, s] of Object.entries(score.byTechnique))
    lines.push(
      `| ${t} | ${s.episodes} | ${s.found} | ${pct(s.recall)} | ${s.missed.slice(0, 4).join(', ')}${s.missed.length > 4 ? ', …' : ''} |`,
    );
  return lines;
}

function noiseLine(score: DetectionScore): string {
  return `False findings per 100,000 benign events after learning: **${num(score.falsePer100kBenign, 2)}** (${score.benignFindingsAfterLearning} findings on ${score.benignAfterLearning.toLocaleString('en-US')} benign post-learning events; ${score.benignFindings - score.benignFindingsAfterLearning} more raised during learning; target ≤ 10).`;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const intel = loadIpIntelDb();
  const out: string[] = [];

  // Simulator, per seed and pooled (event keys prefixed by seed so seeds do not collide).
  process.stderr.write(`bench:detect: simulator seeds ${opts.seeds.join(', ')}…\n`);
  const seeds: SimulatorSeedResult[] = [];
  const pooledLabels: LabelRow[] = [];
  const pooledHits: DetectionRun['hits'] = [];
  const pooledFacts: DetectionRun['facts'] = [];
  let events = 0;
  let fresh = 0;
  let repeats = 0;
  for (const seed of opts.seeds) {
    const { result, labels, run } = await simulatorSeed(seed, opts.days, intel);
    seeds.push(result);
    const p = (k: string): string => `s${seed}/${k}`;
    for (const l of labels) pooledLabels.push({ ...l, event: p(l.event), attackId: p(l.attackId) });
    for (const h of run.hits) pooledHits.push({ ...h, event: p(h.event), findingId: p(h.findingId) });
    for (const f of run.facts) pooledFacts.push({ ...f, event: p(f.event) });
    events += result.events;
    fresh += run.fresh;
    repeats += run.repeats;
  }
  const pooled = scoreDetection(pooledLabels, pooledHits, pooledFacts);
  out.push(
    `## Simulator (${opts.seeds.length} seeds: ${opts.seeds.join(', ')}; ${events.toLocaleString('en-US')} events)`,
    '',
  );
  out.push(
    `Recall ${pct(pooled.overall.recall)} (${pooled.overall.found} / ${pooled.overall.episodes} episodes; target 100 %), precision ${pct(pooled.overall.precision)}.`,
    '',
  );
  out.push(noiseLine(pooled), '');
  out.push(
    'Per seed: ' +
      seeds
        .map(
          (s) =>
            `seed ${s.seed}: recall ${pct(s.score.overall.recall)}, precision ${pct(s.score.overall.precision)}, ${num(s.score.falsePer100kBenign, 2)} false / 100k benign`,
        )
        .join('; ') +
      '.',
    '',
  );
  out.push(...ruleTable(pooled), '', ...techniqueTable(pooled), '');

  // Real corpus.
  process.stderr.write('bench:detect: corpus…\n');
  const stratus: StreamResult[] = [];
  const stratusLabels: LabelRow[] = [];
  const stratusHits: DetectionRun['hits'] = [];
  const stratusFacts: DetectionRun['facts'] = [];
  for (const s of stratusStreams()) {
    const { result, run } = await corpusStream(s, intel, STRATUS_RULES[s.name] ?? []);
    stratus.push(result);
    for (const l of s.labels) stratusLabels.push(l);
    for (const h of run.hits) stratusHits.push(h);
    for (const f of run.facts) stratusFacts.push(f);
  }
  const stratusScore = scoreDetection(stratusLabels, stratusHits, stratusFacts);
  const otrf = await corpusStream(otrfStream(), intel, ['credential-replay']);
  const scenarios: StreamResult[] = [];
  for (const s of pantherScenarioStreams())
    scenarios.push(
      (await corpusStream(s, intel, PANTHER_SCENARIO_RULES[s.name.replace('panther-scenario-', '')] ?? []))
        .result,
    );
  const panther = await pantherTests(intel);

  out.push('## Real corpus', '');
  out.push(
    `### Stratus Red Team (${stratus.length} techniques, ${stratus.reduce((a, s) => a + s.records, 0)} events, each technique from empty state)`,
    '',
  );
  out.push(
    `Recall over mapped techniques ${pct(stratusScore.overall.recall)} (${stratusScore.overall.found} / ${stratusScore.overall.episodes} technique-rule pairs).`,
    '',
  );
  out.push(
    '| technique | events | mapped rules | found by mapped rule | rules that fired (hits) |',
    '|---|---:|---|---|---|',
  );
  for (const s of stratus) {
    const found = s.mappedRules.filter((r) => (s.score.byRule[r]?.found ?? 0) > 0);
    const fired = Object.entries(s.fired)
      .map(([r, n]) => `${r} (${n})`)
      .join(', ');
    out.push(
      `| ${s.name} | ${s.events} | ${s.mappedRules.join(', ') || '— none applies'} | ${found.join(', ') || '–'} | ${fired || '–'} |`,
    );
  }
  out.push('');
  const o = otrf.result;
  out.push(`### OTRF Cloud Bank Breach S3 (${o.events} events, 11 with the stolen instance-profile key)`, '');
  out.push(
    `credential-replay: ${o.score.byRule['credential-replay']?.found ?? 0} / 1 episode found; rules that fired: ${
      Object.entries(o.fired)
        .map(([r, n]) => `${r} (${n})`)
        .join(', ') || 'none'
    }; findings on unlabelled events: ${o.score.benignFindings}.`,
    '',
  );
  out.push('### Panther scenarios (attacker + victim files as one timeline)', '');
  for (const s of scenarios) {
    out.push(
      `- ${s.name}: ${s.mappedRules.map((r) => `${r} ${s.score.byRule[r]?.found ? 'found' : 'missed'}`).join(', ')}; rules that fired: ${
        Object.entries(s.fired)
          .map(([r, n]) => `${r} (${n})`)
          .join(', ') || 'none'
      }; findings on victim events: ${s.score.benignFindings}.`,
    );
  }
  out.push('', '### Panther rule tests (each test event alone, from empty state)', '');
  out.push(
    '| Panther rule | nhi-watch rule | malicious | fired on malicious | benign | fired on benign | Panther threshold | note |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  );
  for (const p of panther) {
    const note = [
      p.hasMocks ? 'verdict uses mocks' : '',
      p.notEvaluable > 0 ? `${p.notEvaluable} row(s) not normalisable` : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(
      `| ${p.sourceRule} | ${p.rule} | ${p.malicious} | ${p.truePositives} | ${p.benign} | ${p.falsePositives} | ${p.threshold ?? '–'} | ${note} |`,
    );
  }
  const tp = panther.reduce((a, p) => a + p.truePositives, 0);
  const fp = panther.reduce((a, p) => a + p.falsePositives, 0);
  const mal = panther.reduce((a, p) => a + p.malicious, 0);
  out.push(
    '',
    `Panther mapped rows: recall ${pct(mal === 0 ? null : tp / mal)} (${tp} / ${mal}), precision ${pct(tp + fp === 0 ? null : tp / (tp + fp))} (${fp} false).`,
    '',
  );

  const doc = {
    kind: 'nhi-watch-bench-detect/1',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: machineInfo(),
    simulator: {
      seeds: opts.seeds,
      days: opts.days ?? 'default',
      events,
      findingsPerMillion: (fresh / events) * 1e6,
      findingUpdatesPerMillion: (repeats / events) * 1e6,
      pooled,
      perSeed: seeds,
    },
    corpus: {
      stratus: { pooled: stratusScore, techniques: stratus },
      otrf: o,
      pantherScenarios: scenarios,
      pantherTests: panther,
      mapping: { stratus: STRATUS_RULES, panther: PANTHER_RULES, pantherScenarios: PANTHER_SCENARIO_RULES },
    },
  };
  const file = await writeResults(RESULTS_DIR, 'detect', doc);
  process.stdout.write(`# nhi-watch detection benchmark\n\n${out.join('\n')}\nJSON: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:detect failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
