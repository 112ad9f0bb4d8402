/**
 * `nhi-watch backfill`: warm the deployed baselines from history with the live Lambdas' engine and
 * exactly-once rules, instead of waiting a week for them to learn.
 *
 * Source: a CloudTrail S3 archive, single-account (`AWSLogs/<account>/CloudTrail/<region>/…`) or
 * organization (`AWSLogs/<org-id>/<account>/CloudTrail/<region>/…`) layout. The walk lists one day
 * at a time per account and region (bounded memory whatever the archive's size), merges the
 * accounts' and regions' objects by delivery time (the order the live subscription sees them in),
 * and folds each object in chunks of at most 1,000 events through `runPipeline` — the same
 * function the Lambdas run — against the deployed table.
 *
 * Exactly once:
 * - a chunk's batch id is derived from where it came from (bucket, key, ETag, chunk index), never
 *   from the run, so a re-run, a resume or two concurrent backfills fold the same id;
 * - identity records remember the batch ids folded into them, and a commit is conditional on the
 *   record's version, so a chunk retried after a crash is recognised and a concurrent Lambda's
 *   update is re-read and re-folded rather than overwritten;
 * - records remember only their recent batches, so each chunk also gets a marker in the table
 *   after its commit (`bf#<batch id>`), read before folding: a re-run months later skips it;
 * - backfill ids are remembered apart from live deliveries' ids (core/baseline.ts), so a long
 *   backfill does not make a live delivery's redelivery count twice;
 * - the checkpoint file (per account and region, the last object folded) is written after the
 *   markers: it only saves reading objects again, it is never what prevents double counting.
 *
 * Learning only by default: findings are evaluated (and counted for the report) but not recorded
 * in the finding ledger nor published. An entry layer: wires core and adapters for the CLI.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Finding } from '../core/finding.js';
import type { IdentityEvent } from '../core/identity-event.js';
import { runPipeline, type PipelineDeps } from '../core/pipeline.js';
import type {
  BaselineStore,
  ClaimResult,
  CommitResult,
  FindingLedger,
  LoadedRecord,
  StateChange,
} from '../core/ports.js';
import { BACKFILL_BATCH_PREFIX } from '../core/baseline.js';
import { maybeGunzip } from '../core/sources/cloudtrail/index.js';
import type { IpIntel } from '../core/sources/ip-intel.js';
import { plausibleWindow, type TimeWindow } from '../core/sources/time-window.js';
import { MinHeap } from './event-stream.js';
import { normaliseText, type LocalSetup } from './replay.js';

/** Events per chunk (one pipeline batch), fixed: a chunk's id depends on it, so it never changes between runs. */
export const BACKFILL_CHUNK_EVENTS = 1000;

const DAY_MS = 86_400_000;

/** An object as listed by the archive. */
export interface ListedArchiveObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
}

/** What the backfill needs from an archive (implemented on S3 by adapters/s3-archive.ts). */
export interface ArchiveReader {
  readonly bucket: string;
  children(prefix: string): Promise<string[]>;
  objects(prefix: string): AsyncIterable<ListedArchiveObject>;
  read(key: string): Promise<{ bytes: Uint8Array; etag: string }>;
}

/** Backfill chunk markers (implemented on DynamoDB by adapters/dynamodb-backfill-marks.ts). */
export interface BackfillMarks {
  folded(batchIds: readonly string[]): Promise<Set<string>>;
  mark(marks: readonly { batchId: string; events: number; source: string }[]): Promise<void>;
}

/** An archive object chosen for folding. */
export interface ArchiveRef extends ListedArchiveObject {
  readonly account: string;
  readonly region: string;
  /** Delivery time from the file name, epoch ms. */
  readonly deliveredMs: number;
  /** `<account>/<region>`. */
  readonly stream: string;
}

/** CloudTrail's delivery file name. */
const FILE_NAME =
  /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]+\.json(\.gz)?$/;

/** Account, region and delivery time of a CloudTrail log file key; undefined for anything else (digests, insights, other files). */
export function parseArchiveKey(
  key: string,
): { account: string; region: string; deliveredMs: number } | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = FILE_NAME.exec(name);
  if (m === null) return undefined;
  const [, account, region, y, mo, d, h, mi] = m;
  const deliveredMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  if (!Number.isFinite(deliveredMs)) return undefined;
  return { account: account as string, region: region as string, deliveredMs };
}

/** Batch id of chunk `index` of an object: from the object's identity and content version only. */
export function chunkBatchId(bucket: string, key: string, etag: string, index: number): string {
  const h = createHash('sha256').update(`${bucket}\u0000${key}\u0000${etag}\u0000${index}`).digest('hex');
  return `${BACKFILL_BATCH_PREFIX}${h.slice(0, 32)}`;
}

/** Which part of an archive to fold. */
export interface ArchiveSelection {
  /** Key prefix above `AWSLogs/` ('' or ending in `/`). */
  readonly prefix: string;
  /** Objects delivered at or after this instant (epoch ms). */
  readonly sinceMs: number;
  /** Objects delivered before this instant (epoch ms). */
  readonly untilMs: number;
  /** Only these accounts. @default all */
  readonly accounts?: ReadonlySet<string>;
  /** Only these regions. @default all */
  readonly regions?: ReadonlySet<string>;
}

const lastSegment = (prefix: string): string => {
  const parts = prefix.split('/').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
};

const dayPrefix = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`;
};

/** An account and region of the archive, with the days it holds in the selected window. */
interface ArchiveStream {
  readonly account: string;
  readonly region: string;
  readonly prefix: string;
  readonly days: Set<string>;
}

/** Find the accounts and regions of an archive (both layouts) and the days each holds in the window. */
export async function discoverStreams(
  reader: ArchiveReader,
  sel: ArchiveSelection,
): Promise<ArchiveStream[]> {
  const accounts: string[] = [];
  for (const child of await reader.children(`${sel.prefix}AWSLogs/`)) {
    const name = lastSegment(child);
    if (/^o-[a-z0-9]{10,32}$/.test(name)) {
      for (const a of await reader.children(child)) if (/^\d{12}$/.test(lastSegment(a))) accounts.push(a);
    } else if (/^\d{12}$/.test(name)) accounts.push(child);
  }
  const firstDay = Math.floor(sel.sinceMs / DAY_MS) * DAY_MS;
  const wanted = new Set<string>();
  // The last object of a day may be delivered at 00:00 of the next: include that day's folder too.
  for (let t = firstDay; t < sel.untilMs + DAY_MS; t += DAY_MS) wanted.add(dayPrefix(t));
  const years = new Set([...wanted].map((d) => d.slice(0, 5)));
  const months = new Set([...wanted].map((d) => d.slice(0, 8)));
  const streams: ArchiveStream[] = [];
  for (const accountPrefix of accounts) {
    const account = lastSegment(accountPrefix);
    if (sel.accounts !== undefined && !sel.accounts.has(account)) continue;
    for (const regionPrefix of await reader.children(`${accountPrefix}CloudTrail/`)) {
      const region = lastSegment(regionPrefix);
      if (sel.regions !== undefined && !sel.regions.has(region)) continue;
      const days = new Set<string>();
      for (const y of await reader.children(regionPrefix)) {
        if (!years.has(y.slice(regionPrefix.length))) continue;
        for (const m of await reader.children(y)) {
          if (!months.has(m.slice(regionPrefix.length))) continue;
          for (const d of await reader.children(m)) {
            const rel = d.slice(regionPrefix.length);
            if (wanted.has(rel)) days.add(rel);
          }
        }
      }
      if (days.size > 0) streams.push({ account, region, prefix: regionPrefix, days });
    }
  }
  return streams;
}

/** Counts of the walk, shared with the fold. */
export interface WalkStats {
  /** Objects skipped because the checkpoint says they were folded. */
  checkpointed: number;
  /** Keys that are not CloudTrail log files (digests, other files) or outside the window. */
  ignored: number;
  daysDone: number;
  daysTotal: number;
  currentDay: string;
}

/**
 * The selected objects, one day at a time, merged across accounts and regions by delivery time
 * (then key). Holds one listing page per stream of the current day.
 */
export async function* walkArchive(
  reader: ArchiveReader,
  streams: readonly ArchiveStream[],
  sel: ArchiveSelection,
  done: ReadonlyMap<string, string>,
  stats: WalkStats,
): AsyncGenerator<ArchiveRef> {
  const days = [...new Set(streams.flatMap((s) => [...s.days]))].sort();
  stats.daysTotal = days.length;
  for (const day of days) {
    stats.currentDay = day.slice(0, 10).replace(/\//g, '-');
    const heads = new MinHeap<{ ref: ArchiveRef; it: AsyncIterator<ArchiveRef> }>((a, b) =>
      a.ref.deliveredMs !== b.ref.deliveredMs ? a.ref.deliveredMs < b.ref.deliveredMs : a.ref.key < b.ref.key,
    );
    for (const s of streams) {
      if (!s.days.has(day)) continue;
      const it = streamObjects(
        reader,
        s,
        `${s.prefix}${day}`,
        sel,
        done.get(`${s.account}/${s.region}`),
        stats,
      );
      const first = await it.next();
      if (first.done !== true) heads.push({ ref: first.value, it });
    }
    for (;;) {
      const head = heads.pop();
      if (head === undefined) break;
      yield head.ref;
      const next = await head.it.next();
      if (next.done !== true) heads.push({ ref: next.value, it: head.it });
    }
    stats.daysDone += 1;
  }
}

async function* streamObjects(
  reader: ArchiveReader,
  s: ArchiveStream,
  prefix: string,
  sel: ArchiveSelection,
  doneUpTo: string | undefined,
  stats: WalkStats,
): AsyncGenerator<ArchiveRef> {
  for await (const o of reader.objects(prefix)) {
    const parsed = parseArchiveKey(o.key);
    if (
      parsed === undefined ||
      parsed.account !== s.account ||
      parsed.region !== s.region ||
      parsed.deliveredMs < sel.sinceMs ||
      parsed.deliveredMs >= sel.untilMs
    ) {
      stats.ignored += 1;
      continue;
    }
    if (doneUpTo !== undefined && o.key <= doneUpTo) {
      stats.checkpointed += 1;
      continue;
    }
    yield { ...o, ...parsed, stream: `${s.account}/${s.region}` };
  }
}

/** Read up to `limit` objects ahead of the fold, keeping their order. */
async function* prefetch<T, R>(
  source: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<{ item: T; result: PromiseSettledResult<R> }> {
  const it = source[Symbol.asyncIterator]();
  const window: Promise<{ item: T; result: PromiseSettledResult<R> }>[] = [];
  const start = (item: T): Promise<{ item: T; result: PromiseSettledResult<R> }> =>
    fn(item).then(
      (value) => ({ item, result: { status: 'fulfilled', value } }),
      (reason: unknown) => ({ item, result: { status: 'rejected', reason } }),
    );
  let isExhausted = false;
  for (;;) {
    while (!isExhausted && window.length < limit) {
      const next = await it.next();
      if (next.done === true) isExhausted = true;
      else window.push(start(next.value));
    }
    const head = window.shift();
    if (head === undefined) return;
    yield await head;
  }
}

/** A finding ledger that records nothing and delivers nothing: learning only. Counts what would have been raised. */
export class LearningLedger implements FindingLedger {
  /** Findings evaluated, by rule (a finding repeated across chunks counts each time). */
  readonly byRule = new Map<string, number>();
  readonly ids = new Set<string>();

  claim(_batchId: string, findings: readonly Finding[]): Promise<ClaimResult> {
    for (const f of findings) {
      this.byRule.set(f.ruleId, (this.byRule.get(f.ruleId) ?? 0) + 1);
      this.ids.add(f.id);
    }
    return Promise.resolve({ claimed: [], busy: [], settled: [...findings], counted: [] });
  }

  settle(): Promise<void> {
    return Promise.resolve();
  }
}

/** A store that remembers which identities it saw absent (new) and which existed. */
class CountingStore implements BaselineStore {
  readonly created = new Set<string>();
  readonly existing = new Set<string>();
  /** Identity keys of the chunk being folded (other keys are sources, populations, links…). */
  identities: ReadonlySet<string> = new Set();
  constructor(private readonly inner: BaselineStore) {}

  async load(keys: readonly string[]): Promise<Map<string, LoadedRecord>> {
    const out = await this.inner.load(keys);
    for (const k of keys) {
      if (!this.identities.has(k) || this.created.has(k) || this.existing.has(k)) continue;
      (out.has(k) ? this.existing : this.created).add(k);
    }
    return out;
  }

  commit(batchId: string, changes: readonly StateChange[]): Promise<CommitResult> {
    return this.inner.commit(batchId, changes);
  }
}

/** A dry run's store: reads through to the table, keeps every write in memory. */
export class ReadThroughStore implements BaselineStore {
  private readonly local = new Map<string, LoadedRecord | null>();
  constructor(private readonly base: BaselineStore) {}

  async load(keys: readonly string[]): Promise<Map<string, LoadedRecord>> {
    const missing = keys.filter((k) => !this.local.has(k));
    if (missing.length > 0) {
      const fetched = await this.base.load(missing);
      for (const k of missing) this.local.set(k, fetched.get(k) ?? null);
    }
    const out = new Map<string, LoadedRecord>();
    for (const k of keys) {
      const r = this.local.get(k);
      if (r) out.set(k, r);
    }
    return out;
  }

  commit(_batchId: string, changes: readonly StateChange[]): Promise<CommitResult> {
    const committed: string[] = [];
    const conflicts: string[] = [];
    for (const c of changes) {
      const current = this.local.get(c.key) ?? undefined;
      if (current?.version !== c.expectedVersion) conflicts.push(c.key);
      else {
        this.local.set(c.key, { record: c.record, version: (c.expectedVersion ?? 0) + 1 });
        committed.push(c.key);
      }
    }
    return Promise.resolve({ committed, conflicts });
  }
}

/** The resumable checkpoint: per account and region, the last object folded. */
interface CheckpointFile {
  readonly format: 'nhi-watch-backfill-checkpoint/1';
  readonly source: string;
  readonly done: Record<string, string>;
  readonly objects: number;
  readonly events: number;
  readonly updatedAt: string;
}

/** A checkpoint that cannot be used (another source, not a checkpoint file). */
export class CheckpointError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/** Read a checkpoint; a missing file is an empty one. */
export async function readCheckpoint(path: string, source: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new CheckpointError(`cannot read checkpoint ${path}`, { cause: error });
  }
  let parsed: CheckpointFile;
  try {
    parsed = JSON.parse(text) as CheckpointFile;
  } catch (error) {
    throw new CheckpointError(`checkpoint ${path} is not valid JSON`, { cause: error });
  }
  if (
    parsed.format !== 'nhi-watch-backfill-checkpoint/1' ||
    typeof parsed.done !== 'object' ||
    parsed.done === null
  )
    throw new CheckpointError(`${path} is not an nhi-watch backfill checkpoint`);
  if (parsed.source !== source)
    throw new CheckpointError(`checkpoint ${path} belongs to ${parsed.source}, not ${source}`);
  const done = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed.done)) if (typeof v === 'string') done.set(k, v);
  return done;
}

async function writeCheckpoint(path: string, body: CheckpointFile): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`);
  await rename(tmp, path);
}

/** What a backfill runs with. */
export interface BackfillOptions {
  readonly setup: LocalSetup;
  readonly reader: ArchiveReader;
  /** The deployed table's store (DynamoDbBaselineStore). */
  readonly store: BaselineStore;
  readonly marks: BackfillMarks;
  readonly selection: ArchiveSelection;
  /** Report what would be learned; write nothing. */
  readonly isDryRun?: boolean;
  /** Also record and publish findings: the ledger and destinations of the live deployment. */
  readonly alert?: Pick<PipelineDeps, 'ledger' | 'routes' | 'onFailure'>;
  readonly checkpointPath?: string;
  /** Objects read ahead of the fold. @default 8 */
  readonly readAhead?: number;
  readonly onProgress?: (p: BackfillProgress) => void;
  /** Wall clock (suppression expiry, checkpoint time, progress). @default Date.now */
  readonly nowMs?: () => number;
  /** Commit conflicts (a live Lambda wrote the same identity): jittered waits between attempts. */
  readonly backoff?: (attempt: number) => Promise<void>;
}

/** Progress of a running backfill. */
export interface BackfillProgress {
  readonly objects: number;
  readonly events: number;
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly currentDay: string;
  readonly elapsedMs: number;
}

/** What a backfill did. */
export interface BackfillResult {
  readonly source: string;
  /** Objects read and folded (or, in a dry run, evaluated). */
  readonly objects: number;
  /** Objects that could not be used (corrupt gzip, not CloudTrail JSON): counted and skipped. */
  readonly corrupt: number;
  readonly corruptKeys: readonly string[];
  /** Objects skipped because the checkpoint says they were folded. */
  readonly checkpointed: number;
  /** Keys ignored: not CloudTrail log files, or delivered outside the window. */
  readonly ignored: number;
  /** Events folded now. */
  readonly events: number;
  /** Chunks folded now, and chunks skipped because an earlier run had folded them (markers). */
  readonly chunks: number;
  readonly chunksAlreadyFolded: number;
  /** Events in chunks an earlier run had folded. */
  readonly eventsAlreadyFolded: number;
  /** Events whose identity record already held the chunk (a crash between commit and marker). */
  readonly redelivered: number;
  /** Identities first seen by this backfill, and identities already in the table. */
  readonly identitiesCreated: number;
  readonly identitiesExisting: number;
  /** Events by `<account>/<region>`. */
  readonly byStream: ReadonlyMap<string, number>;
  /** Unusable records by reason. */
  readonly rejects: ReadonlyMap<string, number>;
  /** Findings evaluated by rule (learning only: none recorded or published). */
  readonly findingsByRule: ReadonlyMap<string, number>;
  /** With `alert`: findings delivered as new, and repeats. */
  readonly alerted: number;
  readonly conflicts: number;
  readonly identityErrors: number;
  readonly elapsedMs: number;
}

const bump = (m: Map<string, number>, k: string, n = 1): void => void m.set(k, (m.get(k) ?? 0) + n);

/** Fold an archive's history into the deployed baselines. */
export async function backfillArchive(o: BackfillOptions): Promise<BackfillResult> {
  return backfillHistory({ ...o, source: archiveHistory(o.reader, o.selection) });
}

/**
 * One unit of history, read whole and folded in chunks: an archive object, or a time slot of a log
 * group or of CloudTrail's event history.
 */
export interface HistoryUnit {
  /** Its stream (`<account>/<region>`, a log group): the checkpoint's key and a line of the report. */
  readonly stream: string;
  /** Its place in the stream, ordered as strings: the checkpoint keeps the last one folded. */
  readonly position: string;
  /** Where it came from, in markers and reports. */
  readonly origin: string;
}

/** What a unit is read with. */
export interface HistoryReadContext {
  readonly intel: IpIntel;
  /** Plausible event times. */
  readonly window: TimeWindow;
}

/** A unit read and normalised, with what its chunks' ids depend on; or why it cannot be used. */
export type ReadHistoryUnit =
  | {
      readonly ok: true;
      readonly events: readonly IdentityEvent[];
      readonly rejects: ReadonlyMap<string, number>;
      /** The content version the chunk ids depend on (an object's ETag, the account of a slot). */
      readonly version: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Where history comes from: an S3 archive, a log group, CloudTrail's event history. */
export interface HistorySource<U extends HistoryUnit> {
  /** Names the source in the report and the checkpoint. */
  readonly name: string;
  /** The units to fold, in order, after the checkpoint's positions; `stats` follows the walk. */
  units(done: ReadonlyMap<string, string>, stats: WalkStats): AsyncIterable<U>;
  /** Read and normalise a unit. Throws when the service refuses after retries (the run stops; resume later). */
  read(unit: U, context: HistoryReadContext): Promise<ReadHistoryUnit>;
  /** Batch id of chunk `index` of a unit: from the unit and its content version only, never from the run. */
  chunkId(unit: U, version: string, index: number): string;
}

/** The S3 archive as a history source: objects in delivery order, one stream per account and region. */
export function archiveHistory(
  reader: ArchiveReader,
  selection: ArchiveSelection,
): HistorySource<ArchiveRef & HistoryUnit> {
  return {
    name: `s3://${reader.bucket}/${selection.prefix}`,
    async *units(done, stats) {
      const streams = await discoverStreams(reader, selection);
      for await (const ref of walkArchive(reader, streams, selection, done, stats))
        yield { ...ref, position: ref.key, origin: `s3://${reader.bucket}/${ref.key}` };
    },
    async read(ref, { intel, window }) {
      const { bytes, etag } = await reader.read(ref.key);
      const unzipped = maybeGunzip(bytes);
      if (!unzipped.ok) return { ok: false, reason: unzipped.reason };
      const text = Buffer.from(unzipped.value).toString('utf8');
      const normalised = normaliseText(text, intel, ref.origin, window);
      if (normalised.events.length === 0 && normalised.rejects.size > 0)
        return { ok: false, reason: 'not CloudTrail JSON' };
      return { ok: true, events: normalised.events, rejects: normalised.rejects, version: etag };
    },
    chunkId: (ref, etag, index) => chunkBatchId(reader.bucket, ref.key, etag, index),
  };
}

/** Options of a backfill from any history source. */
export interface HistoryBackfillOptions<U extends HistoryUnit> extends Omit<
  BackfillOptions,
  'reader' | 'selection'
> {
  readonly source: HistorySource<U>;
}

/** Fold a history source into the deployed baselines (the archive, a log group, LookupEvents). */
export async function backfillHistory<U extends HistoryUnit>(
  o: HistoryBackfillOptions<U>,
): Promise<BackfillResult> {
  const nowMs = o.nowMs ?? (() => Date.now());
  const started = nowMs();
  const source = o.source.name;
  const done =
    o.checkpointPath !== undefined
      ? await readCheckpoint(o.checkpointPath, source)
      : new Map<string, string>();
  const counting = new CountingStore(o.isDryRun === true ? new ReadThroughStore(o.store) : o.store);
  const learning = new LearningLedger();
  const deps: PipelineDeps = {
    store: counting,
    ledger: o.alert?.ledger ?? learning,
    ...(o.alert?.routes !== undefined ? { routes: o.alert.routes } : { routes: [] }),
    ...(o.alert?.onFailure !== undefined ? { onFailure: o.alert.onFailure } : {}),
    rules: o.setup.rules,
    contracts: o.setup.contracts,
    config: o.setup.config,
    ...(o.setup.suppress ? { suppress: o.setup.suppress } : {}),
    nowMs,
    maxCommitAttempts: 10,
    ...(o.backoff ? { backoff: o.backoff } : {}),
  };
  // History is history: any time from CloudTrail's start to a day ahead of the wall clock is plausible.
  const context: HistoryReadContext = { intel: o.setup.intel, window: plausibleWindow(nowMs()) };
  const stats: WalkStats = { checkpointed: 0, ignored: 0, daysDone: 0, daysTotal: 0, currentDay: '' };
  const units = o.source.units(done, stats);

  const rejects = new Map<string, number>();
  const byStream = new Map<string, number>();
  const findingsByRule = learning.byRule;
  const corruptKeys: string[] = [];
  let objects = 0;
  let events = 0;
  let chunks = 0;
  let chunksAlreadyFolded = 0;
  let eventsAlreadyFolded = 0;
  let redelivered = 0;
  let alerted = 0;
  let conflicts = 0;
  let identityErrors = 0;
  let lastSaved = 0;
  const saveCheckpoint = async (force: boolean): Promise<void> => {
    if (o.checkpointPath === undefined || o.isDryRun === true) return;
    if (!force && nowMs() - lastSaved < 1000) return;
    lastSaved = nowMs();
    await writeCheckpoint(o.checkpointPath, {
      format: 'nhi-watch-backfill-checkpoint/1',
      source,
      done: Object.fromEntries(done),
      objects,
      events,
      updatedAt: new Date(nowMs()).toISOString(),
    });
  };

  for await (const { item: unit, result } of prefetch(units, o.readAhead ?? 8, (u: U) =>
    o.source.read(u, context),
  )) {
    // A read that failed after retries (permissions, a vanished bucket or group) stops the backfill: resume later.
    if (result.status === 'rejected') throw result.reason;
    const read = result.value;
    if (!read.ok) {
      corruptKeys.push(unit.position);
      bump(rejects, `object: ${read.reason}`);
    } else {
      for (const [k, v] of read.rejects) bump(rejects, k, v);
      const sorted = read.events.slice().sort((a, b) => a.timeMs - b.timeMs);
      const parts: IdentityEvent[][] = [];
      for (let i = 0; i < sorted.length; i += BACKFILL_CHUNK_EVENTS)
        parts.push(sorted.slice(i, i + BACKFILL_CHUNK_EVENTS));
      const ids = parts.map((_, i) => o.source.chunkId(unit, read.version, i));
      const folded = await o.marks.folded(ids);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as IdentityEvent[];
        const batchId = ids[i] as string;
        if (folded.has(batchId)) {
          chunksAlreadyFolded += 1;
          eventsAlreadyFolded += part.length;
          continue;
        }
        counting.identities = new Set(part.map((e) => e.identity.key));
        const r = await runPipeline(batchId, part, deps);
        redelivered += r.redelivered;
        alerted += r.fresh.length;
        conflicts += r.conflicts;
        identityErrors += r.identityErrors.length;
        if (o.isDryRun !== true)
          await o.marks.mark([{ batchId, events: part.length, source: `${unit.origin}#${i}` }]);
        chunks += 1;
        events += part.length;
        bump(byStream, unit.stream, part.length);
      }
    }
    objects += 1;
    done.set(unit.stream, unit.position);
    await saveCheckpoint(false);
    o.onProgress?.({
      objects,
      events,
      daysDone: stats.daysDone,
      daysTotal: stats.daysTotal,
      currentDay: stats.currentDay,
      elapsedMs: nowMs() - started,
    });
  }
  await saveCheckpoint(true);
  return {
    source,
    objects,
    corrupt: corruptKeys.length,
    corruptKeys,
    checkpointed: stats.checkpointed,
    ignored: stats.ignored,
    events,
    chunks,
    chunksAlreadyFolded,
    eventsAlreadyFolded,
    redelivered,
    identitiesCreated: counting.created.size,
    identitiesExisting: counting.existing.size,
    byStream,
    rejects,
    findingsByRule,
    alerted,
    conflicts,
    identityErrors,
    elapsedMs: nowMs() - started,
  };
}

/** What uploading a state file did. */
export interface StateUploadResult {
  /** Records written (absent from the table before). */
  readonly created: number;
  /** Records the table already held: left as they are (two baselines of one identity are not merged). */
  readonly present: number;
  readonly presentKeys: readonly string[];
}

/**
 * Upload the baselines of a `replay --state` file into the deployed table: each record is created
 * only where the table has none (a conditional write), so a re-run changes nothing and no live
 * baseline is overwritten. `liveFromMs` is dropped: a local replay is history to the table.
 */
export async function uploadState(
  records: ReadonlyMap<string, LoadedRecord>,
  store: BaselineStore,
  isDryRun: boolean,
): Promise<StateUploadResult> {
  const keys = [...records.keys()];
  let created = 0;
  const presentKeys: string[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    const part = keys.slice(i, i + 100);
    if (isDryRun) {
      const existing = await store.load(part);
      for (const k of part) {
        if (existing.has(k)) presentKeys.push(k);
        else created++;
      }
      continue;
    }
    const changes: StateChange[] = part.map((key) => {
      const record = { ...(records.get(key) as LoadedRecord).record };
      if (record.type === 'identity') delete record.liveFromMs;
      return { key, expectedVersion: undefined, record };
    });
    const result = await store.commit('state-upload', changes);
    created += result.committed.length;
    presentKeys.push(...result.conflicts);
  }
  return { created, present: presentKeys.length, presentKeys };
}
