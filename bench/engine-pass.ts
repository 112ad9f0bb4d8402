/**
 * The whole engine in-process on CloudWatch Logs payloads: decode (base64, gunzip, JSON) →
 * normalise each CloudTrail record → pipeline (load, evaluate every rule, ledger, publish, commit)
 * with the memory store. The same payloads the floor decodes.
 */
import { MemoryBaselineStore, MemoryFindingLedger } from '../lambdas/adapters/memory-store.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline, type PipelineDeps } from '../lambdas/core/pipeline.js';
import type { FindingSink, PublishResult } from '../lambdas/core/ports.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { normaliseCloudTrail } from '../lambdas/core/sources/cloudtrail/index.js';
import { decodeCloudWatchLogsEvent } from '../lambdas/core/sources/cloudwatch-logs.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import type { EncodedPayload } from './payloads.js';

/** Counts of one engine pass. */
export interface EnginePassResult {
  readonly events: number;
  readonly rejected: number;
  readonly findings: number;
  readonly seconds: number;
  /** Of which: decoding the deliveries and normalising their lines. */
  readonly decodeSeconds: number;
  /** Of which: the pipeline (load, rules, ledger, publish, commit). */
  readonly pipelineSeconds: number;
  readonly eventsPerSecond: number;
}

class CountingSink implements FindingSink {
  published = 0;
  publish(fresh: readonly unknown[], repeats: readonly unknown[]): Promise<PublishResult> {
    this.published += fresh.length + repeats.length;
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

/** Decode and normalise one delivery, as the CloudTrail handler does. */
export function decodeDelivery(
  payload: EncodedPayload,
  intel: IpIntel,
): { events: IdentityEvent[]; rejected: number } {
  const decoded = decodeCloudWatchLogsEvent(payload.event);
  if (!decoded.ok) return { events: [], rejected: payload.events };
  const events: IdentityEvent[] = [];
  let rejected = decoded.value.rejectedLogEvents.length;
  for (const le of decoded.value.logEvents) {
    let record: unknown;
    try {
      record = JSON.parse(le.message);
    } catch {
      rejected += 1;
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      rejected += 1;
      continue;
    }
    const r = normaliseCloudTrail(record as Record<string, unknown>, intel, {
      logGroup: decoded.value.logGroup,
    });
    if (r.ok) events.push(r.value);
    else rejected += 1;
  }
  return { events, rejected };
}

/** Pipeline dependencies with a fresh memory store: each pass starts from empty state. */
export function memoryDeps(): PipelineDeps & { ledger: MemoryFindingLedger } {
  return {
    store: new MemoryBaselineStore(),
    ledger: new MemoryFindingLedger(),
    sink: new CountingSink(),
    rules: RULES,
    contracts: new ContractSet([]),
    config: DEFAULT_ENGINE_CONFIG,
    nowMs: () => 0,
  };
}

/** One pass of the whole engine over the payloads, from empty state. */
export async function enginePass(
  payloads: readonly EncodedPayload[],
  intel: IpIntel,
): Promise<EnginePassResult> {
  const deps = memoryDeps();
  let events = 0;
  let rejected = 0;
  let decodeNs = 0n;
  let pipelineNs = 0n;
  for (let i = 0; i < payloads.length; i++) {
    const t0 = process.hrtime.bigint();
    const d = decodeDelivery(payloads[i] as EncodedPayload, intel);
    const t1 = process.hrtime.bigint();
    rejected += d.rejected;
    const r = await runPipeline(`bench-${i}`, d.events, deps);
    pipelineNs += process.hrtime.bigint() - t1;
    decodeNs += t1 - t0;
    events += r.events;
  }
  const seconds = Number(decodeNs + pipelineNs) / 1e9;
  return {
    events,
    rejected,
    findings: deps.ledger.findings.size,
    seconds,
    decodeSeconds: Number(decodeNs) / 1e9,
    pipelineSeconds: Number(pipelineNs) / 1e9,
    eventsPerSecond: events / seconds,
  };
}
