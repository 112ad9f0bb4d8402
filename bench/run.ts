/**
 * `npm run bench`: every performance and cost figure in one run, on the same payloads, printed as a
 * markdown table and written as JSON to bench/results/. Benchmarks report; they never fail a build.
 *
 * Options: `--quick` (fewer rounds and a smaller scale run, for trying changes),
 * `--only floor,scale,bundle,dynamodb,latency,cost` (run some sections).
 */
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

import { ROOT } from './bundle.js';
import { COST_ASSUMPTIONS, PRICES, cpuShare, projectCost, type CostInputs } from './cost.js';
import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import { enginePass, type EnginePassResult } from './engine-pass.js';
import { floorPass, invictusPayloads, type PayloadSet } from './floor.js';
import { machineInfo, median, renderMarkdown, spread, writeResults, type Figure, type Section } from './harness.js';
import { runScale } from './scale.js';

/** Parsed command line. */
interface Options {
  readonly isQuick: boolean;
  readonly only: ReadonlySet<string> | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);
  return { isQuick: argv.includes('--quick'), only: onlyArg ? new Set(onlyArg.split(',')) : undefined };
}

/** Figures other sections feed into the cost model. */
interface Measured {
  engineEventsPerSecond?: number;
  dynamoReadUnitsPer1000?: number;
  dynamoWriteUnitsPer1000?: number;
  dynamoRequestsPer1000?: number;
  coldInitMs?: number;
  avgEventBytes?: number;
}

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Floor and engine on the same payloads, interleaved round by round so both see the same machine. */
async function throughputSection(set: PayloadSet, intel: IpIntel, rounds: number, measured: Measured): Promise<Section> {
  for (let i = 0; i < 2; i++) {
    floorPass(set);
    await enginePass(set.payloads, intel);
  }
  const floor: number[] = [];
  const engine: number[] = [];
  let last: EnginePassResult | undefined;
  for (let r = 0; r < rounds; r++) {
    floor.push(floorPass(set));
    last = await enginePass(set.payloads, intel);
    engine.push(last.eventsPerSecond);
  }
  const floorMedian = median(floor);
  const engineMedian = median(engine);
  // Rounds are paired (floor then engine, back to back), so the ratio is the median of per-round ratios.
  const ratios = floor.map((f, i) => (engine[i] as number) / f);
  const ratio = median(ratios);
  if (set.name === 'invictus') {
    measured.avgEventBytes = set.avgEventBytes;
    measured.engineEventsPerSecond = engineMedian;
  }
  return {
    title: `Throughput on ${set.name} payloads (${set.payloads.length} × ${Math.round(set.events / set.payloads.length)} events, one thread)`,
    figures: [
      { name: 'floor: base64 + gunzip + JSON.parse', value: floorMedian, unit: 'events/s', note: `median of ${rounds} rounds, spread ${pct(spread(floor))}` },
      {
        name: 'engine: decode → normalise → 13 rules → memory store commit',
        value: engineMedian,
        unit: 'events/s',
        note: `median of ${rounds} rounds, spread ${pct(spread(engine))}; ${last?.rejected ?? 0} lines rejected, ${last?.findings ?? 0} findings per pass`,
      },
      { name: 'engine / floor', value: ratio, unit: 'ratio', target: '≥ 0.50', isMet: ratio >= 0.5, note: `median of per-round ratios (${ratios.map((x) => x.toFixed(2)).join(', ')})` },
      { name: 'engine time per event', value: 1e6 / engineMedian, unit: 'µs' },
      { name: 'average CloudTrail event size', value: set.avgEventBytes, unit: 'bytes' },
    ],
    detail: { description: set.description, floorRounds: floor, engineRounds: engine, lastEnginePass: last },
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

async function scaleSection(isQuick: boolean): Promise<Section> {
  const points = isQuick ? [1000, 10000] : [1000, 10000, 100000];
  const events = isQuick ? 50_000 : 200_000;
  const results = await runScale(points, events);
  const figures: Figure[] = [];
  for (const p of results) {
    figures.push(
      { name: `${p.identities.toLocaleString('en-US')} identities: throughput`, value: p.eventsPerSecond, unit: 'events/s', note: `${p.events.toLocaleString('en-US')} events, ${p.rules} rules, ${p.findings} findings` },
      { name: `${p.identities.toLocaleString('en-US')} identities: state in memory`, value: p.stateHeapMiB, unit: 'MiB heap', note: `${Math.round(p.stateBytesPerIdentity)} B / identity in heap, ${Math.round(p.serializedBytesPerIdentity)} B / identity as JSON` },
      { name: `${p.identities.toLocaleString('en-US')} identities: process RSS`, value: p.rssMiB, unit: 'MiB' },
    );
  }
  return {
    title: 'Scale: distinct identities (pipeline + memory store, batches of 1,000, identities drawn uniformly)',
    figures,
    detail: results,
  };
}

/** Findings per million events measured by `npm run bench:detect`, when its results exist. */
function detectedFindingRates(): { fresh: number; updates: number; source: string } | undefined {
  const file = join(RESULTS_DIR, 'detect-latest.json');
  if (!existsSync(file)) return undefined;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { simulator?: { findingsPerMillion?: number; findingUpdatesPerMillion?: number } };
  const s = doc.simulator;
  if (s?.findingsPerMillion === undefined || s.findingUpdatesPerMillion === undefined) return undefined;
  return { fresh: s.findingsPerMillion, updates: s.findingUpdatesPerMillion, source: 'measured by bench:detect on the simulator (attacks included)' };
}

/** Assumed in-region round trip of one DynamoDB / SNS / Security Hub request from Lambda, ms. */
const ASSUMED_REQUEST_MS = 8;

function costSection(measured: Measured): Section {
  const memoryMb = 1024; // lib/config.ts default (functions.memoryMb)
  const notes: string[] = [];
  const engineEps = measured.engineEventsPerSecond;
  const cpuMsPerBatch = engineEps !== undefined ? (COST_ASSUMPTIONS.eventsPerInvocation / engineEps) * 1000 : 50;
  if (engineEps === undefined) notes.push('engine CPU time per batch assumed 50 ms (engine not measured in this run)');
  const requestsPerBatch = measured.dynamoRequestsPer1000 ?? 4;
  if (measured.dynamoRequestsPer1000 === undefined) notes.push('DynamoDB requests per batch assumed 4 (not measured in this run)');
  const invocationMs = cpuMsPerBatch / cpuShare(memoryMb) + requestsPerBatch * ASSUMED_REQUEST_MS;
  const rates = detectedFindingRates();
  if (!rates) notes.push('findings assumed 100 new + 400 updates per million events (run bench:detect first to measure them)');
  const inputs: CostInputs = {
    eventsPerInvocation: COST_ASSUMPTIONS.eventsPerInvocation,
    invocationMs,
    memoryMb,
    coldStartFraction: COST_ASSUMPTIONS.coldStartFraction,
    initMs: measured.coldInitMs ?? 300,
    dynamoReadUnitsPer1000Events: measured.dynamoReadUnitsPer1000 ?? 25,
    dynamoWriteUnitsPer1000Events: measured.dynamoWriteUnitsPer1000 ?? 50,
    freshFindingsPerMillion: rates?.fresh ?? 100,
    findingUpdatesPerMillion: rates?.updates ?? 400,
    emailSubscribers: COST_ASSUMPTIONS.emailSubscribers,
    cloudWatchLogsBytesPerEvent: (measured.avgEventBytes ?? 1500) + 26,
  };
  if (measured.dynamoWriteUnitsPer1000 === undefined) notes.push('DynamoDB units assumed 25 RRU + 50 WRU per 1,000 events (not measured in this run)');
  if (measured.coldInitMs === undefined) notes.push('cold-start INIT assumed 300 ms (bundle not measured in this run)');
  const p = projectCost(inputs);
  const figures: Figure[] = p.lines.map((l) => ({ name: l.item, value: l.usdPerMillionEvents, unit: 'USD / M events', note: l.basis }));
  figures.push(
    { name: 'nhi-watch total (Lambda + DynamoDB + SNS + Security Hub)', value: p.nhiWatchUsdPerMillion, unit: 'USD / M events' },
    { name: 'nhi-watch total incl. CloudWatch Logs ingestion', value: p.withLogIngestionUsdPerMillion, unit: 'USD / M events', note: 'zero extra if the trail already delivers to CloudWatch Logs' },
    { name: 'GuardDuty, CloudTrail management events', value: p.guardDutyUsdPerMillion, unit: 'USD / M events', note: 'first tier, published price' },
    { name: 'CloudTrail Insights, one Insights type', value: p.cloudTrailInsightsUsdPerMillion, unit: 'USD / M events', note: `both types analyse write events twice; price ${PRICES.cloudTrailInsights100k.isVerified ? 'verified' : 'assumed (not verified)'}` },
  );
  return {
    title: `Cost per million CloudTrail events (us-east-1 list prices, ${memoryMb} MB arm64 Lambda)`,
    figures,
    detail: { inputs, notes, prices: PRICES, assumptions: { ...COST_ASSUMPTIONS, assumedRequestMs: ASSUMED_REQUEST_MS, cpuMsPerBatch, invocationMs } },
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const wants = (s: string): boolean => opts.only === undefined || opts.only.has(s);
  const rounds = opts.isQuick ? 3 : 7;
  const measured: Measured = {};
  const sections: Section[] = [];
  const started = Date.now();

  const attempt = async (name: string, fn: () => Promise<Section> | Section): Promise<void> => {
    if (!wants(name)) return;
    process.stderr.write(`bench: ${name}…\n`);
    try {
      sections.push(await fn());
    } catch (error) {
      sections.push({ title: `${name}: not measured`, figures: [{ name, value: null, unit: '', note: error instanceof Error ? error.message : String(error) }] });
    }
  };

  const invictus = await invictusPayloads(opts.isQuick ? 5000 : 10_000);
  const intel = loadIpIntelDb();
  await attempt('floor', () => throughputSection(invictus, intel, rounds, measured));
  await attempt('scale', () => scaleSection(opts.isQuick));
  await attempt('cost', () => costSection(measured));

  const doc = { kind: 'nhi-watch-bench/1', startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, machine: machineInfo(), options: { quick: opts.isQuick, only: opts.only ? [...opts.only] : null }, sections };
  const file = await writeResults(RESULTS_DIR, 'run', doc);
  const m = doc.machine;
  process.stdout.write(`## nhi-watch benchmarks\n\n${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform})\n\n${renderMarkdown(sections)}\nJSON: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
