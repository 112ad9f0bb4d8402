/**
 * Lambda subscriber of a CloudTrail log group (CloudWatch Logs subscription filter): each log
 * event is one CloudTrail record. Everything but the line normaliser is shared with the API
 * Gateway handler (pipeline-handler.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { CloudWatchLogsEvent } from 'aws-lambda';

import { parseCloudTrailLine } from '../core/sources/cloudtrail/index.js';
import { createLogsHandler, type BatchSummary, type LineNormaliser } from './pipeline-handler.js';
import { loadConfiguration } from './configuration.js';
import { readHandlerEnv } from './env.js';
import { logger, metrics } from './observability.js';
import { onceAsync } from './once.js';

/** One CloudWatch Logs message → one CloudTrail record → identity event. */
export const normaliseCloudTrailLine: LineNormaliser = (message, ctx) =>
  parseCloudTrailLine(message, ctx.intel, { logGroup: ctx.logGroup, window: ctx.window });

/** The handler over given dependencies (tests pass their own). */
export const createHandler = createLogsHandler(normaliseCloudTrailLine);

// Built on the first invocation, not at import: environment and configuration first (a misconfiguration
// fails that invocation, naming the variable), then the AWS wiring (SDK clients, adapters, IP database),
// whose module is imported only then, so module init does not load the AWS SDK.
const run = onceAsync(async () => {
  const env = readHandlerEnv(process.env);
  const configuration = loadConfiguration(env.nhiConfig);
  const { productionDepsFrom } = await import('./production-aws.js');
  return createHandler(productionDepsFrom(env, configuration));
});

/** The Lambda entry point. */
export const handler = middy<CloudWatchLogsEvent, BatchSummary>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler(async (event, context) => (await run())(event, context));
