/**
 * History read by time: a CloudWatch Logs group's events (FilterLogEvents) or CloudTrail's event
 * history (LookupEvents, 90 days of management events every account has), as a backfill source.
 *
 * Neither service names its events the way an archive names its objects, and neither pages the
 * same way twice, so a unit is a fixed time slot: {@link HISTORY_SLOT_MS} of one stream, aligned to
 * the epoch. A slot is read whole, its events put in (timestamp, id) order and folded in chunks
 * whose ids come from the stream, the slot and the chunk's index only — so a re-run, a resume or
 * a second backfill of the same slot finds its markers and counts nothing twice.
 *
 * Only whole, settled slots are folded: a slot that reaches past `--until`, or past the settle
 * time (events still arriving: CloudTrail delivers to CloudWatch Logs within minutes and to
 * LookupEvents within about 15), is left for a later run. An event ingested into a slot after the
 * slot was folded is not folded by a re-run (its slot is marked).
 *
 * Events go through `eventsOfDelivery`, the function the Lambdas run on a subscription's payload:
 * a slot is read as one delivery of its log group (CloudTrail records and API Gateway access-log
 * lines alike, as the live subscription sends them), secrets scrubbed, rejects counted.
 */
import { createHash } from 'node:crypto';
import { BACKFILL_BATCH_PREFIX } from '../core/baseline.js';
import { normaliseAnyLine } from '../core/sources/any-source.js';
import type { CloudWatchLogEvent } from '../core/sources/cloudwatch-logs.js';
import { eventsOfDelivery } from '../core/sources/log-delivery.js';
import type { HistorySource, HistoryUnit, ReadHistoryUnit, WalkStats } from './backfill.js';

/** Length of a slot (ms), fixed: a chunk's id depends on it, so it never changes between runs. */
export const HISTORY_SLOT_MS = 15 * 60_000;

/** An event as the services return it: CloudWatch Logs' eventId / timestamp / message, or LookupEvents' EventId / EventTime / CloudTrailEvent. */
export interface HistoryEvent {
  readonly id: string;
  readonly timestampMs: number;
  readonly message: string;
}

/** One stream of history read by time (implemented on the SDK by the adapters). */
export interface TimeSlotReader {
  /**
   * Names the stream in chunk ids, markers, the checkpoint and the report, e.g.
   * `logs://eu-west-1/123456789012/aws-cloudtrail-logs` or `lookup-events://123456789012/eu-west-1`.
   * Two streams that can hold different events must have different names.
   */
  readonly name: string;
  /** The log group the events are read as coming from (API Gateway lines: which API and stage). */
  readonly logGroup: string;
  /** Every event stamped in [startMs, endMs), page by page (a page may repeat an event: ids are deduplicated). */
  pages(startMs: number, endMs: number): AsyncIterable<readonly HistoryEvent[]>;
}

/** Which slots to fold. */
export interface SlotSelection {
  /** Slots ending after this instant (epoch ms): the first slot is the one holding it. */
  readonly sinceMs: number;
  /** Slots ending at or before this instant (epoch ms). */
  readonly untilMs: number;
  /** Slots ending after this instant are still filling and are left for a later run. */
  readonly settledMs: number;
}

/** A slot of one stream. */
export interface SlotUnit extends HistoryUnit {
  readonly reader: TimeSlotReader;
  readonly startMs: number;
}

const DAY_MS = 86_400_000;

/** Batch id of chunk `index` of the slot starting at `startMs` of stream `name`. */
export function slotChunkId(name: string, startMs: number, index: number): string {
  const h = createHash('sha256')
    .update(`slot\u0000${name}\u0000${HISTORY_SLOT_MS}\u0000${startMs}\u0000${index}`)
    .digest('hex');
  return `${BACKFILL_BATCH_PREFIX}${h.slice(0, 32)}`;
}

/** The slots of a selection: whole slots only, ending by `untilMs` and settled. */
export function slotStarts(sel: SlotSelection): number[] {
  const first = Math.floor(sel.sinceMs / HISTORY_SLOT_MS) * HISTORY_SLOT_MS;
  const end = Math.min(sel.untilMs, sel.settledMs);
  const out: number[] = [];
  for (let t = first; t + HISTORY_SLOT_MS <= end; t += HISTORY_SLOT_MS) out.push(t);
  return out;
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** Streams read by time slots as a backfill source: slot by slot, every stream at each slot. */
export function slotHistory(readers: readonly TimeSlotReader[], sel: SlotSelection): HistorySource<SlotUnit> {
  const names = readers.map((r) => r.name);
  if (new Set(names).size !== names.length)
    throw new RangeError(`two history streams share a name: ${names.join(', ')}`);
  return {
    name: names.length === 1 ? (names[0] as string) : names.join(' + '),
    async *units(done, stats: WalkStats) {
      const starts = slotStarts(sel);
      const days = new Set(starts.map((t) => Math.floor(t / DAY_MS)));
      stats.daysTotal = days.size;
      let day: number | undefined;
      for (const startMs of starts) {
        const d = Math.floor(startMs / DAY_MS);
        if (day !== undefined && d !== day) stats.daysDone += 1;
        day = d;
        stats.currentDay = isoOf(startMs).slice(0, 10);
        const position = isoOf(startMs);
        for (const reader of readers) {
          const last = done.get(reader.name);
          if (last !== undefined && position <= last) {
            stats.checkpointed += 1;
            continue;
          }
          yield await Promise.resolve({
            reader,
            startMs,
            stream: reader.name,
            position,
            origin: `${reader.name}@${position}`,
          });
        }
      }
      if (day !== undefined) stats.daysDone += 1;
    },
    async read(unit, { intel, window }): Promise<ReadHistoryUnit> {
      const endMs = unit.startMs + HISTORY_SLOT_MS;
      const byId = new Map<string, CloudWatchLogEvent>();
      for await (const page of unit.reader.pages(unit.startMs, endMs))
        for (const e of page)
          if (e.timestampMs >= unit.startMs && e.timestampMs < endMs && !byId.has(e.id))
            byId.set(e.id, { id: e.id, timestamp: e.timestampMs, message: e.message });
      const logEvents = [...byId.values()].sort((a, b) =>
        a.timestamp !== b.timestamp ? a.timestamp - b.timestamp : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
      );
      const delivered = eventsOfDelivery(
        {
          owner: '',
          logGroup: unit.reader.logGroup,
          logStream: '',
          subscriptionFilters: [],
          messageType: 'DATA_MESSAGE',
          logEvents,
          rejectedLogEvents: [],
        },
        normaliseAnyLine,
        intel,
        window,
      );
      return { ok: true, events: delivered.events, rejects: delivered.rejects, version: '' };
    },
    chunkId: (unit, _version, index) => slotChunkId(unit.reader.name, unit.startMs, index),
  };
}
