/**
 * Local replay: read log files (or in-memory records), normalise them, and run them through the
 * same pipeline the Lambdas run, with the in-memory store (optionally persisted to a state file).
 * What the `nhi-watch` CLI, the demo and the benchmarks use to run the engine with no AWS account.
 *
 * An entry layer like `lambdas/handlers/` (it wires core and adapters for the CLI the way a
 * handler wires them for Lambda), not an adapter: nothing in core or adapters imports it.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ContractSet, type Contract } from '../core/contracts.js';
import { contractFormatOf } from '../core/contracts-file.js';
import { DEFAULT_CONFIG, type NhiWatchConfig } from '../core/config.js';
import type { EngineConfig } from '../core/engine.js';
import type { Finding } from '../core/finding.js';
import type { IdentityEvent } from '../core/identity-event.js';
import { runPipeline } from '../core/pipeline.js';
import type { FindingSink, PublishResult } from '../core/ports.js';
import { RULE_DEFAULTS, RULE_IDS, RULES } from '../core/rules/index.js';
import type { DetectionRule } from '../core/rules/rule.js';
import { normaliseAnyLine, normaliseAnyRecord } from '../core/sources/any-source.js';
import { maybeGunzip, parseCloudTrailText } from '../core/sources/cloudtrail/index.js';
import { LOG_EVENT_REJECT_REASONS, decodeCloudWatchLogsEvent } from '../core/sources/cloudwatch-logs.js';
import type { JsonObject } from '../core/sources/fields.js';
import type { IpIntel } from '../core/sources/ip-intel.js';
import { scrubEvent } from '../core/secrets.js';
import {
  LOG_EVENT_TIME_OUT_OF_RANGE,
  countReject as bump,
  eventsOfDelivery,
} from '../core/sources/log-delivery.js';
import { plausibleWindow, type TimeWindow } from '../core/sources/time-window.js';
import { suppressionFilter, type SuppressionFilter } from '../core/suppressions.js';
import { parseConfigText, parseContracts } from '../core/yaml-text.js';
import { loadIpIntelDb } from '../adapters/ip-intel-db.js';
import {
  MemoryBaselineStore,
  MemoryFindingLedger,
  loadStateFile,
  saveStateFile,
} from '../adapters/memory-store.js';
import {
  groupIntoStreams,
  mergeByTime,
  streamEvents,
  type MergeStats,
  type ReadProgress,
} from './event-stream.js';

/** A file that cannot be read, or configuration that cannot be used: the CLI exits 1 / 2 on these. */
export class InputFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputFileError';
  }
}

/** A configuration or contract file that is invalid: a usage problem, reported with file and field. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** Everything a local run needs besides its input. */
export interface LocalSetup {
  readonly rules: readonly DetectionRule[];
  readonly contracts: ContractSet;
  readonly config: EngineConfig;
  readonly suppress: SuppressionFilter | undefined;
  readonly intel: IpIntel;
  readonly warnings: readonly string[];
}

/** Where a local setup comes from. */
export interface LocalSetupOptions {
  readonly configPath?: string;
  readonly contractPaths?: readonly string[];
  /** Contracts given as data (the simulator's). */
  readonly inlineContracts?: readonly Contract[];
  /** IP database file. @default the bundled one, built on first use */
  readonly ipDbPath?: string;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputFileError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function loadContracts(path: string): Promise<Contract[]> {
  const format = contractFormatOf(path);
  if (format === undefined)
    throw new ConfigFileError(`${path}: contract files must end in .yaml, .yml or .json`);
  const parsed = parseContracts(await readText(path), path, format);
  if (!parsed.ok) throw new ConfigFileError(parsed.reason);
  return parsed.value;
}

/** Load configuration, contracts and the IP database for a local run. */
export async function loadLocalSetup(options: LocalSetupOptions = {}): Promise<LocalSetup> {
  const warnings: string[] = [];
  let config: NhiWatchConfig = DEFAULT_CONFIG;
  if (options.configPath !== undefined) {
    const parsed = parseConfigText(await readText(options.configPath), {
      source: options.configPath,
      knownRuleIds: RULE_IDS,
      ruleDefaults: RULE_DEFAULTS,
    });
    if (!parsed.ok) throw new ConfigFileError(parsed.reason);
    config = parsed.value;
  }
  const contracts: Contract[] = [...(options.inlineContracts ?? [])];
  const base = options.configPath !== undefined ? dirname(options.configPath) : '.';
  for (const p of config.contractsFiles) contracts.push(...(await loadContracts(resolve(base, p))));
  for (const p of options.contractPaths ?? []) contracts.push(...(await loadContracts(p)));
  const nowMs = Date.now();
  for (const s of config.suppressions) {
    if (Date.parse(s.expires) <= nowMs)
      warnings.push(`suppression "${s.reason}" expired on ${s.expires} and no longer applies`);
  }
  const intel = loadIpIntelDb(options.ipDbPath !== undefined ? { path: options.ipDbPath } : {});
  return {
    rules: RULES,
    contracts: new ContractSet(contracts),
    config: config.engine,
    suppress: config.suppressions.length > 0 ? suppressionFilter(config.suppressions) : undefined,
    intel,
    warnings,
  };
}

/** Options of a replay. */
export interface ReplayOptions extends LocalSetup {
  /** Persist baselines and findings here so successive replays keep learning. */
  readonly statePath?: string;
  /** Called after every batch: `done` of `total` (input bytes for files, batches for in-memory records). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Events per pipeline batch. @default 1000 (a CloudWatch Logs delivery is of this order) */
  readonly batchSize?: number;
  /**
   * Plausible event times; lines outside are rejected (`…-time-out-of-range`). Files carry no
   * delivery time, so the wall clock stands in. @default 2006 to one day after now
   */
  readonly window?: TimeWindow;
  /** Reads standard input, for the input path `-`. @default none: `-` is then a file name */
  readonly readStdin?: () => Promise<Buffer>;
  /** Start from the state file but never write it back (a dry run on top of what was learned). @default false */
  readonly isStateReadOnly?: boolean;
}

/** The input path that means standard input. */
export const STDIN_PATH = '-';

/** What a replay found. */
export interface ReplayResult {
  /** Findings raised or repeated by this run (repeats carry their cumulative count). */
  readonly findings: Finding[];
  readonly events: number;
  readonly identities: number;
  /** Events skipped because the state file already holds their batch. */
  readonly redelivered: number;
  readonly suppressed: number;
  /** Events read later than the reorder buffer could absorb (folded anyway, out of time order). */
  readonly late: number;
  /** Unusable input by reason. */
  readonly rejects: Map<string, number>;
  /** Identities whose evaluation threw, by reason: their events were skipped, the rest replayed. */
  readonly identityErrors: Map<string, number>;
  readonly warnings: readonly string[];
}

/** Normalised events and counted rejects of some input. */
interface Normalised {
  readonly events: IdentityEvent[];
  readonly rejects: Map<string, number>;
}

/** Normalise one parsed record of any supported kind (a CloudWatch Logs payload, a CloudTrail record, an access-log line), appending events / rejects. */
function normaliseRecord(
  record: JsonObject,
  intel: IpIntel,
  logGroup: string,
  window: TimeWindow,
  out: Normalised,
): void {
  if (record['awslogs'] !== undefined) {
    const payload = decodeCloudWatchLogsEvent(record);
    if (!payload.ok) return bump(out.rejects, `cloudwatch-logs: ${payload.reason}`);
    const delivered = eventsOfDelivery(payload.value, normaliseAnyLine, intel, window);
    out.events.push(...delivered.events);
    // Entries that are not log events at all are the payload's fault: labelled like its decode errors.
    for (const [reason, n] of delivered.rejects)
      bump(
        out.rejects,
        LOG_EVENT_REJECT_REASONS.has(reason) || reason === LOG_EVENT_TIME_OUT_OF_RANGE
          ? `cloudwatch-logs: ${reason}`
          : reason,
        n,
      );
    return;
  }
  const result = normaliseAnyRecord(record, intel, { logGroup, window });
  if (result.ok) out.events.push(scrubEvent(result.value));
  else bump(out.rejects, result.reason);
}

/** Normalise the text of one file (any supported format, already gunzipped). */
export function normaliseText(
  text: string,
  intel: IpIntel,
  logGroup: string,
  window: TimeWindow = plausibleWindow(Date.now()),
): Normalised {
  const out: Normalised = { events: [], rejects: new Map() };
  const parsed = parseCloudTrailText(text);
  for (const r of parsed.rejects) bump(out.rejects, `file: ${r.reason}`);
  for (const record of parsed.records) normaliseRecord(record, intel, logGroup, window, out);
  return out;
}

async function expand(
  paths: readonly string[],
  warnings: string[] = [],
  hasStdin = false,
): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (p === STDIN_PATH && hasStdin) {
      files.push(p);
      continue;
    }
    let s;
    try {
      s = await stat(p);
    } catch (error) {
      throw new InputFileError(`cannot read ${p}: ${(error as Error).message}`, { cause: error });
    }
    if (s.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.')).sort();
      const found = (
        await expand(
          entries.map((e) => join(p, e)),
          warnings,
          false,
        )
      ).filter((f) => !/(^|\/)labels\.jsonl$|contracts\.(json|ya?ml)$|\.(md|txt|tsv)$|LICENSE/i.test(f));
      if (found.length === 0) warnings.push(`${p}: no log files in this directory`);
      files.push(...found);
    } else files.push(p);
  }
  return files;
}

/** Streaming options of a file replay. */
export interface StreamOptions {
  /**
   * Events held for reordering across all input streams (bounds memory; larger buffers also cost
   * time, as held events outlive the young generation). @default 10000
   */
  readonly bufferEvents?: number;
}

/**
 * Replay files (and directories, recursively) through the engine, streaming: each file is read a
 * line at a time, files are grouped into streams (one per file, or per account and region of a
 * CloudTrail archive) merged by event time with a bounded buffer, and every `batchSize` events are
 * folded as one batch. Memory does not grow with the input's size.
 */
export async function replayFiles(
  paths: readonly string[],
  options: ReplayOptions & StreamOptions,
): Promise<ReplayResult> {
  // Standard input cannot be re-read or stat'ed: it is read whole and replayed in memory.
  if (options.readStdin !== undefined && paths.includes(STDIN_PATH)) {
    const input = await normaliseFiles(paths, options);
    return replayNormalised(
      input.events,
      { ...options, warnings: [...options.warnings, ...input.warnings] },
      input.rejects,
    );
  }
  const warnings: string[] = [];
  const files = await expand(paths, warnings);
  const window = options.window ?? plausibleWindow(Date.now());
  let totalBytes = 0;
  for (const f of files) totalBytes += (await stat(f)).size;
  const rejects = new Map<string, number>();
  const progress: ReadProgress = { bytesRead: 0 };
  const normalise = (text: string, file: string): Normalised =>
    normaliseText(text, options.intel, file, window);
  const sources = groupIntoStreams(files).map((group) =>
    streamEvents(group, normalise, rejects, progress)[Symbol.asyncIterator](),
  );
  const stats: MergeStats = { events: 0, late: 0 };
  const chunks = mergeByTime(sources, stats, {
    chunkEvents: options.batchSize ?? 1000,
    ...(options.bufferEvents !== undefined ? { bufferEvents: options.bufferEvents } : {}),
  });
  const result = await run(chunks, rejects, options, () =>
    options.onProgress?.(progress.bytesRead, Math.max(1, totalBytes)),
  );
  if (result.events === 0 && rejects.size === 0)
    warnings.push(`no events in ${paths.join(' ')}: nothing was replayed`);
  return { ...result, late: stats.late, warnings: [...result.warnings, ...warnings] };
}

/** Normalised events of some input, with unusable lines counted by reason and warnings about the input. */
export interface NormalisedInput {
  readonly events: IdentityEvent[];
  readonly rejects: Map<string, number>;
  readonly warnings: readonly string[];
}

/**
 * Read and normalise files (and directories, recursively; `-` is standard input when `readStdin`
 * is given) into memory: for commands that run the same events more than once, and for stdin.
 */
export async function normaliseFiles(
  paths: readonly string[],
  options: Pick<ReplayOptions, 'intel' | 'window' | 'readStdin'>,
): Promise<NormalisedInput> {
  const warnings: string[] = [];
  const files = await expand(paths, warnings, options.readStdin !== undefined);
  const window = options.window ?? plausibleWindow(Date.now());
  const all: Normalised = { events: [], rejects: new Map() };
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = f === STDIN_PATH && options.readStdin ? await options.readStdin() : await readFile(f);
    } catch (error) {
      throw new InputFileError(`cannot read ${f}: ${(error as Error).message}`, { cause: error });
    }
    const unzipped = maybeGunzip(bytes);
    if (!unzipped.ok) {
      bump(all.rejects, `file: ${unzipped.reason}`);
      continue;
    }
    const n = normaliseText(Buffer.from(unzipped.value).toString('utf8'), options.intel, f, window);
    all.events.push(...n.events);
    for (const [k, v] of n.rejects) bump(all.rejects, k, v);
  }
  if (all.events.length === 0 && all.rejects.size === 0)
    warnings.push(`no events in ${paths.join(' ')}: nothing was replayed`);
  return { ...all, warnings };
}

/** Replay events already normalised (by {@link normaliseFiles}) in time order; unusable lines counted there are passed in. */
export function replayNormalised(
  events: readonly IdentityEvent[],
  options: ReplayOptions,
  rejects: Map<string, number> = new Map(),
): Promise<ReplayResult> {
  const sorted = [...events].sort((a, b) => a.timeMs - b.timeMs);
  const batchSize = options.batchSize ?? 1000;
  const total = Math.ceil(sorted.length / batchSize);
  function* chunks(): Generator<IdentityEvent[]> {
    for (let i = 0; i < total; i++) yield sorted.slice(i * batchSize, (i + 1) * batchSize);
  }
  let done = 0;
  return run(chunks(), rejects, options, () => options.onProgress?.(++done, total));
}

/** Replay records already in memory (the simulator's output). */
export async function replayEvents(
  input: { readonly cloudtrail: readonly object[]; readonly apiGateway: readonly object[] },
  options: ReplayOptions,
): Promise<ReplayResult> {
  const window = options.window ?? plausibleWindow(Date.now());
  const all: Normalised = { events: [], rejects: new Map() };
  for (const r of input.cloudtrail)
    normaliseRecord(r as JsonObject, options.intel, 'simulated/cloudtrail', window, all);
  for (const r of input.apiGateway)
    normaliseRecord(r as JsonObject, options.intel, 'simulated/api-gateway', window, all);
  const events = all.events.sort((a, b) => a.timeMs - b.timeMs);
  const batchSize = options.batchSize ?? 1000;
  const total = Math.ceil(events.length / batchSize);
  function* chunks(): Generator<IdentityEvent[]> {
    for (let i = 0; i < total; i++) yield events.slice(i * batchSize, (i + 1) * batchSize);
  }
  let done = 0;
  return run(chunks(), all.rejects, options, () => options.onProgress?.(++done, total));
}

/** Collects what the pipeline delivers; a local run has no downstream to fail. */
class CollectingSink implements FindingSink {
  readonly findings = new Map<string, Finding>();
  publish(fresh: readonly Finding[], repeats: readonly Finding[]): Promise<PublishResult> {
    for (const f of [...fresh, ...repeats]) this.findings.set(f.id, f);
    return Promise.resolve({ delivered: fresh.length + repeats.length, failed: [] });
  }
}

/** Fold time-ordered chunks of events, one pipeline batch each. */
async function run(
  chunks: AsyncIterable<readonly IdentityEvent[]> | Iterable<readonly IdentityEvent[]>,
  rejects: Map<string, number>,
  options: ReplayOptions,
  onBatch: () => void,
): Promise<ReplayResult> {
  const store = new MemoryBaselineStore();
  const ledger = new MemoryFindingLedger();
  const replayed = new Set<string>();
  if (options.statePath !== undefined) await loadStateFile(options.statePath, store, ledger, replayed);
  const sink = new CollectingSink();
  let events = 0;
  let redelivered = 0;
  let suppressed = 0;
  const identityErrors = new Map<string, number>();
  const identities = new Set<string>();
  for await (const batch of chunks) {
    events += batch.length;
    const h = createHash('sha256');
    for (const e of batch)
      h.update(`${e.source}\u0000${e.eventId}\u0000${e.timeMs}\u0000${e.identity.key}\n`);
    const batchId = `replay:${h.digest('hex').slice(0, 32)}`;
    for (const e of batch) identities.add(e.identity.key);
    if (replayed.has(batchId)) {
      redelivered += batch.length;
      onBatch();
      continue;
    }
    replayed.add(batchId);
    const result = await runPipeline(batchId, batch, {
      store,
      ledger,
      sink,
      rules: options.rules,
      contracts: options.contracts,
      config: options.config,
      ...(options.suppress ? { suppress: options.suppress } : {}),
      nowMs: () => Date.now(),
    });
    redelivered += result.redelivered;
    suppressed += result.suppressed;
    for (const e of result.identityErrors)
      identityErrors.set(e.reason, (identityErrors.get(e.reason) ?? 0) + 1);
    onBatch();
  }
  if (options.statePath !== undefined && options.isStateReadOnly !== true)
    await saveStateFile(options.statePath, store, ledger, replayed);
  return {
    findings: [...sink.findings.values()],
    events,
    identities: identities.size,
    redelivered,
    suppressed,
    late: 0,
    rejects,
    identityErrors,
    warnings: options.warnings,
  };
}
