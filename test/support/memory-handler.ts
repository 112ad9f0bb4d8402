/**
 * The production log handlers (`createHandler` of lambdas/handlers/*) over in-memory ports: the real
 * pipeline, rules and normalisers, a memory store and ledger, a collecting sink, and recording
 * stand-ins for the Powertools logger and metrics so tests can read what an operator would see.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';

import { MemoryBaselineStore, MemoryFindingLedger } from '../../lambdas/adapters/memory-store';
import { ContractSet } from '../../lambdas/core/contracts';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/finding';
import type { FindingSink } from '../../lambdas/core/ports';
import { RULES } from '../../lambdas/core/rules/index';
import type { DetectionRule } from '../../lambdas/core/rules/rule';
import type { IpInfo, IpIntel } from '../../lambdas/core/sources/ip-intel';
import type { LogsHandlerDeps } from '../../lambdas/handlers/pipeline-handler';

/** One logged line: level, message and attributes. */
export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** A small fixed IP table: documentation addresses only. */
export const TEST_INTEL: IpIntel = {
  lookup: (ip: string): IpInfo | undefined =>
    ip.startsWith('198.51.100.')
      ? { asn: 64500, asOrg: 'Example Broadband', country: 'DE' }
      : ip.startsWith('203.0.113.')
        ? { asn: 16509, asOrg: 'Amazon.com, Inc.', country: 'US' }
        : undefined,
};

/** Everything a test reads after invoking the handler. */
export interface MemoryHandlerWorld {
  readonly deps: LogsHandlerDeps;
  readonly store: MemoryBaselineStore;
  readonly ledger: MemoryFindingLedger;
  /** Fresh findings published (alerted). */
  readonly alerted: Finding[];
  readonly logs: LogLine[];
  /** Metric name → sum of the values added. */
  readonly metrics: Map<string, number>;
}

/** Dependencies for `createHandler` over memory ports. */
export function memoryHandlerDeps(
  o: { rules?: readonly DetectionRule[]; config?: EngineConfig } = {},
): MemoryHandlerWorld {
  const store = new MemoryBaselineStore();
  const ledger = new MemoryFindingLedger();
  const alerted: Finding[] = [];
  const logs: LogLine[] = [];
  const metricSums = new Map<string, number>();
  const sink: FindingSink = {
    publish: (fresh, repeats) => {
      alerted.push(...fresh);
      return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
    },
  };
  const log =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}): void => {
      logs.push({ level, message, attributes });
    };
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const addMetric = (name: string, _unit: unknown, value: number): void => {
    metricSums.set(name, (metricSums.get(name) ?? 0) + value);
  };
  const metrics = {
    addMetric,
    singleMetric: () => ({ addDimensions: () => undefined, addMetric }),
  };
  const deps: LogsHandlerDeps = {
    pipeline: {
      store,
      ledger,
      rules: o.rules ?? RULES,
      contracts: new ContractSet([]),
      config: o.config ?? DEFAULT_ENGINE_CONFIG,
      nowMs: () => Date.now(),
      sink,
      onFailure: { park: () => Promise.resolve() },
    },
    intel: TEST_INTEL,
    logger: logger as unknown as Logger,
    metrics: metrics as unknown as Metrics,
  };
  return { deps, store, ledger, alerted, logs, metrics: metricSums };
}
