/**
 * `npm run bench:backfill -- [--days N] [--interval MIN]`: backfill throughput and memory on local
 * servers. Simulates N days of the seed-1 fleet, writes its CloudTrail records to fauxqs S3 as an
 * organization archive (one gzipped object per account, region and interval), then runs
 * `backfillArchive` into a DynamoDB Local table — the same code `nhi-watch backfill` runs — and
 * reports events/s, objects/s, DynamoDB-bound time and peak RSS. Local servers have no network
 * latency, and DynamoDB Local is slower per request than DynamoDB: the figure is this machine's,
 * not AWS's. Reports only; not part of npm test.
 */
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DynamoDbBackfillMarks } from '../lambdas/adapters/dynamodb-backfill-marks.js';
import { DynamoDbBaselineStore } from '../lambdas/adapters/dynamodb-store.js';
import { createBaselineTable } from '../lambdas/adapters/dynamodb-table.js';
import { S3Archive } from '../lambdas/adapters/s3-archive.js';
import { backfillArchive } from '../lambdas/local/backfill.js';
import { loadLocalSetup } from '../lambdas/local/replay.js';
import { cloudTrailArchive, simulate } from '../simulate/index.js';
import { dynamoDb } from '../test/support/aws.js';
import { startLocalAws } from './aws-local.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { days: { type: 'string' }, interval: { type: 'string' } } });
  const days = Number(values.days ?? 14);
  const interval = Number(values.interval ?? 5);
  const aws = await startLocalAws();
  try {
    const sim = simulate({ seed: 1, days, attacks: false });
    const objects = cloudTrailArchive(sim.cloudtrail, {
      organizationId: 'o-a1b2c3d4e5',
      intervalMinutes: interval,
    });
    const s3 = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      endpoint: aws.fauxqs.endpoint,
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'archive' }));
    for (const o of objects)
      await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: o.key, Body: gzipSync(o.body) }));
    const client = dynamoDb(aws.dynamoDb.endpoint);
    await createBaselineTable(client, 'bench');
    const setup = await loadLocalSetup({});
    const times = sim.cloudtrail.map((r) => Date.parse(String((r as { eventTime?: unknown }).eventTime)));
    const sinceMs = Math.min(...times);
    const untilMs = Math.max(...times) + 86_400_000;
    const rssBefore = process.memoryUsage().rss;
    const result = await backfillArchive({
      setup,
      reader: new S3Archive({ client: s3, bucket: 'archive' }),
      store: new DynamoDbBaselineStore({ client, tableName: 'bench' }),
      marks: new DynamoDbBackfillMarks({ client, tableName: 'bench' }),
      selection: { prefix: '', sinceMs, untilMs },
    });
    const seconds = result.elapsedMs / 1000;
    process.stdout.write(
      [
        `backfill of ${objects.length.toLocaleString('en-US')} objects (${interval}-minute objects, ${days} days of the seed-1 fleet, organization layout) from fauxqs S3 into DynamoDB Local`,
        `| events | objects | chunks | identities | seconds | events/s | objects/s | RSS before → peak |`,
        `|---:|---:|---:|---:|---:|---:|---:|---:|`,
        `| ${result.events.toLocaleString('en-US')} | ${result.objects.toLocaleString('en-US')} | ${result.chunks.toLocaleString('en-US')} | ${result.identitiesCreated} | ${seconds.toFixed(1)} | ${Math.round(result.events / seconds).toLocaleString('en-US')} | ${Math.round(result.objects / seconds).toLocaleString('en-US')} | ${Math.round(rssBefore / 2 ** 20)} → ${Math.round(process.resourceUsage().maxRSS / 1024)} MB |`,
        '',
      ].join('\n'),
    );
    s3.destroy();
    client.destroy();
  } finally {
    await aws.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
