/**
 * CloudWatch Logs subscription payloads: `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`, as
 * delivered to a Lambda subscriber (and as a Firehose record body). Decoding is pure: base64 and
 * gzip come from node's buffer / zlib, no I/O.
 */
import { gunzipSync } from 'node:zlib';
import type { ParseResult } from '../identity-event.js';
import { asObject } from './fields.js';

/** One log event inside a subscription payload. */
export interface CloudWatchLogEvent {
  readonly id: string;
  /** Ingestion-side timestamp of the log event, epoch ms. */
  readonly timestamp: number;
  readonly message: string;
}

/** Why an entry of `logEvents` is not a log event at all (before any source reads its message). */
export type LogEventRejectReason =
  'log-event-not-an-object' | 'log-event-missing-message' | 'log-event-missing-timestamp';

/** Every {@link LogEventRejectReason}, for callers that label them apart from line reasons. */
export const LOG_EVENT_REJECT_REASONS: ReadonlySet<string> = new Set<LogEventRejectReason>([
  'log-event-not-an-object',
  'log-event-missing-message',
  'log-event-missing-timestamp',
]);

/** A log event that could not be used, by its position in `logEvents`. */
export interface LogEventReject {
  /** 0-based index in the payload's `logEvents`. */
  readonly index: number;
  readonly reason: LogEventRejectReason;
}

/** A decoded subscription payload. CONTROL_MESSAGE payloads (delivery probes) carry no events. */
export interface CloudWatchLogsPayload {
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly logEvents: readonly CloudWatchLogEvent[];
  /** Malformed entries of `logEvents`, skipped and counted. */
  readonly rejectedLogEvents: readonly LogEventReject[];
}

/** Options for decoding. */
export interface DecodeOptions {
  /**
   * Ceiling on the decompressed size, against gzip bombs. CloudWatch Logs batches are at most
   * 1 MB of events, so the default leaves a wide margin.
   * @default 32 MiB
   */
  readonly maxDecompressedBytes?: number;
}

const DEFAULT_MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Decode base64 strictly. Node's decoder silently skips invalid characters, so the decoded length
 * is checked against what a clean, padded input of this length must produce.
 */
function decodeBase64(data: string): Buffer | undefined {
  const n = data.length;
  if (n === 0 || n % 4 !== 0) return undefined;
  let padding = 0;
  if (data.charCodeAt(n - 1) === 61) padding = data.charCodeAt(n - 2) === 61 ? 2 : 1;
  // Spot-check the characters next to the padding; the length check catches the rest.
  const lastData = n - padding - 1;
  if (lastData < 0 || !isBase64Char(data.charCodeAt(lastData))) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === (n / 4) * 3 - padding ? bytes : undefined;
}

/** Decode the base64 `data` string of a subscription event into its payload, or a reason. */
export function decodeCloudWatchLogsData(
  data: string,
  options: DecodeOptions = {},
): ParseResult<CloudWatchLogsPayload> {
  const compressed = decodeBase64(data);
  if (compressed === undefined) return { ok: false, reason: 'invalid-base64' };
  if (compressed.length < 18 || compressed[0] !== 0x1f || compressed[1] !== 0x8b)
    return { ok: false, reason: 'not-gzip' };
  let json: Buffer;
  try {
    json = gunzipSync(compressed, {
      maxOutputLength: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'payload-too-large' : 'invalid-gzip' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  return validatePayload(parsed);
}

/** Decode a Lambda subscription event `{awslogs:{data}}` (typed loosely: it is untrusted input). */
export function decodeCloudWatchLogsEvent(
  event: unknown,
  options: DecodeOptions = {},
): ParseResult<CloudWatchLogsPayload> {
  const data = asObject(asObject(event)?.['awslogs'])?.['data'];
  if (typeof data !== 'string') return { ok: false, reason: 'missing-awslogs-data' };
  return decodeCloudWatchLogsData(data, options);
}

function validatePayload(parsed: unknown): ParseResult<CloudWatchLogsPayload> {
  const obj = asObject(parsed);
  if (obj === undefined) return { ok: false, reason: 'payload-not-an-object' };
  const messageType = obj['messageType'];
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    return { ok: false, reason: messageType === undefined ? 'missing-message-type' : 'unknown-message-type' };
  }
  const owner = typeof obj['owner'] === 'string' ? obj['owner'] : '';
  const logGroup = typeof obj['logGroup'] === 'string' ? obj['logGroup'] : '';
  const logStream = typeof obj['logStream'] === 'string' ? obj['logStream'] : '';
  const filters = Array.isArray(obj['subscriptionFilters'])
    ? obj['subscriptionFilters'].filter((f): f is string => typeof f === 'string')
    : [];
  if (messageType === 'CONTROL_MESSAGE') {
    return {
      ok: true,
      value: {
        owner,
        logGroup,
        logStream,
        subscriptionFilters: filters,
        messageType,
        logEvents: [],
        rejectedLogEvents: [],
      },
    };
  }
  if (typeof obj['owner'] !== 'string') return { ok: false, reason: 'missing-owner' };
  if (logGroup.length === 0) return { ok: false, reason: 'missing-log-group' };
  if (typeof obj['logStream'] !== 'string') return { ok: false, reason: 'missing-log-stream' };
  const rawEvents = obj['logEvents'];
  if (!Array.isArray(rawEvents)) return { ok: false, reason: 'missing-log-events' };
  const logEvents: CloudWatchLogEvent[] = [];
  const rejectedLogEvents: LogEventReject[] = [];
  for (let i = 0; i < rawEvents.length; i++) {
    const e = asObject(rawEvents[i]);
    if (e === undefined) {
      rejectedLogEvents.push({ index: i, reason: 'log-event-not-an-object' });
      continue;
    }
    const message = e['message'];
    if (typeof message !== 'string') {
      rejectedLogEvents.push({ index: i, reason: 'log-event-missing-message' });
      continue;
    }
    const timestamp = e['timestamp'];
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      rejectedLogEvents.push({ index: i, reason: 'log-event-missing-timestamp' });
      continue;
    }
    const id = e['id'];
    logEvents.push({ id: typeof id === 'string' ? id : '', timestamp, message });
  }
  return {
    ok: true,
    value: {
      owner,
      logGroup,
      logStream,
      subscriptionFilters: filters,
      messageType,
      logEvents,
      rejectedLogEvents,
    },
  };
}
