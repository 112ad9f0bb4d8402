/**
 * The path production runs, timed: the exported CloudTrail handler (`handler` of
 * lambdas/handlers/cloudtrail-logs.ts — middy, Powertools logger and metrics, productionDeps from
 * environment variables) on gzipped base64 CloudWatch Logs deliveries of 1,000 events, with learned
 * state, interleaved with the floor (base64 + gunzip + JSON.parse of the same deliveries).
 *
 * - State: the simulator's fleet (seed 1) over `historyDays` days is folded first, by the same handler,
 *   into an in-process DynamoDB (bench/in-process-aws.ts) through the production store, codec and
 *   ledger; the measured deliveries are the next day's CloudTrail events, so identities carry two weeks
 *   of history and every learned rule (new action, new source, rates, …) evaluates.
 * - Each handler pass starts from that same stored state (the table is put back between passes), so
 *   every pass folds the same events into the same records and nothing is a redelivery.
 * - SNS, Security Hub and SQS are the real SDK clients and sinks (alerts and ASFF rendered and
 *   serialised) answered by counting in-process endpoints; Powertools writes its JSON logs and EMF
 *   lines to stdout, which is counted and discarded during the timed passes.
 * - Rounds rotate which of floor and handler runs first. Per round: handler events/s ÷ floor events/s.
 *
 * Runs in its own process (`tsx bench/real-path.ts`): the handler module builds its dependencies once
 * from the environment, as in Lambda, so it must not share a process with the DynamoDB Local run.
 * Prints one JSON line prefixed with `REAL_PATH ` on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { CloudWatchLogsEvent, Context } from 'aws-lambda';

import { decodeRecord } from '../lambdas/adapters/dynamodb-store.js';
import { DEFAULT_IP_INTEL_PATH, loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { isLearned, type IdentityBaseline } from '../lambdas/core/baseline.js';
import { contractsToJson } from '../lambdas/core/contracts-file.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import { parseCloudTrailLine } from '../lambdas/core/sources/cloudtrail/index.js';
import { simulate, DEFAULT_START_MS } from '../simulate/index.js';
import { lambdaContext } from '../test/support/lambda.js';
import { median, quantile } from './harness.js';
import { InProcessAws } from './in-process-aws.js';
import { buildPayloads, decodeFloor } from './payloads.js';

const DAY_MS = 86_400_000;
const TABLE = 'nhi-watch-bench-real-path';

/** What the child process reports. */
export interface RealPathResult {
  readonly rounds: number;
  readonly deliveries: number;
  readonly eventsPerDelivery: number;
  readonly avgEventBytes: number;
  readonly historyDays: number;
  readonly historyEvents: number;
  readonly historySeconds: number;
  /** Identity records in the table after the history (and their stored item sizes, bytes). */
  readonly identities: number;
  readonly itemBytesP50: number;
  readonly itemBytesP99: number;
  /** Share of measured events whose identity had finished learning (≥ 7 days, ≥ 200 events). */
  readonly learnedEventShare: number;
  /** Days of history behind the median measured event's identity. */
  readonly medianHistoryDays: number;
  readonly floorEventsPerSecond: number[];
  readonly handlerEventsPerSecond: number[];
  /** Handler events/s with the in-process servers' own time taken out (what the Lambda itself spends). */
  readonly handlerNetEventsPerSecond: number[];
  readonly ratios: number[];
  /** The same on CPU time (user + system of this process): steadier than wall time on a shared machine. */
  readonly floorCpuEventsPerSecond: number[];
  readonly handlerCpuEventsPerSecond: number[];
  readonly cpuRatios: number[];
  readonly netRatios: number[];
  /** Per handler pass (the last one). */
  readonly perPass: {
    readonly findingsAlerted: number;
    readonly snsMessages: number;
    readonly securityHubFindings: number;
    readonly requests: Record<string, number>;
    readonly writeUnits: number;
    readonly readUnits: number;
    readonly conditionalFailures: number;
    readonly stdoutBytes: number;
    readonly stdoutLines: number;
    readonly serverShare: number;
    readonly identityErrors: number;
    readonly malformedLines: number;
    readonly redelivered: number;
  };
}

interface Summary {
  readonly events: number;
  readonly fresh: number;
  readonly identityErrors: number;
  readonly malformedLines: number;
  readonly redelivered: number;
}
type Handler = (event: CloudWatchLogsEvent, context: Context) => Promise<Summary>;

/** Set the environment the stack gives the function, pointed at the in-process endpoints. */
function deploymentEnv(taskRoot: string): void {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
    AWS_SECRET_ACCESS_KEY: 'benchmark',
    ...InProcessAws.ENDPOINTS,
    LAMBDA_TASK_ROOT: taskRoot,
    BASELINE_TABLE_NAME: TABLE,
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:nhi-watch-alerts',
    SECURITY_HUB_ENABLED: 'true',
    ON_FAILURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/nhi-watch-on-failure',
    NHI_CONFIG: JSON.stringify({ contractsFiles: ['contracts.json'] }),
    NHI_IP_DB_PATH: DEFAULT_IP_INTEL_PATH,
    POWERTOOLS_SERVICE_NAME: 'nhi-watch',
    POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
  });
  delete process.env.POWERTOOLS_LOG_LEVEL; // the stack sets none: Powertools' default (INFO)
  delete process.env.POWERTOOLS_DEV;
}

/** Swallow stdout / stderr while `fn` runs, counting what was written. */
async function discardingOutput<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; bytes: number; lines: number }> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  let bytes = 0;
  let lines = 0;
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array): boolean => {
      bytes += chunk.length;
      lines += 1;
      return true;
    });
  }
  try {
    return { value: await fn(), bytes, lines };
  } finally {
    streams.forEach((s, i) => (s.write = originals[i] as typeof s.write));
  }
}

const eventTimeOf = (r: object): number => Date.parse(String((r as { eventTime?: unknown }).eventTime));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const num = (name: string, d: number): number => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const rounds = num('--rounds', 15);
  const deliveries = num('--deliveries', 10);
  const historyDays = num('--history-days', 15);

  const taskRoot = mkdtempSync(join(tmpdir(), 'nhi-watch-real-path-'));
  const aws = new InProcessAws();
  const uninstall = aws.install();
  try {
    const sim = simulate({ seed: 1, days: historyDays + 1 });
    writeFileSync(join(taskRoot, 'contracts.json'), contractsToJson(sim.contracts));
    deploymentEnv(taskRoot);
    const cutMs = DEFAULT_START_MS + historyDays * DAY_MS;
    const records = [...sim.cloudtrail].sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
    const history = records.filter((r) => eventTimeOf(r) < cutMs).map((r) => JSON.stringify(r));
    const measuredMessages = records
      .filter((r) => eventTimeOf(r) >= cutMs)
      .slice(0, deliveries * 1000)
      .map((r) => JSON.stringify(r));
    if (measuredMessages.length < deliveries * 1000)
      throw new Error(`only ${measuredMessages.length} events after the history; ask for fewer deliveries`);
    const historyPayloads = buildPayloads(history, 1000);
    const measured = buildPayloads(measuredMessages, 1000);

    // `--handler FILE`: a built bundle of the handler instead of the source (e.g. an unminified esbuild
    // build, whose CPU profile has the bundle's line numbers).
    const handlerFile = args.includes('--handler') ? args[args.indexOf('--handler') + 1] : undefined;
    const { handler } = (await import(
      handlerFile !== undefined ? handlerFile : '../lambdas/handlers/cloudtrail-logs.js'
    )) as unknown as { handler: Handler };
    const context = lambdaContext('nhi-watch-bench-real-path');

    // Fold the history through the handler itself: the production store, codec and ledger write it.
    const h0 = process.hrtime.bigint();
    await discardingOutput(async () => {
      for (const p of historyPayloads) await handler(p.event, context);
    });
    const historySeconds = Number(process.hrtime.bigint() - h0) / 1e9;
    const learnedState = aws.dynamoDb.snapshot();

    const items = [...aws.dynamoDb.items(TABLE).values()];
    const identityItems = items.filter((it) => it.pk?.S?.startsWith('id#'));
    const sizes = identityItems.map((it) => Buffer.byteLength(JSON.stringify(it)));
    const baselines = new Map<string, IdentityBaseline>();
    for (const it of identityItems) {
      // The wire carries binaries as base64; the SDK hands the store bytes.
      const wire = it.body?.B !== undefined ? { ...it, body: { B: Buffer.from(it.body.B, 'base64') } } : it;
      const r = decodeRecord(wire as never).record;
      if (r.type === 'identity') baselines.set((it.pk?.S ?? '').slice(3), r);
    }
    let learned = 0;
    const ages: number[] = [];
    const intel = loadIpIntelDb();
    for (const m of measuredMessages) {
      const n = parseCloudTrailLine(m, intel, { logGroup: 'bench' });
      if (!n.ok) continue;
      const b = baselines.get(n.value.identity.key);
      if (b === undefined) continue;
      ages.push((n.value.timeMs - b.firstSeenMs) / DAY_MS);
      if (isLearned(b, n.value.timeMs, DEFAULT_ENGINE_CONFIG.learning)) learned += 1;
    }

    const handlerPass = async (): Promise<{
      seconds: number;
      cpuSeconds: number;
      serverSeconds: number;
      summaries: Summary[];
      bytes: number;
      lines: number;
    }> => {
      aws.dynamoDb.restore(learnedState);
      aws.resetCounters();
      let cpuSeconds = 0;
      const summaries: Summary[] = [];
      const out = await discardingOutput(async () => {
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        for (const p of measured) summaries.push(await handler(p.event, context));
        const c = process.cpuUsage(c0);
        cpuSeconds = (c.user + c.system) / 1e6;
        return Number(process.hrtime.bigint() - t0) / 1e9;
      });
      return {
        seconds: out.value,
        cpuSeconds,
        serverSeconds: Number(aws.counters.serverNs) / 1e9,
        summaries,
        bytes: out.bytes,
        lines: out.lines,
      };
    };
    const floorCpu: number[] = [];
    const floorPass = (): number => {
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const { events } = decodeFloor(measured);
      const c = process.cpuUsage(c0);
      floorCpu.push(events / ((c.user + c.system) / 1e6));
      return events / (Number(process.hrtime.bigint() - t0) / 1e9);
    };

    for (let i = 0; i < 2; i++) {
      floorPass();
      await handlerPass();
    }
    floorCpu.length = 0;
    const handlerCpu: number[] = [];
    const events = measured.reduce((a, p) => a + p.events, 0);
    const profileDir = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
    const profiler = profileDir !== undefined ? await startProfile() : undefined;
    // For `node --cpu-prof` runs: the monotonic time (µs) the timed rounds start at.
    process.stderr.write(`real-path: rounds start at ${process.hrtime.bigint() / 1000n} µs\n`);
    const floor: number[] = [];
    const handlerRates: number[] = [];
    const net: number[] = [];
    let last: Awaited<ReturnType<typeof handlerPass>> | undefined;
    for (let r = 0; r < rounds; r++) {
      const runHandler = async (): Promise<void> => {
        last = await handlerPass();
        handlerRates.push(events / last.seconds);
        handlerCpu.push(events / last.cpuSeconds);
        net.push(events / (last.seconds - last.serverSeconds));
      };
      if (r % 2 === 0) {
        floor.push(floorPass());
        await runHandler();
      } else {
        await runHandler();
        floor.push(floorPass());
      }
    }
    if (profiler !== undefined && profileDir !== undefined) await profiler(profileDir);
    if (last === undefined) throw new Error('no rounds');
    const sum = (f: (s: Summary) => number): number => last!.summaries.reduce((a, s) => a + f(s), 0);
    const result: RealPathResult = {
      rounds,
      deliveries: measured.length,
      eventsPerDelivery: 1000,
      avgEventBytes: measured.reduce((a, p) => a + p.rawBytes, 0) / events,
      historyDays,
      historyEvents: history.length,
      historySeconds,
      identities: identityItems.length,
      itemBytesP50: quantile(sizes, 0.5),
      itemBytesP99: quantile(sizes, 0.99),
      learnedEventShare: learned / measuredMessages.length,
      medianHistoryDays: median(ages),
      floorEventsPerSecond: floor,
      handlerEventsPerSecond: handlerRates,
      handlerNetEventsPerSecond: net,
      ratios: handlerRates.map((h, i) => h / (floor[i] as number)),
      floorCpuEventsPerSecond: floorCpu,
      handlerCpuEventsPerSecond: handlerCpu,
      cpuRatios: handlerCpu.map((h, i) => h / (floorCpu[i] as number)),
      netRatios: net.map((h, i) => h / (floor[i] as number)),
      perPass: {
        findingsAlerted: sum((s) => s.fresh),
        snsMessages: aws.counters.snsMessages,
        securityHubFindings: aws.counters.securityHubFindings,
        requests: Object.fromEntries(aws.counters.requests),
        writeUnits: aws.counters.writeUnits,
        readUnits: aws.counters.readUnits,
        conditionalFailures: aws.counters.conditionalFailures,
        stdoutBytes: last.bytes,
        stdoutLines: last.lines,
        serverShare: last.serverSeconds / last.seconds,
        identityErrors: sum((s) => s.identityErrors),
        malformedLines: sum((s) => s.malformedLines),
        redelivered: sum((s) => s.redelivered),
      },
    };
    process.stdout.write(`\nREAL_PATH ${JSON.stringify(result)}\n`);
  } finally {
    uninstall();
    rmSync(taskRoot, { recursive: true, force: true });
  }
}

/**
 * CPU profile of the timed rounds only (`--profile DIR`; read it with `npx tsx bench/profile-engine.ts DIR`
 * or Chrome DevTools). Returns the function that stops it and writes `DIR/real-path.cpuprofile`.
 */
async function startProfile(): Promise<(dir: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async (dir) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'real-path.cpuprofile'), JSON.stringify(profile));
    session.disconnect();
  };
}

/** Summary figures of a result, for the report. */
export function summarise(r: RealPathResult): {
  ratio: number;
  ratioP10: number;
  ratioP90: number;
  netRatio: number;
  floor: number;
  handler: number;
  handlerNet: number;
} {
  return {
    ratio: median(r.ratios),
    ratioP10: quantile(r.ratios, 0.1),
    ratioP90: quantile(r.ratios, 0.9),
    netRatio: median(r.netRatios),
    floor: median(r.floorEventsPerSecond),
    handler: median(r.handlerEventsPerSecond),
    handlerNet: median(r.handlerNetEventsPerSecond),
  };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `real-path bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
