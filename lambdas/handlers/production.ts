/**
 * The handlers' production wiring, built once per cold start: environment → SDK clients → adapters.
 * Clients get no endpoint here: the SDK resolves `AWS_ENDPOINT_URL_<SERVICE>` (or the real AWS
 * endpoint) itself, which is how the integration tests point this very code at local servers.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

import { renderAlert, renderDigest } from '../core/alert.js';
import { toAsff } from '../core/asff.js';
import { parseConfigJson, DEFAULT_CONFIG, type NhiWatchConfig } from '../core/config.js';
import { ContractSet, type Contract } from '../core/contracts.js';
import { contractFormatOf, parseContractsJson } from '../core/contracts-file.js';
import type { DeliveryRoute } from '../core/ports.js';
import { RULE_DEFAULTS, RULE_IDS, RULES } from '../core/rules/index.js';
import { suppressionFilter } from '../core/suppressions.js';
import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../adapters/dynamodb-store.js';
import { boundByDeadline, HTTP_TIMEOUTS, InvocationDeadline } from '../adapters/deadline.js';
import { loadIpIntelDb } from '../adapters/ip-intel-db.js';
import { jitteredDelayMs, realSleep } from '../adapters/retry.js';
import { SecurityHubFindingSink, type ToAsff } from '../adapters/security-hub-sink.js';
import { SnsFindingSink, type AlertRenderer } from '../adapters/sns-sink.js';
import { SqsOnFailureQueue } from '../adapters/sqs-on-failure.js';
import { ConfigurationError, readHandlerEnv } from './env.js';
import type { LogsHandlerDeps } from './pipeline-handler.js';

/** Structured logger of the handlers (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL from the environment). */
export const logger = new Logger();
/** EMF metrics of the handlers (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME from the environment). */
export const metrics = new Metrics();

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
 * Parse `NHI_CONFIG` and read the contract files it names (relative to the function's root). Both are
 * JSON: the stack writes the contract files it ships as JSON, so the functions carry no YAML parser.
 */
function loadConfiguration(nhiConfig: string | undefined): {
  config: NhiWatchConfig;
  contracts: ContractSet;
} {
  let config = DEFAULT_CONFIG;
  if (nhiConfig !== undefined) {
    const parsed = parseConfigJson(nhiConfig, {
      knownRuleIds: RULE_IDS,
      ruleDefaults: RULE_DEFAULTS,
    });
    if (!parsed.ok) throw new ConfigurationError('NHI_CONFIG', parsed.reason);
    config = parsed.value;
  }
  const contracts: Contract[] = [];
  for (const file of config.contractsFiles) {
    const path = resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
    if (contractFormatOf(path) !== 'json')
      throw new ConfigurationError(
        'NHI_CONFIG',
        `contractsFiles: ${file} must be a .json file: the functions read contract files as JSON (the stack converts YAML ones at synth)`,
      );
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        'NHI_CONFIG',
        `contractsFiles: cannot read ${path} (${(error as Error).message})`,
      );
    }
    const parsed = parseContractsJson(text, path);
    if (!parsed.ok) throw new ConfigurationError('NHI_CONFIG', parsed.reason);
    contracts.push(...parsed.value);
  }
  return { config, contracts: new ContractSet(contracts) };
}

/** Build everything the handlers run with from the environment; throws ConfigurationError naming a bad variable. */
export function productionDeps(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogsHandlerDeps {
  const e = readHandlerEnv(env);
  const { config, contracts } = loadConfiguration(e.nhiConfig);
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
  const suppressions = config.suppressions;
  return {
    pipeline: {
      store: new DynamoDbBaselineStore({ client: dynamoDb, tableName: e.tableName }),
      ledger: new DynamoDbFindingLedger({
        client: dynamoDb,
        tableName: e.tableName,
        dedupWindowSeconds: config.engine.dedupWindowSeconds,
      }),
      rules: RULES,
      contracts,
      config: config.engine,
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

/** Build once, on first use (kept here for the log handlers; the subscriber imports once.ts without this wiring). */
export { once } from './once.js';
