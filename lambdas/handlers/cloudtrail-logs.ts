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
import { logger, metrics, once, productionDeps } from './production.js';

/** One CloudWatch Logs message → one CloudTrail record → identity event. */
export const normaliseCloudTrailLine: LineNormaliser = (message, ctx) =>
  parseCloudTrailLine(message, ctx.intel, { logGroup: ctx.logGroup, window: ctx.window });

/** The handler over given dependencies (tests pass their own). */
export const createHandler = createLogsHandler(normaliseCloudTrailLine);

const run = once(() => createHandler(productionDeps()));

/** The Lambda entry point. */
export const handler = middy<CloudWatchLogsEvent, BatchSummary>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .handler((event, context) => run()(event, context));
