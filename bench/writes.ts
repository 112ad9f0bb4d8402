/**
 * Writes, reads, item sizes and cost at organization scale: the production DynamoDB store and
 * ledger (lambdas/adapters/dynamodb-store.ts, with their real record codec) against an in-process
 * table that bills every request as DynamoDB on-demand does (bench/billing-dynamodb.ts), driven by
 * the real pipeline with every rule, over fleets of 1k / 10k / 100k identities with 1 and 30
 * simulated days of learned state, and the organization case (10k identities in 100 accounts).
 *
 * Workload (deterministic, seeded): a fleet making 20 calls a second in all (one every 50 ms), each
 * call by an identity chosen uniformly at random (so a 1,000-event delivery touches ~1,000 identities
 * at 10k: the worst case for state I/O), each identity a Lambda-style role calling 3–6 actions of
 * its own from two AWS networks, with a session key rotated every 12 hours; one call in 20,000 is
 * an action the identity never made (a material change, sometimes a finding).
 *
 * History: identities are warmed with `days` of that traffic at the fleet's per-identity rate.
 * Folding 30 days for 100k identities event by event would take an hour, so 8 template identities
 * are folded event by event through the engine, and every identity's record is its template's with
 * its own names (identity, account, credentials), stored through the production store. Then 10
 * warm-up deliveries (populations created, first touches), then the measured deliveries.
 *
 * Figures per point: µs per event of the measured deliveries (pipeline + codec + the in-process
 * table's own work, one core, machine shared), write / read units per event as billed, writes per
 * event, conditional failures, item size p50 / p99 (identity items and all items), heap and RSS after
 * GC, findings by rule (the detection side of the write policy on benign traffic).
 *
 * `npm run bench:writes` prints the table; `-- --quick` runs fewer deliveries. Every point runs in
 * a fresh Node process (`--expose-gc`), so its memory figures are its own.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../lambdas/adapters/dynamodb-store.js';
import {
  DEFAULT_LIMITS,
  parseRecord,
  rememberBatch,
  type IdentityBaseline,
} from '../lambdas/core/baseline.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG, evaluate } from '../lambdas/core/engine.js';
import type { Finding } from '../lambdas/core/finding.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import { EXACT_WRITES, SAMPLED_WRITES } from '../lambdas/core/write-policy.js';
import type { FindingSink, LoadedRecord, PublishResult } from '../lambdas/core/ports.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { T0, UA, ev } from '../lambdas/core/rules/test-events.js';
import { BillingDynamoDb, itemSize } from './billing-dynamodb.js';
import { COST_ASSUMPTIONS, PRICES, cpuShare, projectCost, type CostProjection } from './cost.js';
import { collectGarbage, quantile } from './harness.js';
import { seededRandom } from './scale.js';

/** One point of the table. */
export interface WritesPoint {
  readonly identities: number;
  readonly days: number;
  readonly accounts: number;
  /** Measured 1,000-event deliveries. */
  readonly deliveries: number;
  /** Write policy: what the Lambda handlers run with (`sampled`), or every change written (`exact`, the policy before). */
  readonly policy: 'sampled' | 'exact';
}

/** What one point measured. */
export interface WritesResult extends WritesPoint {
  readonly events: number;
  readonly usPerEvent: number;
  readonly writeUnitsPerEvent: number;
  readonly readUnitsPerEvent: number;
  readonly writesPerEvent: number;
  readonly conditionalFailures: number;
  /** Write units per event by record kind (`id`, `pop`, `src`, `lnk`, `fnd`). */
  readonly writeUnitsPerEventByKind: Record<string, number>;
  readonly identityItemBytesP50: number;
  readonly identityItemBytesP99: number;
  readonly itemBytesP50: number;
  readonly itemBytesP99: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
  /** Findings raised in the measured deliveries (new + raised counts), by rule. */
  readonly findingsByRule: Record<string, number>;
  readonly freshFindings: number;
  readonly repeatFindings: number;
}

const FLEET_EVENTS_PER_SECOND = 20;
const DELIVERY_EVENTS = 1000;
const WARM_UP_DELIVERIES = 10;
const TEMPLATES = 16;
const ROTATION_MS = 12 * 3_600_000;
const NOVEL_ACTION_RATE = 1 / 20_000;
const DAY_MS = 86_400_000;
const TABLE = 'nhi-watch-bench';
const ACTION_POOL = [
  'dynamodb.amazonaws.com:GetItem',
  'dynamodb.amazonaws.com:PutItem',
  'dynamodb.amazonaws.com:Query',
  's3.amazonaws.com:GetObject',
  's3.amazonaws.com:PutObject',
  'sqs.amazonaws.com:SendMessage',
  'sqs.amazonaws.com:ReceiveMessage',
  'sqs.amazonaws.com:DeleteMessage',
  'kms.amazonaws.com:Decrypt',
  'kms.amazonaws.com:GenerateDataKey',
  'secretsmanager.amazonaws.com:GetSecretValue',
  'ssm.amazonaws.com:GetParameter',
  'events.amazonaws.com:PutEvents',
  'sns.amazonaws.com:Publish',
  'lambda.amazonaws.com:Invoke',
  'logs.amazonaws.com:PutLogEvents',
];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** The 10-digit number an identity is named by (templates: 9 followed by the template number). */
const idNumber = (i: number): string => pad(i, 10);
const templateNumber = (t: number): string => `9${pad(t, 9)}`;
const accountOf = (i: number, accounts: number): string => String(100_000_000_000 + (i % accounts));
const TEMPLATE_ACCOUNT = '999999999999';

/** What every identity of a template does. */
interface Template {
  readonly actions: readonly string[];
  readonly rotationOffsetMs: number;
}

export function templates(): Template[] {
  const rnd = seededRandom(7);
  return Array.from({ length: TEMPLATES }, (_, t) => {
    const count = 3 + (t % 4);
    const actions = new Set<string>();
    while (actions.size < count) actions.add(ACTION_POOL[Math.floor(rnd() * ACTION_POOL.length)] as string);
    return { actions: [...actions], rotationOffsetMs: Math.floor((t * ROTATION_MS) / TEMPLATES) };
  });
}

/** One call by identity number `id` (template `t`) at `timeMs`. */
function call(
  id: string,
  account: string,
  t: number,
  tpl: Template,
  timeMs: number,
  rnd: () => number,
  eventId: string,
): IdentityEvent {
  const alt = rnd() < 0.5 ? 0 : 1;
  const rotation = Math.floor((timeMs + tpl.rotationOffsetMs) / ROTATION_MS);
  const novel = rnd() < NOVEL_ACTION_RATE;
  const action = novel
    ? `ssm.amazonaws.com:Novel${eventId.replace(/\W/g, '')}`
    : (tpl.actions[Math.floor(rnd() * tpl.actions.length)] as string);
  return ev({
    eventId,
    timeMs,
    identity: {
      key: `aws:${account}:role/svc-${id}`,
      accountId: account,
      principal: `arn:aws:iam::${account}:role/svc-${id}`,
      name: `svc-${id}`,
      sessionName: `svc-${id}`,
    },
    credential: { id: `ASIA${id}${pad(rotation % 1_000_000, 6)}` },
    origin: {
      ip: `3.${80 + t}.${alt}.${1 + (Number(id.slice(-6)) % 250)}`,
      network: `3.${80 + t}.${alt}.0/24`,
      ...UA.lambdaNode,
    },
    action: { name: action },
  });
}

/** Each template identity's record after `days` of history, folded event by event by the engine. */
export function templateRecords(point: WritesPoint, tpls: readonly Template[], endMs: number): string[] {
  const perIdentityPerMs = FLEET_EVENTS_PER_SECOND / 1000 / point.identities;
  const startMs = endMs - point.days * DAY_MS;
  const count = Math.max(1, Math.round(point.days * DAY_MS * perIdentityPerMs));
  const gapMs = (endMs - startMs) / count;
  return tpls.map((tpl, t) => {
    const rnd = seededRandom(100 + t);
    const id = templateNumber(t);
    let state = new Map<string, LoadedRecord>();
    for (let start = 0; start < count; start += DELIVERY_EVENTS) {
      const events: IdentityEvent[] = [];
      for (let k = start; k < Math.min(count, start + DELIVERY_EVENTS); k++) {
        const timeMs = Math.floor(startMs + k * gapMs + rnd() * gapMs * 0.9);
        const e = call(id, TEMPLATE_ACCOUNT, t, tpl, timeMs, rnd, `h${t}-${k}`);
        events.push(e);
      }
      const out = evaluate({
        batchId: `history-${t}-${start}`,
        events,
        state,
        rules: [],
        contracts: new ContractSet([]),
        config: DEFAULT_ENGINE_CONFIG,
      });
      const next = new Map(state);
      for (const c of out.changes)
        if (c.record.type === 'identity') next.set(c.key, { record: c.record, version: 1 });
      state = next;
    }
    const record = [...state.values()].find((l) => l.record.type === 'identity')?.record as IdentityBaseline;
    return JSON.stringify(record);
  });
}

/** A 64-hex batch id, as the handler derives one from a payload. */
const deliveryId = (label: string): string => createHash('sha256').update(label).digest('hex');

/** A sink that counts findings by rule. */
class CountingSink implements FindingSink {
  fresh = 0;
  repeats = 0;
  readonly byRule = new Map<string, number>();
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    this.fresh += fresh.length;
    this.repeats += repeats.length;
    for (const f of [...fresh, ...repeats]) this.byRule.set(f.ruleId, (this.byRule.get(f.ruleId) ?? 0) + 1);
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

const MIB = 2 ** 20;

/** Measure one point in this process. */
export async function measureWritesPoint(point: WritesPoint): Promise<WritesResult> {
  const tpls = templates();
  const historyEndMs = T0 + 30 * DAY_MS;
  const db = new BillingDynamoDb();
  let clockMs = historyEndMs;
  const store = new DynamoDbBaselineStore({ client: db.client, tableName: TABLE, nowMs: () => clockMs });
  const ledger = new DynamoDbFindingLedger({
    client: db.client,
    tableName: TABLE,
    dedupWindowSeconds: DEFAULT_ENGINE_CONFIG.dedupWindowSeconds,
    nowMs: () => clockMs,
  });

  // History: template records, personalised and stored through the production store.
  const texts = templateRecords(point, tpls, historyEndMs);
  const rndBatches = seededRandom(11);
  for (let start = 0; start < point.identities; start += 1000) {
    const changes = [];
    for (let i = start; i < Math.min(point.identities, start + 1000); i++) {
      const t = i % TEMPLATES;
      const text = (texts[t] as string)
        .replaceAll(templateNumber(t), idNumber(i))
        .replaceAll(TEMPLATE_ACCOUNT, accountOf(i, point.accounts));
      const record = parseRecord(text) as IdentityBaseline;
      // A record in service remembers its last 16 deliveries (64-hex payload hashes).
      record.batches = [];
      for (let b = 0; b < DEFAULT_LIMITS.maxBatchIds; b++)
        rememberBatch(record, deliveryId(`history-${i}-${b}-${rndBatches()}`), DEFAULT_LIMITS);
      changes.push({ key: record.key, expectedVersion: undefined, record });
    }
    await store.commit('history', changes);
  }

  const sink = new CountingSink();
  const deps = {
    store,
    ledger,
    sink,
    rules: RULES,
    contracts: new ContractSet([]),
    config: {
      ...DEFAULT_ENGINE_CONFIG,
      writePolicy: point.policy === 'sampled' ? SAMPLED_WRITES : EXACT_WRITES,
    },
    nowMs: () => clockMs,
  };
  const rnd = seededRandom(42);
  const gapMs = 1000 / FLEET_EVENTS_PER_SECOND;
  let n = 0;
  const delivery = (): IdentityEvent[] => {
    const events: IdentityEvent[] = [];
    for (let k = 0; k < DELIVERY_EVENTS; k++, n++) {
      const i = Math.floor(rnd() * point.identities);
      const t = i % TEMPLATES;
      const timeMs = historyEndMs + Math.floor(n * gapMs);
      events.push(
        call(idNumber(i), accountOf(i, point.accounts), t, tpls[t] as Template, timeMs, rnd, `e${n}`),
      );
    }
    clockMs = (events[events.length - 1] as IdentityEvent).timeMs;
    return events;
  };
  for (let d = 0; d < WARM_UP_DELIVERIES; d++) await runPipeline(deliveryId(`warm-${d}`), delivery(), deps);

  db.bill = {
    ...db.bill,
    writeUnits: 0,
    readUnits: 0,
    writes: 0,
    conditionalFailures: 0,
    failedWriteUnits: 0,
    batchGets: 0,
    writeUnitsByKind: new Map(),
  };
  sink.fresh = 0;
  sink.repeats = 0;
  sink.byRule.clear();
  const payloads = Array.from({ length: point.deliveries }, delivery);
  const t0 = process.hrtime.bigint();
  for (let d = 0; d < payloads.length; d++)
    await runPipeline(deliveryId(`measured-${d}`), payloads[d] as IdentityEvent[], deps);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const events = point.deliveries * DELIVERY_EVENTS;
  payloads.length = 0;

  const identitySizes: number[] = [];
  const allSizes: number[] = [];
  for (const [pk, item] of db.items) {
    const size = itemSize(item);
    allSizes.push(size);
    if (pk.startsWith('id#')) identitySizes.push(size);
  }
  const sorted = (v: number[]): number[] => v.sort((a, b) => a - b);
  sorted(identitySizes);
  sorted(allSizes);
  collectGarbage();
  const mem = process.memoryUsage();
  return {
    ...point,
    events,
    usPerEvent: (seconds * 1e6) / events,
    writeUnitsPerEvent: db.bill.writeUnits / events,
    readUnitsPerEvent: db.bill.readUnits / events,
    writesPerEvent: db.bill.writes / events,
    conditionalFailures: db.bill.conditionalFailures,
    writeUnitsPerEventByKind: Object.fromEntries(
      [...db.bill.writeUnitsByKind].map(([k, v]) => [k, v / events]),
    ),
    identityItemBytesP50: quantile(identitySizes, 0.5),
    identityItemBytesP99: quantile(identitySizes, 0.99),
    itemBytesP50: quantile(allSizes, 0.5),
    itemBytesP99: quantile(allSizes, 0.99),
    heapUsedMiB: mem.heapUsed / MIB,
    rssMiB: mem.rss / MIB,
    findingsByRule: Object.fromEntries(sink.byRule),
    freshFindings: sink.fresh,
    repeatFindings: sink.repeats,
  };
}

/** Run a point in a fresh Node process and read its result line. */
export function runWritesPoint(point: WritesPoint): Promise<WritesResult> {
  return new Promise<WritesResult>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=4096',
        '--import',
        'tsx',
        __filename,
        '--point',
        JSON.stringify(point),
      ],
      { cwd: resolvePath(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`writes worker ${JSON.stringify(point)} exited with ${String(code)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as WritesResult);
    });
  });
}

/** The points of the table. */
export function writesPoints(isQuick: boolean, policy: WritesPoint['policy']): WritesPoint[] {
  const deliveries = isQuick ? 20 : 60;
  const out: WritesPoint[] = [];
  for (const identities of [1_000, 10_000, 100_000])
    for (const days of [1, 30]) out.push({ identities, days, accounts: 1, deliveries, policy });
  out.push({ identities: 10_000, days: 30, accounts: 100, deliveries, policy });
  return out;
}

/**
 * Cost per million events at a measured point, from bench/cost.ts's model and price sheet
 * (us-east-1 list prices, on-demand DynamoDB, arm64 Lambda at the stack's memory size). Lambda time
 * per delivery: the measured CPU time (µs / event × 1,000) over Lambda's CPU share at that memory,
 * plus an assumed 40 ms of waiting on DynamoDB per delivery (reads in parallel batches of 100,
 * writes 16 at a time, ~10 ms a round trip in region).
 */
export function costAt(r: WritesResult): CostProjection {
  const eventsPerInvocation = COST_ASSUMPTIONS.eventsPerInvocation;
  const findingsPerMillion = (n: number): number => (n / r.events) * 1e6;
  return projectCost({
    eventsPerInvocation,
    invocationMs: (r.usPerEvent * eventsPerInvocation) / 1000 / cpuShare(COST_ASSUMPTIONS.memoryMb) + 40,
    memoryMb: COST_ASSUMPTIONS.memoryMb,
    coldStartFraction: COST_ASSUMPTIONS.coldStartFraction,
    initMs: 300,
    dynamoReadUnitsPer1000Events: r.readUnitsPerEvent * 1000,
    dynamoWriteUnitsPer1000Events: r.writeUnitsPerEvent * 1000,
    freshFindingsPerMillion: findingsPerMillion(r.freshFindings),
    findingUpdatesPerMillion: findingsPerMillion(r.repeatFindings),
    emailSubscribers: COST_ASSUMPTIONS.emailSubscribers,
    cloudWatchLogsBytesPerEvent: 1526,
  });
}

/** The figures `npm run bench` prints: write units per event at 10k identities (30 days learned) and the cost per million there. */
export async function writeFigures(isQuick = true): Promise<{
  writeUnitsPerEvent: number;
  readUnitsPerEvent: number;
  costPerMillion: number;
  point: WritesResult;
}> {
  const point = await runWritesPoint({
    identities: 10_000,
    days: 30,
    accounts: 1,
    deliveries: isQuick ? 20 : 60,
    policy: 'sampled',
  });
  return {
    writeUnitsPerEvent: point.writeUnitsPerEvent,
    readUnitsPerEvent: point.readUnitsPerEvent,
    costPerMillion: costAt(point).nhiWatchUsdPerMillion,
    point,
  };
}

const f = (n: number, digits = 3): string => n.toFixed(digits);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--point');
  if (at >= 0) {
    const result = await measureWritesPoint(JSON.parse(argv[at + 1] ?? '') as WritesPoint);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const isQuick = argv.includes('--quick');
  const policy = argv.includes('--exact') ? 'exact' : 'sampled';
  const only = argv.indexOf('--only');
  const points = writesPoints(isQuick, policy).filter(
    (p) => only < 0 || `${p.identities}/${p.days}/${p.accounts}` === argv[only + 1],
  );
  const rows: WritesResult[] = [];
  process.stdout.write(
    '| identities | accounts | days learned | µs / event | WU / event | RU / event | writes / event | identity item p50 / p99 (B) | all items p50 / p99 (B) | heap MiB | RSS MiB | findings (by rule) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  process.stdout.write(`write policy: ${policy}\n\n`);
  for (const point of points) {
    const r = await runWritesPoint(point);
    rows.push(r);
    const rules = Object.entries(r.findingsByRule)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    process.stdout.write(
      `| ${r.identities.toLocaleString('en-US')} | ${r.accounts} | ${r.days} | ${f(r.usPerEvent, 1)} | ${f(r.writeUnitsPerEvent)} | ${f(r.readUnitsPerEvent)} | ${f(r.writesPerEvent)} | ${r.identityItemBytesP50} / ${r.identityItemBytesP99} | ${r.itemBytesP50} / ${r.itemBytesP99} | ${f(r.heapUsedMiB, 0)} | ${f(r.rssMiB, 0)} | ${rules || 'none'} |\n`,
    );
  }
  const at10k = rows.find((r) => r.identities === 10_000 && r.days === 30 && r.accounts === 1);
  if (at10k !== undefined) {
    const cost = costAt(at10k);
    process.stdout.write(
      `\nCost per million events at 10k identities, 30 days learned (us-east-1 list prices: DynamoDB on-demand $${PRICES.dynamoWriteRequestUnit.usd * 1e6}/M WRU, $${PRICES.dynamoReadRequestUnit.usd * 1e6}/M RRU; Lambda arm64 $${PRICES.lambdaArmGbSecond.usd}/GB-s, $${PRICES.lambdaRequest.usd * 1e6}/M requests, ${COST_ASSUMPTIONS.memoryMb} MB):\n`,
    );
    for (const l of cost.lines)
      process.stdout.write(`- ${l.item}: $${l.usdPerMillionEvents.toFixed(4)} (${l.basis})\n`);
    process.stdout.write(
      `- nhi-watch all-in (Lambda + DynamoDB + SNS + Security Hub): $${cost.nhiWatchUsdPerMillion.toFixed(4)} per million events; with CloudTrail → CloudWatch Logs ingestion: $${cost.withLogIngestionUsdPerMillion.toFixed(4)}\n`,
    );
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
