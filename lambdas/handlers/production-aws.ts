/**
 * The handlers' AWS wiring, built on the first invocation: environment and configuration → SDK
 * clients → adapters. The log handlers import this module dynamically, so the AWS SDK is loaded when
 * a function first runs rather than when its module is imported (production.ts puts it together with
 * the configuration for everything else).
 * Clients get no endpoint here: the SDK resolves `AWS_ENDPOINT_URL_<SERVICE>` (or the real AWS
 * endpoint) itself, which is how the integration tests point this very code at local servers.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

import { renderAlert, renderDigest } from '../core/alert.js';
import { toAsff } from '../core/asff.js';
import { toOcsf } from '../core/ocsf.js';
import type { BaselineStore, DeliveryRoute } from '../core/ports.js';
import { RULES } from '../core/rules/index.js';
import { suppressionFilter } from '../core/suppressions.js';
import { SAMPLED_WRITES } from '../core/write-policy.js';
import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../adapters/dynamodb-store.js';
import { EventBridgeOcsfSink } from '../adapters/eventbridge-ocsf-sink.js';
import { boundByDeadline, HTTP_TIMEOUTS, InvocationDeadline } from '../adapters/deadline.js';
import { loadIpIntelDb } from '../adapters/ip-intel-db.js';
import { jitteredDelayMs, realSleep } from '../adapters/retry.js';
import { SecurityHubFindingSink, type ToAsff } from '../adapters/security-hub-sink.js';
import { SnsFindingSink, type AlertRenderer } from '../adapters/sns-sink.js';
import { SqsOnFailureQueue } from '../adapters/sqs-on-failure.js';
import type { Configuration } from './configuration.js';
import type { HandlerEnv } from './env.js';
import type { LogsHandlerDeps } from './pipeline-handler.js';

import { logger, metrics } from './observability.js';

export { logger, metrics };

/** No pipeline step (claim, delivery to one destination, commit) starts with less time than this left. */
export const SAFETY_MARGIN_MS = 3_000;

/** More fresh findings than this in one batch are alerted as one digest. */
export const DIGEST_THRESHOLD = 10;

/** The SNS renderer for an account / region: bodies point at Security Hub when it is enabled. */
export function productionRenderer(
  region: string,
  accountId: string,
  securityHubEnabled: boolean,
): AlertRenderer {
  const opts = securityHubEnabled ? { securityHub: { region, accountId } } : {};
  return { alert: (f) => renderAlert(f, opts), digest: (fs) => [renderDigest(fs, opts)] };
}

/** ASFF conversion into this account's default product, with `now` as UpdatedAt. */
export const productionToAsff =
  (region: string, accountId: string): ToAsff =>
  (f, nowMs) =>
    toAsff(f, { region, accountId, nowIso: new Date(nowMs).toISOString() });

/**
 * The DynamoDB store with its loads marked exclusive: every load decodes each record from its stored
 * text into a new object that nothing else holds, so the engine folds into it directly instead of
 * deep-copying it first (a JSON round trip per record per batch).
 */
export function exclusiveLoads(store: DynamoDbBaselineStore): BaselineStore {
  return {
    load: async (keys) => {
      const loaded = await store.load(keys);
      for (const [key, r] of loaded) loaded.set(key, { ...r, isExclusive: true });
      return loaded;
    },
    commit: (batchId, changes) => store.commit(batchId, changes),
  };
}

/** Build everything the handlers run with from the validated environment and configuration. */
export function productionDepsFrom(e: HandlerEnv, { config, contracts }: Configuration): LogsHandlerDeps {
  // Every client: fixed connection / request timeouts, and each call bounded by the invocation's deadline.
  const deadline = new InvocationDeadline();
  const clientConfig = { region: e.region, requestHandler: HTTP_TIMEOUTS };
  const dynamoDb = boundByDeadline(new DynamoDBClient(clientConfig), deadline);
  // SNS first: the only destination a repeat would show to a person, so its mark is written first.
  const routes: DeliveryRoute[] = [
    {
      destination: 'sns',
      mode: 'alert',
      sink: new SnsFindingSink({
        client: boundByDeadline(new SNSClient(clientConfig), deadline),
        topicArn: e.alertTopicArn,
        render: productionRenderer(e.region, e.accountId, e.securityHubEnabled),
        digestThreshold: DIGEST_THRESHOLD,
      }),
    },
  ];
  if (e.securityHubEnabled) {
    routes.push({
      destination: 'security-hub',
      mode: 'mirror',
      sink: new SecurityHubFindingSink({
        client: boundByDeadline(new SecurityHubClient(clientConfig), deadline),
        toAsff: productionToAsff(e.region, e.accountId),
        nowMs: () => Date.now(),
      }),
    });
  }
  if (e.ocsfEventBusName !== undefined) {
    const ctx = { region: e.region, accountId: e.accountId };
    routes.push({
      destination: 'ocsf',
      mode: 'mirror',
      sink: new EventBridgeOcsfSink({
        client: boundByDeadline(new EventBridgeClient(clientConfig), deadline),
        eventBusName: e.ocsfEventBusName,
        toOcsf: (f, activity) => toOcsf(f, ctx, activity),
      }),
    });
  }
  const suppressions = config.suppressions;
  return {
    pipeline: {
      store: exclusiveLoads(new DynamoDbBaselineStore({ client: dynamoDb, tableName: e.tableName })),
      ledger: new DynamoDbFindingLedger({
        client: dynamoDb,
        tableName: e.tableName,
        dedupWindowSeconds: config.engine.dedupWindowSeconds,
      }),
      rules: RULES,
      contracts,
      // DynamoDB bills every write: routine counter updates are sampled (core/write-policy.ts).
      config: { ...config.engine, writePolicy: config.engine.writePolicy ?? SAMPLED_WRITES },
      ...(suppressions.length > 0
        ? {
            suppress: suppressionFilter(suppressions, {
              onExpired: (expired) =>
                logger.warn('expired suppressions no longer apply', {
                  suppressions: expired.map((s) => s.id ?? s.reason),
                }),
            }),
          }
        : {}),
      nowMs: () => Date.now(),
      maxCommitAttempts: 10,
      backoff: (attempt) => realSleep(jitteredDelayMs(attempt, 25, 1_000)),
      routes,
      onFailure: new SqsOnFailureQueue({
        client: boundByDeadline(new SQSClient(clientConfig), deadline),
        queueUrl: e.onFailureQueueUrl,
      }),
      safetyMarginMs: SAFETY_MARGIN_MS,
      wait: realSleep,
    },
    deadline,
    intel: loadIpIntelDb(e.ipDbPath !== undefined ? { path: e.ipDbPath } : {}),
    ...(e.maxClockSkewSeconds !== undefined ? { maxClockSkewMs: e.maxClockSkewSeconds * 1000 } : {}),
    logger,
    metrics,
  };
}
