/**
 * Keeps nhi-watch's subscription filter on every API Gateway access-log group matching the configured name
 * prefixes: on deployment (CloudFormation custom resource), when a log group is created (EventBridge
 * `CreateLogGroup`), and hourly as a backstop. On stack deletion it removes the filters it created.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { CloudWatchLogsSubscriptionAdmin } from '../adapters/cloudwatch-logs-subscription-admin.js';
import {
  sendCloudFormationResponse,
  type CloudFormationResponse,
} from '../adapters/cloudformation-response.js';
import {
  reconcileSubscriptions,
  removeSubscriptions,
  type LogSubscriptionAdmin,
  type ReconcileResult,
  type SubscriptionTarget,
} from '../core/log-subscriptions.js';
import { ConfigurationError } from './env.js';
import { once } from './once.js';

/** Physical id of the custom resource: one per stack, stable across updates. */
export const PHYSICAL_RESOURCE_ID = 'nhi-watch-log-group-subscriptions';

const targetSchema = z.object({
  prefixes: z.array(z.string().min(1)),
  destinationArn: z.string().min(1),
  filterName: z.string().min(1),
  excludedLogGroups: z.array(z.string()),
});

const resourcePropertiesSchema = z.object({
  Prefixes: z.array(z.string().min(1)),
  DestinationArn: z.string().min(1),
  FilterName: z.string().min(1),
  ExcludedLogGroups: z.array(z.string()).default([]),
});

const customResourceEventSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().min(1),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  ResourceProperties: resourcePropertiesSchema,
  OldResourceProperties: resourcePropertiesSchema.optional(),
});

const createLogGroupEventSchema = z.object({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.object({
    eventName: z.literal('CreateLogGroup'),
    errorCode: z.string().optional(),
    requestParameters: z.object({ logGroupName: z.string().min(1) }),
  }),
});

const scheduledEventSchema = z.object({ 'detail-type': z.literal('Scheduled Event') });

type ResourceProperties = z.infer<typeof resourcePropertiesSchema>;

const toTarget = (props: ResourceProperties): SubscriptionTarget => ({
  prefixes: props.Prefixes,
  destinationArn: props.DestinationArn,
  filterName: props.FilterName,
  excludedLogGroups: props.ExcludedLogGroups,
});

/** The handler's collaborators; production wiring reads them from the environment once per cold start. */
export interface LogGroupSubscriberDeps {
  readonly admin: LogSubscriptionAdmin;
  /** Target for EventBridge-triggered passes (CloudFormation passes its own in the resource properties). */
  readonly target: SubscriptionTarget;
  readonly respond: (responseUrl: string, response: CloudFormationResponse) => Promise<void>;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Records how many matching groups had no free filter slot (alarmed on). */
  readonly recordNoFreeSlot: (count: number) => void;
}

/** What the handler returns for EventBridge invocations (visible in tests and the function's logs). */
export type SubscriberOutcome =
  ReconcileResult | { readonly ignored: string } | { readonly removed: readonly string[] };

const report = (deps: LogGroupSubscriberDeps, result: ReconcileResult): void => {
  deps.recordNoFreeSlot(result.noFreeSlot.length);
  if (result.noFreeSlot.length > 0) {
    deps.log.warn('log groups not subscribed: each already has two subscription filters', {
      logGroups: result.noFreeSlot,
    });
  }
  deps.log.info('subscriptions reconciled', {
    subscribed: result.subscribed,
    unchanged: result.unchanged.length,
    noFreeSlot: result.noFreeSlot.length,
  });
};

/** A custom-resource pass that would outlast the function: answered FAILED before CloudFormation waits an hour. */
export class SubscriptionDeadlineError extends Error {
  constructor(readonly budgetMs: number) {
    super(`did not finish within ${Math.round(budgetMs / 1000)} s`);
    this.name = 'SubscriptionDeadlineError';
  }
}

const withDeadline = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SubscriptionDeadlineError(ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/** Builds the handler around its collaborators. */
export const createHandler =
  (deps: LogGroupSubscriberDeps) =>
  async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SubscriberOutcome> => {
    const custom = customResourceEventSchema.safeParse(event);
    if (custom.success) {
      const request = custom.data;
      const target = toTarget(request.ResourceProperties);
      const base = {
        PhysicalResourceId: PHYSICAL_RESOURCE_ID,
        StackId: request.StackId,
        RequestId: request.RequestId,
        LogicalResourceId: request.LogicalResourceId,
      };
      let response: CloudFormationResponse;
      let outcome: SubscriberOutcome;
      try {
        // Answer CloudFormation before the function times out, or the stack waits an hour.
        const budgetMs = Math.max(1000, context.getRemainingTimeInMillis() - 10_000);
        if (request.RequestType === 'Delete') {
          const removed = await withDeadline(removeSubscriptions(deps.admin, target), budgetMs);
          deps.log.info('subscriptions removed', { logGroups: removed });
          outcome = { removed };
          response = {
            ...base,
            Status: 'SUCCESS',
            Reason: `removed ${removed.length}`,
            Data: { Removed: removed.length },
          };
        } else {
          const work = async (): Promise<ReconcileResult> => {
            const old = request.OldResourceProperties;
            if (request.RequestType === 'Update' && old !== undefined) {
              const dropped = old.Prefixes.filter((p) => !target.prefixes.includes(p));
              if (dropped.length > 0) {
                const removed = await removeSubscriptions(deps.admin, {
                  ...toTarget(old),
                  prefixes: dropped,
                });
                deps.log.info('subscriptions removed for dropped prefixes', {
                  prefixes: dropped,
                  logGroups: removed,
                });
              }
            }
            return reconcileSubscriptions(deps.admin, target);
          };
          const result = await withDeadline(work(), budgetMs);
          report(deps, result);
          outcome = result;
          response = {
            ...base,
            Status: 'SUCCESS',
            Reason:
              result.noFreeSlot.length === 0
                ? `subscribed ${result.subscribed.length}, unchanged ${result.unchanged.length}`
                : `no free subscription slot on: ${result.noFreeSlot.join(', ')}`,
            Data: {
              Subscribed: result.subscribed.length,
              Unchanged: result.unchanged.length,
              NoFreeSlot: result.noFreeSlot.length,
            },
          };
        }
      } catch (error) {
        deps.log.error('custom resource request failed', { requestType: request.RequestType, error });
        const message = error instanceof Error ? error.message : String(error);
        response = { ...base, Status: 'FAILED', Reason: message };
        outcome = { ignored: message };
      }
      await deps.respond(request.ResponseURL, response);
      return outcome;
    }

    const created = createLogGroupEventSchema.safeParse(event);
    if (created.success) {
      if (created.data.detail.errorCode !== undefined) return { ignored: 'CreateLogGroup failed' };
      const result = await reconcileSubscriptions(
        deps.admin,
        deps.target,
        created.data.detail.requestParameters.logGroupName,
      );
      report(deps, result);
      return result;
    }

    if (scheduledEventSchema.safeParse(event).success) {
      const result = await reconcileSubscriptions(deps.admin, deps.target);
      report(deps, result);
      return result;
    }

    deps.log.warn('unrecognised event ignored');
    return { ignored: 'unrecognised event' };
  };

/** Structured logger (service name from POWERTOOLS_SERVICE_NAME, which productionDeps requires). */
const logger = new Logger();
/** EMF metrics (namespace and service from POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME, required likewise). */
const metrics = new Metrics();

const requiredEnv = (env: Readonly<Record<string, string | undefined>>, name: string): string => {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigurationError(name, 'is required but not set');
  return value;
};

/**
 * Reads the function's configuration from the environment; fails the cold start with a
 * {@link ConfigurationError} naming the variable when it is missing or wrong (no fallbacks: the stack
 * sets every one of them).
 */
export const productionDeps = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogGroupSubscriberDeps => {
  // Powertools reads these itself; an unset one would silently log as `service_undefined`.
  requiredEnv(env, 'POWERTOOLS_SERVICE_NAME');
  requiredEnv(env, 'POWERTOOLS_METRICS_NAMESPACE');
  const raw = requiredEnv(env, 'SUBSCRIPTION_TARGET');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigurationError('SUBSCRIPTION_TARGET', `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = targetSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigurationError(
      'SUBSCRIPTION_TARGET',
      `is not a subscription target (${problems.join('; ')})`,
    );
  }
  return {
    admin: new CloudWatchLogsSubscriptionAdmin(
      new CloudWatchLogsClient({ maxAttempts: 8, retryMode: 'adaptive' }),
    ),
    target: parsed.data,
    respond: (url, response) => sendCloudFormationResponse(url, response),
    log: logger,
    // Published by the logMetrics middleware when the invocation ends.
    recordNoFreeSlot: (count) => metrics.addMetric('LogGroupsWithoutFreeSlot', MetricUnit.Count, count),
  };
};

const run = once(() => createHandler(productionDeps()));

/** Lambda entry point: the handler over production collaborators, built on the first invocation. */
export const handler = middy<unknown, SubscriberOutcome, Error, Context>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler((event, context) => run()(event, context));
