/**
 * Streaming input for local replay and backfill: inputs larger than memory, read a line at a time
 * (gzip or plain), grouped into streams that are each close to time-ordered (one file, or the
 * delivery files of one account and region), and merged by event time with a bounded buffer.
 *
 * Memory is bounded by the number of streams × their reorder buffer plus one line (a CloudTrail
 * S3 object is one line), never by the input's size. An entry layer like `replay.ts`: reads files,
 * owns no detection logic.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { IdentityEvent } from '../core/identity-event.js';

/** A min-heap ordered by `before`. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as T;
      if (!this.before(item, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as T;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.before(a[r] as T, a[l] as T) ? r : l;
        const child = a[c] as T;
        if (!this.before(child, last)) break;
        a[i] = child;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** CloudTrail's delivery file name: `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`. */
const CLOUDTRAIL_FILE = /^(\d{12})_CloudTrail(?:-Digest)?_([a-z0-9-]+)_(\d{8}T\d{4}Z)_/;
/** A `…/YYYY/MM/DD` (optionally `/HH`) tail of a directory path, as in S3 archive layouts. */
const DATE_DIRS = /\/\d{4}\/\d{2}\/\d{2}(?:\/\d{2})?$/;

/**
 * Group files into streams, each read in order. Files under a date-partitioned directory
 * (`…/YYYY/MM/DD/`) share a stream with the other days under the same prefix; CloudTrail delivery
 * files share one per account and region of their directory; any other file is its own stream.
 * Streams keep the order in which their first file was given; files within a stream are sorted by
 * delivery time (CloudTrail file names) or path.
 */
export function groupIntoStreams(files: readonly string[]): string[][] {
  const groups = new Map<string, { files: string[]; sortKeys: string[] }>();
  for (const file of files) {
    const dir = dirname(file);
    const name = basename(file);
    const ct = CLOUDTRAIL_FILE.exec(name);
    const prefix = DATE_DIRS.test(dir) ? dir.replace(DATE_DIRS, '') : undefined;
    let key: string;
    let sortKey = file;
    if (ct !== null) {
      key = `ct\u0000${prefix ?? dir}\u0000${ct[1]}\u0000${ct[2]}`;
      sortKey = `${ct[3]}\u0000${file}`;
    } else if (prefix !== undefined) key = `dated\u0000${prefix}`;
    else key = `file\u0000${file}`;
    const g = groups.get(key) ?? { files: [], sortKeys: [] };
    g.files.push(file);
    g.sortKeys.push(sortKey);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) =>
    g.files
      .map((f, i) => ({ f, k: g.sortKeys[i] as string }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map((x) => x.f),
  );
}

/** Events and counted rejects of one unit of text (a line, or a whole document). */
export interface NormalisedText {
  readonly events: readonly IdentityEvent[];
  readonly rejects: ReadonlyMap<string, number>;
}

/** Turns a text (one line, or a whole pretty-printed document) of a file into events. */
export type TextNormaliser = (text: string, file: string) => NormalisedText;

/** Limits of the line reader. */
export interface LineLimits {
  /** Longest line kept (bytes, decompressed); longer ones are counted and skipped. @default 256 MiB */
  readonly maxLineBytes?: number;
}

/** Reasons counted by the stream reader itself. */
export const STREAM_REJECTS = {
  invalidGzip: 'file: invalid-gzip',
  lineTooLong: 'file: line-too-long',
  documentTooLarge: 'file: document-too-large',
} as const;

const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Count `n` for `reason`. */
function bump(rejects: Map<string, number>, reason: string, n = 1): void {
  rejects.set(reason, (rejects.get(reason) ?? 0) + n);
}

/** Reading position over all streams: compressed bytes read so far. */
export interface ReadProgress {
  bytesRead: number;
}

async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Split a byte stream into lines (`\n`, a trailing `\r` dropped) without holding more than one
 * line; a line longer than `maxLineBytes` is skipped up to its end and reported by `onTooLong`.
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes: number,
  onTooLong: () => void,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let skipping = false;
  const take = (tail: Buffer): string => {
    const whole = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    partBytes = 0;
    const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
    return whole.toString('utf8', 0, end);
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        parts = [];
        partBytes = 0;
        continue;
      }
      if (partBytes + piece.length > maxLineBytes) {
        parts = [];
        partBytes = 0;
        onTooLong();
        continue;
      }
      yield take(piece);
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.subarray(start);
      if (partBytes + rest.length > maxLineBytes) {
        parts = [];
        partBytes = 0;
        skipping = true;
        onTooLong();
      } else {
        // Copy: the stream may reuse its buffer.
        parts.push(Buffer.from(rest));
        partBytes += rest.length;
      }
    }
  }
  if (!skipping && partBytes > 0) yield take(Buffer.alloc(0));
}

const isJsonStart = (s: string): boolean => {
  const t = s.trimStart();
  return t.startsWith('{') || t.startsWith('[');
};

const parses = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/**
 * The events of one file, a line at a time (one CloudTrail S3 object is one line). A file whose
 * first line is an incomplete JSON document (pretty-printed) is read whole instead, up to the line
 * limit. A corrupt gzip ends the file there: what was read stays, the rest is counted as one reject.
 */
export async function* fileEvents(
  file: string,
  normalise: TextNormaliser,
  rejects: Map<string, number>,
  progress: ReadProgress,
  limits: LineLimits = {},
): AsyncGenerator<readonly IdentityEvent[]> {
  const maxLineBytes = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const gz = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  raw.on('data', (c) => (progress.bytesRead += c.length));
  const bytes: NodeJS.ReadableStream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => (bytes as unknown as { destroy(e: Error): void }).destroy(e));
  let document: string[] | undefined;
  let documentBytes = 0;
  let isFirst = true;
  try {
    for await (const line of splitLines(bytes as AsyncIterable<Buffer>, maxLineBytes, () =>
      bump(rejects, STREAM_REJECTS.lineTooLong),
    )) {
      if (document !== undefined) {
        documentBytes += line.length + 1;
        if (documentBytes > maxLineBytes) {
          bump(rejects, STREAM_REJECTS.documentTooLarge);
          document = undefined;
          return;
        }
        document.push(line);
        continue;
      }
      if (line.trim().length === 0) continue;
      if (isFirst) {
        isFirst = false;
        const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
        if (isJsonStart(text) && !parses(text)) {
          document = [line];
          documentBytes = line.length;
          continue;
        }
      }
      const n = normalise(line, file);
      for (const [k, v] of n.rejects) bump(rejects, k, v);
      if (n.events.length > 0) yield n.events;
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      bump(rejects, STREAM_REJECTS.invalidGzip);
      return;
    }
    throw error;
  } finally {
    raw.destroy();
  }
  if (document !== undefined) {
    const n = normalise(document.join('\n'), file);
    for (const [k, v] of n.rejects) bump(rejects, k, v);
    if (n.events.length > 0) yield n.events;
  }
}

/** The events of a stream's files, one after the other. */
export async function* streamEvents(
  files: readonly string[],
  normalise: TextNormaliser,
  rejects: Map<string, number>,
  progress: ReadProgress,
  limits: LineLimits = {},
): AsyncGenerator<readonly IdentityEvent[]> {
  for (const f of files) yield* fileEvents(f, normalise, rejects, progress, limits);
}

/** An event with its stream and position, for a stable order among equal times. */
interface Placed {
  readonly event: IdentityEvent;
  readonly stream: number;
  readonly seq: number;
}

const placedBefore = (a: Placed, b: Placed): boolean =>
  a.event.timeMs !== b.event.timeMs
    ? a.event.timeMs < b.event.timeMs
    : a.stream !== b.stream
      ? a.stream < b.stream
      : a.seq < b.seq;

/** One input stream behind a bounded reorder buffer: emits its events in time order as far as the buffer reaches. */
class OrderedStream {
  private readonly heap = new MinHeap<Placed>(placedBefore);
  private seq = 0;
  private isDone = false;

  constructor(
    private readonly index: number,
    private readonly source: AsyncIterator<readonly IdentityEvent[]>,
    private readonly capacity: number,
  ) {}

  get isExhausted(): boolean {
    return this.isDone && this.heap.size === 0;
  }

  /** Read until the buffer holds `capacity` events or the source ends. */
  async fill(): Promise<void> {
    while (!this.isDone && this.heap.size < this.capacity) {
      const next = await this.source.next();
      if (next.done === true) this.isDone = true;
      else for (const event of next.value) this.heap.push({ event, stream: this.index, seq: this.seq++ });
    }
  }

  /** Whether the buffer fell low enough to read more. */
  get isLow(): boolean {
    return !this.isDone && this.heap.size < this.capacity >> 1;
  }

  peek(): Placed | undefined {
    return this.heap.peek();
  }

  pop(): Placed | undefined {
    return this.heap.pop();
  }
}

/** Options of a merge. */
export interface MergeOptions {
  /** Events held for reordering across all streams. @default 10000 */
  readonly bufferEvents?: number;
  /** Events per emitted chunk (one pipeline batch). @default 1000 */
  readonly chunkEvents?: number;
}

/** Counts a merge keeps while it runs. */
export interface MergeStats {
  /** Events emitted. */
  events: number;
  /** Events earlier than one already emitted: out of order by more than the buffer absorbs (still processed). */
  late: number;
}

/**
 * Buffer per stream: the budget shared, at least 1,000 events. A stream also always holds the whole
 * line it last read (a CloudTrail object), so it reorders at least one delivery file.
 */
export const perStreamBuffer = (streams: number, budget: number): number =>
  Math.max(1000, Math.floor(budget / Math.max(1, streams)));

/**
 * Merge streams of events by event time (ties: stream order, then read order) into chunks of
 * `chunkEvents`. Each stream is reordered within its own buffer; the output is exactly time-ordered
 * whenever no stream is out of order by more than its buffer, and `stats.late` counts the events
 * that were.
 */
export async function* mergeByTime(
  sources: readonly AsyncIterator<readonly IdentityEvent[]>[],
  stats: MergeStats,
  options: MergeOptions = {},
): AsyncGenerator<IdentityEvent[]> {
  const chunkEvents = options.chunkEvents ?? 1000;
  const capacity = perStreamBuffer(sources.length, options.bufferEvents ?? 10_000);
  const streams = sources.map((s, i) => new OrderedStream(i, s, capacity));
  const heads = new MinHeap<OrderedStream>((a, b) => placedBefore(a.peek() as Placed, b.peek() as Placed));
  for (const s of streams) {
    await s.fill();
    if (!s.isExhausted) heads.push(s);
  }
  let chunk: IdentityEvent[] = [];
  let lastMs = -Infinity;
  for (;;) {
    const s = heads.pop();
    if (s === undefined) break;
    const placed = s.pop() as Placed;
    if (placed.event.timeMs < lastMs) stats.late += 1;
    else lastMs = placed.event.timeMs;
    stats.events += 1;
    chunk.push(placed.event);
    if (chunk.length >= chunkEvents) {
      yield chunk;
      chunk = [];
    }
    if (s.isLow) await s.fill();
    if (!s.isExhausted) heads.push(s);
  }
  if (chunk.length > 0) yield chunk;
}
