/**
 * `npm run fuzz -- --payloads N [--seed S] [--max-lines L]`: fuzzed CloudWatch Logs deliveries of
 * both sources through the PRODUCTION handler factories (`createHandler` of
 * lambdas/handlers/cloudtrail-logs.ts and api-gateway-logs.ts) with the production pipeline and
 * rules, the real DynamoDB adapters and record codec over the in-process DynamoDB of
 * bench/in-process-aws.ts (the one `npm run bench` uses: it evaluates the condition and update
 * expressions the adapters write and answers anything else with an error, so a change in the
 * adapters fails batches here instead of passing silently; called directly, without the SDK's HTTP
 * stack, whose cost is not the subject here), and the real SNS
 * and Security Hub sinks rendering every finding into counting clients. Prints payloads, lines, lines rejected by reason, identities failed by reason,
 * batches failed (must be 0) and whether `Object.prototype` changed; exits 1 when a batch failed
 * or the prototype changed.
 *
 * Lines are valid-looking records with mutated fields: `Object.prototype` member names, wrong
 * types, deep nesting, long and odd strings, huge / impossible timestamps, invalid JSON; a few
 * payloads are broken as a whole. Identities come from a bounded pool (so baselines are learned
 * and read back through the codec) plus fuzzed ones. Deterministic for a seed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../lambdas/adapters/dynamodb-store.js';
import { MemoryBaselineStore, MemoryFindingLedger } from '../lambdas/adapters/memory-store.js';
import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { SecurityHubFindingSink } from '../lambdas/adapters/security-hub-sink.js';
import { SnsFindingSink } from '../lambdas/adapters/sns-sink.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { createHandler as createApiGatewayHandler } from '../lambdas/handlers/api-gateway-logs.js';
import { createHandler as createCloudTrailHandler } from '../lambdas/handlers/cloudtrail-logs.js';
import type { BatchSummary, LogsHandlerDeps } from '../lambdas/handlers/pipeline-handler.js';
import { exclusiveLoads } from '../lambdas/handlers/production-aws.js';
import { productionRenderer, productionToAsff } from '../lambdas/handlers/production.js';
import { InProcessDynamoDb, itemSize, zeroCounters } from './in-process-aws.js';

const { values: args } = parseArgs({
  options: {
    payloads: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'max-lines': { type: 'string', default: '8' },
    /** Drop the table every this many payloads, so fuzzed identities do not grow memory without bound. */
    'reset-every': { type: 'string', default: '20000' },
    /** Processes sharing the payloads (payload i goes to worker i mod workers); each has its own table. */
    workers: { type: 'string', default: '1' },
    /** Stop starting payloads after this many seconds and report what ran. */
    'max-seconds': { type: 'string', default: '0' },
    /** `dynamodb`: the real DynamoDB adapters and codec over an in-process client; `memory`: the memory store. */
    store: { type: 'string', default: 'dynamodb' },
    'worker-index': { type: 'string' },
  },
});
const PAYLOADS = Number(args.payloads);
const MAX_LINES = Number(args['max-lines']);
const RESET_EVERY = Number(args['reset-every']);
const WORKERS = Number(args.workers);
const MAX_SECONDS = Number(args['max-seconds']);
const STORE = args.store;
const WORKER_INDEX = args['worker-index'] === undefined ? undefined : Number(args['worker-index']);
if (
  !(PAYLOADS > 0) ||
  !(MAX_LINES > 0) ||
  !(RESET_EVERY > 0) ||
  !(WORKERS >= 1) ||
  !(MAX_SECONDS >= 0) ||
  (STORE !== 'dynamodb' && STORE !== 'memory')
) {
  console.error(
    'usage: npm run fuzz -- --payloads N [--seed S] [--max-lines L] [--reset-every R] [--workers W] [--max-seconds T] [--store dynamodb|memory]',
  );
  process.exit(2);
}

// ---------------------------------------------------------------- randomness (mulberry32)
let seed = (Number(args.seed) * 7919 + (WORKER_INDEX ?? 0)) >>> 0;
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number): number => Math.floor(rand() * n);
const chance = (p: number): boolean => rand() < p;
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

// ---------------------------------------------------------------- hostile values
const PROTO = [...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype'];
const ODD_TIMES: readonly unknown[] = [
  -1e19,
  1e19,
  8.64e15,
  8.64e15 + 1,
  -8.64e15 - 1,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  1e308,
  -0,
  '1e19',
  'NaN',
  'Infinity',
  '',
  '2026-13-45T99:99:99Z',
  '+275760-09-13T00:00:00.001Z',
  '0000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '2005-12-31T23:59:59Z',
  '2099-01-01T00:00:00Z',
  '02/Mar/2026:10:00:00 +0000',
  true,
  null,
];
const UNICODE = [
  '\u0000',
  '\u001b[2J',
  '\ud800',
  '\udfff',
  '\u202e',
  '\uffff',
  '😀',
  'ß',
  '\r\n',
  '\t',
  '"',
  '\\',
];

/** Printable random text to cut long incompressible strings from (made once: building 70,000 characters per string would dominate the run). */
const RANDOM_TEXT = Array.from({ length: 200_000 }, () => String.fromCharCode(33 + int(94))).join('');

function junkString(): string {
  switch (int(8)) {
    case 0:
      return pick(PROTO);
    case 1:
      return `${pick(PROTO)}${pick(['', '/', ':', ' ', '.'])}${pick(PROTO)}`;
    case 2: {
      // Long text, compressible or not (random text is what could push a stored record past DynamoDB's limit).
      const n = pick([300, 4096, 70_000]);
      if (chance(0.5)) return 'A'.repeat(n);
      const at = int(RANDOM_TEXT.length - n);
      return RANDOM_TEXT.slice(at, at + n);
    }
    case 3:
      return Array.from({ length: 1 + int(12) }, () => pick(UNICODE)).join('');
    case 4:
      return String.fromCharCode(...Array.from({ length: int(30) }, () => int(0x10000)));
    case 5:
      return pick([
        '',
        ' ',
        '-',
        'null',
        'undefined',
        '0',
        'arn:aws:iam::',
        'arn:aws:sts::123456789012:assumed-role/',
      ]);
    case 6:
      return `arn:aws:iam::${pick(['123456789012', '000000000000', pick(PROTO)])}:role/${pick(PROTO)}`;
    default:
      return `eyJ${Math.floor(rand() * 1e12).toString(36)}.${pick(PROTO)}`;
  }
}

function deep(depth: number): unknown {
  let v: unknown = pick(PROTO);
  for (let i = 0; i < depth; i++) v = chance(0.5) ? [v] : { [pick(PROTO)]: v };
  return v;
}

function junkValue(): unknown {
  switch (int(10)) {
    case 0:
      return int(1e9);
    case 1:
      return -1e300;
    case 2:
      return [junkString(), int(5)];
    case 3:
      return { [pick(PROTO)]: junkString(), [junkString()]: pick(PROTO) };
    case 4:
      return null;
    case 5:
      return chance(0.5);
    case 6:
      return deep(pick([3, 50, 2000]));
    case 7:
      return pick(ODD_TIMES);
    default:
      return junkString();
  }
}

/** Set `path` (dotted) in `obj` to `value`, creating objects on the way (own keys, even `__proto__`). */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(o, p) ? o[p] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      Object.defineProperty(o, p, { value: fresh, enumerable: true, writable: true, configurable: true });
      o = fresh;
    } else o = next as Record<string, unknown>;
  }
  Object.defineProperty(o, parts[parts.length - 1] as string, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Mutate some fields of a record: a hostile string in an observed field, a wrong type, an extra key. */
function mutate(record: Record<string, unknown>, paths: readonly string[]): void {
  const n = chance(0.4) ? 0 : 1 + int(4);
  for (let i = 0; i < n; i++) {
    const path = chance(0.9) ? pick(paths) : `${pick(paths)}.${pick(PROTO)}`;
    setPath(record, path, chance(0.75) ? junkString() : junkValue());
  }
  if (chance(0.05)) setPath(record, pick(PROTO), junkValue());
}

// ---------------------------------------------------------------- the two sources
const T0 = Date.UTC(2026, 2, 2);
const ACCOUNT = '123456789012';
const POOL = 400;
const EVENT_NAMES = [
  ['s3.amazonaws.com', 'GetObject'],
  ['dynamodb.amazonaws.com', 'GetItem'],
  ['sts.amazonaws.com', 'AssumeRole'],
  ['iam.amazonaws.com', 'ListUsers'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['kms.amazonaws.com', 'Decrypt'],
  ['secretsmanager.amazonaws.com', 'GetSecretValue'],
] as const;
const IPS = [
  '198.51.100.7',
  '203.0.113.9',
  '3.80.10.20',
  '52.94.1.1',
  '10.0.0.5',
  '2001:db8::1',
  'lambda.amazonaws.com',
];
const UAS = [
  'aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x',
  'Boto3/1.34.0 md/Botocore#1.34.0 Python/3.12.0 Linux/5.10',
  'aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0',
  'okhttp/4.12.0',
  'curl/8.5.0',
];
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

const CLOUDTRAIL_PATHS = [
  'userIdentity.type',
  'userIdentity.arn',
  'userIdentity.principalId',
  'userIdentity.accessKeyId',
  'userIdentity.accountId',
  'userIdentity.userName',
  'userIdentity.invokedBy',
  'userIdentity.sessionContext.sessionIssuer.arn',
  'userIdentity.sessionContext.sessionIssuer.userName',
  'userIdentity.sessionContext.attributes.creationDate',
  'userIdentity.onBehalfOf.userId',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters.roleArn',
  'requestParameters.roleSessionName',
  'requestParameters.bucketName',
  'requestParameters.userName',
  'resources',
  'vpcEndpointId',
  'recipientAccountId',
  'readOnly',
  'eventType',
  'eventID',
  'tlsDetails.clientProvidedHostHeader',
  'additionalEventData',
  'responseElements.credentials.accessKeyId',
];

function cloudTrailRecord(timeMs: number): Record<string, unknown> {
  const k = int(POOL);
  const [eventSource, eventName] = pick(EVENT_NAMES);
  const type = pick([
    'AssumedRole',
    'AssumedRole',
    'IAMUser',
    'AWSService',
    'Root',
    'WebIdentityUser',
    'FederatedUser',
  ]);
  const role = `role-${k}`;
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity:
      type === 'IAMUser'
        ? {
            type,
            principalId: `AIDA${k}`,
            arn: `arn:aws:iam::${ACCOUNT}:user/user-${k}`,
            accountId: ACCOUNT,
            accessKeyId: `AKIA${k}`,
            userName: `user-${k}`,
          }
        : {
            type,
            principalId: `AROA${k}:session-${int(3)}`,
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-${int(3)}`,
            accountId: ACCOUNT,
            accessKeyId: `ASIA${k}x${int(4)}`,
            sessionContext: {
              sessionIssuer: {
                type: 'Role',
                principalId: `AROA${k}`,
                arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
                accountId: ACCOUNT,
                userName: role,
              },
              attributes: { creationDate: iso(timeMs - 600_000), mfaAuthenticated: 'false' },
            },
          },
    eventTime: iso(timeMs),
    eventSource,
    eventName,
    awsRegion: pick(['us-east-1', 'eu-west-1']),
    sourceIPAddress: pick(IPS),
    userAgent: pick(UAS),
    requestParameters:
      eventName === 'AssumeRole'
        ? {
            roleArn: `arn:aws:iam::${pick([ACCOUNT, '210987654321'])}:role/target-${int(20)}`,
            roleSessionName: `s-${int(9)}`,
          }
        : { bucketName: `bucket-${int(9)}` },
    responseElements: null,
    eventID: `e-${int(1e9)}`,
    eventType: 'AwsApiCall',
    readOnly: chance(0.7),
    recipientAccountId: ACCOUNT,
  };
  if (chance(0.15)) {
    record['errorCode'] = pick([
      'AccessDenied',
      'InvalidClientTokenId',
      'ThrottlingException',
      'ExpiredToken',
    ]);
    record['errorMessage'] = 'denied';
  }
  mutate(record, CLOUDTRAIL_PATHS);
  return record;
}

const API_PATHS = [
  'jti',
  'sub',
  'clientId',
  'issuer',
  'scope',
  'path',
  'resourcePath',
  'httpMethod',
  'userAgent',
  'sourceIp',
  'principalId',
  'apiKeyId',
  'callerArn',
  'identityAccountId',
  'certSerial',
  'certSubject',
  'vpceId',
  'status',
  'authnStatus',
  'authnError',
  'authzError',
  'errorMessage',
  'requestTimeEpoch',
  'requestTime',
  'domainName',
  'stage',
  'apiId',
];

function accessLogLine(timeMs: number): Record<string, unknown> {
  const k = int(POOL);
  const line: Record<string, unknown> = {
    requestId: `r-${int(1e9)}`,
    requestTimeEpoch: String(timeMs),
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    httpMethod: pick(['GET', 'POST', 'DELETE']),
    resourcePath: pick(['/orders', '/orders/{id}', '/admin/users']),
    path: `/prod/orders/${int(1000)}`,
    protocol: 'HTTP/1.1',
    status: pick(['200', '200', '200', '401', '403', '429', '500']),
    sourceIp: pick(IPS),
    userAgent: pick(UAS),
    sub: `client-${k}`,
    clientId: `client-${k}`,
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    jti: `jti-${k}-${int(4)}`,
    scope: pick(['orders/read', 'orders/read orders/write', 'admin']),
    authnStatus: '-',
    errorMessage: '-',
  };
  mutate(line, API_PATHS);
  return line;
}

/** One log line: usually a mutated record, sometimes not a record at all. */
function lineOf(source: 'cloudtrail' | 'apigw', timeMs: number): string {
  const roll = rand();
  if (roll < 0.03) return pick(['', 'null', '[]', '42', '"text"', '{', '{"a":', 'not json at all', '\u0000']);
  const record = source === 'cloudtrail' ? cloudTrailRecord(timeMs) : accessLogLine(timeMs);
  const json = JSON.stringify(record);
  if (roll < 0.05) return json.slice(0, int(json.length)); // truncated: invalid JSON
  if (roll < 0.055) return `${'['.repeat(20_000)}${']'.repeat(20_000)}`; // deeper than is useful
  return json;
}

/** One delivery (`awslogs.data`), occasionally broken as a whole. */
function payloadOf(
  source: 'cloudtrail' | 'apigw',
  index: number,
): { event: CloudWatchLogsEvent; lines: number } {
  const base = T0 + index * 20_000;
  const n = 1 + int(MAX_LINES);
  const logEvents = Array.from({ length: n }, (_, i) => ({
    id: `${index}-${i}`,
    timestamp: chance(0.02) ? pick(ODD_TIMES) : base + i,
    message: lineOf(source, base + i - int(300_000)),
  }));
  const envelope: Record<string, unknown> = {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup: source === 'cloudtrail' ? 'aws-cloudtrail-logs-123456789012' : '/aws/apigateway/orders-prod',
    logStream: 'stream',
    subscriptionFilters: ['nhi-watch'],
    logEvents,
  };
  const roll = rand();
  if (roll < 0.002) return { event: { awslogs: { data: '!!!not base64 at all' } }, lines: n };
  if (roll < 0.004)
    return { event: { awslogs: { data: Buffer.from('plain text').toString('base64') } }, lines: n };
  if (roll < 0.006)
    return { event: { awslogs: { data: gzipSync('{"messageType":').toString('base64') } }, lines: n };
  if (roll < 0.008) return { event: {} as CloudWatchLogsEvent, lines: n };
  if (roll < 0.012) setPath(envelope, pick(['logEvents', 'owner', 'logGroup', 'messageType']), junkValue());
  if (roll >= 0.012 && roll < 0.014) envelope['messageType'] = 'CONTROL_MESSAGE';
  return {
    event: { awslogs: { data: gzipSync(JSON.stringify(envelope), { level: 1 }).toString('base64') } },
    lines: n,
  };
}

// ---------------------------------------------------------------- the production handlers
const counts = { snsMessages: 0, snsRequests: 0, asffImported: 0, hubRequests: 0, parked: 0 };
const snsClient = {
  send: (command: { input: { PublishBatchRequestEntries?: { Id?: string }[] } }) => {
    counts.snsRequests += 1;
    const entries = command.input.PublishBatchRequestEntries;
    counts.snsMessages += entries?.length ?? 1;
    return Promise.resolve(
      entries
        ? { Successful: entries.map((e) => ({ Id: e.Id, MessageId: 'm' })), Failed: [] }
        : { MessageId: 'm' },
    );
  },
} as unknown as SNSClient;
const hubClient = {
  send: (command: { input: { Findings?: unknown[] } }) => {
    counts.hubRequests += 1;
    const n = command.input.Findings?.length ?? 0;
    counts.asffImported += n;
    return Promise.resolve({ FailedCount: 0, SuccessCount: n, FailedFindings: [] });
  },
} as unknown as SecurityHubClient;

const metricSums = new Map<string, number>();
const addMetric = (name: string, _unit: unknown, value: number): void => {
  metricSums.set(name, (metricSums.get(name) ?? 0) + value);
};
const metrics = { addMetric, singleMetric: () => ({ addDimensions: () => undefined, addMetric }) };
const quiet = (): void => undefined;
const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };

const dynamo = new InProcessDynamoDb(zeroCounters());
const dynamoRequests = new Map<string, number>();
const dynamoClient = dynamo.directClient(dynamoRequests);
const memoryStore = new MemoryBaselineStore();
const memoryLedger = new MemoryFindingLedger();
const noSleep = (): Promise<void> => Promise.resolve();
const region = 'us-east-1';
const deps: LogsHandlerDeps = {
  pipeline: {
    store:
      STORE === 'memory'
        ? memoryStore
        : // As production wires it: loads decoded for one batch are folded in place.
          exclusiveLoads(
            new DynamoDbBaselineStore({ client: dynamoClient, tableName: 'fuzz', sleep: noSleep }),
          ),
    ledger:
      STORE === 'memory'
        ? memoryLedger
        : new DynamoDbFindingLedger({
            client: dynamoClient,
            tableName: 'fuzz',
            dedupWindowSeconds: DEFAULT_ENGINE_CONFIG.dedupWindowSeconds,
            sleep: noSleep,
          }),
    rules: RULES,
    contracts: new ContractSet([]),
    config: { ...DEFAULT_ENGINE_CONFIG, learning: { learningPeriodSeconds: 3600, learningMinEvents: 20 } },
    nowMs: () => Date.now(),
    routes: [
      {
        destination: 'sns',
        mode: 'alert',
        sink: new SnsFindingSink({
          client: snsClient,
          topicArn: `arn:aws:sns:${region}:${ACCOUNT}:nhi-watch-alerts`,
          render: productionRenderer(region, ACCOUNT, true),
          digestThreshold: 10,
          sleep: noSleep,
        }),
      },
      {
        destination: 'security-hub',
        mode: 'mirror',
        sink: new SecurityHubFindingSink({
          client: hubClient,
          toAsff: productionToAsff(region, ACCOUNT),
          nowMs: () => Date.now(),
          sleep: noSleep,
        }),
      },
    ],
    onFailure: {
      park: (failures) => {
        counts.parked += failures.length;
        return Promise.resolve();
      },
    },
  },
  intel: loadIpIntelDb(),
  logger: logger as unknown as Logger,
  metrics: metrics as unknown as Metrics,
};
const handlers = { cloudtrail: createCloudTrailHandler(deps), apigw: createApiGatewayHandler(deps) };

// ---------------------------------------------------------------- run
const snapshot = (): string =>
  JSON.stringify(
    Reflect.ownKeys(Object.prototype).map((k) => {
      const d = Object.getOwnPropertyDescriptor(Object.prototype, k);
      return [String(k), typeof d?.value, String(d?.value ?? ''), d?.get?.name, d?.set?.name];
    }),
  ) + String(Object.getPrototypeOf(Object.prototype));
const prototypeBefore = snapshot();
const prototypeNames = Object.getOwnPropertyNames(Object.prototype).length;

const tally = (m: Map<string, number>, k: string, n = 1): void => {
  if (n !== 0) m.set(k, (m.get(k) ?? 0) + n);
};

/** What one worker counted (merged by the parent). */
interface Tallies {
  payloads: number;
  lines: number;
  events: number;
  findings: number;
  controlMessages: number;
  prototypeChanged: boolean;
  payloadsRejected: [string, number][];
  rejectedByReason: [string, number][];
  identityErrors: [string, number][];
  batchFailures: [string, number][];
  firstFailures: string[];
  counts: typeof counts;
  dynamoRequests: [string, number][];
  /** The largest item the table held (bytes as DynamoDB counts them). */
  largestItemBytes: number;
}

const largestItemBytes = (): number =>
  [...dynamo.items('fuzz').values()].reduce((m, item) => Math.max(m, itemSize(item)), 0);

/** Run this worker's share of the payloads. */
async function runShare(index: number, workers: number): Promise<Tallies> {
  const started = Date.now();
  const t: Tallies = {
    payloads: 0,
    lines: 0,
    events: 0,
    findings: 0,
    controlMessages: 0,
    prototypeChanged: false,
    payloadsRejected: [],
    rejectedByReason: [],
    identityErrors: [],
    batchFailures: [],
    firstFailures: [],
    counts,
    dynamoRequests: [],
    largestItemBytes: 0,
  };
  const rejectedWhole = new Map<string, number>();
  const rejectedLines = new Map<string, number>();
  const failedIdentities = new Map<string, number>();
  const failedBatches = new Map<string, number>();
  let sinceReset = 0;
  for (let i = index; i < PAYLOADS; i += workers) {
    if (MAX_SECONDS > 0 && Date.now() - started > MAX_SECONDS * 1000) break;
    if (++sinceReset > RESET_EVERY) {
      t.largestItemBytes = Math.max(t.largestItemBytes, largestItemBytes());
      dynamo.restore(new Map());
      memoryStore.records.clear();
      memoryLedger.findings.clear();
      sinceReset = 0;
    }
    const source = chance(0.5) ? 'cloudtrail' : 'apigw';
    const { event, lines: n } = payloadOf(source, i);
    t.payloads += 1;
    t.lines += n;
    let summary: BatchSummary;
    try {
      summary = await handlers[source](event);
    } catch (error) {
      const e = error as Error;
      tally(failedBatches, `${e.name}: ${String(e.message).slice(0, 120)}`);
      if (t.firstFailures.length < 5) t.firstFailures.push(`payload ${i}: ${e.stack ?? String(e)}`);
      continue;
    }
    if (summary.malformedPayload !== undefined) tally(rejectedWhole, summary.malformedPayload);
    else if (summary.lines === 0 && summary.events === 0) t.controlMessages += 1;
    for (const [reason, c] of Object.entries(summary.malformedReasons)) tally(rejectedLines, reason, c);
    for (const [reason, c] of Object.entries(summary.identityErrorReasons))
      tally(failedIdentities, reason, c);
    t.events += summary.events;
    t.findings += summary.fresh;
    if (t.payloads % 25_000 === 0)
      console.error(
        `  … worker ${index}: ${t.payloads.toLocaleString('en-US')} payloads, ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
          `batches failed ${[...failedBatches.values()].reduce((a, b) => a + b, 0)}`,
      );
  }
  t.prototypeChanged =
    snapshot() !== prototypeBefore || Object.getOwnPropertyNames(Object.prototype).length !== prototypeNames;
  t.payloadsRejected = [...rejectedWhole];
  t.rejectedByReason = [...rejectedLines];
  t.identityErrors = [...failedIdentities];
  t.batchFailures = [...failedBatches];
  t.dynamoRequests = [...dynamoRequests];
  t.largestItemBytes = Math.max(t.largestItemBytes, largestItemBytes());
  return t;
}

/** Fork the workers (or run inline for one) and merge what they counted. */
async function runAll(): Promise<Tallies[]> {
  if (WORKERS === 1) return [await runShare(0, 1)];
  const passOn = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--worker-index' && all[i - 1] !== '--worker-index');
  return Promise.all(
    Array.from(
      { length: WORKERS },
      (_, w) =>
        new Promise<Tallies>((resolve, reject) => {
          const child = fork(process.argv[1] as string, [...passOn, '--worker-index', String(w)], {
            execArgv: process.execArgv,
          });
          let result: Tallies | undefined;
          child.on('message', (m) => (result = m as Tallies));
          child.on('error', reject);
          child.on('exit', (code) =>
            result
              ? resolve(result)
              : reject(new Error(`fuzz worker ${w} exited with ${code} and no result`)),
          );
        }),
    ),
  );
}

async function main(): Promise<void> {
  if (WORKER_INDEX !== undefined) {
    const t = await runShare(WORKER_INDEX, WORKERS);
    await new Promise<void>((resolve) => process.send?.(t, undefined, {}, () => resolve()));
    return;
  }
  const started = process.hrtime.bigint();
  const all = await runAll();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const merge = (pick: (t: Tallies) => [string, number][]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const t of all) for (const [k, v] of pick(t)) tally(m, k, v);
    return m;
  };
  const sum = (pick: (t: Tallies) => number): number => all.reduce((a, t) => a + pick(t), 0);
  const payloads = sum((t) => t.payloads);
  const prototypeChanged = all.some((t) => t.prototypeChanged);
  const batchFailures = merge((t) => t.batchFailures);

  const fmt = (n: number): string => n.toLocaleString('en-US');
  const table = (title: string, m: Map<string, number>): void => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    console.log(`${title}: ${fmt(total)}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1])) console.log(`  ${fmt(v).padStart(12)}  ${k}`);
  };
  const batchesFailed = [...batchFailures.values()].reduce((a, b) => a + b, 0);
  console.log(
    `nhi-watch fuzz (seed ${args.seed}, ${WORKERS} worker(s), up to ${MAX_LINES} lines a payload): production createHandler`,
  );
  console.log(
    STORE === 'memory'
      ? '  (cloudtrail-logs, api-gateway-logs); MemoryBaselineStore + MemoryFindingLedger;'
      : '  (cloudtrail-logs, api-gateway-logs); DynamoDbBaselineStore + DynamoDbFindingLedger (real codec) over an in-process DynamoDB client;',
  );
  console.log('  SnsFindingSink + SecurityHubFindingSink (real rendering) into counting clients');
  console.log(
    `payloads: ${fmt(payloads)}${payloads < PAYLOADS ? ` of ${fmt(PAYLOADS)} requested (time budget of ${MAX_SECONDS} s reached)` : ''} ` +
      `(${(payloads / seconds).toFixed(0)}/s, ${seconds.toFixed(1)} s)`,
  );
  console.log(
    `lines: ${fmt(sum((t) => t.lines))}; events evaluated: ${fmt(sum((t) => t.events))}; control messages: ${fmt(sum((t) => t.controlMessages))}`,
  );
  table(
    'payloads rejected whole, by reason',
    merge((t) => t.payloadsRejected),
  );
  table(
    'lines rejected, by reason',
    merge((t) => t.rejectedByReason),
  );
  table(
    'identities failed, by reason',
    merge((t) => t.identityErrors),
  );
  table('batches failed', batchFailures);
  console.log(
    `findings alerted: ${fmt(sum((t) => t.findings))}; SNS messages: ${fmt(sum((t) => t.counts.snsMessages))} in ` +
      `${fmt(sum((t) => t.counts.snsRequests))} requests; ASFF imported: ${fmt(sum((t) => t.counts.asffImported))}; ` +
      `parked: ${fmt(sum((t) => t.counts.parked))}`,
  );
  console.log(
    `DynamoDB requests: ${[...merge((t) => t.dynamoRequests)].map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}; ` +
      `largest item ${fmt(Math.max(...all.map((t) => t.largestItemBytes)))} bytes (limit 409,600)`,
  );
  console.log(`Object.prototype changed: ${prototypeChanged ? 'YES' : 'no'}`);
  for (const t of all) for (const f of t.firstFailures) console.error(f);
  process.exitCode = batchesFailed > 0 || prototypeChanged ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
