/**
 * Scale benchmark: the whole engine (pipeline, every rule, memory store and ledger) over synthetic
 * identity events spread across 1k, 10k and 100k distinct identities. Each point runs in a fresh
 * Node process (started with --expose-gc) so its memory figures are its own.
 *
 * Run directly as a worker: `node --expose-gc --import tsx bench/scale.ts <identities> <events>`
 * prints one JSON line; `runScale()` starts the workers and collects the lines.
 */
import { spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';

import { MemoryBaselineStore, MemoryFindingLedger } from '../lambdas/adapters/memory-store.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import type { FindingSink, PublishResult } from '../lambdas/core/ports.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { T0, ev } from '../lambdas/core/rules/test-events.js';
import { collectGarbage } from './harness.js';

/** What one scale point measured. */
export interface ScalePoint {
  readonly identities: number;
  readonly events: number;
  readonly batchSize: number;
  readonly rules: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly findings: number;
  /** Heap held by the store and ledger after the run: heap used minus heap used once they are emptied, after GC. */
  readonly stateHeapMiB: number;
  readonly stateBytesPerIdentity: number;
  /** JSON size of an identity's baseline (what a DynamoDB item holds, before attribute overhead). */
  readonly serializedBytesPerIdentity: number;
  readonly heapUsedMiB: number;
  readonly rssMiB: number;
}

/** Deterministic 32-bit generator (mulberry32), so every run feeds the same events. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS = [
  'dynamodb.amazonaws.com:GetItem',
  'dynamodb.amazonaws.com:PutItem',
  's3.amazonaws.com:GetObject',
  'sqs.amazonaws.com:SendMessage',
  'kms.amazonaws.com:Decrypt',
];

/**
 * Synthetic workload: `events` calls, each by one of `identities` workload roles chosen uniformly
 * at random (so batches touch as many identities as possible: the worst case for state I/O), from
 * that role's two AWS addresses, one of five actions, one call every 50 ms of event time.
 */
export function syntheticEvents(identities: number, events: number, seed = 42): IdentityEvent[] {
  const rnd = seededRandom(seed);
  const out: IdentityEvent[] = [];
  for (let i = 0; i < events; i++) {
    const n = Math.floor(rnd() * identities);
    const host = (n % 250) + 1;
    const net = Math.floor(n / 250) % 250;
    const alt = rnd() < 0.5 ? 0 : 1;
    const ip = `3.${80 + alt}.${net}.${host}`;
    out.push(
      ev({
        eventId: `scale-${i}`,
        timeMs: T0 + i * 50,
        identity: {
          key: `aws:123456789012:role/svc-${n}`,
          principal: `arn:aws:iam::123456789012:role/svc-${n}`,
          name: `svc-${n}`,
          sessionName: `svc-${n}-fn`,
        },
        credential: { id: `ASIA${String(n).padStart(16, '0')}` },
        origin: { ip, network: `3.${80 + alt}.${net}.0/24` },
        action: { name: ACTIONS[Math.floor(rnd() * ACTIONS.length)] },
      }),
    );
  }
  return out;
}

/** A sink that only counts: the scale benchmark measures the engine and state, not delivery. */
class CountingSink implements FindingSink {
  delivered = 0;
  publish(fresh: readonly unknown[], repeats: readonly unknown[]): Promise<PublishResult> {
    this.delivered += fresh.length + repeats.length;
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

const MIB = 2 ** 20;

/** Measure one point in this process. */
export async function measureScalePoint(
  identities: number,
  events: number,
  batchSize = 1000,
): Promise<ScalePoint> {
  const all = syntheticEvents(identities, events);
  const store = new MemoryBaselineStore();
  const ledger = new MemoryFindingLedger();
  const deps = {
    store,
    ledger,
    sink: new CountingSink(),
    rules: RULES,
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
    nowMs: () => T0,
  };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < all.length; i += batchSize)
    await runPipeline(`scale-${i}`, all.slice(i, i + batchSize), deps);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  collectGarbage();
  const mem = process.memoryUsage();
  let serialized = 0;
  for (const [k, r] of store.records)
    if (!k.startsWith('src#')) serialized += JSON.stringify(r.record).length;
  // The state's heap: what a GC frees once the store and ledger are emptied.
  store.records.clear();
  ledger.findings.clear();
  collectGarbage();
  const stateHeap = mem.heapUsed - process.memoryUsage().heapUsed;
  return {
    identities,
    // Read after the heap measurement: keeps the event array alive through it, so the delta is state only.
    events: all.length,
    batchSize,
    rules: RULES.length,
    seconds,
    eventsPerSecond: events / seconds,
    findings: ledger.findings.size,
    stateHeapMiB: stateHeap / MIB,
    stateBytesPerIdentity: stateHeap / identities,
    serializedBytesPerIdentity: serialized / identities,
    heapUsedMiB: mem.heapUsed / MIB,
    rssMiB: mem.rss / MIB,
  };
}

/** Run each point in a fresh Node process (same binary as this one) and collect the results. */
export async function runScale(points: readonly number[], events: number): Promise<ScalePoint[]> {
  const out: ScalePoint[] = [];
  for (const identities of points) {
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--expose-gc',
          '--max-old-space-size=4096',
          '--import',
          'tsx',
          __filename,
          String(identities),
          String(events),
        ],
        {
          cwd: resolvePath(__dirname, '..'),
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`scale worker for ${identities} identities exited with ${String(code)}`)),
      );
    });
    const last = text.trim().split('\n').pop() ?? '';
    out.push(JSON.parse(last) as ScalePoint);
  }
  return out;
}

if (require.main === module) {
  const identities = Number(process.argv[2]);
  const events = Number(process.argv[3]);
  if (!Number.isInteger(identities) || identities <= 0 || !Number.isInteger(events) || events <= 0) {
    process.stderr.write('usage: scale.ts <identities> <events>\n');
    process.exit(2);
  }
  measureScalePoint(identities, events).then(
    (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
