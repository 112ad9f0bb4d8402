/**
 * Shared generation context: the run's clock window, the fleet, the sink, and the timelines benign
 * generators record (sessions, tokens, runs) so attacks can reuse live credentials and addresses.
 */
import type { RoleSession } from './cloudtrail-builder.js';
import type { Fleet } from './fleet.js';
import type { Rng } from './prng.js';
import type { TrafficSink } from './sink.js';

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;
/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** UTC hour of day (0–23). */
export const hourOfDay = (timeMs: number): number => new Date(timeMs).getUTCHours();
/** True on UTC Saturday / Sunday. */
export const isWeekend = (timeMs: number): boolean => {
  const day = new Date(timeMs).getUTCDay();
  return day === 0 || day === 6;
};
/** Diurnal multiplier: 1 ± amplitude, highest at `peakHour` (UTC). */
export const diurnal = (timeMs: number, peakHour: number, amplitude: number): number => {
  const hour = (timeMs % DAY_MS) / HOUR_MS;
  return 1 + amplitude * Math.cos((2 * Math.PI * (hour - peakHour)) / 24);
};

/** Credentials in use over a period, from one address. */
export interface TimedSession {
  readonly session: RoleSession;
  readonly ip: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** What benign generation leaves behind for the attack injectors. */
export interface FleetState {
  readonly lambdaEnvs: Map<string, TimedSession[]>;
  readonly ec2Sessions: (TimedSession & { readonly instanceId: string })[];
  readonly etlRuns: TimedSession[];
  readonly ciRuns: { readonly startMs: number; readonly endMs: number; readonly ip: string }[];
  readonly partnerTokens: { readonly jti: string; readonly fromMs: number; readonly toMs: number }[];
  readonly inventoryEnvs: TimedSession[];
  /** IRSA sessions of the EKS service accounts (benign/federated-workloads.ts), with the token subject. */
  readonly eksSessions: (TimedSession & { readonly subject: string })[];
  erpRotationMs: number;
  deviceRenewalMs: number;
}

/** Everything a generator needs. */
export interface GenContext {
  readonly rng: Rng;
  readonly sink: TrafficSink;
  readonly fleet: Fleet;
  readonly startMs: number;
  readonly endMs: number;
  readonly days: number;
  readonly scale: number;
  readonly learningDays: number;
  readonly state: FleetState;
}

/** A fresh, empty state. */
export const emptyState = (): FleetState => ({
  lambdaEnvs: new Map(),
  ec2Sessions: [],
  etlRuns: [],
  ciRuns: [],
  partnerTokens: [],
  inventoryEnvs: [],
  eksSessions: [],
  erpRotationMs: 0,
  deviceRenewalMs: 0,
});

/** `count` sorted uniform times in [fromMs, toMs). */
export const sortedTimes = (rng: Rng, count: number, fromMs: number, toMs: number): number[] => {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) times.push(Math.floor(rng.float(fromMs, toMs)));
  return times.sort((left, right) => left - right);
};

/** The session alive at `timeMs` (a random one when several are). */
export const sessionAt = <T extends TimedSession>(
  rng: Rng,
  sessions: readonly T[],
  timeMs: number,
): T | undefined => {
  const alive = sessions.filter((entry) => entry.fromMs <= timeMs && timeMs < entry.toMs);
  return alive.length === 0 ? undefined : rng.pick(alive);
};
