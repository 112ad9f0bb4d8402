/**
 * Figures that need AWS's wire protocols, measured against real local servers on 127.0.0.1
 * (DynamoDB Local, fauxqs SNS + SQS, the loopback Security Hub receiver of test/support):
 * - DynamoDB requests and capacity units per 1,000 events on the demo workload (what `npm start`
 *   replays), counted by SDK middleware on the real DynamoDB store and ledger;
 * - latency of one 1,000-event delivery end to end through the exported Lambda handler (decode →
 *   normalise → load → rules → ledger → SNS alert and Security Hub import → baselines committed).
 * Loopback round trips are far shorter than in-region ones, and DynamoDB Local is not DynamoDB:
 * request and unit counts carry over, absolute times do not.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CloudWatchLogsEvent } from 'aws-lambda';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../lambdas/adapters/dynamodb-store.js';
import { createBaselineTable } from '../lambdas/adapters/dynamodb-table.js';
import { countRequests, type RequestCounts } from '../lambdas/adapters/request-counter.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import type { FindingSink, PublishResult } from '../lambdas/core/ports.js';
import { RULES } from '../lambdas/core/rules/index.js';
import type { SimulationResult } from '../simulate/index.js';
import { normaliseApiGatewayAccessLog } from '../lambdas/core/sources/api-gateway.js';
import { normaliseCloudTrail } from '../lambdas/core/sources/cloudtrail/index.js';
import type { IpIntel } from '../lambdas/core/sources/ip-intel.js';
import { validateAsffFinding } from '../test/support/asff-schema.js';
import { createTopology, drain, sns, sqs } from '../test/support/aws.js';
import { lambdaContext } from '../test/support/lambda.js';
import {
  startDynamoDbLocal,
  startFauxqs,
  startSecurityHubReceiver,
  type LocalServer,
  type SecurityHubReceiver,
} from '../test/support/servers.js';
import { toDeliveries } from './detect-run.js';
import { quantile } from './harness.js';
import { buildPayloads } from './payloads.js';

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;

/** The running local servers. */
export interface LocalAws {
  readonly dynamoDb: LocalServer;
  readonly fauxqs: LocalServer;
  readonly securityHub: SecurityHubReceiver;
  stop(): Promise<void>;
}

/** Start DynamoDB Local, fauxqs and the Security Hub receiver. */
export async function startLocalAws(): Promise<LocalAws> {
  const [dynamoDb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  const securityHub = await startSecurityHubReceiver(validateAsffFinding);
  return {
    dynamoDb,
    fauxqs,
    securityHub,
    stop: async () => {
      await securityHub.stop();
      await Promise.all([dynamoDb.stop(), fauxqs.stop()]);
    },
  };
}

/** The demo workload's identity events: the simulator's CloudTrail and API Gateway output, normalised, in time order. */
export function simulatedEvents(sim: SimulationResult, intel: IpIntel): IdentityEvent[] {
  const events: IdentityEvent[] = [];
  for (const r of sim.cloudtrail) {
    const n = normaliseCloudTrail(r as unknown as Record<string, unknown>, intel, {
      logGroup: 'simulated/cloudtrail',
    });
    if (n.ok) events.push(n.value);
  }
  for (const l of sim.apiGateway) {
    const n = normaliseApiGatewayAccessLog(l, intel, {
      logGroup: 'simulated/api-gateway',
    });
    if (n.ok) events.push(n.value);
  }
  return events.sort((a, b) => a.timeMs - b.timeMs);
}

class NullSink implements FindingSink {
  publish(fresh: readonly unknown[], repeats: readonly unknown[]): Promise<PublishResult> {
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

/** DynamoDB traffic of one workload. */
export interface DynamoDbTraffic {
  readonly workload: string;
  readonly events: number;
  readonly batches: number;
  readonly commands: Readonly<Record<string, number>>;
  readonly requests: number;
  readonly httpAttempts: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly requestsPer1000: number;
  readonly readUnitsPer1000: number;
  readonly writeUnitsPer1000: number;
  readonly writeUnitsPerEvent: number;
  readonly fresh: number;
  readonly repeats: number;
}

/**
 * Run batches through the pipeline with the real DynamoDB store and ledger (a fresh table) and
 * count every request the SDK sends and the capacity DynamoDB reports for it.
 */
export async function measureDynamoDb(
  endpoint: string,
  tableName: string,
  workload: string,
  batches: readonly (readonly IdentityEvent[])[],
  contracts: ContractSet,
): Promise<DynamoDbTraffic> {
  const client = new DynamoDBClient({ ...LOCAL, endpoint });
  try {
    await createBaselineTable(client, tableName);
    const counter = countRequests(client);
    const store = new DynamoDbBaselineStore({ client, tableName, reportConsumedCapacity: true });
    const ledger = new DynamoDbFindingLedger({
      client,
      tableName,
      reportConsumedCapacity: true,
      dedupWindowSeconds: DEFAULT_ENGINE_CONFIG.dedupWindowSeconds,
    });
    const deps = {
      store,
      ledger,
      sink: new NullSink(),
      rules: RULES,
      contracts,
      config: DEFAULT_ENGINE_CONFIG,
      nowMs: () => 0,
    };
    let events = 0;
    let fresh = 0;
    let repeats = 0;
    for (let i = 0; i < batches.length; i++) {
      const r = await runPipeline(`${workload}-${i}`, batches[i] as readonly IdentityEvent[], deps);
      events += r.events;
      fresh += r.fresh.length;
      repeats += r.repeats.length;
    }
    const c: RequestCounts = counter.counts;
    const requests = counter.total();
    return {
      workload,
      events,
      batches: batches.length,
      commands: { ...c.commands },
      requests,
      httpAttempts: c.httpAttempts,
      readUnits: c.readCapacityUnits,
      writeUnits: c.writeCapacityUnits,
      requestsPer1000: (requests / events) * 1000,
      readUnitsPer1000: (c.readCapacityUnits / events) * 1000,
      writeUnitsPer1000: (c.writeCapacityUnits / events) * 1000,
      writeUnitsPerEvent: c.writeCapacityUnits / events,
      fresh,
      repeats,
    };
  } finally {
    client.destroy();
  }
}

/** The demo's batching: the merged, time-ordered stream in deliveries of 1,000 events (lambdas/local/replay.ts). */
export function demoBatches(events: readonly IdentityEvent[], size = 1000): IdentityEvent[][] {
  const out: IdentityEvent[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

/** Per-source deliveries of at most 1,000 events and 5 minutes of event time (closer to CloudWatch Logs' own batching). */
export const perSourceBatches = (events: readonly IdentityEvent[]): IdentityEvent[][] =>
  toDeliveries(events, 1000, 5 * 60_000);

/** End-to-end latency of the exported handler. */
export interface HandlerLatency {
  readonly invocations: number;
  readonly eventsPerInvocation: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Median CPU time (user + system) of this process per invocation: the handler's own work (the servers are other processes). */
  readonly cpuP50Ms: number;
  /** First invocation (builds clients, loads the IP database): excluded from the percentiles. */
  readonly firstInvocationMs: number;
  readonly findingsImported: number;
  readonly alertsReceived: number;
  readonly schemaProblems: number;
  readonly failedInvocations: number;
}

type Handler = (event: CloudWatchLogsEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Invoke the CloudTrail handler (`lambdas/handlers/cloudtrail-logs.ts`, as deployed: middy,
 * Powertools, production wiring from environment variables) on CloudWatch Logs payloads of the
 * simulator's CloudTrail records, one after another, timing each invocation. Its JSON logs and
 * EMF lines go to stdout in Lambda; here they are swallowed so they do not mix with the report.
 */
export async function measureHandlerLatency(
  aws: LocalAws,
  cloudTrailRecords: readonly object[],
  invocations: number,
  ipDbPath: string,
): Promise<HandlerLatency> {
  const snsClient = sns(aws.fauxqs.endpoint);
  const sqsClient = sqs(aws.fauxqs.endpoint);
  const ddb = new DynamoDBClient({ ...LOCAL, endpoint: aws.dynamoDb.endpoint });
  const saved = { ...process.env };
  try {
    const table = 'nhi-watch-bench-latency';
    await createBaselineTable(ddb, table);
    const topo = await createTopology(snsClient, sqsClient, 'bench-latency');
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: aws.dynamoDb.endpoint,
      AWS_ENDPOINT_URL_SNS: aws.fauxqs.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.fauxqs.endpoint,
      AWS_ENDPOINT_URL_SECURITYHUB: aws.securityHub.endpoint,
      BASELINE_TABLE_NAME: table,
      ALERT_TOPIC_ARN: topo.topicArn,
      SECURITY_HUB_ENABLED: 'true',
      ON_FAILURE_QUEUE_URL: topo.onFailureQueueUrl,
      NHI_IP_DB_PATH: ipDbPath,
      POWERTOOLS_SERVICE_NAME: 'nhi-watch',
      POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const { handler } = (await import('../lambdas/handlers/cloudtrail-logs.js')) as { handler: Handler };
    const messages = cloudTrailRecords.slice(0, (invocations + 1) * 1000).map((r) => JSON.stringify(r));
    const payloads = buildPayloads(messages, 1000).filter((p) => p.events === 1000);
    const times: number[] = [];
    const cpu: number[] = [];
    let failed = 0;
    const out = process.stdout.write.bind(process.stdout);
    for (const p of payloads) {
      process.stdout.write = () => true;
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      try {
        await handler(p.event, lambdaContext('nhi-watch-bench'));
      } catch {
        failed += 1;
      } finally {
        process.stdout.write = out;
      }
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const [first = Number.NaN, ...rest] = times;
    const alerts = await drain(sqsClient, topo.alertQueueUrl);
    return {
      invocations: rest.length,
      eventsPerInvocation: 1000,
      p50Ms: quantile(rest, 0.5),
      p90Ms: quantile(rest, 0.9),
      p99Ms: quantile(rest, 0.99),
      maxMs: Math.max(...rest),
      cpuP50Ms: quantile(cpu.slice(1), 0.5),
      firstInvocationMs: first,
      findingsImported: aws.securityHub.findings.size,
      alertsReceived: alerts.length,
      schemaProblems: aws.securityHub.problems.length,
      failedInvocations: failed,
    };
  } finally {
    process.env = saved;
    snsClient.destroy();
    sqsClient.destroy();
    ddb.destroy();
  }
}

/** The contracts of a simulation as the engine's contract set. */
export const simulationContracts = (sim: SimulationResult): ContractSet => new ContractSet(sim.contracts);
