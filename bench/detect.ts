/**
 * `npm run bench:detect`: detection quality. Recall and precision per rule and per technique, and
 * false findings per 100,000 benign events after learning, on the simulator's labelled output for
 * several seeds and on the labelled real corpus (Stratus Red Team, OTRF, Panther). Figures are
 * reported as measured; definitions are in bench/score.ts and docs/BENCHMARKS.md.
 *
 * Every input is measured twice, from empty state: with attack-tool user agents replaced by
 * ordinary SDK / CLI agents (bench/giveaways.ts) — the figure that counts — and as recorded. The
 * output opens with issue #10's "done when" table, measured without the giveaways.
 *
 * Options: `--seeds 1,2,3` (simulator seeds), `--days N` (simulated days), `--quick` (two seeds),
 * `--write-policy sampled` (the Lambda handlers' write policy instead of exact writes).
 */
import { join } from 'node:path';

import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../lambdas/core/engine.js';
import { SAMPLED_WRITES } from '../lambdas/core/write-policy.js';

/**
 * The engine configuration every pass runs with: exact writes (the local default), or with
 * `--write-policy sampled` the Lambda handlers' sampling write policy (core/write-policy.ts), to
 * measure its effect on detection.
 */
const ENGINE_CONFIG: EngineConfig =
  process.argv.includes('--write-policy=sampled') ||
  process.argv.slice(2).join(' ').includes('--write-policy sampled')
    ? { ...DEFAULT_ENGINE_CONFIG, writePolicy: SAMPLED_WRITES }
    : DEFAULT_ENGINE_CONFIG;
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { simulate } from '../simulate/index.js';
import type { SimulationResult } from '../simulate/types.js';
import { normaliseApiGatewayAccessLog } from '../lambdas/core/sources/api-gateway.js';
import { normaliseCloudTrail } from '../lambdas/core/sources/cloudtrail/index.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import { ROOT } from './bundle.js';
import {
  PANTHER_GIVEAWAY_ONLY,
  PANTHER_RULES,
  PANTHER_SCENARIO_RULES,
  STRATUS_EXCLUSIONS,
  STRATUS_RULES,
  otrfStream,
  pantherScenarioStreams,
  pantherTestEvents,
  stratusStreams,
  type CorpusStream,
  type KeyedRecord,
} from './corpus.js';
import { eventKey, runDetection, toDeliveries, type DetectionRun } from './detect-run.js';
import { withoutToolUserAgent } from './giveaways.js';
import { machineInfo, writeResults } from './harness.js';
import {
  alertsPerEpisode,
  hitsAtLeast,
  scoreDetection,
  scoreIncidents,
  type AlertsPerEpisode,
  type IncidentScore,
  type DetectionScore,
  type GroupScore,
  type Hit,
  type LabelRow,
} from './score.js';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const byTime = (a: IdentityEvent, b: IdentityEvent): number => a.timeMs - b.timeMs;

/** How the input is fed: attack-tool user agents replaced (the figure that counts), or as recorded. */
type Variant = 'without-tool-agents' | 'as-recorded';
const VARIANTS: readonly Variant[] = ['without-tool-agents', 'as-recorded'];

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

/** Records as the variant feeds them, with how many agents were replaced. */
function feed<T extends object>(records: readonly T[], variant: Variant): { records: T[]; replaced: number } {
  if (variant === 'as-recorded') return { records: [...records], replaced: 0 };
  let replaced = 0;
  const out = records.map((r) => {
    const w = withoutToolUserAgent(r);
    if (w.isReplaced) replaced += 1;
    return w.record;
  });
  return { records: out, replaced };
}

/** Normalise raw corpus records, counting the ones the normaliser rejects. */
function normaliseRecords(
  records: readonly KeyedRecord[],
  intel: IpIntel,
  logGroup: string,
  variant: Variant,
): { events: IdentityEvent[]; rejected: Record<string, number>; replaced: number } {
  const events: IdentityEvent[] = [];
  const rejected: Record<string, number> = {};
  const fed = feed(
    records.map((r) => r.record),
    variant,
  );
  for (const r of fed.records) {
    const n = normaliseCloudTrail(r, intel, { logGroup });
    if (n.ok) events.push(n.value);
    else rejected[n.reason] = (rejected[n.reason] ?? 0) + 1;
  }
  return { events: events.sort(byTime), rejected, replaced: fed.replaced };
}

const MEDIUM_PLUS = 'MEDIUM' as const;

// ---------------------------------------------------------------------------------------------
// Simulator

interface SimulatorSeedResult {
  readonly seed: number;
  readonly events: number;
  readonly rejected: Record<string, number>;
  /** User agents replaced (attack tools). */
  readonly replaced: number;
  readonly labels: number;
  readonly run: Omit<DetectionRun, 'hits' | 'facts' | 'alerted' | 'incidentOf'>;
  readonly score: DetectionScore;
}

interface SeedRun {
  readonly result: SimulatorSeedResult;
  readonly labels: LabelRow[];
  readonly run: DetectionRun;
}

async function simulatorSeed(
  seed: number,
  sim: SimulationResult,
  intel: IpIntel,
  variant: Variant,
): Promise<SeedRun> {
  const events: IdentityEvent[] = [];
  const rejected: Record<string, number> = {};
  const reject = (reason: string): void => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
  };
  const ct = feed(sim.cloudtrail as unknown as Record<string, unknown>[], variant);
  const api = feed(sim.apiGateway as unknown as Record<string, unknown>[], variant);
  for (const r of ct.records) {
    const n = normaliseCloudTrail(r, intel, { logGroup: 'simulated-cloudtrail' });
    if (n.ok) events.push(n.value);
    else reject(`cloudtrail:${n.reason}`);
  }
  for (const l of api.records) {
    const n = normaliseApiGatewayAccessLog(l, intel, { logGroup: 'simulated-api-gateway' });
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
  const run = await runDetection(toDeliveries(events), RULES, contracts, ENGINE_CONFIG);
  const score = scoreDetection(labels, run.hits, run.facts);
  const { hits: _hits, facts: _facts, alerted: _alerted, incidentOf: _incidentOf, ...counts } = run;
  return {
    result: {
      seed,
      events: events.length,
      rejected,
      replaced: ct.replaced + api.replaced,
      labels: labels.length,
      run: counts,
      score,
    },
    labels,
    run,
  };
}

interface SimulatorResult {
  readonly seeds: readonly SimulatorSeedResult[];
  readonly events: number;
  readonly replaced: number;
  readonly fresh: number;
  readonly repeats: number;
  /** Every finding, all severities. */
  readonly pooled: DetectionScore;
  /** MEDIUM+ findings only. */
  readonly pooledMediumPlus: DetectionScore;
  /** Strict precision per incident (the unit reported and paged for). */
  readonly incidents: IncidentScore;
  /** The same over MEDIUM+ findings only. */
  readonly incidentsMediumPlus: IncidentScore;
  /** The findings that alerted only (at most two per incident): what people are paged for. */
  readonly pooledAlerts: DetectionScore;
  readonly alerts: AlertsPerEpisode;
}

/** Pool seeds (event keys and ids prefixed by seed so seeds do not collide) and score them. */
function poolSeeds(runs: readonly SeedRun[]): SimulatorResult {
  const labels: LabelRow[] = [];
  const hits: Hit[] = [];
  const facts: DetectionRun['facts'] = [];
  const alerted = new Set<string>();
  const incidentOf = new Map<string, string>();
  let events = 0;
  let fresh = 0;
  let repeats = 0;
  let replaced = 0;
  for (const { result, labels: ls, run } of runs) {
    const p = (k: string): string => `s${result.seed}/${k}`;
    for (const l of ls) labels.push({ ...l, event: p(l.event), attackId: p(l.attackId) });
    for (const h of run.hits) hits.push({ ...h, event: p(h.event), findingId: p(h.findingId) });
    for (const f of run.facts) facts.push({ ...f, event: p(f.event) });
    for (const id of run.alerted) alerted.add(p(id));
    for (const [fid, inc] of run.incidentOf) incidentOf.set(p(fid), p(inc));
    events += result.events;
    fresh += run.fresh;
    repeats += run.repeats;
    replaced += result.replaced;
  }
  return {
    seeds: runs.map((r) => r.result),
    events,
    replaced,
    fresh,
    repeats,
    pooled: scoreDetection(labels, hits, facts),
    pooledMediumPlus: scoreDetection(labels, hitsAtLeast(hits, MEDIUM_PLUS), facts),
    incidents: scoreIncidents(labels, hits, incidentOf),
    incidentsMediumPlus: scoreIncidents(labels, hitsAtLeast(hits, MEDIUM_PLUS), incidentOf),
    pooledAlerts: scoreDetection(
      labels,
      hits.filter((h) => alerted.has(h.findingId)),
      facts,
    ),
    alerts: alertsPerEpisode(labels, hits, alerted),
  };
}

// ---------------------------------------------------------------------------------------------
// Real corpus

interface StreamResult {
  readonly name: string;
  readonly records: number;
  readonly events: number;
  readonly rejected: Record<string, number>;
  readonly replaced: number;
  readonly mappedRules: readonly string[];
  /** Rules that raised at least one finding on the stream, with their hit counts. */
  readonly fired: Record<string, number>;
  /** Rules that matched at MEDIUM or above, with their hit counts. */
  readonly firedMediumPlus: Record<string, number>;
  readonly score: DetectionScore;
}

async function corpusStream(
  stream: CorpusStream,
  intel: IpIntel,
  mappedRules: readonly string[],
  variant: Variant,
): Promise<{ result: StreamResult; run: DetectionRun }> {
  const { events, rejected, replaced } = normaliseRecords(
    stream.records,
    intel,
    `corpus/${stream.name}`,
    variant,
  );
  const run = await runDetection(toDeliveries(events), RULES, new ContractSet([]), ENGINE_CONFIG);
  const score = scoreDetection(stream.labels, run.hits, run.facts);
  const firedMediumPlus: Record<string, number> = {};
  for (const h of hitsAtLeast(run.hits, MEDIUM_PLUS))
    firedMediumPlus[h.ruleId] = (firedMediumPlus[h.ruleId] ?? 0) + 1;
  return {
    result: {
      name: stream.name,
      records: stream.records.length,
      events: events.length,
      rejected,
      replaced,
      mappedRules,
      fired: run.hitsByRule,
      firedMediumPlus,
      score,
    },
    run,
  };
}

/** Stratus, technique by technique: found by a mapped rule, by any MEDIUM+ finding, by any finding. */
interface StratusResult {
  readonly techniques: readonly StreamResult[];
  /** Mapped technique–rule pairs. */
  readonly pairs: DetectionScore;
  /** Techniques counted (identity acting, i.e. not excluded). */
  readonly counted: number;
  /** Counted techniques with at least one MEDIUM+ finding on their events (any rule): the figure that counts. */
  readonly foundMediumPlus: readonly string[];
  /** Counted techniques with at least one finding of any severity. */
  readonly foundAny: readonly string[];
}

async function stratus(intel: IpIntel, variant: Variant): Promise<StratusResult> {
  const techniques: StreamResult[] = [];
  const labels: LabelRow[] = [];
  const hits: Hit[] = [];
  const facts: DetectionRun['facts'] = [];
  for (const s of stratusStreams()) {
    const { result, run } = await corpusStream(s, intel, STRATUS_RULES[s.name] ?? [], variant);
    techniques.push(result);
    for (const l of s.labels) labels.push(l);
    for (const h of run.hits) hits.push(h);
    for (const f of run.facts) facts.push(f);
  }
  const counted = techniques.filter((t) => STRATUS_EXCLUSIONS[t.name] === undefined);
  return {
    techniques,
    pairs: scoreDetection(labels, hits, facts),
    counted: counted.length,
    foundMediumPlus: counted.filter((t) => Object.keys(t.firedMediumPlus).length > 0).map((t) => t.name),
    foundAny: counted.filter((t) => Object.keys(t.fired).length > 0).map((t) => t.name),
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
  /** Why the rule's malicious rows are not counted without giveaways, if they are not. */
  readonly giveawayOnly?: string;
}

interface PantherResult {
  readonly rules: readonly PantherRuleResult[];
  /** Benign test events (every labelled benign row, mapped or not). */
  readonly benignRows: number;
  /** Benign test events with at least one MEDIUM+ finding, with the rules that raised it. */
  readonly benignMediumPlus: readonly { line: number; sourceRule: string; rules: string[] }[];
  /** Mapped malicious rows, and how many the mapped rule caught (giveaway-only rules left out without giveaways). */
  readonly mappedMalicious: number;
  readonly mappedCaught: number;
}

async function pantherTests(intel: IpIntel, variant: Variant): Promise<PantherResult> {
  const { events, labels } = pantherTestEvents();
  // Each test event is evaluated alone from empty state: Panther's tests are per-event verdicts.
  const firedOn = new Map<number, Hit[] | undefined>();
  for (const line of new Set(labels.map((l) => l.line))) {
    const rec = events.get(line);
    if (!rec) continue;
    const { events: evs } = normaliseRecords([rec], intel, 'corpus/panther-tests', variant);
    if (evs.length === 0) {
      firedOn.set(line, undefined);
      continue;
    }
    const run = await runDetection([evs], RULES, new ContractSet([]), ENGINE_CONFIG);
    firedOn.set(line, run.hits);
  }
  const mapped = labels.filter((l) => PANTHER_RULES[l.sourceRule] !== undefined);
  const rules: PantherRuleResult[] = [];
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
      const hasRule = fired.some((h) => h.ruleId === rule);
      if (hasRule && r.isMalicious) tp += 1;
      if (hasRule && !r.isMalicious) fp += 1;
    }
    const giveawayOnly = variant === 'without-tool-agents' ? PANTHER_GIVEAWAY_ONLY[sourceRule] : undefined;
    rules.push({
      sourceRule,
      rule,
      malicious: rows.filter((r) => r.isMalicious).length,
      benign: rows.filter((r) => !r.isMalicious).length,
      truePositives: tp,
      falsePositives: fp,
      notEvaluable,
      threshold: rows[0]?.threshold ?? null,
      hasMocks: rows.some((r) => r.hasMocks),
      ...(giveawayOnly !== undefined ? { giveawayOnly } : {}),
    });
  }
  const benign = labels.filter((l) => !l.isMalicious);
  const benignMediumPlus = benign
    .map((l) => ({
      line: l.line,
      sourceRule: l.sourceRule,
      rules: [...new Set(hitsAtLeast(firedOn.get(l.line) ?? [], MEDIUM_PLUS).map((h) => h.ruleId))],
    }))
    .filter((b) => b.rules.length > 0);
  const counted = rules.filter((r) => r.giveawayOnly === undefined);
  return {
    rules,
    benignRows: benign.length,
    benignMediumPlus,
    mappedMalicious: counted.reduce((a, r) => a + r.malicious, 0),
    mappedCaught: counted.reduce((a, r) => a + r.truePositives, 0),
  };
}

interface VariantResult {
  readonly variant: Variant;
  readonly simulator: SimulatorResult;
  readonly stratus: StratusResult;
  readonly otrf: StreamResult;
  readonly pantherScenarios: readonly StreamResult[];
  readonly panther: PantherResult;
}

async function measure(
  variant: Variant,
  opts: Options,
  sims: ReadonlyMap<number, SimulationResult>,
  intel: IpIntel,
  reuseSimulator: SimulatorResult | undefined,
): Promise<VariantResult> {
  process.stderr.write(`bench:detect (${variant}): simulator seeds ${opts.seeds.join(', ')}…\n`);
  let simulator = reuseSimulator;
  if (simulator === undefined) {
    const runs: SeedRun[] = [];
    for (const seed of opts.seeds)
      runs.push(await simulatorSeed(seed, sims.get(seed) as SimulationResult, intel, variant));
    simulator = poolSeeds(runs);
  }
  process.stderr.write(`bench:detect (${variant}): corpus…\n`);
  const st = await stratus(intel, variant);
  const otrf = (await corpusStream(otrfStream(), intel, ['credential-replay'], variant)).result;
  const pantherScenarios: StreamResult[] = [];
  for (const s of pantherScenarioStreams())
    pantherScenarios.push(
      (
        await corpusStream(
          s,
          intel,
          PANTHER_SCENARIO_RULES[s.name.replace('panther-scenario-', '')] ?? [],
          variant,
        )
      ).result,
    );
  const panther = await pantherTests(intel, variant);
  return { variant, simulator, stratus: st, otrf, pantherScenarios, panther };
}

// ---------------------------------------------------------------------------------------------
// Output

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null, digits = 1): string =>
  x === null ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits });
const frac = (a: number, b: number): string => `${pct(b === 0 ? null : a / b)} (${a} / ${b})`;
const firedList = (fired: Record<string, number>): string =>
  Object.entries(fired)
    .map(([r, n]) => `${r} (${n})`)
    .join(', ');

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

function noiseLine(score: DetectionScore, what: string): string {
  return `${what} per 100,000 benign events after learning: **${num(score.falsePer100kBenign, 2)}** (${score.benignFindingsAfterLearning} findings on ${score.benignAfterLearning.toLocaleString('en-US')} benign post-learning events; ${score.benignFindings - score.benignFindingsAfterLearning} more raised during learning).`;
}

const alertsText = (a: AlertsPerEpisode): string =>
  `max ${a.max}, mean ${num(a.mean, 2)} (${a.alerted} / ${a.episodes} attacks alerted)`;

/** Issue #10's "done when", measured without attack-tool agents (the as-recorded figure beside it). */
function doneWhen(w: VariantResult, r: VariantResult): string[] {
  const met = (ok: boolean): string => (ok ? 'yes' : '**no**');
  const stratusRecall = (v: VariantResult): number =>
    v.stratus.counted === 0 ? 0 : v.stratus.foundMediumPlus.length / v.stratus.counted;
  const precision = (v: VariantResult): number | null => v.simulator.incidents.precision;
  const findingPrecision = (v: VariantResult): number | null => v.simulator.pooled.overall.precision;
  const incidentsText = (v: VariantResult): string =>
    `${pct(precision(v))} (${v.simulator.incidents.trueIncidents} / ${v.simulator.incidents.incidents})`;
  const noise = (v: VariantResult): number | null => v.simulator.pooledMediumPlus.falsePer100kBenign;
  const alertPrecision = (v: VariantResult): number | null => v.simulator.pooledAlerts.overall.precision;
  return [
    '| done when (issue #10) | without attack-tool agents (counts) | as recorded | target | met |',
    '|---|---:|---:|---:|---|',
    `| Stratus techniques with an identity acting, found by a MEDIUM+ finding (any rule), from empty state | ${frac(w.stratus.foundMediumPlus.length, w.stratus.counted)} | ${frac(r.stratus.foundMediumPlus.length, r.stratus.counted)} | ≥ 80 % | ${met(stratusRecall(w) >= 0.8)} |`,
    `| MEDIUM+ findings on benign Panther test events (each alone, from empty state) | ${w.panther.benignMediumPlus.length} of ${w.panther.benignRows} | ${r.panther.benignMediumPlus.length} of ${r.panther.benignRows} | 0 | ${met(w.panther.benignMediumPlus.length === 0)} |`,
    `| MEDIUM+ false findings per 100k benign simulator events after learning | ${num(noise(w), 2)} | ${num(noise(r), 2)} | ≤ 1 | ${met((noise(w) ?? 0) <= 1)} |`,
    `| strict precision on the simulator, per incident (an incident is true when it holds a finding of the rule its events are labelled for) | ${incidentsText(w)} | ${incidentsText(r)} | ≥ 90 % | ${met((precision(w) ?? 0) >= 0.9)} |`,
    `| strict precision on the simulator, per incident, MEDIUM+ findings only | ${pct(w.simulator.incidentsMediumPlus.precision)} (${w.simulator.incidentsMediumPlus.trueIncidents} / ${w.simulator.incidentsMediumPlus.incidents}) | ${pct(r.simulator.incidentsMediumPlus.precision)} | – | – |`,
    `| strict precision on the simulator, per finding (a finding on another rule's attack events counts false) | ${pct(findingPrecision(w))} | ${pct(findingPrecision(r))} | – | – |`,
    `| strict precision on the simulator, over the findings that alerted | ${pct(alertPrecision(w))} | ${pct(alertPrecision(r))} | (≥ 90 %) | ${met((alertPrecision(w) ?? 0) >= 0.9)} |`,
    `| alerts per simulated attack | ${alertsText(w.simulator.alerts)} | ${alertsText(r.simulator.alerts)} | ≤ 2 | ${met(w.simulator.alerts.max <= 2)} |`,
  ];
}

function recallTable(w: VariantResult, r: VariantResult): string[] {
  const row = (what: string, f: (v: VariantResult) => string): string => `| ${what} | ${f(w)} | ${f(r)} |`;
  const scen = (v: VariantResult): string => {
    let found = 0;
    let total = 0;
    for (const s of v.pantherScenarios)
      for (const rule of s.mappedRules) {
        total += 1;
        if ((s.score.byRule[rule]?.found ?? 0) > 0) found += 1;
      }
    return frac(found, total);
  };
  return [
    '| recall | without attack-tool agents | as recorded |',
    '|---|---:|---:|',
    row('simulator: labelled episodes found by their rule', (v) =>
      frac(v.simulator.pooled.overall.found, v.simulator.pooled.overall.episodes),
    ),
    row('simulator: attacks with at least one alert', (v) =>
      frac(v.simulator.alerts.alerted, v.simulator.alerts.episodes),
    ),
    row('Stratus: techniques found by a MEDIUM+ finding (any rule)', (v) =>
      frac(v.stratus.foundMediumPlus.length, v.stratus.counted),
    ),
    row('Stratus: techniques with any finding (any severity)', (v) =>
      frac(v.stratus.foundAny.length, v.stratus.counted),
    ),
    row('Stratus: mapped technique–rule pairs found by the mapped rule', (v) =>
      frac(v.stratus.pairs.overall.found, v.stratus.pairs.overall.episodes),
    ),
    row('OTRF: stolen instance key found by credential-replay', (v) =>
      frac(v.otrf.score.byRule['credential-replay']?.found ?? 0, 1),
    ),
    row('Panther rule tests: mapped malicious events caught by the mapped rule', (v) =>
      frac(v.panther.mappedCaught, v.panther.mappedMalicious),
    ),
    row('Panther scenarios: mapped scenario–rule pairs found', scen),
    row('user agents replaced (attack tools)', (v) =>
      String(
        v.simulator.replaced +
          v.stratus.techniques.reduce((a, t) => a + t.replaced, 0) +
          v.otrf.replaced +
          v.pantherScenarios.reduce((a, s) => a + s.replaced, 0),
      ),
    ),
  ];
}

function exclusions(): string[] {
  return [
    '**Exclusions** (left out of the recall that counts, each with why):',
    '',
    ...Object.entries(STRATUS_EXCLUSIONS).map(([t, why]) => `- Stratus \`${t}\`: ${why}.`),
    ...Object.entries(PANTHER_GIVEAWAY_ONLY).map(
      ([t, why]) => `- Panther \`${t}\` (without attack-tool agents only): ${why}.`,
    ),
  ];
}

function details(v: VariantResult, opts: Options): string[] {
  const out: string[] = [];
  const sim = v.simulator;
  out.push(
    `## Simulator (${opts.seeds.length} seeds: ${opts.seeds.join(', ')}; ${sim.events.toLocaleString('en-US')} events; ${sim.replaced} attack-tool agents replaced)`,
    '',
  );
  out.push(
    `Recall ${pct(sim.pooled.overall.recall)} (${sim.pooled.overall.found} / ${sim.pooled.overall.episodes} episodes), strict precision ${pct(sim.pooled.overall.precision)} (MEDIUM+ only: ${pct(sim.pooledMediumPlus.overall.precision)}; alerts only: ${pct(sim.pooledAlerts.overall.precision)}, ${sim.pooledAlerts.overall.findings} alerts, ${sim.pooledAlerts.benignFindings} on benign traffic); alerts per attack ${alertsText(sim.alerts)}.`,
    '',
  );
  if (sim.alerts.overLimit.length > 0)
    out.push(
      `Attacks with more than 2 alerts: ${sim.alerts.overLimit
        .slice(0, 12)
        .map((a) => `${a.attackId} (${a.alerts})`)
        .join(', ')}${sim.alerts.overLimit.length > 12 ? ', …' : ''}.`,
      '',
    );
  const inc = sim.incidents;
  out.push(
    `Incidents: ${inc.incidents} (${inc.trueIncidents} true, ${inc.onOtherAttacks} on attack events without the labelled rule's finding, ${inc.benign} on benign traffic); strict precision per incident ${pct(inc.precision)}, MEDIUM+ only ${pct(sim.incidentsMediumPlus.precision)}. Per finding: ${sim.pooled.overall.findings} findings, ${sim.pooled.overall.trueFindings} true, ${sim.pooled.overall.onOtherAttacks} on other rules' attack events, ${sim.pooled.benignFindings} on benign traffic.`,
    '',
  );
  out.push(noiseLine(sim.pooledMediumPlus, 'MEDIUM+ false findings'), '');
  out.push(noiseLine(sim.pooled, 'False findings of any severity'), '');
  out.push(
    'Per seed: ' +
      sim.seeds
        .map(
          (s) =>
            `seed ${s.seed}: recall ${pct(s.score.overall.recall)}, precision ${pct(s.score.overall.precision)}, ${num(s.score.falsePer100kBenign, 2)} false / 100k benign`,
        )
        .join('; ') +
      '.',
    '',
  );
  out.push(...ruleTable(sim.pooled), '', ...techniqueTable(sim.pooled), '');

  out.push('## Real corpus', '');
  const st = v.stratus;
  out.push(
    `### Stratus Red Team (${st.techniques.length} techniques, ${st.techniques.reduce((a, s) => a + s.records, 0)} events, each technique from empty state)`,
    '',
  );
  out.push(
    `Techniques with an identity acting found by a MEDIUM+ finding: ${frac(st.foundMediumPlus.length, st.counted)}; by any finding: ${frac(st.foundAny.length, st.counted)}; mapped technique–rule pairs found by the mapped rule: ${frac(st.pairs.overall.found, st.pairs.overall.episodes)}.`,
    '',
  );
  out.push(
    '| technique | events | mapped rules | found by mapped rule | MEDIUM+ rules (hits) | all rules that fired (hits) |',
    '|---|---:|---|---|---|---|',
  );
  for (const s of st.techniques) {
    const found = s.mappedRules.filter((r) => (s.score.byRule[r]?.found ?? 0) > 0);
    const excluded = STRATUS_EXCLUSIONS[s.name] !== undefined ? ' (excluded)' : '';
    out.push(
      `| ${s.name}${excluded} | ${s.events} | ${s.mappedRules.join(', ') || '— none applies'} | ${found.join(', ') || '–'} | ${firedList(s.firedMediumPlus) || '–'} | ${firedList(s.fired) || '–'} |`,
    );
  }
  out.push('');
  const o = v.otrf;
  out.push(`### OTRF Cloud Bank Breach S3 (${o.events} events, 11 with the stolen instance-profile key)`, '');
  out.push(
    `credential-replay: ${o.score.byRule['credential-replay']?.found ?? 0} / 1 episode found; rules that fired: ${firedList(o.fired) || 'none'}; findings on unlabelled events: ${o.score.benignFindings}.`,
    '',
  );
  out.push('### Panther scenarios (attacker + victim files as one timeline)', '');
  for (const s of v.pantherScenarios) {
    out.push(
      `- ${s.name}: ${s.mappedRules.map((r) => `${r} ${s.score.byRule[r]?.found ? 'found' : 'missed'}`).join(', ')}; rules that fired: ${firedList(s.fired) || 'none'}; findings on victim events: ${s.score.benignFindings}.`,
    );
  }
  out.push('', '### Panther rule tests (each test event alone, from empty state)', '');
  out.push(
    '| Panther rule | nhi-watch rule | malicious | fired on malicious | benign | fired on benign | Panther threshold | note |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  );
  for (const p of v.panther.rules) {
    const note = [
      p.hasMocks ? 'verdict uses mocks' : '',
      p.notEvaluable > 0 ? `${p.notEvaluable} row(s) not normalisable` : '',
      p.giveawayOnly !== undefined ? 'excluded: the tool agent is the only signal' : '',
    ]
      .filter(Boolean)
      .join('; ');
    out.push(
      `| ${p.sourceRule} | ${p.rule} | ${p.malicious} | ${p.truePositives} | ${p.benign} | ${p.falsePositives} | ${p.threshold ?? '–'} | ${note} |`,
    );
  }
  const pa = v.panther;
  out.push(
    '',
    `Panther mapped malicious rows caught: ${frac(pa.mappedCaught, pa.mappedMalicious)}. Benign test events (all ${pa.benignRows}, mapped or not) with a MEDIUM+ finding: ${pa.benignMediumPlus.length}${
      pa.benignMediumPlus.length > 0
        ? ` (${pa.benignMediumPlus
            .slice(0, 10)
            .map((b) => `line ${b.line} ${b.sourceRule}: ${b.rules.join(', ')}`)
            .join('; ')}${pa.benignMediumPlus.length > 10 ? '; …' : ''})`
        : ''
    }.`,
    '',
  );
  return out;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const intel = loadIpIntelDb();
  const sims = new Map<number, SimulationResult>();
  for (const seed of opts.seeds)
    sims.set(seed, simulate(opts.days === undefined ? { seed } : { seed, days: opts.days }));

  const [wVariant, rVariant] = VARIANTS as [Variant, Variant];
  const without = await measure(wVariant, opts, sims, intel, undefined);
  // Identical input gives identical output: when the simulator sent no tool agent, reuse its run.
  const asRecorded = await measure(
    rVariant,
    opts,
    sims,
    intel,
    without.simulator.replaced === 0 ? without.simulator : undefined,
  );

  const out: string[] = [];
  out.push(
    '## Done when (issue #10)',
    '',
    'Measured from empty state with attack-tool user agents (every agent the classifier calls `offensive-tool`: `stratus-red-team_…`, Grimoire, TruffleHog, Pacu, Kali builds) replaced by ordinary AWS CLI / boto3 / Go SDK agents (bench/giveaways.ts): the figure that counts. The as-recorded figure is beside it.',
    '',
    ...doneWhen(without, asRecorded),
    '',
    ...recallTable(without, asRecorded),
    '',
    ...exclusions(),
    '',
    '# Without attack-tool agents (the figures that count)',
    '',
    ...details(without, opts),
  );

  const doc = {
    kind: 'nhi-watch-bench-detect/2',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: machineInfo(),
    seeds: opts.seeds,
    days: opts.days ?? 'default',
    variants: { withoutToolAgents: without, asRecorded },
    exclusions: { stratus: STRATUS_EXCLUSIONS, pantherWithoutToolAgents: PANTHER_GIVEAWAY_ONLY },
    mapping: { stratus: STRATUS_RULES, panther: PANTHER_RULES, pantherScenarios: PANTHER_SCENARIO_RULES },
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
