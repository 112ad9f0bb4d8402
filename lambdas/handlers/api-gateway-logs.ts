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
import { logger, metrics, once, productionDeps } from './production.js';

/** One access-log line → identity event; the log event's timestamp stands in when the line has no time. */
export const normaliseAccessLogLine: LineNormaliser = (message, ctx) =>
  parseApiGatewayAccessLog(message, ctx.intel, {
    logGroup: ctx.logGroup,
    timestampMs: ctx.timestampMs,
    window: ctx.window,
  });

/** The handler over given dependencies (tests pass their own). */
export const createHandler = createLogsHandler(normaliseAccessLogLine);

const run = once(() => createHandler(productionDeps()));

/** The Lambda entry point. */
export const handler = middy<CloudWatchLogsEvent, BatchSummary>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler((event, context) => run()(event, context));
