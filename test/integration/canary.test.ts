/**
 * No secret leaves. Canary credentials — a bearer token, a JWT, a SigV4 signature, a password —
 * are planted in the user agent, request path, role-session name, resource and error message of
 * CloudTrail records and API Gateway access-log lines. The production handlers run them against
 * the real local servers (DynamoDB Local, fauxqs SNS → SQS, the Security Hub receiver), and the
 * `nhi-watch replay` command runs the same lines in every output format. Every output is then
 * searched for every canary: the table's items (gzipped bodies unpacked), the alert subscriber's
 * SNS messages, the on-failure queue, the Security Hub imports, the handlers' logs and metrics,
 * and the command's table / jsonl / asff output. Zero hits; and the redaction markers are there,
 * so the planted text did travel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';

import { createBaselineTable } from '../../lambdas/adapters/dynamodb-table';
import { recordJsonOf } from '../../lambdas/adapters/record-codec';
import { redactionMarker } from '../../lambdas/core/secrets';
import type { BatchSummary } from '../../lambdas/handlers/pipeline-handler';
import { validateAsffFinding } from '../support/asff-schema';
import { createTopology, drain, dynamoDb, sns, sqs, type Topology } from '../support/aws';
import { corpusLines, subscriptionEvent } from '../support/cloudwatch-logs';
import { invoke } from '../support/lambda';
import {
  startDynamoDbLocal,
  startFauxqs,
  startSecurityHubReceiver,
  type LocalServer,
  type SecurityHubReceiver,
} from '../support/servers';
import { productionEnv } from '../support/production-env';

type Handler = (event: CloudWatchLogsEvent, context: Context) => Promise<BatchSummary>;

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktand0LXN1YmplY3QifQ.Y2FuYXJ5LWp3dC1zaWduYXR1cmUtMDAx';
const BEARER = 'cnryBearer0x7f3k9q2wZt';
const SIGNATURE = 'cnrysig0123456789abcdef0123456789abcdef';
const PASSWORD = 'cnryPass5551xyz';
const AWS_SECRET = 'cnRyAWSsecretKEY0123456789abcdefGHIJKLMN';
/** Every planted secret, and the distinctive parts of the JWT on their own. */
const CANARIES = [JWT, ...JWT.split('.'), BEARER, SIGNATURE, PASSWORD, AWS_SECRET];

const NHI_CONFIG = JSON.stringify({ learning: { learningPeriodSeconds: 0, learningMinEvents: 5 } });
const TABLE = 'nhi-watch-canary';
const ACCOUNT = '493859302102';

/** The Panther compromised-root scenario with canaries in every attacker-chosen field, plus role-session calls named by a JWT. */
function cloudTrailLines(): string[] {
  const records = [
    ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-attacker.jsonl'),
    ...corpusLines('cloudtrail/panther-analysis/scenario-compromised-root-creds-victim.jsonl'),
  ].map((l) => JSON.parse(l) as Record<string, unknown>);
  const planted = records.map((r, i) => ({
    ...r,
    eventID: `canary-${i}`,
    userAgent: `${String(r.userAgent)} Authorization: Bearer ${BEARER} (${JWT}) secret ${AWS_SECRET}`,
    errorMessage: `request failed: password=${PASSWORD} X-Amz-Signature=${SIGNATURE}`,
  }));
  const sessions = planted.slice(0, 12).map((r, i) => ({
    ...r,
    eventID: `canary-session-${i}`,
    eventName: 'GetObject',
    eventSource: 's3.amazonaws.com',
    eventType: 'AwsApiCall',
    requestParameters: { bucketName: 'reports', key: `q3.pdf?X-Amz-Signature=${SIGNATURE}` },
    resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::reports/q3.pdf?X-Amz-Signature=${SIGNATURE}` }],
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEID:${JWT}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/${JWT}`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLECANARY001',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEID',
          arn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
          accountId: ACCOUNT,
          userName: 'deployer',
        },
      },
    },
  }));
  return [...planted, ...sessions].map((r) => JSON.stringify(r));
}

/** API Gateway access-log lines with canaries in the path, user agent and error message. */
function accessLogLines(): string[] {
  return Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({
      requestId: `canary-req-${i}`,
      ip: `198.51.100.${i + 1}`,
      requestTimeEpoch: Math.floor(Date.UTC(2026, 2, 2, 10, 0, i) / 1000),
      httpMethod: 'GET',
      path: `/v1/orders/${i}?access_token=${BEARER}&api_key=${PASSWORD}&X-Amz-Signature=${SIGNATURE}`,
      status: i % 3 === 0 ? '401' : '200',
      protocol: 'HTTP/1.1',
      userAgent: `python-requests/2.31 Bearer ${BEARER} ${JWT}`,
      errorMessage: `Unauthorized: token=${JWT}`,
      principalId: `client-${i % 2}`,
      apiId: 'abc123defg',
      stage: 'prod',
    }),
  );
}

/** Every place a canary could appear: item attributes and unpacked bodies as text. */
function itemText(item: Record<string, AttributeValue>): string {
  return Object.entries(item)
    .map(([k, v]) => {
      if (v.B !== undefined) {
        const bytes = Buffer.from(v.B);
        try {
          return `${k}=${recordJsonOf({ B: bytes })}`;
        } catch {
          return `${k}=${bytes.toString('utf8')}`;
        }
      }
      return `${k}=${JSON.stringify(v)}`;
    })
    .join('\n');
}

const hits = (text: string): string[] => CANARIES.filter((c) => text.includes(c));

let ddb: LocalServer;
let fauxqs: LocalServer;
let hub: SecurityHubReceiver;
let ddbClient: DynamoDBClient;
let snsClient: SNSClient;
let sqsClient: SQSClient;
let topo: Topology;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  [ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
  hub = await startSecurityHubReceiver(validateAsffFinding);
  ddbClient = dynamoDb(ddb.endpoint);
  snsClient = sns(fauxqs.endpoint);
  sqsClient = sqs(fauxqs.endpoint);
  await createBaselineTable(ddbClient, TABLE);
  topo = await createTopology(snsClient, sqsClient, 'canary');
  dir = mkdtempSync(join(tmpdir(), 'nhi-watch-canary-'));
  Object.assign(
    process.env,
    productionEnv({
      dynamoDbEndpoint: ddb.endpoint,
      fauxqsEndpoint: fauxqs.endpoint,
      securityHubEndpoint: hub.endpoint,
      tableName: TABLE,
      topicArn: topo.topicArn,
      onFailureQueueUrl: topo.onFailureQueueUrl,
      config: NHI_CONFIG,
      // Everything the handlers log, debug included.
      logLevel: 'DEBUG',
    }),
  );
});

afterAll(async () => {
  process.env = saved;
  for (const c of [ddbClient, snsClient, sqsClient]) c?.destroy();
  await hub?.stop();
  await Promise.all([ddb?.stop(), fauxqs?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('no secret leaves', () => {
  it('canaries in user agent, path, session name, resource and error message reach no output of the handlers', async () => {
    const cloudTrail = (await import('../../lambdas/handlers/cloudtrail-logs.js')) as { handler: Handler };
    const apiGateway = (await import('../../lambdas/handlers/api-gateway-logs.js')) as { handler: Handler };
    const runs = [
      await invoke(cloudTrail.handler, subscriptionEvent(cloudTrailLines())),
      await invoke(
        apiGateway.handler,
        subscriptionEvent(accessLogLines(), { logGroup: '/nhi-watch/access-logs/abc123defg/prod' }),
      ),
    ];
    for (const run of runs) expect(run.error).toBeUndefined();
    expect(runs[0]!.result!.fresh).toBeGreaterThan(0);

    const items: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await ddbClient.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []).map(itemText));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const table = items.join('\n');
    const alerts = (await drain(sqsClient, topo.alertQueueUrl)).map((m) => m.Body ?? '').join('\n');
    const parked = (await drain(sqsClient, topo.onFailureQueueUrl)).map((m) => m.Body ?? '').join('\n');
    const imported = JSON.stringify([...hub.findings.values()].map((f) => f.finding));
    const logs = JSON.stringify(runs.map((r) => [r.logs, r.emf, r.result]));

    expect({
      table: hits(table),
      sns: hits(alerts),
      onFailure: hits(parked),
      securityHub: hits(imported),
      logs: hits(logs),
    }).toEqual({ table: [], sns: [], onFailure: [], securityHub: [], logs: [] });
    // The planted text travelled, redacted.
    const markers = (text: string): string[] =>
      [
        redactionMarker('bearer', BEARER),
        redactionMarker('jwt', JWT),
        redactionMarker('query', SIGNATURE),
        redactionMarker('aws-key', AWS_SECRET),
      ].filter((m) => text.includes(m));
    expect(markers(alerts)).toHaveLength(4);
    expect(markers(imported)).toHaveLength(4);
    expect(markers(table)).toEqual([redactionMarker('query', SIGNATURE)]);
    expect(hub.problems).toEqual([]);
  });

  it('canaries reach no output of nhi-watch replay, in any format', async () => {
    const { main } = await import('../../bin/cli.js');
    const trail = join(dir, 'trail.jsonl');
    const access = join(dir, 'access.jsonl');
    const config = join(dir, 'config.json');
    writeFileSync(trail, `${cloudTrailLines().join('\n')}\n`);
    writeFileSync(access, `${accessLogLines().join('\n')}\n`);
    writeFileSync(config, NHI_CONFIG);

    for (const format of ['table', 'detail', 'jsonl', 'asff']) {
      const out = await captureText(() =>
        main([
          'replay',
          '--format',
          format,
          '--account-id',
          '123456789012',
          '--region',
          'us-east-1',
          '--config',
          config,
          trail,
          access,
        ]),
      );
      expect(out.code).toBe(0);
      expect({ format, hits: hits(out.text) }).toEqual({ format, hits: [] });
      // The table shows no user agent; the machine formats carry it, redacted.
      if (format !== 'table') expect(out.text).toContain(redactionMarker('bearer', BEARER));
    }
  });
});

/** Run `fn` with everything written to stdout and stderr captured as text. */
async function captureText(fn: () => Promise<number>): Promise<{ code: number; text: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  for (const stream of streams)
    stream.write = (chunk: string | Uint8Array): boolean => {
      chunks.push(String(chunk));
      return true;
    };
  try {
    const code = await fn();
    return { code, text: chunks.join('') };
  } finally {
    streams.forEach((s, i) => (s.write = originals[i] as typeof s.write));
  }
}
