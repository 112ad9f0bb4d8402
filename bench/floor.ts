/**
 * The payload sets every throughput figure is measured on, and the floor: base64 + gunzip +
 * JSON.parse of those payloads. Both the floor and the engine read the same `EncodedPayload[]`.
 */
import { join } from 'node:path';

import { ROOT } from './bundle.js';
import {
  buildPayloads,
  decodeFloor,
  readJsonLines,
  replicateCloudTrail,
  type EncodedPayload,
} from './payloads.js';

/** The real CloudTrail corpus the throughput figures use (2,900 events, real account, MIT). */
export const INVICTUS_EVENTS = join(
  ROOT,
  '..',
  'shared',
  'corpus',
  'cloudtrail',
  'invictus-aws-dataset',
  'events.jsonl',
);

/** A named set of CloudWatch Logs payloads. */
export interface PayloadSet {
  readonly name: string;
  readonly description: string;
  readonly payloads: readonly EncodedPayload[];
  readonly events: number;
  readonly avgEventBytes: number;
}

/** Describe a payload set. */
export function payloadSet(
  name: string,
  description: string,
  payloads: readonly EncodedPayload[],
): PayloadSet {
  const events = payloads.reduce((a, p) => a + p.events, 0);
  const bytes = payloads.reduce((a, p) => a + p.rawBytes, 0);
  return { name, description, payloads, events, avgEventBytes: bytes / Math.max(1, events) };
}

/** Invictus IR's real CloudTrail events, repeated with fresh event ids up to `total`, in payloads of `perPayload`. */
export async function invictusPayloads(total: number, perPayload = 1000): Promise<PayloadSet> {
  const lines = await readJsonLines(INVICTUS_EVENTS);
  const messages = replicateCloudTrail(lines, total);
  return payloadSet(
    'invictus',
    `Invictus IR AWS dataset (${lines.length} real CloudTrail events, repeated with fresh ids to ${total}), ${perPayload} events per payload`,
    buildPayloads(messages, perPayload),
  );
}

/** One floor pass over a payload set: events per second. */
export function floorPass(set: PayloadSet): number {
  const t0 = process.hrtime.bigint();
  const { events } = decodeFloor(set.payloads);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return events / seconds;
}
