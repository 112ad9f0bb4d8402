/**
 * `nhi-watch backfill`: flags → clients → lambdas/local/backfill.ts. Kept in its own module so the
 * CLI's other commands stay as they are; `bin/cli.ts` only dispatches to `runBackfill`.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { parseArgs } from 'node:util';
import { DynamoDbBackfillMarks } from '../lambdas/adapters/dynamodb-backfill-marks.js';
import {
  BaselineStoreError,
  DynamoDbBaselineStore,
  DynamoDbFindingLedger,
} from '../lambdas/adapters/dynamodb-store.js';
import { MemoryBaselineStore, MemoryFindingLedger, loadStateFile } from '../lambdas/adapters/memory-store.js';
import {
  HistoryReadError,
  LogGroupHistory,
  LookupEventsHistory,
  callerAccount,
} from '../lambdas/adapters/history-readers.js';
import { jitteredDelayMs, realSleep } from '../lambdas/adapters/retry.js';
import { ArchiveReadError, S3Archive } from '../lambdas/adapters/s3-archive.js';
import { SecurityHubFindingSink } from '../lambdas/adapters/security-hub-sink.js';
import { StackLookupError, requiredOutput, stackOutputs } from '../lambdas/adapters/stack-outputs.js';
import { SnsFindingSink } from '../lambdas/adapters/sns-sink.js';
import { toAsff } from '../lambdas/core/asff.js';
import { renderAlert, renderDigest } from '../lambdas/core/alert.js';
import type { DeliveryRoute } from '../lambdas/core/ports.js';
import {
  archiveHistory,
  backfillHistory,
  uploadState,
  type BackfillProgress,
  type BackfillResult,
  type HistoryBackfillOptions,
  type HistorySource,
  type HistoryUnit,
} from '../lambdas/local/backfill.js';
import { slotHistory } from '../lambdas/local/history-slots.js';
import { loadLocalSetup } from '../lambdas/local/replay.js';

/** Usage lines of the command (printed by the CLI's help). */
export const BACKFILL_USAGE = `  nhi-watch backfill s3://BUCKET[/PREFIX] --stack NAME|--table NAME [--since DATE] [--until DATE] [--account ID]…
           [--region NAME]… [--checkpoint FILE] [--dry-run] [--config FILE] [--contracts FILE]…
           [--alert --topic-arn ARN [--security-hub]] [--read-ahead N] [--format text|json]
  nhi-watch backfill --log-group NAME… --table NAME [--region NAME] [same options]
  nhi-watch backfill --lookup-events --table NAME [--region NAME]… [same options]
  nhi-watch backfill --from-state FILE --table NAME [--dry-run]`;

/** Help text of the command. */
export const BACKFILL_HELP = `backfill   warm the deployed baselines (the stack --stack NAME's table, or --table) from history:
           a CloudTrail S3 archive (single-account or organization layout; objects delivered in [--since, --until),
           default the last 90 days), CloudWatch Logs groups (--log-group: the trail's or an API's
           access-log group, read with FilterLogEvents), CloudTrail's event history (--lookup-events:
           management events of the last 90 days, in the --region(s) given), or a \`replay --state\`
           file. Groups and event history are read in whole 15-minute slots that ended at least an
           hour ago. Same engine and exactly-once rules as
           the Lambdas: re-runs and resumes count nothing twice. Learns only; --alert also records and
           publishes findings to the deployment's topic (and Security Hub). AWS credentials, region
           and endpoints come from the SDK's standard configuration.`;

/** A usage error of the backfill command. */
export class BackfillUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillUsageError';
  }
}

const DAY_MS = 86_400_000;

function parseDate(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms))
    throw new BackfillUsageError(`--${name} must be a date (YYYY-MM-DD or ISO 8601), got "${value}"`);
  return ms;
}

function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (m === null) throw new BackfillUsageError(`the source must be s3://BUCKET[/PREFIX], got "${url}"`);
  const prefix = (m[2] ?? '').replace(/^\/+/, '');
  return { bucket: m[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/** Progress with ETA on stderr: redrawn in place on a terminal, a line every 10 s otherwise. */
function progressReporter(err: NodeJS.WriteStream): (p: BackfillProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < (err.isTTY ? 250 : 10_000)) return;
    last = now;
    const rate = p.elapsedMs > 0 ? (p.events / p.elapsedMs) * 1000 : 0;
    const fraction = p.daysTotal > 0 ? p.daysDone / p.daysTotal : 0;
    const eta =
      fraction > 0 && fraction < 1 ? ` · ETA ${duration((p.elapsedMs * (1 - fraction)) / fraction)}` : '';
    const line =
      `backfill ${p.currentDay} (day ${Math.min(p.daysDone + 1, p.daysTotal)}/${p.daysTotal}) · ` +
      `${p.objects.toLocaleString('en-US')} objects · ${p.events.toLocaleString('en-US')} events · ` +
      `${Math.round(rate).toLocaleString('en-US')} events/s${eta}`;
    err.write(err.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
  };
}

function printResult(r: BackfillResult, isDryRun: boolean, out: NodeJS.WritableStream): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  const lines = [
    `nhi-watch backfill ${r.source}${isDryRun ? ' (dry run: nothing written)' : ''}`,
    `  objects read       ${n(r.objects)} (${n(r.corrupt)} corrupt, skipped; ${n(r.checkpointed)} already in the checkpoint; ${n(r.ignored)} other keys ignored)`,
    `  events ${isDryRun ? 'to learn ' : 'learned  '}  ${n(r.events)} in ${n(r.chunks)} chunks; ${n(r.eventsAlreadyFolded)} in ${n(r.chunksAlreadyFolded)} chunks folded by an earlier run; ${n(r.redelivered)} already in their records`,
    `  identities         ${n(r.identitiesCreated)} new, ${n(r.identitiesExisting)} already in the table`,
    `  throughput         ${n(Math.round(r.elapsedMs > 0 ? (r.events / r.elapsedMs) * 1000 : 0))} events/s over ${duration(r.elapsedMs)}`,
  ];
  for (const [stream, events] of [...r.byStream].sort())
    lines.push(`    ${stream.padEnd(32)} ${n(events)} events`);
  const rules = [...r.findingsByRule].sort((a, b) => b[1] - a[1]);
  if (rules.length > 0)
    lines.push(
      `  findings evaluated ${rules.map(([rule, k]) => `${rule} ${n(k)}`).join(', ')}${r.alerted > 0 ? ` (${n(r.alerted)} alerted)` : ' (learning only: none recorded or published)'}`,
    );
  for (const [reason, k] of [...r.rejects].sort((a, b) => b[1] - a[1]).slice(0, 10))
    lines.push(`  skipped ${n(k)} × ${reason}`);
  for (const key of r.corruptKeys.slice(0, 10)) lines.push(`  corrupt object: ${key}`);
  if (r.conflicts > 0) lines.push(`  ${n(r.conflicts)} commit conflicts with concurrent writers, retried`);
  if (r.identityErrors > 0)
    lines.push(`  ${n(r.identityErrors)} identities not evaluated (errors contained)`);
  out.write(`${lines.join('\n')}\n`);
}

/** Slots of a log group or of the event history end at least this long before now: still filling before that. */
const SETTLE_MS = 3_600_000;

/** The CloudWatch Logs groups or the CloudTrail event history to read, named by the caller's account. */
async function timeSlotSource(o: {
  readonly logGroups: readonly string[];
  readonly regions: readonly string[];
  readonly accounts: readonly string[];
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly retrying: { maxAttempts: number; retryMode: 'adaptive' };
}): Promise<HistorySource<HistoryUnit>> {
  if (o.accounts.length > 0)
    throw new BackfillUsageError(
      "--account filters an S3 archive; a log group or the event history is read from the credentials' account",
    );
  const sts = new STSClient(o.retrying);
  let account: string;
  try {
    account = await callerAccount(sts);
  } finally {
    sts.destroy();
  }
  const selection = { sinceMs: o.sinceMs, untilMs: o.untilMs, settledMs: Date.now() - SETTLE_MS };
  if (o.logGroups.length > 0) {
    if (o.regions.length > 1)
      throw new BackfillUsageError('--log-group reads one region: give at most one --region');
    const client = new CloudWatchLogsClient({
      ...o.retrying,
      ...(o.regions[0] !== undefined ? { region: o.regions[0] } : {}),
    });
    const region = await client.config.region();
    return slotHistory(
      o.logGroups.map((logGroup) => new LogGroupHistory({ client, logGroup, region, account })),
      selection,
    );
  }
  const regions = o.regions.length > 0 ? o.regions : [undefined];
  const readers = await Promise.all(
    regions.map(async (r) => {
      const client = new CloudTrailClient({ ...o.retrying, ...(r !== undefined ? { region: r } : {}) });
      return new LookupEventsHistory({ client, region: await client.config.region(), account });
    }),
  );
  return slotHistory(readers, selection);
}

/** Run `nhi-watch backfill ARGS`; returns the exit status. */
export async function runBackfill(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      account: { type: 'string', multiple: true },
      region: { type: 'string', multiple: true },
      checkpoint: { type: 'string' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      contracts: { type: 'string', multiple: true },
      alert: { type: 'boolean' },
      'topic-arn': { type: 'string' },
      stack: { type: 'string' },
      'security-hub': { type: 'boolean' },
      'read-ahead': { type: 'string' },
      'from-state': { type: 'string' },
      'log-group': { type: 'string', multiple: true },
      'lookup-events': { type: 'boolean' },
      format: { type: 'string' },
    },
  });
  const isDryRun = values['dry-run'] === true;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new BackfillUsageError(`--format must be text or json, got "${format}"`);
  const retrying = { maxAttempts: 10, retryMode: 'adaptive' as const };
  let table = values.table;
  let topicArn = values['topic-arn'];
  if (values.stack !== undefined) {
    if (table !== undefined) throw new BackfillUsageError('give --stack NAME or --table NAME, not both');
    // The deployed stack's outputs name the table (and the alert topic for --alert).
    const cloudFormation = new CloudFormationClient(retrying);
    try {
      const outputs = await stackOutputs(cloudFormation, values.stack);
      table = requiredOutput(outputs, values.stack, 'BaselineTableName');
      if (values.alert === true && topicArn === undefined)
        topicArn = requiredOutput(outputs, values.stack, 'AlertTopicArn');
    } catch (error) {
      if (!(error instanceof StackLookupError)) throw error;
      process.stderr.write(`nhi-watch: backfill: ${error.message}\n`);
      return 1;
    } finally {
      cloudFormation.destroy();
    }
  }
  if (table === undefined || table === '')
    throw new BackfillUsageError(
      'backfill needs --stack NAME (the deployed stack) or --table NAME (its output BaselineTableName)',
    );
  const dynamoDb = new DynamoDBClient(retrying);
  const store = new DynamoDbBaselineStore({ client: dynamoDb, tableName: table });
  try {
    const logGroups = values['log-group'] ?? [];
    const isLookup = values['lookup-events'] === true;
    const sourcesGiven =
      (positionals.length > 0 ? 1 : 0) +
      (logGroups.length > 0 ? 1 : 0) +
      (isLookup ? 1 : 0) +
      (values['from-state'] !== undefined ? 1 : 0);
    if (sourcesGiven > 1)
      throw new BackfillUsageError(
        'give one source: s3://BUCKET[/PREFIX], --log-group NAME, --lookup-events or --from-state FILE',
      );
    if (values['from-state'] !== undefined) {
      const memory = new MemoryBaselineStore();
      await loadStateFile(values['from-state'], memory, new MemoryFindingLedger());
      const r = await uploadState(memory.records, store, isDryRun);
      process.stdout.write(
        format === 'json'
          ? `${JSON.stringify({ created: r.created, present: r.present })}\n`
          : `nhi-watch backfill --from-state ${values['from-state']}${isDryRun ? ' (dry run)' : ''}: ${r.created} record(s) ${isDryRun ? 'would be ' : ''}created, ${r.present} already in the table left as they are\n`,
      );
      return 0;
    }
    if (sourcesGiven === 0 || positionals.length > 1)
      throw new BackfillUsageError(
        'backfill needs one source: s3://BUCKET[/PREFIX], --log-group NAME, --lookup-events (or --from-state FILE)',
      );
    const untilMs = parseDate('until', values.until, Date.now());
    const sinceMs = parseDate('since', values.since, untilMs - 90 * DAY_MS);
    if (sinceMs >= untilMs) throw new BackfillUsageError('--since must be before --until');
    const readAhead = values['read-ahead'] !== undefined ? Number(values['read-ahead']) : 8;
    if (!Number.isInteger(readAhead) || readAhead < 1 || readAhead > 64)
      throw new BackfillUsageError(`--read-ahead must be an integer in 1..64, got "${values['read-ahead']}"`);
    if (values.alert === true && topicArn === undefined)
      throw new BackfillUsageError(
        '--alert needs --topic-arn ARN (the stack output AlertTopicArn) or --stack NAME',
      );

    const setup = await loadLocalSetup({
      ...(values.config !== undefined ? { configPath: values.config } : {}),
      contractPaths: values.contracts ?? [],
    });
    for (const w of setup.warnings) process.stderr.write(`nhi-watch: warning: ${w}\n`);
    let source: HistorySource<HistoryUnit>;
    if (positionals.length === 1) {
      const { bucket, prefix } = parseS3Url(positionals[0] as string);
      // A custom S3 endpoint (an emulator, an S3-compatible store) is addressed path-style.
      const s3 = new S3Client({ ...retrying, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
      source = archiveHistory(new S3Archive({ client: s3, bucket }), {
        prefix,
        sinceMs,
        untilMs,
        ...(values.account !== undefined ? { accounts: new Set(values.account) } : {}),
        ...(values.region !== undefined ? { regions: new Set(values.region) } : {}),
      });
    } else {
      source = await timeSlotSource({
        logGroups,
        regions: values.region ?? [],
        accounts: values.account ?? [],
        sinceMs,
        untilMs,
        retrying,
      });
    }
    let alert: HistoryBackfillOptions<HistoryUnit>['alert'];
    if (values.alert === true) {
      const topic = topicArn as string;
      const [, , , region = '', accountId = ''] = topic.split(':');
      const hubEnabled = values['security-hub'] === true;
      const opts = hubEnabled ? { securityHub: { region, accountId } } : {};
      const routes: DeliveryRoute[] = [
        {
          destination: 'sns',
          mode: 'alert',
          sink: new SnsFindingSink({
            client: new SNSClient({ ...retrying, region }),
            topicArn: topic,
            render: { alert: (f) => renderAlert(f, opts), digest: (fs) => [renderDigest(fs, opts)] },
          }),
        },
      ];
      if (hubEnabled)
        routes.push({
          destination: 'security-hub',
          mode: 'mirror',
          sink: new SecurityHubFindingSink({
            client: new SecurityHubClient({ ...retrying, region }),
            toAsff: (f, nowMs) => toAsff(f, { region, accountId, nowIso: new Date(nowMs).toISOString() }),
            nowMs: () => Date.now(),
          }),
        });
      alert = {
        routes,
        ledger: new DynamoDbFindingLedger({
          client: dynamoDb,
          tableName: table,
          dedupWindowSeconds: setup.config.dedupWindowSeconds,
        }),
      };
    }
    const result = await backfillHistory({
      setup,
      source,
      store,
      marks: new DynamoDbBackfillMarks({ client: dynamoDb, tableName: table }),
      isDryRun,
      readAhead,
      ...(alert !== undefined ? { alert } : {}),
      ...(values.checkpoint !== undefined ? { checkpointPath: values.checkpoint } : {}),
      onProgress: progressReporter(process.stderr),
      backoff: (attempt) => realSleep(jitteredDelayMs(attempt, 25, 1_000)),
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (format === 'json')
      process.stdout.write(
        `${JSON.stringify({
          ...result,
          byStream: Object.fromEntries(result.byStream),
          rejects: Object.fromEntries(result.rejects),
          findingsByRule: Object.fromEntries(result.findingsByRule),
        })}\n`,
      );
    else printResult(result, isDryRun, process.stdout);
    return 0;
  } catch (error) {
    // AWS refused after every retry (permissions, a missing table or bucket, sustained throttling):
    // what was folded stays folded; the same command resumes (with --checkpoint, without re-reading).
    if (
      error instanceof ArchiveReadError ||
      error instanceof HistoryReadError ||
      error instanceof BaselineStoreError
    ) {
      const cause = error.cause instanceof Error ? ` (${error.cause.name}: ${error.cause.message})` : '';
      process.stderr.write(
        `nhi-watch: backfill stopped: ${error.message}${cause}; run the same command again to resume\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    dynamoDb.destroy();
  }
}
