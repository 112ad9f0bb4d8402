/**
 * CloudWatch Logs subscription events as Lambda receives them (`{awslogs:{data}}`, gzip + base64),
 * built from real corpus lines, and the corpus itself, read in place from ../shared/corpus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { CloudWatchLogsEvent } from 'aws-lambda';

/** The shared corpus directory (beside the repository). */
export const CORPUS_DIR = join(__dirname, '..', '..', '..', 'shared', 'corpus');

/** Non-empty lines of a corpus file (path relative to the corpus root). */
export const corpusLines = (relativePath: string): string[] =>
  readFileSync(join(CORPUS_DIR, relativePath), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

/** Options of a payload. */
export interface PayloadOptions {
  readonly logGroup?: string;
  readonly owner?: string;
  readonly logStream?: string;
  /** Timestamp of the first log event; the rest follow a millisecond apart. */
  readonly startMs?: number;
}

/** The decoded payload of a subscription event. */
export function payloadJson(messages: readonly string[], o: PayloadOptions = {}): string {
  const start = o.startMs ?? Date.UTC(2026, 2, 2);
  return JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: o.owner ?? '123456789012',
    logGroup: o.logGroup ?? 'aws-cloudtrail-logs-123456789012',
    logStream: o.logStream ?? '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['nhi-watch'],
    logEvents: messages.map((message, i) => ({ id: `${37_000_000_000 + i}`, timestamp: start + i, message })),
  });
}

/** Gzip + base64 a payload JSON into the event Lambda receives. */
export const encodeEvent = (json: string): CloudWatchLogsEvent => ({
  awslogs: { data: gzipSync(json).toString('base64') },
});

/** A subscription event carrying these log lines. */
export const subscriptionEvent = (messages: readonly string[], o: PayloadOptions = {}): CloudWatchLogsEvent =>
  encodeEvent(payloadJson(messages, o));
