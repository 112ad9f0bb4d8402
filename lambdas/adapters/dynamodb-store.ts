/**
 * BaselineStore and FindingLedger on DynamoDB: the production state of nhi-watch, with the same
 * versioned, conditional semantics as the in-memory store (memory-store.ts).
 *
 * Table design (one table, defined once in core/baseline-table.ts; one item per record):
 *
 * | pk                    | what                          | body                     | expiresAt (TTL)                    |
 * |-----------------------|-------------------------------|--------------------------|------------------------------------|
 * | `id#<identity key>`   | identity baseline             | JSON, compressed (B, record-codec.ts) | last write + 400 days              |
 * | `src#<ip>`            | per-source failure window     | JSON, compressed (B)     | last write + 2 days                |
 * | `lnk#<ASIA… key id>`  | issuance link (core/chains.ts): the chain behind a session key, written once | JSON, compressed (B) | write + credential lifetime (≤ 36 h) + 1 h |
 * | `pop#acct#<account>`, `pop#kind#<account>#<kind>` | population priors (core/priors.ts) | JSON, compressed (B) | last write + 400 days |
 * | `fnd#<finding id>`    | finding ledger entry          | none: count, batches, per-destination marks, claim | first write + dedup window + 1 day |
 *
 * - `ver` (N) is the record's version: every write is conditional on the version read
 *   (`attribute_not_exists(pk)` for a new record, `ver = :expected` otherwise). A writer whose
 *   version moved gets a *conflict* for that key (not an error) and the pipeline re-folds the
 *   events of that identity onto the fresh record: concurrent invocations lose no update.
 * - Records carry the ids of the last batches folded into them, so a redelivered batch (same
 *   CloudWatch Logs payload, same batch id) changes nothing; finding entries count a batch once
 *   and record per destination what was delivered, so a redelivery sends nothing twice.
 * - Items stay bounded: the baseline caps (core/baseline.ts) bound every record (an identity new in
 *   every dimension on every one of 6,000 calls is ~40 KB of JSON, a few KB stored); bodies are
 *   compressed with a preset dictionary of the records' shared field names (record-codec.ts: a
 *   typical identity record stores in ~300 bytes, one write unit), and a body still over `maxBodyBytes` after compression
 *   is refused with an error instead of being written.
 * - TTL counts from the write (wall clock), and every batch that touches a record rewrites it: an
 *   identity silent for 400 days disappears (one that comes back is new again); source windows
 *   and finding markers are transient. Counting from the write rather than from event time keeps
 *   a backfill of old logs (warming baselines from history) from expiring on arrival.
 * - Requests per batch: BatchGetItems of at most 100 keys (the pipeline's read plan: the records
 *   it will likely write strongly consistent, the rest eventually consistent, then the few source
 *   addresses that can matter; core/engine.ts firstReadKeys / sourceKeysNeeded), one conditional
 *   PutItem per changed record, and per 100 findings one BatchGetItem, then per finding delivered a
 *   claim and a mark per destination. Never per event.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';

import { BASELINE_TABLE } from '../core/baseline-table.js';
import { parseRecord, type StateRecord } from '../core/baseline.js';
import { MAX_LINK_LIFETIME_MS } from '../core/chains.js';
import { mergeFinding, type Finding } from '../core/finding.js';
import {
  applyMarks,
  planClaim,
  type ClaimPlan,
  type DeliveryMark,
  type LedgerEntry,
  type LedgerState,
} from '../core/ledger.js';
import type {
  BaselineStore,
  ClaimRequest,
  ClaimResult,
  CommitResult,
  FindingLedger,
  LoadedRecord,
  LoadOptions,
  StateChange,
} from '../core/ports.js';
import { chunk, mapLimit } from './batching.js';
import { compressRecordJson, recordJsonOf } from './record-codec.js';
import { isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** A DynamoDB failure the platform should retry (the batch is redelivered); carries the SDK error as cause. */
export class BaselineStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BaselineStoreError';
  }
}

const DAY_SECONDS = 86_400;
/** Kept past a link's credential lifetime: late-delivered calls made with the key still find their chain. */
const LINK_TTL_MARGIN_SECONDS = 3_600;
const { partitionKey, versionAttribute, bodyAttribute, ttlAttribute } = BASELINE_TABLE;
const PK = partitionKey.name;
const NAMES = { '#pk': PK, '#ver': versionAttribute, '#body': bodyAttribute };

/** Partition key of a state record key: sources, populations and issuance links keep their `src#` / `pop#` / `lnk#` key, identities get `id#`. */
export const recordPk = (key: string): string =>
  key.startsWith('src#') || key.startsWith('pop#') || key.startsWith('lnk#') ? key : `id#${key}`;
const keyOfPk = (pk: string): string => (pk.startsWith('id#') ? pk.slice(3) : pk);
/** Partition key of a finding's dedup marker. */
export const findingPk = (id: string): string => `fnd#${id}`;

/** Options shared by the store and the ledger. */
export interface DynamoDbOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Ask DynamoDB to report consumed capacity (read by the request counter). @default false */
  readonly reportConsumedCapacity?: boolean;
  /** Requests in flight at once for per-record writes. @default 16 */
  readonly concurrency?: number;
  /** Attempts for BatchGetItem UnprocessedKeys / BatchWriteItem UnprocessedItems. @default 8 */
  readonly maxBatchAttempts?: number;
  readonly sleep?: Sleep;
  /** Wall clock (epoch ms) that TTLs count from. @default Date.now */
  readonly nowMs?: () => number;
}

/** Store options. */
export interface DynamoDbBaselineStoreOptions extends DynamoDbOptions {
  /** Identity baselines expire this long after their last event. @default 400 */
  readonly identityTtlDays?: number;
  /** Per-source records expire this long after their last event. @default 2 */
  readonly sourceTtlDays?: number;
  /**
   * Bodies larger than this are stored compressed (Binary, zlib with the record dictionary of
   * record-codec.ts). Write units are charged per started KB of item, and the dictionary takes a
   * typical identity record from ~2.3 KB of JSON to ~300 bytes, so every body worth it is compressed.
   * @default 0
   */
  readonly compressAboveBytes?: number;
  /** Bodies that stay larger than this after compression are refused. @default 350000 */
  readonly maxBodyBytes?: number;
}

/** Baselines and source state in DynamoDB, versioned per item. */
export class DynamoDbBaselineStore implements BaselineStore {
  private readonly o: Required<Omit<DynamoDbBaselineStoreOptions, 'client' | 'tableName'>> & DynamoDbOptions;

  constructor(options: DynamoDbBaselineStoreOptions) {
    if (options.tableName === '') throw new BaselineStoreError('DynamoDbBaselineStore needs a table name');
    this.o = {
      reportConsumedCapacity: false,
      concurrency: 16,
      maxBatchAttempts: 8,
      sleep: realSleep,
      nowMs: () => Date.now(),
      identityTtlDays: 400,
      sourceTtlDays: 2,
      compressAboveBytes: 0,
      maxBodyBytes: 350_000,
      ...options,
    };
  }

  /** BatchGetItem in chunks of 100, strongly consistent unless `isEventual`, UnprocessedKeys retried with backoff. */
  async load(keys: readonly string[], options?: LoadOptions): Promise<Map<string, LoadedRecord>> {
    const out = new Map<string, LoadedRecord>();
    const unique = [...new Set(keys)];
    await Promise.all(
      chunk(unique, 100).map(async (part) => {
        let request: KeysAndAttributes | undefined = {
          Keys: part.map((k) => ({ [PK]: { S: recordPk(k) } })),
          ConsistentRead: options?.isEventual !== true,
          ProjectionExpression: '#pk, #ver, #body',
          ExpressionAttributeNames: NAMES,
        };
        for (let attempt = 1; request?.Keys?.length; attempt++) {
          if (attempt > this.o.maxBatchAttempts) {
            throw new BaselineStoreError(
              `BatchGetItem left ${request.Keys.length} key(s) unprocessed after ${this.o.maxBatchAttempts} attempts`,
            );
          }
          if (attempt > 1) await this.o.sleep(jitteredDelayMs(attempt));
          let response: BatchGetItemCommandOutput;
          try {
            response = await this.o.client.send(
              new BatchGetItemCommand({
                RequestItems: { [this.o.tableName]: request },
                ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
              }),
            );
          } catch (error) {
            throw new BaselineStoreError(`BatchGetItem on ${this.o.tableName} failed`, { cause: error });
          }
          for (const item of response.Responses?.[this.o.tableName] ?? []) {
            const loaded = decodeRecord(item);
            out.set(keyOfPk(item[PK]?.S ?? ''), loaded);
          }
          request = response.UnprocessedKeys?.[this.o.tableName];
        }
      }),
    );
    return out;
  }

  /** One conditional PutItem per changed record; a moved version is a conflict for that key, not an error. */
  async commit(_batchId: string, changes: readonly StateChange[]): Promise<CommitResult> {
    const committed: string[] = [];
    const conflicts: string[] = [];
    const results = await mapLimit(changes, this.o.concurrency, (c) => this.put(c));
    const failures: unknown[] = [];
    results.forEach((r, i) => {
      const key = (changes[i] as StateChange).key;
      if (r.status === 'fulfilled') (r.value ? committed : conflicts).push(key);
      else failures.push(r.reason);
    });
    if (failures.length > 0) {
      // Records that did commit hold this batch id, so the redelivered batch does not fold them twice.
      throw new BaselineStoreError(
        `commit failed for ${failures.length} of ${changes.length} record(s) in ${this.o.tableName}`,
        {
          cause: failures[0],
        },
      );
    }
    return { committed, conflicts };
  }

  /** Conditional put of one record: true when written, false on a version conflict. */
  private async put(change: StateChange): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      [PK]: { S: recordPk(change.key) },
      [versionAttribute]: { N: String((change.expectedVersion ?? 0) + 1) },
      [bodyAttribute]: this.encodeBody(change.key, change.record),
      kind: { S: change.record.type },
      [ttlAttribute]: { N: String(this.expiresAt(change.record)) },
    };
    const isNew = change.expectedVersion === undefined;
    try {
      await this.o.client.send(
        new PutItemCommand({
          TableName: this.o.tableName,
          Item: item,
          ConditionExpression: isNew ? 'attribute_not_exists(#pk)' : '#ver = :expected',
          ExpressionAttributeNames: isNew ? { '#pk': PK } : { '#ver': versionAttribute },
          ...(isNew
            ? {}
            : { ExpressionAttributeValues: { ':expected': { N: String(change.expectedVersion) } } }),
          ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new BaselineStoreError(`PutItem ${recordPk(change.key)} failed`, { cause: error });
    }
  }

  /** Epoch seconds at which DynamoDB may delete the record. */
  private expiresAt(record: StateRecord): number {
    const now = Math.floor(this.o.nowMs() / 1000);
    if (record.type === 'link') {
      // A link lives as long as its credential (at most 36 h), counted from the write like every TTL here.
      const lifetimeMs = Math.min(Math.max(record.expiresAtMs - record.issuedAtMs, 0), MAX_LINK_LIFETIME_MS);
      return now + Math.ceil(lifetimeMs / 1000) + LINK_TTL_MARGIN_SECONDS;
    }
    // Population priors live as long as identity baselines: an account quiet for two days keeps them.
    const days = record.type === 'source' ? this.o.sourceTtlDays : this.o.identityTtlDays;
    return now + days * DAY_SECONDS;
  }

  private encodeBody(key: string, record: StateRecord): AttributeValue {
    const json = JSON.stringify(record);
    const bytes = Buffer.byteLength(json);
    if (bytes <= this.o.compressAboveBytes) return { S: json };
    const packed = compressRecordJson(json);
    if (packed.length > this.o.maxBodyBytes) {
      throw new BaselineStoreError(
        `record ${key} is ${packed.length} bytes compressed, over the ${this.o.maxBodyBytes}-byte limit`,
      );
    }
    // A body too short to gain from compression stays readable text.
    return packed.length < bytes ? { B: packed } : { S: json };
  }
}

/** Decode one stored record item (JSON text body, or a compressed body in any format record-codec.ts reads). */
export function decodeRecord(item: Record<string, AttributeValue>): LoadedRecord {
  const pk = item[PK]?.S ?? '?';
  const body = item[bodyAttribute];
  const version = Number(item[versionAttribute]?.N);
  try {
    if (body === undefined || !Number.isInteger(version)) throw new Error('missing body or version');
    return { record: parseRecord(recordJsonOf(body)), version };
  } catch (error) {
    throw new BaselineStoreError(`stored record ${pk} cannot be decoded`, { cause: error });
  }
}

/** Ledger options. */
export interface DynamoDbFindingLedgerOptions extends DynamoDbOptions {
  /** The engine's dedup window: entries are kept this long (plus a day) after they are first written. */
  readonly dedupWindowSeconds: number;
  /** Attempts of one entry's conditional write against concurrent writers. @default 8 */
  readonly maxTransactionAttempts?: number;
}

interface StoredEntry {
  readonly state: LedgerState | undefined;
  /** 0 for an absent or legacy item (no version). */
  readonly version: number;
  readonly expiresAt: string | undefined;
}

/**
 * The finding ledger in DynamoDB: one item per finding id (`fnd#<id>`) holding its cumulative
 * count, the recent batch ids counted into it, the count each destination holds (`dlv`), and the
 * claim of the invocation delivering it (`owner`, `leaseUntil`), with a version (`ver`). Claims are
 * conditional PutItems on the version (core/ledger.ts plans them); a destination's mark is an
 * UpdateItem conditional on still holding the claim, written the moment the destination accepted.
 * Per batch with findings: one BatchGetItem per 100, one PutItem per finding that changed, one
 * UpdateItem per finding per destination (and none on a redelivery already delivered).
 */
export class DynamoDbFindingLedger implements FindingLedger {
  private readonly o: Required<
    Omit<DynamoDbFindingLedgerOptions, 'client' | 'tableName' | 'dedupWindowSeconds'>
  > &
    DynamoDbFindingLedgerOptions;

  constructor(options: DynamoDbFindingLedgerOptions) {
    if (options.tableName === '') throw new BaselineStoreError('DynamoDbFindingLedger needs a table name');
    if (!(options.dedupWindowSeconds > 0))
      throw new BaselineStoreError('DynamoDbFindingLedger needs a positive dedupWindowSeconds');
    this.o = {
      reportConsumedCapacity: false,
      concurrency: 16,
      maxBatchAttempts: 8,
      maxTransactionAttempts: 8,
      sleep: realSleep,
      nowMs: () => Date.now(),
      ...options,
    };
  }

  private get capacity(): { ReturnConsumedCapacity?: 'TOTAL' } {
    return this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {};
  }

  async claim(batchId: string, findings: readonly Finding[], request: ClaimRequest): Promise<ClaimResult> {
    // One entry per id (the engine already merges repeats within a batch).
    const byId = new Map<string, Finding>();
    for (const f of findings) {
      const prior = byId.get(f.id);
      byId.set(f.id, prior ? mergeFinding(prior, f) : f);
    }
    const claimed: LedgerEntry[] = [];
    const busy: Finding[] = [];
    const settled: Finding[] = [];
    const counted: string[] = [];
    for (const part of chunk([...byId.values()], 100)) {
      const stored = await this.entries(part.map((f) => f.id));
      const results = await mapLimit(part, this.o.concurrency, (f) =>
        this.claimOne(
          batchId,
          f,
          request,
          stored.get(f.id) ?? { state: undefined, version: 0, expiresAt: undefined },
        ),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0)
        throw new BaselineStoreError(`claiming ${failures.length} finding(s) failed`, {
          cause: failures[0]?.reason,
        });
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        const { plan, finding } = r.value;
        if (plan.counted) counted.push(finding.id);
        if (plan.outcome === 'claimed') claimed.push(plan.entry);
        else if (plan.outcome === 'busy') busy.push(finding);
        else settled.push(finding);
      }
    }
    return { claimed, busy, settled, counted };
  }

  /** Plan and write one claim; on a version conflict, re-read and plan again. */
  private async claimOne(
    batchId: string,
    finding: Finding,
    request: ClaimRequest,
    first: StoredEntry,
  ): Promise<{ plan: ClaimPlan; finding: Finding }> {
    let stored = first;
    for (let attempt = 1; attempt <= this.o.maxTransactionAttempts; attempt++) {
      if (attempt > 1) {
        await this.o.sleep(jitteredDelayMs(attempt));
        stored = (await this.entries([finding.id])).get(finding.id) ?? {
          state: undefined,
          version: 0,
          expiresAt: undefined,
        };
      }
      const plan = planClaim(
        stored.state,
        finding,
        batchId,
        request.destinations,
        request.owner,
        request.nowMs,
        request.untilMs,
      );
      const shown = (s: LedgerState): Finding => ({
        ...finding,
        count: s.count,
        firstSeenMs: s.firstSeenMs,
        lastSeenMs: s.lastSeenMs,
      });
      if (plan.next === undefined) return { plan, finding: stored.state ? shown(stored.state) : finding };
      const expiresAt =
        stored.expiresAt ??
        String(Math.floor(this.o.nowMs() / 1000) + this.o.dedupWindowSeconds + DAY_SECONDS);
      try {
        await this.o.client.send(
          new PutItemCommand({
            TableName: this.o.tableName,
            Item: ledgerItem(finding.id, plan.next, stored.version + 1, expiresAt),
            ConditionExpression: stored.version === 0 ? 'attribute_not_exists(#ver)' : '#ver = :ver',
            ExpressionAttributeNames: { '#ver': versionAttribute },
            ...(stored.version === 0
              ? {}
              : { ExpressionAttributeValues: { ':ver': { N: String(stored.version) } } }),
            ...this.capacity,
          }),
        );
        return { plan, finding: shown(plan.next) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || isTransient(error)) continue;
        throw error;
      }
    }
    throw new BaselineStoreError(`claiming finding ${finding.id} still conflicting after retries`);
  }

  async settle(owner: string, marks: readonly DeliveryMark[], release: readonly string[]): Promise<void> {
    const ids = [...new Set([...marks.map((m) => m.id), ...release])];
    const releasing = new Set(release);
    const results = await mapLimit(ids, this.o.concurrency, (id) =>
      this.settleOne(
        id,
        owner,
        marks.filter((m) => m.id === id),
        releasing.has(id),
      ),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0)
      throw new BaselineStoreError(`marking ${failures.length} finding(s) delivered failed`, {
        cause: failures[0]?.reason,
      });
  }

  /**
   * One UpdateItem while the claim is ours (the usual case). If it no longer is (our lease ran out
   * and another invocation took over), the marks are still true: merge them in by version.
   */
  private async settleOne(
    id: string,
    owner: string,
    marks: readonly DeliveryMark[],
    release: boolean,
  ): Promise<void> {
    const names: Record<string, string> = { '#ver': versionAttribute, '#owner': 'owner' };
    if (marks.length > 0) names['#dlv'] = 'dlv';
    if (release) names['#until'] = 'leaseUntil';
    const values: Record<string, AttributeValue> = { ':me': { S: owner }, ':one': { N: '1' } };
    const sets = ['#ver = #ver + :one'];
    marks.forEach((m, i) => {
      names[`#d${i}`] = m.destination;
      values[`:c${i}`] = { N: String(m.count) };
      sets.push(`#dlv.#d${i} = :c${i}`);
    });
    try {
      await this.o.client.send(
        new UpdateItemCommand({
          TableName: this.o.tableName,
          Key: { [PK]: { S: findingPk(id) } },
          UpdateExpression: `SET ${sets.join(', ')}${release ? ' REMOVE #owner, #until' : ''}`,
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...this.capacity,
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    if (marks.length === 0) return; // nothing to record, and the claim is not ours to release
    for (let attempt = 1; attempt <= this.o.maxTransactionAttempts; attempt++) {
      if (attempt > 1) await this.o.sleep(jitteredDelayMs(attempt));
      const stored = (await this.entries([id])).get(id);
      if (stored?.state === undefined || stored.expiresAt === undefined) return;
      const next = applyMarks(stored.state, marks, owner, release);
      try {
        await this.o.client.send(
          new PutItemCommand({
            TableName: this.o.tableName,
            Item: ledgerItem(id, next, stored.version + 1, stored.expiresAt),
            ConditionExpression: '#ver = :ver',
            ExpressionAttributeNames: { '#ver': versionAttribute },
            ExpressionAttributeValues: { ':ver': { N: String(stored.version) } },
            ...this.capacity,
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new BaselineStoreError(`marking finding ${id} delivered still conflicting after retries`);
  }

  /** Ledger entries of these ids (strongly consistent), UnprocessedKeys retried. */
  private async entries(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    const out = new Map<string, StoredEntry>();
    let request: KeysAndAttributes | undefined = {
      Keys: ids.map((id) => ({ [PK]: { S: findingPk(id) } })),
      ConsistentRead: true,
    };
    for (let attempt = 1; request?.Keys?.length; attempt++) {
      if (attempt > this.o.maxBatchAttempts)
        throw new BaselineStoreError(`BatchGetItem left ${request.Keys.length} finding entries unread`);
      if (attempt > 1) await this.o.sleep(jitteredDelayMs(attempt));
      let response: BatchGetItemCommandOutput;
      try {
        response = await this.o.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.o.tableName]: request }, ...this.capacity }),
        );
      } catch (error) {
        throw new BaselineStoreError(`BatchGetItem of finding entries on ${this.o.tableName} failed`, {
          cause: error,
        });
      }
      for (const item of response.Responses?.[this.o.tableName] ?? [])
        out.set((item[PK]?.S ?? '').slice('fnd#'.length), entryOf(item));
      request = response.UnprocessedKeys?.[this.o.tableName];
    }
    return out;
  }
}

/** The item of a ledger entry. */
function ledgerItem(
  id: string,
  s: LedgerState,
  version: number,
  expiresAt: string,
): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [PK]: { S: findingPk(id) },
    kind: { S: 'finding' },
    [versionAttribute]: { N: String(version) },
    count: { N: String(s.count) },
    firstSeenMs: { N: String(s.firstSeenMs) },
    lastSeenMs: { N: String(s.lastSeenMs) },
    batches: { L: s.batches.map((b) => ({ S: b })) },
    dlv: { M: Object.fromEntries(Object.entries(s.delivered).map(([d, n]) => [d, { N: String(n) }])) },
    [ttlAttribute]: { N: expiresAt },
  };
  if (s.claim !== undefined) {
    item.owner = { S: s.claim.owner };
    item.leaseUntil = { N: String(s.claim.untilMs) };
  }
  return item;
}

/**
 * A stored entry. An item written before entries had versions (a dedup marker: `count`,
 * `firstSeenMs`) was alerted under the old scheme: it counts as delivered everywhere. One
 * without a count (a forgotten marker) is as good as absent, but exists.
 */
function entryOf(item: Record<string, AttributeValue>): StoredEntry {
  const version = Number(item[versionAttribute]?.N ?? '0');
  const expiresAt = item[ttlAttribute]?.N;
  const count = Number(item.count?.N);
  if (!Number.isFinite(count)) return { state: undefined, version: 0, expiresAt };
  const firstSeenMs = Number(item.firstSeenMs?.N ?? Number.NaN);
  const first = Number.isFinite(firstSeenMs) ? firstSeenMs : 0;
  const last = Number(item.lastSeenMs?.N ?? Number.NaN);
  if (!(version > 0)) {
    return {
      state: {
        count,
        firstSeenMs: first,
        lastSeenMs: Number.isFinite(last) ? last : first,
        batches: [],
        delivered: { sns: count, 'security-hub': count },
      },
      version: 0,
      expiresAt,
    };
  }
  const delivered: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [d, v] of Object.entries(item.dlv?.M ?? {})) delivered[d] = Number(v.N ?? '0');
  const owner = item.owner?.S;
  const untilMs = Number(item.leaseUntil?.N ?? Number.NaN);
  return {
    state: {
      count,
      firstSeenMs: first,
      lastSeenMs: Number.isFinite(last) ? last : first,
      batches: (item.batches?.L ?? []).map((b) => b.S ?? ''),
      delivered: { ...delivered },
      ...(owner !== undefined && Number.isFinite(untilMs) ? { claim: { owner, untilMs } } : {}),
    },
    version,
    expiresAt,
  };
}
