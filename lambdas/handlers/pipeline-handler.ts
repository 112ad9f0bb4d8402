/**
 * What both log handlers do, so they differ only in how one log line becomes an identity event:
 * decode the CloudWatch Logs payload → normalise each line (malformed ones counted and skipped) →
 * run the pipeline (load → evaluate → claim → deliver / park → mark → commit) → read its result →
 * emit metrics and one log line per batch. Thin: all logic lives in core and adapters.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';

import type { Finding } from '../core/finding.js';
import { runPipeline, type PipelineDeps, type PipelineResult } from '../core/pipeline.js';
import { clean } from '../core/neutralise.js';
import { countInto, emptyRecord } from '../core/safe-record.js';
import { decodeCloudWatchLogsEvent } from '../core/sources/cloudwatch-logs.js';
import type { IpIntel } from '../core/sources/ip-intel.js';
import { eventsOfDelivery, type LineNormaliser } from '../core/sources/log-delivery.js';
import { plausibleWindow } from '../core/sources/time-window.js';
import type { InvocationDeadline } from '../adapters/deadline.js';

/** Metric names the handlers emit (EMF); the stack's alarms and dashboard use the same names. */
export const METRIC = {
  events: 'Events',
  identities: 'Identities',
  malformedLines: 'MalformedLines',
  malformedPayloads: 'MalformedPayloads',
  redeliveredEvents: 'RedeliveredEvents',
  findings: 'Findings',
  findingRepeats: 'FindingRepeats',
  suppressedFindings: 'SuppressedFindings',
  baselineWriteConflicts: 'BaselineWriteConflicts',
  publishFailures: 'PublishFailures',
  deliveredToOnFailure: 'DeliveredToOnFailure',
  identityErrors: 'IdentityErrors',
} as const;

/** Ids of alerting findings named in the batch's log line; the rest are only counted. */
const MAX_ALERT_IDS_LOGGED = 10;

/** Identity errors logged one line each per batch; the rest are only counted. */
const MAX_IDENTITY_ERROR_LOGS = 20;

/** The line normaliser interface, owned by core (re-exported for the handlers and tests). */
export type { LineContext, LineNormaliser } from '../core/sources/log-delivery.js';

/** Everything a log handler runs with; built once per cold start (production) or by a test. */
export interface LogsHandlerDeps {
  /**
   * Store, ledger, routes (SNS, optionally Security Hub), on-failure queue, rules, contracts,
   * engine config, suppressions, clock, backoff; owner and remaining time are set per invocation.
   */
  readonly pipeline: Omit<PipelineDeps, 'owner' | 'remainingMs'>;
  /** The deadline the SDK clients are bound by; set from the Lambda context at each invocation. */
  readonly deadline?: InvocationDeadline;
  readonly intel: IpIntel;
  /**
   * How far after its delivery (the pipeline clock at invocation) a line's time may lie; later
   * lines, and lines before 2006, are rejected as `…-time-out-of-range`.
   * @default DEFAULT_MAX_CLOCK_SKEW_MS (one day)
   */
  readonly maxClockSkewMs?: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** What one invocation did (returned for tests and logged). */
export interface BatchSummary {
  readonly batchId: string;
  readonly logGroup: string;
  /** Why the whole payload was skipped, when it was. */
  readonly malformedPayload?: string;
  readonly lines: number;
  readonly events: number;
  readonly malformedLines: number;
  /** Malformed lines by reason. */
  readonly malformedReasons: Readonly<Record<string, number>>;
  readonly identities: number;
  readonly redelivered: number;
  /** New findings that alerted. */
  readonly fresh: number;
  /** New findings that joined an open incident: mirrored to Security Hub, not alerted. */
  readonly joined: number;
  readonly repeats: number;
  readonly suppressed: number;
  readonly conflicts: number;
  readonly publishFailures: number;
  readonly deliveredToOnFailure: number;
  /** Identities whose evaluation threw (contained: the rest of the batch was committed and alerted). */
  readonly identityErrors: number;
  /** Identity errors by reason (`rule:<id> threw TypeError`, `fold threw RangeError`, …). */
  readonly identityErrorReasons: Readonly<Record<string, number>>;
}

/** Batch id of a delivery: the SHA-256 of its raw `awslogs.data`, so a redelivered payload has the same id. */
export function batchIdOf(event: unknown): string {
  const data = (event as { awslogs?: { data?: unknown } } | null | undefined)?.awslogs?.data;
  const raw = typeof data === 'string' ? data : JSON.stringify(event ?? null);
  return createHash('sha256').update(raw).digest('hex');
}

const EMPTY = {
  lines: 0,
  events: 0,
  malformedLines: 0,
  malformedReasons: {},
  identities: 0,
  redelivered: 0,
  fresh: 0,
  joined: 0,
  repeats: 0,
  suppressed: 0,
  conflicts: 0,
  publishFailures: 0,
  deliveredToOnFailure: 0,
  identityErrors: 0,
  identityErrorReasons: {},
};

/** Build a CloudWatch Logs subscription handler around a line normaliser. */
export const createLogsHandler =
  (normalise: LineNormaliser) =>
  (deps: LogsHandlerDeps) =>
  async (
    event: CloudWatchLogsEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<BatchSummary> => {
    const { logger, metrics } = deps;
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    if (remainingMs) deps.deadline?.begin(remainingMs);
    const batchId = batchIdOf(event);
    const decoded = decodeCloudWatchLogsEvent(event);
    if (!decoded.ok) {
      // Bytes that do not decode will not decode on a retry either: count, log, and move on.
      metrics.addMetric(METRIC.malformedPayloads, MetricUnit.Count, 1);
      logger.warn('malformed CloudWatch Logs payload skipped', { batchId, reason: decoded.reason });
      return { batchId, logGroup: '', malformedPayload: decoded.reason, ...EMPTY };
    }
    const payload = decoded.value;
    if (payload.messageType === 'CONTROL_MESSAGE') {
      logger.debug('control message', { batchId, logGroup: payload.logGroup });
      return { batchId, logGroup: payload.logGroup, ...EMPTY };
    }

    const window = plausibleWindow(deps.pipeline.nowMs(), deps.maxClockSkewMs);
    const { events, rejects, lines } = eventsOfDelivery(payload, normalise, deps.intel, window);
    const reasons = Object.fromEntries(rejects);
    const malformedLines = lines - events.length;
    metrics.addMetric(METRIC.events, MetricUnit.Count, events.length);
    metrics.addMetric(METRIC.malformedLines, MetricUnit.Count, malformedLines);
    if (malformedLines > 0)
      logger.warn('malformed log lines skipped', {
        batchId,
        logGroup: payload.logGroup,
        malformedLines,
        reasons: { ...reasons },
      });

    let result: PipelineResult;
    try {
      result = await runPipeline(batchId, events, {
        ...deps.pipeline,
        // A claim owner per invocation: a retry of the same payload is another owner.
        owner: randomUUID(),
        ...(remainingMs ? { remainingMs } : {}),
      });
    } catch (error) {
      logger.error('batch failed; the platform retries it', {
        batchId,
        logGroup: payload.logGroup,
        error: error as Error,
      });
      throw error;
    }

    metrics.addMetric(METRIC.identities, MetricUnit.Count, result.identities);
    metrics.addMetric(METRIC.redeliveredEvents, MetricUnit.Count, result.redelivered);
    metrics.addMetric(METRIC.findings, MetricUnit.Count, result.fresh.length);
    metrics.addMetric(METRIC.findingRepeats, MetricUnit.Count, result.repeats.length);
    metrics.addMetric(METRIC.suppressedFindings, MetricUnit.Count, result.suppressed);
    metrics.addMetric(METRIC.baselineWriteConflicts, MetricUnit.Count, result.conflicts);
    metrics.addMetric(METRIC.publishFailures, MetricUnit.Count, result.publishFailures);
    metrics.addMetric(METRIC.deliveredToOnFailure, MetricUnit.Count, result.parked.length);
    metrics.addMetric(METRIC.identityErrors, MetricUnit.Count, result.identityErrors.length);
    emitFindingsByRule(metrics, result.fresh);
    const errorReasons = emptyRecord<number>();
    result.identityErrors.forEach((e, i) => {
      countInto(errorReasons, e.reason);
      if (i >= MAX_IDENTITY_ERROR_LOGS) return;
      // The key and message are attacker-influenced: escaped and bounded before they reach the log.
      logger.error('identity evaluation failed; its events of this batch were skipped', {
        batchId,
        identityKey: clean(e.key, 256),
        reason: e.reason,
        message: clean(e.message, 256),
        events: e.events,
      });
    });

    const summary: BatchSummary = {
      batchId,
      logGroup: payload.logGroup,
      lines,
      events: events.length,
      malformedLines,
      malformedReasons: { ...reasons },
      identities: result.identities,
      redelivered: result.redelivered,
      fresh: result.fresh.length,
      joined: result.joined.length,
      repeats: result.repeats.length,
      suppressed: result.suppressed,
      conflicts: result.conflicts,
      publishFailures: result.publishFailures,
      deliveredToOnFailure: result.parked.length,
      identityErrors: result.identityErrors.length,
      identityErrorReasons: { ...errorReasons },
    };
    // Counts, not the findings themselves (SNS and Security Hub carry those): alerts by rule, and the
    // ids of the first few to trace an alert back to its batch.
    const alertsByRule = emptyRecord<number>();
    for (const f of result.fresh) countInto(alertsByRule, f.ruleId);
    logger.info('batch processed', {
      ...summary,
      alertsByRule: { ...alertsByRule },
      alertIds: result.fresh.slice(0, MAX_ALERT_IDS_LOGGED).map((f) => f.id),
    });
    return summary;
  };

/** `Findings` with `rule` and `severity` dimensions: one single-metric line per pair. */
function emitFindingsByRule(metrics: Metrics, findings: readonly Finding[]): void {
  const counts = new Map<string, { rule: string; severity: string; n: number }>();
  for (const f of findings) {
    const k = `${f.ruleId}\u0000${f.severity}`;
    const c = counts.get(k) ?? { rule: f.ruleId, severity: f.severity, n: 0 };
    c.n += 1;
    counts.set(k, c);
  }
  for (const { rule, severity, n } of counts.values()) {
    const single = metrics.singleMetric();
    single.addDimensions({ rule, severity });
    single.addMetric(METRIC.findings, MetricUnit.Count, n);
  }
}
