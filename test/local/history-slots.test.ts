/** Time-slotted history (log groups, LookupEvents): which slots are read, and how a slot becomes events. */
import type { WalkStats } from '../../lambdas/local/backfill';
import {
  HISTORY_SLOT_MS,
  slotChunkId,
  slotHistory,
  slotStarts,
  type HistoryEvent,
  type SlotUnit,
  type TimeSlotReader,
} from '../../lambdas/local/history-slots';
import { loadLocalSetup, type LocalSetup } from '../../lambdas/local/replay';
import { plausibleWindow } from '../../lambdas/core/sources/time-window';

const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);
const record = (id: number, timeMs: number, extra: object = {}): string =>
  JSON.stringify({
    eventVersion: '1.09',
    eventTime: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-sdk-java/2.20.0',
    eventID: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    recipientAccountId: '123456789012',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER00001',
      arn: 'arn:aws:iam::123456789012:user/etl',
      accountId: '123456789012',
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      userName: 'etl',
    },
    ...extra,
  });

/** A reader over a list, paging by `pageSize` and repeating each page's last event on the next page. */
function listReader(
  name: string,
  events: readonly HistoryEvent[],
  pageSize = 2,
): TimeSlotReader & { asked: number[][] } {
  const asked: number[][] = [];
  return {
    name,
    logGroup: 'group',
    asked,
    async *pages(startMs: number, endMs: number) {
      asked.push([startMs, endMs]);
      // Like the services: a range's events, maybe a little outside it, maybe repeated across pages.
      const all = events.filter((e) => e.timestampMs >= startMs - 1 && e.timestampMs <= endMs);
      for (let i = 0; i < all.length; i += pageSize)
        yield await Promise.resolve(all.slice(Math.max(0, i - 1), i + pageSize));
    },
  };
}

const stats = (): WalkStats => ({ checkpointed: 0, ignored: 0, daysDone: 0, daysTotal: 0, currentDay: '' });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let setup: LocalSetup;
beforeAll(async () => {
  setup = await loadLocalSetup({});
});

describe('slotStarts', () => {
  it('gives whole slots only: from the one holding --since to the last that ended by --until and settled', () => {
    const sinceMs = T0 + 7 * 60_000;
    expect(slotStarts({ sinceMs, untilMs: T0 + 50 * 60_000, settledMs: T0 + 10 * HISTORY_SLOT_MS })).toEqual([
      T0,
      T0 + HISTORY_SLOT_MS,
      T0 + 2 * HISTORY_SLOT_MS,
    ]);
    // Settling cuts earlier than --until.
    expect(slotStarts({ sinceMs, untilMs: T0 + 50 * 60_000, settledMs: T0 + 20 * 60_000 })).toEqual([T0]);
    expect(slotStarts({ sinceMs, untilMs: T0 + 10 * 60_000, settledMs: T0 + 10 * HISTORY_SLOT_MS })).toEqual(
      [],
    );
  });
});

describe('slotHistory', () => {
  it('reads each slot whole, once per event, and names chunks by stream, slot and index only', async () => {
    const events: HistoryEvent[] = [
      { id: 'e3', timestampMs: T0 + 60_000, message: record(3, T0 + 60_000) },
      { id: 'e1', timestampMs: T0 + 1_000, message: record(1, T0 + 1_000) },
      { id: 'e2', timestampMs: T0 + 1_000, message: record(2, T0 + 1_000) },
      { id: 'late', timestampMs: T0 + HISTORY_SLOT_MS, message: record(4, T0 + HISTORY_SLOT_MS) },
      { id: 'junk', timestampMs: T0 + 2_000, message: 'not json' },
    ];
    const reader = listReader('logs://us-east-1/123456789012/trail', events);
    const source = slotHistory([reader], {
      sinceMs: T0,
      untilMs: T0 + HISTORY_SLOT_MS,
      settledMs: T0 + 3_600_000,
    });
    const units = await collect(source.units(new Map(), stats()));
    expect(units.map((u) => u.position)).toEqual([new Date(T0).toISOString()]);
    const read = await source.read(units[0] as SlotUnit, {
      intel: setup.intel,
      window: plausibleWindow(T0 + 86_400_000),
    });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    // The event on the next slot's first millisecond is not this slot's; repeats across pages count once.
    expect(read.events.map((e) => e.eventId)).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ]);
    expect([...read.rejects]).toEqual([['log event: invalid-json', 1]]);
    expect(source.chunkId(units[0] as SlotUnit, 'any', 0)).toBe(slotChunkId(reader.name, T0, 0));
    expect(slotChunkId(reader.name, T0, 0)).not.toBe(
      slotChunkId('logs://us-east-1/210987654321/trail', T0, 0),
    );
    expect(slotChunkId(reader.name, T0, 0)).not.toBe(slotChunkId(reader.name, T0 + HISTORY_SLOT_MS, 0));
  });

  it('skips what the checkpoint holds, stream by stream, and refuses two streams of one name', async () => {
    const a = listReader('lookup-events://123456789012/us-east-1', []);
    const b = listReader('lookup-events://123456789012/eu-west-1', []);
    const sel = { sinceMs: T0, untilMs: T0 + 3 * HISTORY_SLOT_MS, settledMs: T0 + 3_600_000 };
    const s = stats();
    const done = new Map([[a.name, new Date(T0 + HISTORY_SLOT_MS).toISOString()]]);
    const units = await collect(slotHistory([a, b], sel).units(done, s));
    expect(units.map((u) => `${u.stream} ${u.position.slice(11, 16)}`)).toEqual([
      `${b.name} 10:00`,
      `${b.name} 10:15`,
      `${a.name} 10:30`,
      `${b.name} 10:30`,
    ]);
    expect(s.checkpointed).toBe(2);
    expect(() => slotHistory([a, a], sel)).toThrow(RangeError);
  });
});
