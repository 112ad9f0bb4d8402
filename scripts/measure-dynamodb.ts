/**
 * Measures what the DynamoDB adapter costs per 1,000 events: requests by operation and the
 * capacity units DynamoDB reports. Events go through the handlers' line normalisers and the
 * production pipeline (all rules, DynamoDbBaselineStore + DynamoDbFindingLedger) against DynamoDB
 * Local, in CloudWatch-Logs-sized batches, one stream per log group as the two Lambdas see them,
 * with the handlers' write policy (SAMPLED_WRITES, unless the configuration sets one).
 *
 *   npx tsx scripts/measure-dynamodb.ts                         the demo workload (simulate --seed 1, 14 days, with its contracts)
 *   npx tsx scripts/measure-dynamodb.ts --window-seconds 60     batches = events of each minute (at most 10,000), as a subscription delivers them
 *   npx tsx scripts/measure-dynamodb.ts --batch 1000            batches of a fixed number of events (default)
 *   npx tsx scripts/measure-dynamodb.ts --compress-above 1024   gzip threshold of record bodies
 *   npx tsx scripts/measure-dynamodb.ts --exact                 every change written (the CLI's policy) instead
 *   npx tsx scripts/measure-dynamodb.ts FILE.jsonl …            CloudTrail JSON Lines instead (e.g. the corpus)
 *
 * Prints a table and a JSON line. Needs Java 17 (DynamoDB Local).
 */
import { readFileSync } from 'node:fs';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../lambdas/adapters/dynamodb-store.js';
import { createBaselineTable } from '../lambdas/adapters/dynamodb-table.js';
import { SAMPLED_WRITES } from '../lambdas/core/write-policy.js';
import { NO_CLOCK_WINDOW } from '../lambdas/core/sources/time-window.js';
import { loadLocalSetup, type LocalSetup } from '../lambdas/local/replay.js';
import { countRequests } from '../lambdas/adapters/request-counter.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import type { FindingSink } from '../lambdas/core/ports.js';
import { simulate } from '../simulate/index.js';
import { normaliseAccessLogLine } from '../lambdas/handlers/api-gateway-logs.js';
import { normaliseCloudTrailLine } from '../lambdas/handlers/cloudtrail-logs.js';
import type { LineNormaliser } from '../lambdas/handlers/pipeline-handler.js';
import { startDynamoDbLocal } from '../test/support/servers.js';

/** One log group's lines, as its subscriber Lambda receives them. */
interface Stream {
  readonly name: string;
  readonly lines: readonly string[];
  readonly normalise: LineNormaliser;
}

const MAX_EVENTS_PER_DELIVERY = 10_000;

function flag(args: readonly string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
}

/** Split a stream's events into deliveries: fixed-size, or by event-time window (capped). */
function deliveries(
  events: readonly IdentityEvent[],
  batchSize: number,
  windowSeconds: number | undefined,
): IdentityEvent[][] {
  const out: IdentityEvent[][] = [];
  let current: IdentityEvent[] = [];
  let windowStart = Number.NaN;
  for (const e of events) {
    const isNewWindow =
      windowSeconds !== undefined && Math.floor(e.timeMs / (windowSeconds * 1000)) !== windowStart;
    const isFull = current.length >= (windowSeconds !== undefined ? MAX_EVENTS_PER_DELIVERY : batchSize);
    if (current.length > 0 && (isNewWindow || isFull)) {
      out.push(current);
      current = [];
    }
    if (windowSeconds !== undefined) windowStart = Math.floor(e.timeMs / (windowSeconds * 1000));
    current.push(e);
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const batchSize = flag(args, '--batch') ?? 1000;
  const windowSeconds = flag(args, '--window-seconds');
  const compressAboveBytes = flag(args, '--compress-above');
  const isExact = args.includes('--exact');
  const files = args.filter(
    (a, i) =>
      !a.startsWith('--') && !['--batch', '--window-seconds', '--compress-above'].includes(args[i - 1] ?? ''),
  );

  let setup: LocalSetup;
  let streams: Stream[];
  let workload: string;
  if (files.length === 0) {
    const sim = simulate({ seed: 1, days: 14, scale: 1 });
    setup = await loadLocalSetup({ inlineContracts: sim.contracts });
    streams = [
      {
        name: 'cloudtrail',
        lines: sim.cloudtrail.map((r) => JSON.stringify(r)),
        normalise: normaliseCloudTrailLine,
      },
      {
        name: 'api-gateway',
        lines: sim.apiGateway.map((r) => JSON.stringify(r)),
        normalise: normaliseAccessLogLine,
      },
    ];
    workload = 'demo (simulate --seed 1, 14 days, scale 1, with contracts)';
  } else {
    setup = await loadLocalSetup();
    const lines = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    streams = [{ name: 'cloudtrail', lines, normalise: normaliseCloudTrailLine }];
    workload = files.join(', ');
  }

  // The handlers' policy (production-aws.ts), or every change written with --exact.
  const config = isExact
    ? setup.config
    : { ...setup.config, writePolicy: setup.config.writePolicy ?? SAMPLED_WRITES };
  const ddb = await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    const tableName = 'measure-baselines';
    await createBaselineTable(client, tableName);
    const counter = countRequests(client);
    const store = new DynamoDbBaselineStore({
      client,
      tableName,
      reportConsumedCapacity: true,
      ...(compressAboveBytes !== undefined ? { compressAboveBytes } : {}),
    });
    const ledger = new DynamoDbFindingLedger({
      client,
      tableName,
      dedupWindowSeconds: setup.config.dedupWindowSeconds,
      reportConsumedCapacity: true,
    });
    let findings = 0;
    const sink: FindingSink = {
      publish: (fresh, repeats) => {
        findings += fresh.length + repeats.length;
        return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
      },
    };
    let events = 0;
    let rejected = 0;
    let batches = 0;
    let identities = 0;
    for (const stream of streams) {
      const normalised: IdentityEvent[] = [];
      for (const line of stream.lines) {
        const r = stream.normalise(line, {
          logGroup: stream.name,
          owner: '123456789012',
          timestampMs: 0,
          intel: setup.intel,
          window: NO_CLOCK_WINDOW,
        });
        if (r.ok) normalised.push(r.value);
        else rejected += 1;
      }
      normalised.sort((x, y) => x.timeMs - y.timeMs);
      events += normalised.length;
      for (const [i, batch] of deliveries(normalised, batchSize, windowSeconds).entries()) {
        const r = await runPipeline(`${stream.name}-${i}`, batch, {
          store,
          ledger,
          sink,
          rules: setup.rules,
          contracts: setup.contracts,
          config,
          ...(setup.suppress ? { suppress: setup.suppress } : {}),
          nowMs: () => Date.now(),
        });
        batches += 1;
        identities += r.identities;
      }
    }

    const c = counter.counts;
    const per1000 = (n: number): string => ((n * 1000) / events).toFixed(1);
    const rows: [string, number][] = [
      ['BatchGetItem (load)', c.commands.BatchGetItemCommand ?? 0],
      ['PutItem (conditional commit)', c.commands.PutItemCommand ?? 0],
      ['UpdateItem (finding ledger)', c.commands.UpdateItemCommand ?? 0],
      ['all requests', counter.total()],
      ['HTTP attempts (with retries)', c.httpAttempts],
      ['read capacity units', c.readCapacityUnits],
      ['write capacity units', c.writeCapacityUnits],
    ];
    const batching =
      windowSeconds !== undefined ? `deliveries of ${windowSeconds} s of events` : `batches of ≤${batchSize}`;
    console.log(`workload: ${workload}; write policy: ${isExact ? 'exact' : 'the handlers\' (sampled)'}`);
    console.log(
      `${events} events (${rejected} lines rejected), ${batches} ${batching}, ${(events / batches).toFixed(0)} events and ${(identities / batches).toFixed(1)} identities per batch, ${findings} findings`,
    );
    console.log('what'.padEnd(32), 'total'.padStart(9), 'per 1,000 events'.padStart(18));
    for (const [what, n] of rows)
      console.log(what.padEnd(32), String(Math.round(n * 10) / 10).padStart(9), per1000(n).padStart(18));
    console.log(
      JSON.stringify({
        workload,
        events,
        batching,
        batches,
        findings,
        compressAboveBytes: compressAboveBytes ?? 'default',
        requests: counter.total(),
        requestsPer1000Events: Number(per1000(counter.total())),
        wcuPer1000Events: Number(per1000(c.writeCapacityUnits)),
        rcuPer1000Events: Number(per1000(c.readCapacityUnits)),
        commands: c.commands,
      }),
    );
  } finally {
    client.destroy();
    await ddb.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
