/**
 * Read history by time for `nhi-watch backfill`: a CloudWatch Logs group's events (FilterLogEvents)
 * and CloudTrail's event history (LookupEvents), as lambdas/local/history-slots.ts reads them.
 * Each is handed its SDK client, which retries throttling and 5xx itself (the CLI builds them with
 * adaptive retry); this adapter retries what still fails transiently and keeps LookupEvents under
 * its documented 2 requests per second per account and region.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { realSleep, retryTransient, type Sleep } from './retry.js';

/** An event as read: the shape lambdas/local/history-slots.ts folds (these readers are its TimeSlotReader). */
export interface HistoryEvent {
  readonly id: string;
  readonly timestampMs: number;
  readonly message: string;
}

/** A failure to read history that retries did not fix (permissions, a missing log group). */
export class HistoryReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HistoryReadError';
  }
}

/** Retry a call on transient failures, then name what failed. */
const retrying = <T>(what: string, call: () => Promise<T>, sleep: Sleep, maxAttempts: number): Promise<T> =>
  retryTransient(what, call, {
    maxAttempts,
    sleep,
    fail: (message, cause) => new HistoryReadError(message, { cause }),
  });

/** The account the credentials belong to: it names the streams, so two accounts' history never shares chunk ids. */
export async function callerAccount(sts: STSClient): Promise<string> {
  const out = await retrying(
    'sts GetCallerIdentity',
    () => sts.send(new GetCallerIdentityCommand({})),
    realSleep,
    5,
  );
  if (out.Account === undefined || !/^\d{12}$/.test(out.Account))
    throw new HistoryReadError(`sts GetCallerIdentity returned no account id`);
  return out.Account;
}

/** What reading a log group needs. */
export interface LogGroupHistoryOptions {
  readonly client: CloudWatchLogsClient;
  readonly logGroup: string;
  readonly region: string;
  readonly account: string;
  /** Attempts per request on top of the SDK's own retries. @default 5 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/** A CloudWatch Logs group's events by time (FilterLogEvents, all streams interleaved). */
export class LogGroupHistory {
  readonly name: string;

  constructor(private readonly o: LogGroupHistoryOptions) {
    if (o.logGroup === '') throw new HistoryReadError('LogGroupHistory needs a log group name');
    this.name = `logs://${o.region}/${o.account}/${o.logGroup}`;
  }

  get logGroup(): string {
    return this.o.logGroup;
  }

  async *pages(startMs: number, endMs: number): AsyncGenerator<HistoryEvent[]> {
    let token: string | undefined;
    do {
      const page = await retrying(
        `read ${this.name} from ${new Date(startMs).toISOString()}`,
        () =>
          this.o.client.send(
            new FilterLogEventsCommand({
              logGroupName: this.o.logGroup,
              startTime: startMs,
              // Inclusive: the last millisecond of the slot.
              endTime: endMs - 1,
              limit: 10_000,
              ...(token !== undefined ? { nextToken: token } : {}),
            }),
          ),
        this.o.sleep ?? realSleep,
        this.o.maxAttempts ?? 5,
      );
      const events: HistoryEvent[] = [];
      for (const e of page.events ?? [])
        if (e.eventId !== undefined && e.timestamp !== undefined && e.message !== undefined)
          events.push({ id: e.eventId, timestampMs: e.timestamp, message: e.message });
      yield events;
      token = page.nextToken;
    } while (token !== undefined);
  }
}

/** What reading CloudTrail's event history needs. */
export interface LookupEventsHistoryOptions {
  readonly client: CloudTrailClient;
  readonly region: string;
  readonly account: string;
  /** Least time between two requests (ms): LookupEvents allows 2 per second per account and region. @default 500 */
  readonly minIntervalMs?: number;
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
  /** @default Date.now */
  readonly nowMs?: () => number;
}

/** CloudTrail's event history of one region (LookupEvents: management events of the last 90 days). */
export class LookupEventsHistory {
  readonly name: string;
  readonly logGroup: string;
  private lastCallMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: LookupEventsHistoryOptions) {
    this.name = `lookup-events://${o.account}/${o.region}`;
    this.logGroup = this.name;
  }

  private async paced(): Promise<void> {
    const now = (this.o.nowMs ?? Date.now)();
    const wait = this.lastCallMs + (this.o.minIntervalMs ?? 500) - now;
    if (wait > 0) await (this.o.sleep ?? realSleep)(wait);
    this.lastCallMs = (this.o.nowMs ?? Date.now)();
  }

  async *pages(startMs: number, endMs: number): AsyncGenerator<HistoryEvent[]> {
    let token: string | undefined;
    do {
      await this.paced();
      const page = await retrying(
        `read ${this.name} from ${new Date(startMs).toISOString()}`,
        () =>
          this.o.client.send(
            new LookupEventsCommand({
              StartTime: new Date(startMs),
              EndTime: new Date(endMs - 1),
              MaxResults: 50,
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          ),
        this.o.sleep ?? realSleep,
        this.o.maxAttempts ?? 5,
      );
      const events: HistoryEvent[] = [];
      for (const e of page.Events ?? [])
        if (e.EventId !== undefined && e.EventTime !== undefined && e.CloudTrailEvent !== undefined)
          events.push({ id: e.EventId, timestampMs: e.EventTime.getTime(), message: e.CloudTrailEvent });
      yield events;
      token = page.NextToken;
    } while (token !== undefined);
  }
}
