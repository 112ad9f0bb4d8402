/**
 * Streaming replay: files read a line at a time, grouped into streams, merged by event time with a
 * bounded buffer. The result of a replay from disk must equal the in-memory replay of the same
 * records, whatever the files' layout and their internal order.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { IdentityEvent } from '../../lambdas/core/identity-event';
import {
  MinHeap,
  STREAM_REJECTS,
  groupIntoStreams,
  mergeByTime,
  splitLines,
} from '../../lambdas/local/event-stream';
import { loadLocalSetup, replayEvents, replayFiles, type LocalSetup } from '../../lambdas/local/replay';
import { cloudTrailArchive, simulate, type SimulationResult } from '../../simulate/index';

const event = (timeMs: number, id: string): IdentityEvent =>
  ({ timeMs, eventId: id }) as unknown as IdentityEvent;

async function* fromArrays(
  chunks: readonly (readonly IdentityEvent[])[],
): AsyncGenerator<readonly IdentityEvent[]> {
  for (const c of chunks) yield await Promise.resolve(c);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('MinHeap', () => {
  it('pops any sequence of numbers in ascending order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), (xs) => {
        const h = new MinHeap<number>((a, b) => a < b);
        for (const x of xs) h.push(x);
        const out: number[] = [];
        while (h.size > 0) out.push(h.pop() as number);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });
});

describe('groupIntoStreams', () => {
  it('makes one stream per account and region of an organization archive, files in delivery order, and one per other file', () => {
    const root = '/a/AWSLogs/o-abc123defg';
    const ct = (acct: string, region: string, day: string, stamp: string): string =>
      `${root}/${acct}/CloudTrail/${region}/2025/06/${day}/${acct}_CloudTrail_${region}_202506${day}T${stamp}Z_x.json.gz`;
    const files = [
      ct('111111111111', 'us-east-1', '03', '0005'),
      ct('111111111111', 'us-east-1', '02', '2355'),
      ct('222222222222', 'us-east-1', '02', '0005'),
      ct('111111111111', 'eu-west-1', '02', '0005'),
      ct('111111111111', 'us-east-1', '02', '0010'),
      '/a/cloudtrail.jsonl',
      '/a/apigw.jsonl',
    ];
    const streams = groupIntoStreams(files);
    expect(streams).toEqual([
      [
        ct('111111111111', 'us-east-1', '02', '0010'),
        ct('111111111111', 'us-east-1', '02', '2355'),
        ct('111111111111', 'us-east-1', '03', '0005'),
      ],
      [ct('222222222222', 'us-east-1', '02', '0005')],
      [ct('111111111111', 'eu-west-1', '02', '0005')],
      ['/a/cloudtrail.jsonl'],
      ['/a/apigw.jsonl'],
    ]);
  });
});

describe('splitLines', () => {
  async function* bytes(...parts: string[]): AsyncGenerator<Buffer> {
    for (const p of parts) yield await Promise.resolve(Buffer.from(p));
  }

  it('splits across chunk boundaries, drops CR, keeps a last line without newline, and skips (and counts) a line over the limit', async () => {
    let tooLong = 0;
    const lines = await collect(
      splitLines(
        bytes('ab', 'c\r\nde', 'f\n', 'x'.repeat(30), 'y'.repeat(30), '\nlast é'),
        40,
        () => tooLong++,
      ),
    );
    expect(lines).toEqual(['abc', 'def', 'last é']);
    expect(tooLong).toBe(1);
  });
});

describe('mergeByTime', () => {
  it('emits every event of every stream in time order when each stream is out of order by less than its buffer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 300 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (streams) => {
          // Each stream: sorted, then shuffled locally within windows of 50 (< the 1,000-event buffer).
          const sources = streams.map((times, s) => {
            const sorted = [...times].sort((a, b) => a - b).map((t, i) => event(t, `${s}:${i}`));
            const chunks: IdentityEvent[][] = [];
            for (let i = 0; i < sorted.length; i += 50) chunks.push(sorted.slice(i, i + 50).reverse());
            return fromArrays(chunks);
          });
          const stats = { events: 0, late: 0 };
          const out = (await collect(mergeByTime(sources, stats, { chunkEvents: 64 }))).flat();
          const times = out.map((e) => e.timeMs);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(out).toHaveLength(streams.reduce((a, s) => a + s.length, 0));
          expect(new Set(out.map((e) => e.eventId)).size).toBe(out.length);
          expect(stats.late).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('still emits an event that arrives later than the buffer reaches, and counts it late', async () => {
    const head = Array.from({ length: 3000 }, (_, i) => event(1000 + i, `e${i}`));
    const stats = { events: 0, late: 0 };
    const out = (
      await collect(mergeByTime([fromArrays([head, [event(5, 'straggler')]])], stats, { bufferEvents: 1000 }))
    ).flat();
    expect(out).toHaveLength(3001);
    expect(out.map((e) => e.eventId)).toContain('straggler');
    expect(stats.late).toBe(1);
  });
});

describe('replayFiles (streaming) on a simulated organization archive', () => {
  let dir: string;
  let sim: SimulationResult;
  let setup: LocalSetup;

  beforeAll(async () => {
    sim = simulate({ seed: 4, days: 3, scale: 0.3 });
    setup = await loadLocalSetup({ inlineContracts: sim.contracts });
    dir = mkdtempSync(join(tmpdir(), 'nhi-stream-'));
    const objects = cloudTrailArchive(sim.cloudtrail, { organizationId: 'o-a1b2c3d4e5', isUnsorted: true });
    for (const o of objects) {
      const path = join(dir, o.key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(o.body));
    }
    // API Gateway lines as one plain JSON Lines file, and a pretty-printed CloudTrail document.
    writeFileSync(join(dir, 'apigw.jsonl'), sim.apiGateway.map((l) => JSON.stringify(l)).join('\n'));
    expect(objects.length).toBeGreaterThan(20);
    expect(new Set(objects.map((o) => `${o.account}/${o.region}`)).size).toBeGreaterThanOrEqual(3);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds what the in-memory replay of the same records finds, in time order', async () => {
    const streamed = await replayFiles([dir], setup);
    const inMemory = await replayEvents({ cloudtrail: sim.cloudtrail, apiGateway: sim.apiGateway }, setup);
    expect(streamed.events).toBe(sim.cloudtrail.length + sim.apiGateway.length);
    expect(streamed.rejects.size).toBe(0);
    expect(streamed.late).toBe(0);
    const key = (f: { ruleId: string; identityKey: string; count: number }): string =>
      `${f.ruleId} ${f.identityKey} ×${f.count}`;
    expect(streamed.findings.map(key).sort()).toEqual(inMemory.findings.map(key).sort());
    expect(streamed.findings.length).toBeGreaterThan(0);
  });

  it('counts a corrupt gzip object and a pretty-printed document is read whole', async () => {
    const extra = mkdtempSync(join(tmpdir(), 'nhi-stream-bad-'));
    try {
      const good = gzipSync(JSON.stringify({ Records: sim.cloudtrail.slice(0, 10) }));
      writeFileSync(
        join(extra, 'corrupt.json.gz'),
        Buffer.concat([good.subarray(0, 20), Buffer.alloc(50, 7)]),
      );
      writeFileSync(
        join(extra, 'pretty.json'),
        JSON.stringify({ Records: sim.cloudtrail.slice(0, 7) }, null, 2),
      );
      const result = await replayFiles([extra], setup);
      expect(result.rejects.get(STREAM_REJECTS.invalidGzip)).toBe(1);
      expect(result.events).toBe(7);
    } finally {
      rmSync(extra, { recursive: true, force: true });
    }
  });
});
