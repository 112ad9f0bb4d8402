/**
 * Runs identity events through the real pipeline (memory store and ledger) the way deliveries
 * would arrive, recording every rule match with the finding it folded into and, for every event,
 * whether its identity was past learning — what the scorer needs. Rules are wrapped, not changed:
 * the wrapper calls the rule's own `detect` and notes its answer.
 */
import { MemoryBaselineStore, MemoryFindingLedger } from '../lambdas/adapters/memory-store.js';
import type { ContractSet } from '../lambdas/core/contracts.js';
import type { EngineConfig } from '../lambdas/core/engine.js';
import { findingId } from '../lambdas/core/finding.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import type { FindingSink, PublishResult } from '../lambdas/core/ports.js';
import type { DetectionRule } from '../lambdas/core/rules/rule.js';
import type { EventFact, Hit } from './score.js';

/** How the scorer names an event. */
export const eventKey = (e: Pick<IdentityEvent, 'source' | 'eventId'>): string => `${e.source}:${e.eventId}`;

/** What one detection run produced. */
export interface DetectionRun {
  readonly hits: Hit[];
  readonly facts: EventFact[];
  readonly events: number;
  readonly batches: number;
  /** Findings first seen (alerts). */
  readonly fresh: number;
  /** Repeats of known findings (count raised; Security Hub updates, no alert). */
  readonly repeats: number;
  /** Distinct finding ids in the ledger at the end. */
  readonly findings: number;
  /** Hits per rule id. */
  readonly hitsByRule: Record<string, number>;
  /** Ids of the findings that alerted (first seen by the ledger), in order. */
  readonly alerted: string[];
  /** The incident each finding joined (finding id → incident id), as the engine reported it. */
  readonly incidentOf: Map<string, string>;
}

/**
 * Split a time-ordered stream into deliveries: per source (CloudTrail and API Gateway logs reach
 * different subscribers), at most `maxEvents` events and `maxSpanMs` of event time each, then
 * ordered by their first event — roughly how CloudWatch Logs batches a log group.
 */
export function toDeliveries(
  events: readonly IdentityEvent[],
  maxEvents = 1000,
  maxSpanMs = 5 * 60_000,
): IdentityEvent[][] {
  const out: IdentityEvent[][] = [];
  const open = new Map<string, IdentityEvent[]>();
  for (const e of events) {
    let cur = open.get(e.source);
    const first = cur?.[0];
    if (
      cur === undefined ||
      first === undefined ||
      cur.length >= maxEvents ||
      e.timeMs - first.timeMs >= maxSpanMs
    ) {
      cur = [];
      open.set(e.source, cur);
      out.push(cur);
    }
    cur.push(e);
  }
  return out
    .filter((b) => b.length > 0)
    .sort((a, b) => (a[0] as IdentityEvent).timeMs - (b[0] as IdentityEvent).timeMs);
}

class NullSink implements FindingSink {
  publish(fresh: readonly unknown[], repeats: readonly unknown[]): Promise<PublishResult> {
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

/** Run deliveries through the pipeline from empty state and record what every rule matched. */
export async function runDetection(
  deliveries: readonly (readonly IdentityEvent[])[],
  rules: readonly DetectionRule[],
  contracts: ContractSet,
  config: EngineConfig,
): Promise<DetectionRun> {
  const hits: Hit[] = [];
  const facts: EventFact[] = [];
  const hitsByRule: Record<string, number> = {};
  const windowMs = config.dedupWindowSeconds * 1000;
  const wrapped: DetectionRule[] = rules.map((rule) => ({
    ...rule,
    detect: (event, ctx) => {
      const match = rule.detect(event, ctx);
      if (match) {
        const windowStartMs = Math.floor(event.timeMs / windowMs) * windowMs;
        hits.push({
          ruleId: rule.id,
          findingId: findingId(rule.id, event.identity.key, match.discriminator, windowStartMs),
          event: eventKey(event),
          severity: match.severity ?? rule.severity,
        });
        hitsByRule[rule.id] = (hitsByRule[rule.id] ?? 0) + 1;
      }
      return match;
    },
  }));
  // A rule that never fires and needs no learning: the engine hands it every event with the identity's learning status.
  const probe: DetectionRule = {
    id: 'bench-learning-probe',
    title: 'benchmark probe',
    severity: 'INFORMATIONAL',
    asffTypes: [],
    references: [],
    falsePositives: [],
    runbook: '',
    defaults: {},
    needsLearning: false,
    detect: (event, ctx) => {
      facts.push({ event: eventKey(event), isAfterLearning: ctx.isLearned });
      return undefined;
    },
  };
  const store = new MemoryBaselineStore();
  const ledger = new MemoryFindingLedger();
  const deps = {
    store,
    ledger,
    sink: new NullSink(),
    rules: [probe, ...wrapped],
    contracts,
    config,
    nowMs: () => 0,
  };
  let fresh = 0;
  let repeats = 0;
  let events = 0;
  let n = 0;
  const alerted: string[] = [];
  const incidentOf = new Map<string, string>();
  for (const batch of deliveries) {
    const r = await runPipeline(`detect-${n++}`, batch, deps);
    for (const f of r.fresh) alerted.push(f.id);
    for (const f of [...r.fresh, ...r.joined, ...r.repeats])
      if (f.incident !== undefined && !incidentOf.has(f.id)) incidentOf.set(f.id, f.incident.id);
    fresh += r.fresh.length;
    repeats += r.repeats.length;
    events += r.events;
  }
  return {
    hits,
    facts,
    events,
    batches: deliveries.length,
    fresh,
    repeats,
    findings: ledger.findings.size,
    hitsByRule,
    alerted,
    incidentOf,
  };
}
