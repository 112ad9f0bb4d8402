/**
 * Entry point of the traffic simulator: a deterministic function from options to labelled
 * CloudTrail records, API Gateway access-log lines and the fleet's contracts. Pure: no I/O, no
 * clock; the CLI writes the arrays out.
 */
import { injectAttacks } from './attacks/index.js';
import { generateBenignApiGateway, generateBenignCloudTrail } from './benign/index.js';
import { DAY_MS, emptyState, type GenContext } from './context.js';
import { fleetContracts } from './contracts.js';
import { federatedWorkloadIdentities } from './benign/federated-workloads.js';
import { platformAutomationIdentities } from './benign/platform-automation.js';
import { ACCOUNTS, buildFleet, fleetIdentities } from './fleet.js';
import { Rng } from './prng.js';
import { TrafficSink } from './sink.js';
import type { SimulatedRuleId, SimulateOptions, SimulationMeta, SimulationResult } from './types.js';

/** Default first instant: Monday 2 June 2025, 00:00 UTC. */
export const DEFAULT_START_MS = Date.UTC(2025, 5, 2);

interface ResolvedOptions {
  readonly seed: number;
  readonly days: number;
  readonly scale: number;
  readonly startMs: number;
  readonly learningDays: number;
  readonly attacks: boolean;
}

/** Validates options and fills defaults; throws RangeError on values no run can use. */
export const resolveOptions = (options: SimulateOptions = {}): ResolvedOptions => {
  const seed = options.seed ?? 1;
  const days = options.days ?? 14;
  const scale = options.scale ?? 1;
  const attacks = options.attacks ?? true;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new RangeError(`days must be an integer in 1..366, got ${String(days)}`);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 50)
    throw new RangeError(`scale must be in (0, 50], got ${String(scale)}`);
  const startMs =
    typeof options.start === 'string' ? Date.parse(options.start) : (options.start ?? DEFAULT_START_MS);
  if (!Number.isFinite(startMs))
    throw new RangeError(`start must be an ISO date or epoch ms, got ${String(options.start)}`);
  const learningDays = options.learningDays ?? Math.min(7, Math.max(1, Math.floor(days / 2)));
  if (!Number.isInteger(learningDays) || learningDays < 0)
    throw new RangeError(`learningDays must be a non-negative integer, got ${String(learningDays)}`);
  if (attacks && learningDays >= days) {
    throw new RangeError(
      `attacks need at least one day after the learning period: days (${days}) must exceed learningDays (${learningDays})`,
    );
  }
  return { seed, days, scale, startMs, learningDays, attacks };
};

/** Simulates a fleet's traffic for `days` with labelled attacks after the learning period. */
export const simulate = (options: SimulateOptions = {}): SimulationResult => {
  const resolved = resolveOptions(options);
  const root = new Rng(resolved.seed);
  const fleet = buildFleet(root.fork('fleet'));
  const sink = new TrafficSink();
  const ctx: GenContext = {
    rng: root,
    sink,
    fleet,
    startMs: resolved.startMs,
    endMs: resolved.startMs + resolved.days * DAY_MS,
    days: resolved.days,
    scale: resolved.scale,
    learningDays: resolved.learningDays,
    state: emptyState(),
  };
  generateBenignCloudTrail(ctx);
  generateBenignApiGateway(ctx);
  if (resolved.attacks) injectAttacks(ctx);
  const { cloudtrail, apiGateway, labels, labelTimes } = sink.finish();
  const contracts = fleetContracts(fleet, resolved.scale);

  const episodes = new Map<
    string,
    { rules: Set<SimulatedRuleId>; technique: string; firstMs: number; lastMs: number; events: number }
  >();
  labels.forEach((label, index) => {
    const timeMs = labelTimes[index] ?? 0;
    const entry = episodes.get(label.attackId);
    if (entry) {
      entry.rules.add(label.rule);
      entry.firstMs = Math.min(entry.firstMs, timeMs);
      entry.lastMs = Math.max(entry.lastMs, timeMs);
      entry.events += 1;
    } else {
      episodes.set(label.attackId, {
        rules: new Set([label.rule]),
        technique: label.technique,
        firstMs: timeMs,
        lastMs: timeMs,
        events: 1,
      });
    }
  });
  const meta: SimulationMeta = {
    seed: resolved.seed,
    days: resolved.days,
    scale: resolved.scale,
    learningDays: resolved.learningDays,
    startMs: ctx.startMs,
    endMs: ctx.endMs,
    attackWindowStartMs: ctx.startMs + resolved.learningDays * DAY_MS,
    accounts: { ...ACCOUNTS },
    identities: [
      ...fleetIdentities(fleet),
      ...federatedWorkloadIdentities(ctx),
      ...platformAutomationIdentities(),
    ],
    episodes: [...episodes.entries()]
      .map(([attackId, entry]) => ({
        attackId,
        rules: [...entry.rules].sort(),
        technique: entry.technique,
        firstMs: entry.firstMs,
        lastMs: entry.lastMs,
        events: entry.events,
      }))
      .sort((left, right) => left.firstMs - right.firstMs),
  };
  return { cloudtrail, apiGateway, labels, contracts, meta };
};
