/**
 * Redrive the on-failure queue: findings that a destination refused (messages in the
 * `nhi-watch/undelivered-finding@1` format) are delivered again to exactly the destinations that
 * lack them — never to one that already holds them — and deleted from the queue once delivered.
 * When only some of a message's destinations take it, the rest are re-parked as a new message
 * naming only those, then the old one is deleted: no destination gets a finding twice. Other messages (Lambda's own on-failure
 * records of a failed batch) are listed and left in place: re-invoke the function with their
 * `requestPayload` to reprocess the batch.
 *
 *   AWS_REGION=eu-west-1 npx tsx scripts/redrive.ts \
 *     --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/nhi-watch-OnFailure… \
 *     --topic-arn arn:aws:sns:eu-west-1:123456789012:nhi-watch-Alerts… [--security-hub] \
 *     [--ocsf-event-bus NAME] [--dry-run] [--max 1000]
 *
 * Endpoints and credentials come from the SDK's standard configuration (profiles, AWS_ENDPOINT_URL_*).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

import { productionRenderer, productionToAsff } from '../lambdas/handlers/production.js';
import { EventBridgeOcsfSink } from '../lambdas/adapters/eventbridge-ocsf-sink.js';
import { SecurityHubFindingSink } from '../lambdas/adapters/security-hub-sink.js';
import { toOcsf } from '../lambdas/core/ocsf.js';
import { SnsFindingSink } from '../lambdas/adapters/sns-sink.js';
import {
  SqsOnFailureQueue,
  UNDELIVERED_FORMAT,
  type Destination,
  type UndeliveredFinding,
} from '../lambdas/adapters/sqs-on-failure.js';
import type { FindingSink } from '../lambdas/core/ports.js';

interface Options {
  readonly queueUrl: string;
  readonly topicArn: string | undefined;
  readonly securityHub: boolean;
  readonly ocsfEventBus: string | undefined;
  readonly dryRun: boolean;
  readonly max: number;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const queueUrl = value('--queue-url');
  if (queueUrl === undefined) throw new Error('--queue-url is required');
  const max = Number(value('--max') ?? '1000');
  if (!Number.isInteger(max) || max < 1) throw new Error('--max must be a positive integer');
  return {
    queueUrl,
    topicArn: value('--topic-arn'),
    securityHub: argv.includes('--security-hub'),
    ocsfEventBus: value('--ocsf-event-bus'),
    dryRun: argv.includes('--dry-run'),
    max,
  };
}

/** Parse one queue message: an undelivered finding, or undefined for anything else. */
export function parseUndelivered(message: Message): UndeliveredFinding | undefined {
  try {
    const body = JSON.parse(message.Body ?? '') as Partial<UndeliveredFinding>;
    return body.format === UNDELIVERED_FORMAT && body.finding !== undefined
      ? (body as UndeliveredFinding)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What a redrive runs with. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Sinks by destination; a finding whose destination has none stays in the queue. */
  readonly sinks: Partial<Record<Destination, FindingSink>>;
  readonly dryRun?: boolean;
  /** Re-parks what some destinations still refuse. @default an SqsOnFailureQueue on `queueUrl` */
  readonly repark?: Pick<SqsOnFailureQueue, 'park'>;
  /** Wall clock for re-parked messages. @default Date.now */
  readonly nowMs?: () => number;
  /** Messages to look at, at most. @default 1000 */
  readonly max?: number;
  readonly log?: (line: string) => void;
}

/** What a redrive did. */
export interface RedriveResult {
  readonly seen: number;
  readonly redriven: number;
  /** Messages re-parked with fewer destinations (some took the finding, some still refuse). */
  readonly reparked: number;
  readonly kept: number;
}

/** Deliver the queue's undelivered findings to the destinations that lack them; delete what was delivered. */
export async function redrive(o: RedriveOptions): Promise<RedriveResult> {
  const log = o.log ?? ((line: string) => console.log(line));
  const max = o.max ?? 1000;
  let seen = 0;
  let redriven = 0;
  let reparked = 0;
  let kept = 0;
  const repark = o.repark ?? new SqsOnFailureQueue({ client: o.sqs, queueUrl: o.queueUrl });
  const nowMs = o.nowMs ?? (() => Date.now());
  const reparkedIds = new Set<string>();
  while (seen < max) {
    const { Messages = [] } = await o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: o.queueUrl,
        MaxNumberOfMessages: Math.min(10, max - seen),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
      }),
    );
    if (Messages.length === 0) break;
    let cameAround = false;
    for (const message of Messages) {
      const undelivered = parseUndelivered(message);
      // A message this run re-parked: the queue has come around. Leave it (and the rest) visible for the next run.
      if (cameAround || (undelivered !== undefined && reparkedIds.has(undelivered.finding.id))) {
        cameAround = true;
        await o.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: o.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
        continue;
      }
      seen += 1;
      if (undelivered === undefined) {
        kept += 1;
        log(
          `kept   ${message.MessageId ?? '?'}: not an undelivered finding (a failed batch record? re-invoke the function with its requestPayload)`,
        );
        continue;
      }
      const { finding, destinations } = undelivered;
      const missing = destinations.filter((d) => o.sinks[d] === undefined);
      if (missing.length > 0 || o.dryRun === true) {
        kept += 1;
        log(
          `kept   ${finding.id} -> ${destinations.join(', ')}${missing.length > 0 ? ` (no ${missing.join(', ')} configured)` : ' (dry run)'}`,
        );
        continue;
      }
      const failures: string[] = [];
      const still: Destination[] = [];
      for (const d of destinations) {
        let refused: string[];
        try {
          refused = (await (o.sinks[d] as FindingSink).publish([finding], [])).failed.map((f) => f.reason);
        } catch (error) {
          refused = [error instanceof Error ? error.message : String(error)];
        }
        if (refused.length > 0) {
          still.push(d);
          failures.push(...refused.map((r) => `${d}: ${r}`));
        }
      }
      if (still.length === destinations.length) {
        kept += 1;
        log(`failed ${finding.id}: ${failures.join('; ')}`);
        continue;
      }
      if (still.length > 0) {
        // Some destinations took it: park it again for the others only, then drop the old message.
        await repark.park([{ finding, reason: failures.join('; '), destinations: still }], nowMs());
        reparked += 1;
        reparkedIds.add(finding.id);
        log(
          `parked ${finding.id} -> ${still.join(', ')} (sent to ${destinations.filter((d) => !still.includes(d)).join(', ')})`,
        );
      } else {
        redriven += 1;
        log(`sent   ${finding.id} -> ${destinations.join(', ')}`);
      }
      await o.sqs.send(
        new DeleteMessageCommand({ QueueUrl: o.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    if (cameAround) break;
  }
  return { seen, redriven, reparked, kept };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const region = process.env.AWS_REGION;
  if (region === undefined || region === '') throw new Error('AWS_REGION must be set');
  const accountId = o.topicArn?.split(':')[4];
  const sinks: Partial<Record<Destination, FindingSink>> = {};
  if (o.topicArn !== undefined) {
    sinks.sns = new SnsFindingSink({
      client: new SNSClient({ region }),
      topicArn: o.topicArn,
      render: productionRenderer(region, accountId ?? '', o.securityHub),
    });
  }
  if (o.securityHub) {
    if (accountId === undefined)
      throw new Error('--security-hub needs --topic-arn (its account owns the Security Hub product)');
    sinks['security-hub'] = new SecurityHubFindingSink({
      client: new SecurityHubClient({ region }),
      toAsff: productionToAsff(region, accountId),
      nowMs: () => Date.now(),
    });
  }
  if (o.ocsfEventBus !== undefined) {
    if (accountId === undefined)
      throw new Error("--ocsf-event-bus needs --topic-arn (for the findings' account)");
    const ctx = { region, accountId };
    sinks.ocsf = new EventBridgeOcsfSink({
      client: new EventBridgeClient({ region }),
      eventBusName: o.ocsfEventBus,
      toOcsf: (f, activity) => toOcsf(f, ctx, activity),
    });
  }
  const r = await redrive({
    sqs: new SQSClient({ region }),
    queueUrl: o.queueUrl,
    sinks,
    dryRun: o.dryRun,
    max: o.max,
  });
  console.log(
    `${r.seen} message(s): ${r.redriven} redriven, ${r.reparked} re-parked for fewer destinations, ${r.kept} kept in the queue`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
