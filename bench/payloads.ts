/**
 * CloudWatch Logs subscription payloads for the benchmarks, built exactly as CloudWatch Logs
 * delivers them to a Lambda subscriber (`{awslogs: {data}}` with `data` = base64(gzip(JSON))), and
 * the floor: what decoding alone costs. The floor and the engine run on the same payloads.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';

/** The decoded payload CloudWatch Logs hands a subscription. */
export interface LogsPayload {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly {
    readonly id: string;
    readonly timestamp: number;
    readonly message: string;
  }[];
}

/** One delivery as the Lambda receives it, plus what the benchmarks need to know about it. */
export interface EncodedPayload {
  /** The Lambda event (`CloudWatchLogsEvent` shape). */
  readonly event: { readonly awslogs: { readonly data: string } };
  readonly events: number;
  /** Bytes of the JSON before gzip. */
  readonly rawBytes: number;
}

/** CloudTrail's own log group naming (`aws-cloudtrail-logs-<account>-<suffix>`), for realistic payloads. */
const LOG_GROUP = 'aws-cloudtrail-logs-123456789012-nhiwatch';

/** Read JSON Lines, skipping blank lines. */
export async function readJsonLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Encode one batch of log messages as a CloudWatch Logs subscription delivery. */
export function encodePayload(
  messages: readonly string[],
  timestampOf: (message: string, index: number) => number,
  seq: number,
): EncodedPayload {
  const payload: LogsPayload = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: LOG_GROUP,
    logStream: `123456789012_CloudTrail_us-east-1_${seq}`,
    subscriptionFilters: ['nhi-watch'],
    logEvents: messages.map((message, i) => ({
      // CloudWatch Logs event ids are 56-digit decimal strings; uniqueness is what matters here.
      id: `${String(seq).padStart(8, '0')}${String(i).padStart(48, '0')}`,
      timestamp: timestampOf(message, i),
      message,
    })),
  };
  const json = JSON.stringify(payload);
  return {
    event: { awslogs: { data: gzipSync(json).toString('base64') } },
    events: messages.length,
    rawBytes: Buffer.byteLength(json),
  };
}

/**
 * CloudTrail records re-issued with unique event ids so that repeating a small real corpus to
 * reach a payload count does not feed the engine duplicates: copy `k` of a record gets
 * `eventID` suffixed with `-k` and its time shifted by `k` × the corpus span. The JSON otherwise
 * stays byte-for-byte the record's own shape and size.
 */
export function replicateCloudTrail(lines: readonly string[], total: number): string[] {
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const times = records.map((r) => Date.parse(String(r.eventTime)));
  const finite = times.filter((t) => Number.isFinite(t));
  const spanMs = finite.length > 0 ? Math.max(...finite) - Math.min(...finite) + 60_000 : 3_600_000;
  const out: string[] = [];
  for (let n = 0; n < total; n++) {
    const copy = Math.floor(n / records.length);
    const i = n % records.length;
    const r = records[i] as Record<string, unknown>;
    if (copy === 0) {
      out.push(lines[i] as string);
      continue;
    }
    const t = times[i] as number;
    const shifted = {
      ...r,
      eventID: `${String(r.eventID)}-${copy}`,
      eventTime: Number.isFinite(t)
        ? new Date(t + copy * spanMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
        : r.eventTime,
    };
    out.push(JSON.stringify(shifted));
  }
  return out;
}

/** Timestamp of a CloudTrail message for its CloudWatch Logs event (its eventTime, else 0). */
export function cloudTrailTimestamp(message: string): number {
  const m = /"eventTime":"([^"]+)"/.exec(message);
  const t = m?.[1] !== undefined ? Date.parse(m[1]) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Split messages into payloads of `perPayload` events each. */
export function buildPayloads(
  messages: readonly string[],
  perPayload: number,
  timestampOf: (message: string, index: number) => number = cloudTrailTimestamp,
): EncodedPayload[] {
  const out: EncodedPayload[] = [];
  for (let i = 0; i < messages.length; i += perPayload)
    out.push(encodePayload(messages.slice(i, i + perPayload), timestampOf, out.length));
  return out;
}

/**
 * The floor: base64 decode + gunzip + JSON.parse of the envelope and of every message, nothing
 * else. Returns the number of messages parsed (and keeps a checksum so the work is not optimised away).
 */
export function decodeFloor(payloads: readonly EncodedPayload[]): { events: number; checksum: number } {
  let events = 0;
  let checksum = 0;
  for (const p of payloads) {
    const envelope = JSON.parse(
      gunzipSync(Buffer.from(p.event.awslogs.data, 'base64')).toString('utf8'),
    ) as LogsPayload;
    for (const le of envelope.logEvents) {
      const rec = JSON.parse(le.message) as { eventName?: unknown };
      events += 1;
      if (typeof rec.eventName === 'string') checksum += rec.eventName.length;
    }
  }
  return { events, checksum };
}
