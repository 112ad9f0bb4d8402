/**
 * `npm run bench`: every performance and cost figure in one run, on the same payloads, printed as a
 * markdown table and written as JSON to bench/results/. Benchmarks report; they never fail a build.
 *
 * Options: `--quick` (fewer rounds and a smaller scale run, for trying changes),
 * `--only real,floor,scale,bundle,dynamodb,latency,cost` (run some sections).
 *
 * The headline is `real`: the exported Lambda handler with learned state and the production adapters
 * (bench/real-path.ts, in its own process) against the floor, round by round. `floor` is the older,
 * easier engine line (empty state, memory store), kept as a secondary figure. The run ends with a
 * summary of the issue #14 targets.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

import { copyFileSync } from 'node:fs';

import { DEFAULT_IP_INTEL_PATH } from '../lambdas/adapters/ip-intel-db.js';
import { simulate, type SimulationResult } from '../simulate/index.js';
import {
  demoBatches,
  measureDynamoDb,
  measureHandlerLatency,
  perSourceBatches,
  simulatedEvents,
  simulationContracts,
  startLocalAws,
  type LocalAws,
} from './aws-local.js';
import { IP_DB_FILE, ROOT, bundleHandler, coldInit, removeDir, tempBundleDir } from './bundle.js';
import { HANDLER_BUNDLING } from '../lib/handler-bundling.js';
import { MemoryBaselineStore } from '../lambdas/adapters/memory-store.js';
import { COST_ASSUMPTIONS, PRICES, cpuShare, projectCost, type CostInputs } from './cost.js';
import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import { MemoryFindingLedger } from '../lambdas/adapters/memory-store.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { enginePass, type EnginePassResult } from './engine-pass.js';
import { floorPass, invictusPayloads, type PayloadSet } from './floor.js';
import {
  machineInfo,
  median,
  renderMarkdown,
  spread,
  writeResults,
  type Figure,
  type Section,
} from './harness.js';
import { summarise, type RealPathResult } from './real-path.js';
import { runScale } from './scale.js';

/** Parsed command line. */
interface Options {
  readonly isQuick: boolean;
  readonly only: ReadonlySet<string> | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const onlyArg =
    argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ??
    (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);
  return { isQuick: argv.includes('--quick'), only: onlyArg ? new Set(onlyArg.split(',')) : undefined };
}

/** Figures other sections feed into the cost model and the summary. */
interface Measured {
  realPathRatio?: number;
  realPathRatioRange?: string;
  bundleKiB?: number;
  coldRequireMs?: number;
  engineEventsPerSecond?: number;
  dynamoReadUnitsPer1000?: number;
  dynamoWriteUnitsPer1000?: number;
  dynamoRequestsPer1000?: number;
  coldInitMs?: number;
  avgEventBytes?: number;
  /** Handler wall time and CPU time per 1,000-event delivery, measured against the local servers. */
  handlerP50Ms?: number;
  handlerCpuP50Ms?: number;
  /** New findings and repeat updates per million events on the demo workload (1,000-event deliveries). */
  freshPerMillion?: number;
  repeatsPerMillion?: number;
}

const RESULTS_DIR = join(ROOT, 'bench', 'results');

/** Floor and engine on the same payloads, interleaved round by round so both see the same machine. */
async function throughputSection(
  set: PayloadSet,
  intel: IpIntel,
  rounds: number,
  measured: Measured,
): Promise<Section> {
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
      {
        name: 'floor: base64 + gunzip + JSON.parse',
        value: floorMedian,
        unit: 'events/s',
        note: `median of ${rounds} rounds, spread ${pct(spread(floor))}`,
      },
      {
        name: 'engine: decode → normalise → 13 rules → memory store commit',
        value: engineMedian,
        unit: 'events/s',
        note: `median of ${rounds} rounds, spread ${pct(spread(engine))}; ${last?.rejected ?? 0} lines rejected, ${last?.findings ?? 0} findings per pass`,
      },
      {
        name: 'engine / floor',
        value: ratio,
        unit: 'ratio',
        target: '≥ 0.50',
        isMet: ratio >= 0.5,
        note: `median of per-round ratios (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
      },
      {
        name: 'engine time per event',
        value: 1e6 / engineMedian,
        unit: 'µs',
        note: last
          ? `decode + normalise ${pct(last.decodeSeconds / last.seconds)}, pipeline (load, rules, ledger, commit) ${pct(last.pipelineSeconds / last.seconds)} (last round)`
          : '',
      },
      { name: 'floor time per event', value: 1e6 / floorMedian, unit: 'µs' },
      { name: 'average CloudTrail event size', value: set.avgEventBytes, unit: 'bytes' },
    ],
    detail: { description: set.description, floorRounds: floor, engineRounds: engine, lastEnginePass: last },
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

/** Run bench/real-path.ts in a fresh process (the handler builds its dependencies once per process, as in Lambda). */
function runRealPath(args: readonly string[]): Promise<RealPathResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'real-path.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('REAL_PATH '));
      if (code !== 0 || line === undefined)
        reject(new Error(`bench/real-path.ts exited with ${String(code)}`));
      else resolvePromise(JSON.parse(line.slice('REAL_PATH '.length)) as RealPathResult);
    });
  });
}

/** The exported handler with learned state and the production adapters, against the floor. */
async function realPathSection(isQuick: boolean, measured: Measured): Promise<Section> {
  const rounds = isQuick ? 5 : 15;
  const deliveries = isQuick ? 5 : 10;
  const r = await runRealPath(['--rounds', String(rounds), '--deliveries', String(deliveries)]);
  const s = summarise(r);
  const cpuRatio = median(r.cpuRatios);
  measured.realPathRatio = s.ratio;
  measured.realPathRatioRange = `${r.ratios.length} rounds, p10–p90 ${s.ratioP10.toFixed(2)}–${s.ratioP90.toFixed(2)}; on CPU time ${cpuRatio.toFixed(2)}`;
  const p = r.perPass;
  const requests = Object.entries(p.requests)
    .map(([op, n]) => `${op} ${(n / r.deliveries).toFixed(1)}`)
    .join(', ');
  return {
    title: `Real path: the exported CloudTrail handler (middy, Powertools, productionDeps) on ${r.deliveries} deliveries × ${r.eventsPerDelivery} simulated CloudTrail events (${Math.round(r.avgEventBytes)} bytes each), learned state, production DynamoDB store / codec / ledger, SNS and Security Hub sinks; in-process AWS endpoints (bench/in-process-aws.ts)`,
    figures: [
      {
        name: 'floor: base64 + gunzip + JSON.parse of the same deliveries',
        value: s.floor,
        unit: 'events/s',
        note: `median of ${r.rounds} rounds, spread ${pct(spread(r.floorEventsPerSecond))}`,
      },
      {
        name: 'handler (wall time)',
        value: s.handler,
        unit: 'events/s',
        note: `median of ${r.rounds} rounds, spread ${pct(spread(r.handlerEventsPerSecond))}; ${s.handlerNet.toFixed(0)} events/s without the in-process servers' own time (${pct(p.serverShare)})`,
      },
      {
        name: 'handler / floor',
        value: s.ratio,
        unit: 'ratio',
        target: '≥ 0.50',
        isMet: s.ratio >= 0.5,
        note: `median of per-round ratios, p10–p90 ${s.ratioP10.toFixed(2)}–${s.ratioP90.toFixed(2)} (${r.ratios.map((x) => x.toFixed(2)).join(', ')}); order alternates each round`,
      },
      {
        name: 'handler / floor on CPU time',
        value: cpuRatio,
        unit: 'ratio',
        note: `user + system CPU of the process per pass (steadier than wall time on a shared machine): handler ${median(r.handlerCpuEventsPerSecond).toFixed(0)}, floor ${median(r.floorCpuEventsPerSecond).toFixed(0)} events/s`,
      },
      {
        name: 'learned state',
        value: r.learnedEventShare,
        unit: 'share of events',
        note: `events whose identity had finished learning; ${r.identities} identities, median ${r.medianHistoryDays.toFixed(1)} days of history (${r.historyEvents.toLocaleString('en-US')} events over ${r.historyDays} days folded first, in ${r.historySeconds.toFixed(0)} s); stored identity items p50 ${Math.round(r.itemBytesP50)} B, p99 ${Math.round(r.itemBytesP99)} B`,
      },
      {
        name: 'per delivery',
        value: `${(p.findingsAlerted / r.deliveries).toFixed(1)} alerts`,
        unit: '',
        note: `${requests}; ${(p.writeUnits / r.deliveries).toFixed(1)} WCU, ${(p.readUnits / r.deliveries).toFixed(1)} RCU; ${(p.stdoutLines / r.deliveries).toFixed(1)} log / EMF lines (${Math.round(p.stdoutBytes / r.deliveries)} bytes); SNS messages ${p.snsMessages}, Security Hub findings ${p.securityHubFindings} per pass; ${p.identityErrors} identity errors, ${p.malformedLines} malformed lines, ${p.redelivered} redelivered`,
      },
    ],
    detail: r,
  };
}

async function scaleSection(isQuick: boolean): Promise<Section> {
  const points = isQuick ? [1000, 10000] : [1000, 10000, 100000];
  const events = isQuick ? 50_000 : 200_000;
  const results = await runScale(points, events);
  const figures: Figure[] = [];
  for (const p of results) {
    figures.push(
      {
        name: `${p.identities.toLocaleString('en-US')} identities: throughput`,
        value: p.eventsPerSecond,
        unit: 'events/s',
        note: `${p.events.toLocaleString('en-US')} events, ${p.rules} rules, ${p.findings} findings`,
      },
      {
        name: `${p.identities.toLocaleString('en-US')} identities: state in memory`,
        value: p.stateHeapMiB,
        unit: 'MiB heap',
        note: `${Math.round(p.stateBytesPerIdentity)} B / identity in heap, ${Math.round(p.serializedBytesPerIdentity)} B / identity as JSON`,
      },
      {
        name: `${p.identities.toLocaleString('en-US')} identities: process RSS`,
        value: p.rssMiB,
        unit: 'MiB',
      },
    );
  }
  return {
    title:
      'Scale: distinct identities (pipeline + memory store, batches of 1,000, identities drawn uniformly)',
    figures,
    detail: results,
  };
}

/** The Lambda bundles as the stack builds them, and their cold init in fresh Node 22 processes. */
async function bundleSection(isQuick: boolean, measured: Measured): Promise<Section> {
  const figures: Figure[] = [];
  const detail: unknown[] = [];
  for (const entry of ['lambdas/handlers/cloudtrail-logs.ts', 'lambdas/handlers/api-gateway-logs.ts']) {
    const dir = await tempBundleDir('bundle');
    try {
      const size = await bundleHandler(entry, dir);
      const name = entry.replace('lambdas/handlers/', '').replace('.ts', '');
      figures.push(
        {
          name: `${name}: index.js (minified code)`,
          value: size.codeBytes / 1024,
          unit: 'KiB',
          target: '≤ 500 KB (issue #14; ≤ 1 MiB before)',
          isMet: size.codeBytes <= 500_000,
          note: `largest parts: ${size.byPackage
            .slice(0, 6)
            .map((p) => `${p.name} ${Math.round(p.bytes / 1024)} KiB`)
            .join(', ')}`,
        },
        {
          name: `${name}: deployed without IP database (code + source map)`,
          value: size.withoutIpDbBytes / 1024,
          unit: 'KiB',
          note: `source map ${Math.round(size.mapBytes / 1024)} KiB (the stack deploys it: sourceMap: true)`,
        },
        {
          name: `${name}: deployed with IP database`,
          value: size.withIpDbBytes / 1024,
          unit: 'KiB',
          note:
            (size.ipDbBytes > 0
              ? `ip-intel.bin ${Math.round(size.ipDbBytes / 1024)} KiB`
              : 'ip-intel.bin not built') +
            `, ${HANDLER_BUNDLING.copiedModules.join(', ')} beside index.js ${Math.round(size.copiedBytes / 1024)} KiB` +
            `; ~${Math.round(size.compressedBytes / 1024)} KiB gzipped in total`,
        },
      );
      if (size.ipDbBytes > 0) copyFileSync(IP_DB_FILE, join(dir, 'ip-intel.bin'));
      const env = {
        BASELINE_TABLE_NAME: 'nhi-watch-baselines',
        ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:nhi-watch-alerts',
        SECURITY_HUB_ENABLED: 'true',
        ON_FAILURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/nhi-watch-on-failure',
        POWERTOOLS_SERVICE_NAME: 'nhi-watch',
        POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
        ...(size.ipDbBytes > 0 ? { NHI_IP_DB_PATH: join(dir, 'ip-intel.bin') } : {}),
      };
      const spawns = isQuick ? 5 : 15;
      const init = await coldInit(dir, env, spawns);
      figures.push(
        {
          name: `${name}: cold module init (require)`,
          value: init.requireMs,
          unit: 'ms',
          target: '≤ 120',
          isMet: init.requireMs <= 120,
          note: `median of ${init.spawns} fresh Node 22 processes; ${init.requireWithSourceMapsMs.toFixed(0)} ms with --enable-source-maps`,
        },
        {
          name: `${name}: whole process minus bare node`,
          value: init.processOverBareMs,
          unit: 'ms',
          note: `bare node ${init.bareProcessMs.toFixed(0)} ms`,
        },
      );
      const firstMs = init.firstInvocationMs;
      figures.push(
        init.firstInvocationError !== undefined
          ? {
              name: `${name}: first invocation as deployed`,
              value: 'FAILS',
              unit: '',
              note: init.firstInvocationError,
            }
          : {
              name: `${name}: cold init + first invocation`,
              value: init.firstInvocationMs,
              unit: 'ms',
              note: 'builds clients, configuration and the IP database on a CONTROL_MESSAGE delivery; sends nothing',
            },
      );
      if (entry.includes('cloudtrail') && Number.isFinite(firstMs)) measured.coldInitMs = firstMs;
      if (entry.includes('cloudtrail')) {
        measured.coldRequireMs = init.requireMs;
        measured.bundleKiB = size.codeBytes / 1024;
      }
      detail.push({ size, init });
    } finally {
      await removeDir(dir);
    }
  }
  return {
    title:
      'Lambda bundle as deployed (lib/handler-bundling.ts: bundle, minify, source map, node22, CJS, ' +
      `external ${HANDLER_BUNDLING.externalModules.join(', ')} from the runtime, ${HANDLER_BUNDLING.copiedModules.join(', ')} beside index.js)`,
    figures,
    detail,
  };
}

/** Baseline records written per event under two batchings (memory store counters: no server needed). */
async function recordsWritten(
  batches: readonly (readonly IdentityEvent[])[],
  contracts: ContractSet,
): Promise<{ commits: number; records: number; events: number }> {
  const store = new MemoryBaselineStore();
  const deps = {
    store,
    ledger: new MemoryFindingLedger(),
    sink: {
      publish: (f: readonly unknown[], r: readonly unknown[]) =>
        Promise.resolve({ delivered: f.length + r.length, failed: [] }),
    },
    rules: RULES,
    contracts,
    config: DEFAULT_ENGINE_CONFIG,
    nowMs: () => 0,
  };
  let events = 0;
  for (let i = 0; i < batches.length; i++)
    events += (await runPipeline(`w-${i}`, batches[i] as readonly IdentityEvent[], deps)).events;
  return { commits: store.counters.commits, records: store.counters.recordsWritten, events };
}

async function dynamoDbSection(
  aws: LocalAws,
  sim: SimulationResult,
  intel: IpIntel,
  isQuick: boolean,
  measured: Measured,
): Promise<Section> {
  const events = simulatedEvents(sim, intel);
  const contracts = simulationContracts(sim);
  const batches = demoBatches(events);
  const used = isQuick ? batches.slice(0, 40) : batches;
  const t = await measureDynamoDb(aws.dynamoDb.endpoint, 'nhi-watch-bench-demo', 'demo', used, contracts);
  measured.dynamoReadUnitsPer1000 = t.readUnitsPer1000;
  measured.dynamoWriteUnitsPer1000 = t.writeUnitsPer1000;
  measured.dynamoRequestsPer1000 = t.requestsPer1000;
  measured.freshPerMillion = (t.fresh / t.events) * 1e6;
  measured.repeatsPerMillion = (t.repeats / t.events) * 1e6;
  const writeCommands = [
    'PutItemCommand',
    'UpdateItemCommand',
    'DeleteItemCommand',
    'BatchWriteItemCommand',
    'TransactWriteItemsCommand',
  ];
  const writes = writeCommands.reduce((a, c) => a + (t.commands[c] ?? 0), 0);
  const writesPerEvent = writes / t.events;
  const perSource = await recordsWritten(
    perSourceBatches(isQuick ? events.slice(0, 40_000) : events),
    contracts,
  );
  const demoRecords = await recordsWritten(used, contracts);
  return {
    title: `DynamoDB on the demo workload (simulator seed 1, 14 days: ${t.events.toLocaleString('en-US')} events in ${t.batches} deliveries of 1,000; DynamoDB Local, SDK middleware counts)`,
    figures: [
      {
        name: 'requests per 1,000 events',
        value: t.requestsPer1000,
        unit: 'requests',
        note: Object.entries(t.commands)
          .map(([c, n]) => `${c.replace('Command', '')} ${n}`)
          .join(', '),
      },
      {
        name: 'write requests per event',
        value: writesPerEvent,
        unit: 'writes / event',
        target: '≤ 0.05',
        isMet: writesPerEvent <= 0.05,
        note: `baseline records and finding-ledger transactions; ${t.fresh} new findings, ${t.repeats} repeats`,
      },
      {
        name: 'write capacity units per 1,000 events',
        value: t.writeUnitsPer1000,
        unit: 'WCU',
        note: `${t.writeUnitsPerEvent.toFixed(3)} WCU / event (items over 1 KB cost more than one unit)`,
      },
      {
        name: 'read capacity units per 1,000 events',
        value: t.readUnitsPer1000,
        unit: 'RCU',
        note: 'strongly consistent BatchGetItem',
      },
      {
        name: 'baseline records written per event, demo batching',
        value: demoRecords.records / demoRecords.events,
        unit: 'records / event',
        note: `${demoRecords.commits} commits`,
      },
      {
        name: 'baseline records written per event, per-source 5-minute deliveries',
        value: perSource.records / perSource.events,
        unit: 'records / event',
        note: `${perSource.commits} deliveries (CloudTrail and API Gateway apart, ≤ 1,000 events and ≤ 5 min each)`,
      },
    ],
    detail: { traffic: t, demoRecords, perSource },
  };
}

async function latencySection(
  aws: LocalAws,
  sim: SimulationResult,
  isQuick: boolean,
  measured: Measured,
): Promise<Section> {
  const wanted = isQuick ? 20 : Math.floor(sim.cloudtrail.length / 1000) - 1;
  const l = await measureHandlerLatency(aws, sim.cloudtrail, wanted, DEFAULT_IP_INTEL_PATH);
  measured.handlerP50Ms = l.p50Ms;
  measured.handlerCpuP50Ms = l.cpuP50Ms;
  return {
    title: `End-to-end latency of one 1,000-event CloudTrail delivery through the exported handler (local servers on loopback)`,
    figures: [
      {
        name: 'p50',
        value: l.p50Ms,
        unit: 'ms',
        note: `${l.invocations} invocations in event-time order after the first`,
      },
      { name: 'p90', value: l.p90Ms, unit: 'ms' },
      { name: 'p99', value: l.p99Ms, unit: 'ms', note: `max ${l.maxMs.toFixed(0)} ms` },
      {
        name: 'handler CPU per delivery (p50)',
        value: l.cpuP50Ms,
        unit: 'ms',
        note: 'user + system time of the handler process; the rest of the wall time is waiting on the servers',
      },
      {
        name: 'first invocation (builds clients, loads the IP database)',
        value: l.firstInvocationMs,
        unit: 'ms',
      },
      {
        name: 'delivered',
        value: `${l.alertsReceived} alerts, ${l.findingsImported} Security Hub findings`,
        unit: '',
        note: `${l.schemaProblems} ASFF schema problems, ${l.failedInvocations} failed invocations`,
      },
    ],
    detail: l,
  };
}

/** Findings per million events measured by `npm run bench:detect`, when its results exist. */
function detectedFindingRates(): { fresh: number; updates: number; source: string } | undefined {
  const file = join(RESULTS_DIR, 'detect-latest.json');
  if (!existsSync(file)) return undefined;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    simulator?: { findingsPerMillion?: number; findingUpdatesPerMillion?: number };
  };
  const s = doc.simulator;
  if (s?.findingsPerMillion === undefined || s.findingUpdatesPerMillion === undefined) return undefined;
  return {
    fresh: s.findingsPerMillion,
    updates: s.findingUpdatesPerMillion,
    source: 'measured by bench:detect on the simulator (attacks included)',
  };
}

function costSection(measured: Measured): Section {
  const memoryMb = COST_ASSUMPTIONS.memoryMb;
  const notes: string[] = [];
  // Lambda time per 1,000-event delivery: the handler's CPU time stretched by Lambda's CPU share at
  // this memory size, plus the time it waited on DynamoDB / SNS / Security Hub (loopback here).
  let invocationMs: number;
  if (measured.handlerP50Ms !== undefined && measured.handlerCpuP50Ms !== undefined) {
    const wait = Math.max(0, measured.handlerP50Ms - measured.handlerCpuP50Ms);
    invocationMs = measured.handlerCpuP50Ms / cpuShare(memoryMb) + wait;
    notes.push(
      `invocation time = handler CPU ${measured.handlerCpuP50Ms.toFixed(1)} ms / CPU share ${cpuShare(memoryMb).toFixed(2)} + I/O wait ${wait.toFixed(1)} ms (loopback, DynamoDB Local)`,
    );
  } else if (measured.engineEventsPerSecond !== undefined) {
    invocationMs =
      ((COST_ASSUMPTIONS.eventsPerInvocation / measured.engineEventsPerSecond) * 1000) / cpuShare(memoryMb) +
      50;
    notes.push(
      'invocation time = in-process engine time / CPU share + 50 ms assumed I/O wait (handler latency not measured in this run)',
    );
  } else {
    invocationMs = 200;
    notes.push(
      'invocation time assumed 200 ms (neither the handler nor the engine was measured in this run)',
    );
  }
  const detected = detectedFindingRates();
  const rates =
    measured.freshPerMillion !== undefined && measured.repeatsPerMillion !== undefined
      ? {
          fresh: measured.freshPerMillion,
          updates: measured.repeatsPerMillion,
          source: 'measured on the demo workload (1,000-event deliveries, attacks included)',
        }
      : detected;
  notes.push(
    rates
      ? `findings ${rates.source}`
      : 'findings assumed 100 new + 400 updates per million events (not measured in this run)',
  );
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
  if (measured.dynamoWriteUnitsPer1000 === undefined)
    notes.push('DynamoDB units assumed 25 RRU + 50 WRU per 1,000 events (not measured in this run)');
  if (measured.coldInitMs === undefined)
    notes.push('cold-start INIT assumed 300 ms (bundle not measured in this run)');
  const p = projectCost(inputs);
  const figures: Figure[] = p.lines.map((l) => ({
    name: l.item,
    value: l.usdPerMillionEvents,
    unit: 'USD / M events',
    note: l.basis,
  }));
  figures.push(
    {
      name: 'nhi-watch total (Lambda + DynamoDB + SNS + Security Hub)',
      value: p.nhiWatchUsdPerMillion,
      unit: 'USD / M events',
    },
    {
      name: 'nhi-watch total incl. CloudWatch Logs ingestion',
      value: p.withLogIngestionUsdPerMillion,
      unit: 'USD / M events',
      note: 'zero extra if the trail already delivers to CloudWatch Logs',
    },
    {
      name: 'GuardDuty, CloudTrail management events',
      value: p.guardDutyUsdPerMillion,
      unit: 'USD / M events',
      note: 'first tier, published price',
    },
    {
      name: 'CloudTrail Insights, one Insights type',
      value: p.cloudTrailInsightsUsdPerMillion,
      unit: 'USD / M events',
      note: `both types analyse write events twice; price ${PRICES.cloudTrailInsights100k.isVerified ? 'verified' : 'assumed (not verified)'}`,
    },
  );
  return {
    title: `Cost per million CloudTrail events (us-east-1 list prices, ${memoryMb} MB arm64 Lambda)`,
    figures,
    detail: { inputs, notes, prices: PRICES, assumptions: COST_ASSUMPTIONS },
  };
}

/**
 * What `writes` (issue #14, write policy and scale) provides: write units per event with 10k
 * identities per delivery, and the cost per million events at that scale. The hook is a module
 * `bench/writes-summary.ts` exporting `writesSummary()`; until it exists the summary says so.
 */
interface WritesSummary {
  readonly writeUnitsPerEvent10k: number;
  readonly costUsdPerMillion: number;
  readonly note?: string;
}

async function writesSummary(): Promise<WritesSummary | undefined> {
  const file = join(ROOT, 'bench', 'writes-summary.ts');
  if (!existsSync(file)) return undefined;
  const spec = './writes-summary.js';
  const mod = (await import(spec)) as { writesSummary?: () => Promise<WritesSummary> | WritesSummary };
  return mod.writesSummary ? await mod.writesSummary() : undefined;
}

/** The issue #14 targets, one line each, from what this run measured. */
async function summarySection(measured: Measured): Promise<Section> {
  const notRun = 'not measured in this run';
  let writes: WritesSummary | undefined;
  let writesError: string | undefined;
  try {
    writes = await writesSummary();
  } catch (error) {
    writesError = error instanceof Error ? error.message : String(error);
  }
  const hook = writesError ?? 'not provided yet: bench/writes-summary.ts (writesSummary()) is the hook';
  return {
    title: 'Summary (issue #14 targets)',
    figures: [
      {
        name: 'real path: handler / floor (median)',
        value: measured.realPathRatio ?? null,
        unit: 'ratio',
        target: '≥ 0.50',
        ...(measured.realPathRatio !== undefined ? { isMet: measured.realPathRatio >= 0.5 } : {}),
        note: measured.realPathRatioRange ?? notRun,
      },
      {
        name: 'cold init: require() of the cloudtrail-logs bundle',
        value: measured.coldRequireMs ?? null,
        unit: 'ms',
        target: '≤ 120',
        ...(measured.coldRequireMs !== undefined ? { isMet: measured.coldRequireMs <= 120 } : {}),
        note: measured.coldRequireMs !== undefined ? 'median of fresh Node 22 processes' : notRun,
      },
      {
        name: 'bundle: cloudtrail-logs index.js',
        value: measured.bundleKiB ?? null,
        unit: 'KiB',
        target: '≤ 500 KB',
        ...(measured.bundleKiB !== undefined ? { isMet: measured.bundleKiB * 1024 <= 500_000 } : {}),
        note: measured.bundleKiB !== undefined ? 'minified, AWS SDK from the runtime' : notRun,
      },
      {
        name: 'write units per event, 10k identities per delivery',
        value: writes?.writeUnitsPerEvent10k ?? null,
        unit: 'WCU / event',
        target: '≤ 0.05',
        ...(writes ? { isMet: writes.writeUnitsPerEvent10k <= 0.05 } : {}),
        note: writes?.note ?? hook,
      },
      {
        name: 'cost per million events at that scale',
        value: writes?.costUsdPerMillion ?? null,
        unit: 'USD / M events',
        target: '≤ 0.10',
        ...(writes ? { isMet: writes.costUsdPerMillion <= 0.1 } : {}),
        note: writes ? 'from the writes cost model' : hook,
      },
    ],
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const wants = (s: string): boolean => opts.only === undefined || opts.only.has(s);
  const rounds = opts.isQuick ? 3 : 15;
  const measured: Measured = {};
  const sections: Section[] = [];
  const started = Date.now();

  const attempt = async (name: string, fn: () => Promise<Section> | Section): Promise<void> => {
    if (!wants(name)) return;
    process.stderr.write(`bench: ${name}…\n`);
    try {
      sections.push(await fn());
    } catch (error) {
      sections.push({
        title: `${name}: not measured`,
        figures: [
          { name, value: null, unit: '', note: error instanceof Error ? error.message : String(error) },
        ],
      });
    }
  };

  await attempt('real', () => realPathSection(opts.isQuick, measured));
  const invictus = await invictusPayloads(opts.isQuick ? 5000 : 10_000);
  const intel = loadIpIntelDb();
  await attempt('floor', () => throughputSection(invictus, intel, rounds, measured));
  await attempt('scale', () => scaleSection(opts.isQuick));
  await attempt('bundle', () => bundleSection(opts.isQuick, measured));
  if (wants('dynamodb') || wants('latency')) {
    process.stderr.write('bench: starting DynamoDB Local, fauxqs and the Security Hub receiver…\n');
    const sim = simulate({ seed: 1, days: 14, scale: 1 });
    let aws: LocalAws | undefined;
    try {
      aws = await startLocalAws();
      const running = aws;
      await attempt('dynamodb', () => dynamoDbSection(running, sim, intel, opts.isQuick, measured));
      await attempt('latency', () => latencySection(running, sim, opts.isQuick, measured));
    } catch (error) {
      sections.push({
        title: 'local servers: not started',
        figures: [
          {
            name: 'DynamoDB / latency',
            value: null,
            unit: '',
            note: error instanceof Error ? error.message : String(error),
          },
        ],
      });
    } finally {
      await aws?.stop();
    }
  }
  await attempt('cost', () => costSection(measured));
  const summary = await summarySection(measured);
  sections.push(summary);

  const doc = {
    kind: 'nhi-watch-bench/1',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: machineInfo(),
    options: { quick: opts.isQuick, only: opts.only ? [...opts.only] : null },
    sections,
  };
  const file = await writeResults(RESULTS_DIR, 'run', doc);
  const m = doc.machine;
  process.stdout.write(
    `## nhi-watch benchmarks\n\n${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform})\n\n${renderMarkdown(sections)}\nJSON: ${file}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
