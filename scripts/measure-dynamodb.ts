/**
 * Measures what the DynamoDB adapter costs per 1,000 events: requests by operation and the
 * capacity units DynamoDB reports, on real CloudTrail events from the shared corpus replayed in
 * CloudWatch-Logs-sized batches through the production pipeline (normaliser, rules, default
 * configuration, DynamoDbBaselineStore + DynamoDbFindingLedger) against DynamoDB Local.
 *
 *   npx tsx scripts/measure-dynamodb.ts [--batch 1000] [--compress-above BYTES] [FILE.jsonl …]
 *
 * Default input: the Invictus IR dataset (2,900 events of a real account). Prints a table and a
 * JSON line. Needs Java 17 (DynamoDB Local).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

import { DynamoDbBaselineStore, DynamoDbFindingLedger } from '../lambdas/adapters/dynamodb-store.js';
import { createBaselineTable } from '../lambdas/adapters/dynamodb-table.js';
import { loadIpIntelDb } from '../lambdas/adapters/ip-intel-db.js';
import { countRequests } from '../lambdas/adapters/request-counter.js';
import { ContractSet } from '../lambdas/core/contracts.js';
import { DEFAULT_ENGINE_CONFIG } from '../lambdas/core/engine.js';
import type { IdentityEvent } from '../lambdas/core/identity-event.js';
import { runPipeline } from '../lambdas/core/pipeline.js';
import type { FindingSink } from '../lambdas/core/ports.js';
import { RULES } from '../lambdas/core/rules/index.js';
import { normaliseCloudTrailLine } from '../lambdas/handlers/cloudtrail-logs.js';
import { startDynamoDbLocal } from '../test/support/servers.js';

const DEFAULT_INPUT = join(__dirname, '..', '..', 'shared', 'corpus', 'cloudtrail', 'invictus-aws-dataset', 'events.jsonl');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): number | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
    return v;
  };
  const batchSize = flag('--batch') ?? 1000;
  const compressAboveBytes = flag('--compress-above');
  const files = args.filter((a, i) => !a.startsWith('--') && !['--batch', '--compress-above'].includes(args[i - 1] ?? ''));
  const inputs = files.length > 0 ? files : [DEFAULT_INPUT];

  const intel = loadIpIntelDb();
  const events: IdentityEvent[] = [];
  let rejected = 0;
  for (const file of inputs) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = normaliseCloudTrailLine(line, { logGroup: 'measure', owner: '123456789012', timestampMs: 0, intel });
      if (r.ok) events.push(r.value);
      else rejected += 1;
    }
  }
  // CloudWatch Logs delivers a log group's events roughly in arrival order.
  events.sort((x, y) => x.timeMs - y.timeMs);

  const ddb = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const tableName = 'measure-baselines';
    await createBaselineTable(client, tableName);
    const counter = countRequests(client);
    const store = new DynamoDbBaselineStore({ client, tableName, reportConsumedCapacity: true, ...(compressAboveBytes !== undefined ? { compressAboveBytes } : {}) });
    const ledger = new DynamoDbFindingLedger({ client, tableName, dedupWindowSeconds: DEFAULT_ENGINE_CONFIG.dedupWindowSeconds, reportConsumedCapacity: true });
    let findings = 0;
    const sink: FindingSink = {
      publish: (fresh, repeats) => {
        findings += fresh.length + repeats.length;
        return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
      },
    };
    let batches = 0;
    let identitiesPerBatch = 0;
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const r = await runPipeline(`measure-${i}`, batch, { store, ledger, sink, rules: RULES, contracts: new ContractSet([]), config: DEFAULT_ENGINE_CONFIG, nowMs: () => Date.now() });
      batches += 1;
      identitiesPerBatch += r.identities;
    }
    const c = counter.counts;
    const per1000 = (n: number): string => ((n * 1000) / events.length).toFixed(1);
    const rows: [string, number][] = [
      ['BatchGetItem (load)', c.commands.BatchGetItemCommand ?? 0],
      ['PutItem (conditional commit)', c.commands.PutItemCommand ?? 0],
      ['UpdateItem (finding ledger)', c.commands.UpdateItemCommand ?? 0],
      ['all requests', counter.total()],
      ['HTTP attempts (with retries)', c.httpAttempts],
      ['read capacity units', c.readCapacityUnits],
      ['write capacity units', c.writeCapacityUnits],
    ];
    console.log(`${events.length} events (${rejected} lines rejected) from ${inputs.length} file(s), ${batches} batch(es) of ≤${batchSize}, ${(identitiesPerBatch / batches).toFixed(1)} identities per batch, ${findings} findings`);
    console.log('what'.padEnd(32), 'total'.padStart(8), 'per 1,000 events'.padStart(18));
    for (const [what, n] of rows) console.log(what.padEnd(32), String(Math.round(n * 10) / 10).padStart(8), per1000(n).padStart(18));
    console.log(
      JSON.stringify({
        events: events.length,
        batchSize,
        compressAboveBytes: compressAboveBytes ?? 'default',
        batches,
        findings,
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
