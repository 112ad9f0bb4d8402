/**
 * The on-failure destination for findings that could not be delivered: an SQS queue, one message
 * per finding with everything needed to redrive it (the finding, the destinations that still lack
 * it, the reason, when it failed). `scripts/redrive.ts` replays the queue. If the queue itself
 * cannot take them, `send` throws so the invocation fails and the platform retries the batch.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

import type { Finding } from '../core/finding.js';
import type { OnFailureDestination, UndeliveredFinding as Undelivered } from '../core/ports.js';
import { chunkBySize } from './batching.js';
import { describeError, isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** Where findings are delivered (the routes of the production handlers). */
export type Destination = 'sns' | 'security-hub' | 'ocsf';
/** Every destination a message can name. */
export const DESTINATIONS: readonly Destination[] = ['sns', 'security-hub', 'ocsf'];

/** Format tag of on-failure messages. */
export const UNDELIVERED_FORMAT = 'nhi-watch/undelivered-finding@1';

/** The body of one on-failure message. */
export interface UndeliveredFinding {
  readonly format: typeof UNDELIVERED_FORMAT;
  readonly finding: Finding;
  /** Destinations that still need the finding (the others already hold it: redrive skips them). */
  readonly destinations: readonly Destination[];
  readonly reason: string;
  /** ISO 8601. */
  readonly failedAt: string;
}

/** Thrown when undeliverable findings could not be parked either: the batch must be retried. */
export class OnFailureQueueError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnFailureQueueError';
  }
}

/** SQS queue options. */
export interface SqsOnFailureQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Attempts per message batch, on top of the SDK's retries. @default 4 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

const SQS_MAX_BYTES = 262_144;

/** Parks undeliverable findings in SQS (SendMessageBatch, 10 a request). */
export class SqsOnFailureQueue implements OnFailureDestination {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: SqsOnFailureQueueOptions) {
    if (!/^https?:\/\//.test(options.queueUrl))
      throw new TypeError(`SqsOnFailureQueue: ${JSON.stringify(options.queueUrl)} is not a queue URL`);
    this.maxAttempts = options.maxAttempts ?? 4;
    this.sleep = options.sleep ?? realSleep;
  }

  async park(failures: readonly Undelivered[], failedAtMs: number): Promise<void> {
    const failedAt = new Date(failedAtMs).toISOString();
    const entries = failures.map((f, i) => {
      const body: UndeliveredFinding = {
        format: UNDELIVERED_FORMAT,
        finding: f.finding,
        destinations: f.destinations.filter((d): d is Destination =>
          (DESTINATIONS as readonly string[]).includes(d),
        ),
        reason: f.reason,
        failedAt,
      };
      return {
        id: String(i),
        body: JSON.stringify(body),
        destinations: body.destinations,
        finding: f.finding,
      };
    });
    const lost: string[] = [];
    for (const batch of chunkBySize(
      entries,
      10,
      SQS_MAX_BYTES - 8192,
      (e) => Buffer.byteLength(e.body) + 512,
    )) {
      let pending = batch;
      let reason = '';
      for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
        if (attempt > 1) await this.sleep(jitteredDelayMs(attempt, 100));
        try {
          const response = await this.options.client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.options.queueUrl,
              Entries: pending.map((e) => ({
                Id: e.id,
                MessageBody: e.body,
                MessageAttributes: {
                  destinations: { DataType: 'String', StringValue: e.destinations.join(',') },
                  ruleId: { DataType: 'String', StringValue: e.finding.ruleId },
                  severity: { DataType: 'String', StringValue: e.finding.severity },
                },
              })),
            }),
          );
          const retry = new Set((response.Failed ?? []).map((f) => f.Id ?? ''));
          reason = (response.Failed ?? []).map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`).join('; ');
          pending = pending.filter((e) => retry.has(e.id));
        } catch (error) {
          reason = describeError(error);
          if (!isTransient(error)) break;
        }
      }
      if (pending.length > 0) lost.push(`${pending.length} finding(s): ${reason}`);
    }
    if (lost.length > 0) throw new OnFailureQueueError(`on-failure queue did not take ${lost.join('; ')}`);
  }
}
