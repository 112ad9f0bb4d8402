/**
 * Lambda subscriber of an API Gateway access-log group (CloudWatch Logs subscription filter):
 * each log event is one JSON access-log line in the identity format nhi-watch ships (lines with
 * fewer fields are accepted). Everything but the line normaliser is shared with the CloudTrail
 * handler (pipeline-handler.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { CloudWatchLogsEvent } from 'aws-lambda';

import { parseApiGatewayAccessLog } from '../core/sources/api-gateway.js';
import { createLogsHandler, type BatchSummary, type LineNormaliser } from './pipeline-handler.js';
import { loadConfiguration } from './configuration.js';
import { readHandlerEnv } from './env.js';
import { logger, metrics } from './observability.js';
import { onceAsync } from './once.js';

/** One access-log line → identity event; the log event's timestamp stands in when the line has no time. */
export const normaliseAccessLogLine: LineNormaliser = (message, ctx) =>
  parseApiGatewayAccessLog(message, ctx.intel, {
    logGroup: ctx.logGroup,
    timestampMs: ctx.timestampMs,
    window: ctx.window,
  });

/** The handler over given dependencies (tests pass their own). */
export const createHandler = createLogsHandler(normaliseAccessLogLine);

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
