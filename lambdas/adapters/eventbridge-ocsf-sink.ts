/**
 * Findings as OCSF 1.1.0 Detection Findings (core/ocsf.ts) on an EventBridge bus: a fresh finding is
 * a `Create` event, a repeat (same finding id, raised count) an `Update`. PutEvents takes 10 entries
 * and 256 KB a call; failed entries are retried when EventBridge says a retry can help (throttling,
 * internal errors), with jittered backoff on top of the SDK's own retries, and reported otherwise —
 * the pipeline parks what is still refused with this destination named.
 *
 * Events: `Source` `nhi-watch`, `DetailType` `OCSF Detection Finding`, `Detail` the OCSF object,
 * `Resources` the identity's ARN when it has one, `Time` the finding's last event.
 */
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';

import type { Finding } from '../core/finding.js';
import type { OcsfDetectionFinding } from '../core/ocsf.js';
import type { DeliveryFailure, FindingSink, PublishResult } from '../core/ports.js';
import { chunkBySize } from './batching.js';
import { describeError, isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** The event source and detail type of every event (for EventBridge rules). */
export const OCSF_EVENT_SOURCE = 'nhi-watch';
export const OCSF_DETAIL_TYPE = 'OCSF Detection Finding';

/** PutEvents limits: entries per call, and bytes per call (and so per entry). */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** Entry error codes a retry can fix. */
const RETRYABLE = /ThrottlingException|InternalException|InternalFailure|ServiceUnavailable/i;

/** EventBridge OCSF sink options. */
export interface EventBridgeOcsfSinkOptions {
  readonly client: EventBridgeClient;
  /** Name or ARN of the event bus. */
  readonly eventBusName: string;
  readonly toOcsf: (finding: Finding, activity: 'create' | 'update') => OcsfDetectionFinding;
  /** Attempts per call, on top of the SDK's retries. @default 5 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

interface Entry {
  readonly finding: Finding;
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
}

/** Publishes every finding (fresh and repeats) as an OCSF event. */
export class EventBridgeOcsfSink implements FindingSink {
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: EventBridgeOcsfSinkOptions) {
    if (options.eventBusName === '') throw new TypeError('EventBridgeOcsfSink needs an event bus name');
    this.maxAttempts = options.maxAttempts ?? 5;
    this.sleep = options.sleep ?? realSleep;
  }

  async publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    const total = fresh.length + repeats.length;
    if (total === 0) return { delivered: 0, failed: [] };
    const failed: DeliveryFailure[] = [];
    const entries: Entry[] = [];
    const add = (finding: Finding, activity: 'create' | 'update'): void => {
      try {
        const detail = this.options.toOcsf(finding, activity);
        const principal = finding.principal;
        const entry: PutEventsRequestEntry = {
          EventBusName: this.options.eventBusName,
          Source: OCSF_EVENT_SOURCE,
          DetailType: OCSF_DETAIL_TYPE,
          Detail: JSON.stringify(detail),
          Time: new Date(detail.time),
          ...(principal !== undefined && principal.startsWith('arn:') && principal.length <= 1600
            ? { Resources: [principal] }
            : {}),
        };
        // EventBridge counts the UTF-8 of Detail, DetailType, Source and Resources, plus 14 bytes for Time.
        const bytes =
          Buffer.byteLength(entry.Detail ?? '') +
          Buffer.byteLength(OCSF_DETAIL_TYPE) +
          Buffer.byteLength(OCSF_EVENT_SOURCE) +
          (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0) +
          14;
        if (bytes > MAX_REQUEST_BYTES)
          failed.push(failure(finding, `OCSF event is ${bytes} bytes, over 256 KB`));
        else entries.push({ finding, entry, bytes });
      } catch (error) {
        failed.push(failure(finding, `cannot convert to OCSF: ${describeError(error)}`));
      }
    };
    for (const f of fresh) add(f, 'create');
    for (const f of repeats) add(f, 'update');
    for (const chunk of chunkBySize(entries, MAX_ENTRIES, MAX_REQUEST_BYTES, (e) => e.bytes))
      failed.push(...(await this.put(chunk)));
    return { delivered: total - failed.length, failed };
  }

  private async put(chunk: readonly Entry[]): Promise<DeliveryFailure[]> {
    const failed: DeliveryFailure[] = [];
    let pending = chunk;
    let reasons: string[] = pending.map(() => 'EventBridge: not sent');
    for (let attempt = 1; pending.length > 0 && attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(jitteredDelayMs(attempt, 200, 5_000));
      try {
        const response = await this.options.client.send(
          new PutEventsCommand({ Entries: pending.map((e) => e.entry) }),
        );
        // Results are in the order of the entries; an entry with an ErrorCode was not put.
        const results = response.Entries ?? [];
        const retry: Entry[] = [];
        const retryReasons: string[] = [];
        pending.forEach((e, i) => {
          const r = results[i];
          if (r === undefined || r.ErrorCode === undefined || r.ErrorCode === '') {
            if (r === undefined) {
              retry.push(e);
              retryReasons.push('EventBridge: no result for the entry');
            }
            return;
          }
          const reason = `EventBridge ${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim();
          if (RETRYABLE.test(r.ErrorCode)) {
            retry.push(e);
            retryReasons.push(reason);
          } else failed.push(failure(e.finding, reason));
        });
        pending = retry;
        reasons = retryReasons;
      } catch (error) {
        reasons = pending.map(() => `EventBridge PutEvents failed: ${describeError(error)}`);
        if (!isTransient(error)) break;
      }
    }
    pending.forEach((e, i) => failed.push(failure(e.finding, reasons[i] ?? 'EventBridge: not sent')));
    return failed;
  }
}

const failure = (finding: Finding, reason: string): DeliveryFailure => ({ finding, reason });
