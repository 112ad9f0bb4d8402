/**
 * BaselineStore and FindingLedger on DynamoDB: the production state of nhi-watch, with the same
 * versioned, conditional semantics as the in-memory store (memory-store.ts).
 *
 * Table design (one table, defined once in core/baseline-table.ts; one item per record):
 *
 * | pk                    | what                          | body                     | expiresAt (TTL)                    |
 * |-----------------------|-------------------------------|--------------------------|------------------------------------|
 * | `id#<identity key>`   | identity baseline             | JSON, gzip (B) if > 1 KB | last write + 400 days              |
 * | `src#<ip>`            | per-source failure window     | JSON                     | last write + 2 days                |
 * | `fnd#<finding id>`    | finding dedup marker + count  | finding JSON, `count` N  | first write + dedup window + 1 day |
 *
 * - `ver` (N) is the record's version: every write is conditional on the version read
 *   (`attribute_not_exists(pk)` for a new record, `ver = :expected` otherwise). A writer whose
 *   version moved gets a *conflict* for that key (not an error) and the pipeline re-folds the
 *   events of that identity onto the fresh record: concurrent invocations lose no update.
 * - Records carry the ids of the last batches folded into them, so a redelivered batch (same
 *   CloudWatch Logs payload, same batch id) changes nothing; the finding markers make a
 *   redelivered finding a repeat (count) rather than a second alert.
 * - Items stay bounded: the baseline caps (core/baseline.ts) bound every record (an identity new in
 *   every dimension on every one of 6,000 calls is ~40 KB of JSON, ~4 KB stored); bodies above
 *   1 KB are gzipped (fewer write units), and a body still over `maxBodyBytes` after compression
 *   is refused with an error instead of being written.
 * - TTL counts from the write (wall clock), and every batch that touches a record rewrites it: an
 *   identity silent for 400 days disappears (one that comes back is new again); source windows
 *   and finding markers are transient. Counting from the write rather than from event time keeps
 *   a backfill of old logs (warming baselines from history) from expiring on arrival.
 * - Requests per batch: one BatchGetItem per 100 keys (identities + source addresses), one
 *   conditional PutItem per changed record, one UpdateItem per distinct finding. Never per event.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

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
import type { StateRecord } from '../core/baseline.js';
import { mergeFinding, type Finding } from '../core/finding.js';
import type { BaselineStore, CommitResult, FindingLedger, LedgerResult, LoadedRecord, StateChange } from '../core/ports.js';
import { chunk, mapLimit } from './batching.js';
import { jitteredDelayMs, realSleep, type Sleep } from './retry.js';

/** A DynamoDB failure the platform should retry (the batch is redelivered); carries the SDK error as cause. */
export class BaselineStoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BaselineStoreError';
  }
}

const DAY_SECONDS = 86_400;
const { partitionKey, versionAttribute, bodyAttribute, ttlAttribute } = BASELINE_TABLE;
const PK = partitionKey.name;
const NAMES = { '#pk': PK, '#ver': versionAttribute, '#body': bodyAttribute };

/** Partition key of a state record key: sources keep their `src#` key, identities get `id#`. */
export const recordPk = (key: string): string => (key.startsWith('src#') ? key : `id#${key}`);
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
   * Bodies larger than this are stored gzipped (Binary). Write units are charged per KB of item, and
   * a baseline compresses ~5×, so compressing from 1 KB on cuts write units ~3× for ~40 µs of CPU a record.
   * @default 1024
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
      compressAboveBytes: 1024,
      maxBodyBytes: 350_000,
      ...options,
    };
  }

  /** BatchGetItem in chunks of 100, strongly consistent, UnprocessedKeys retried with backoff. */
  async load(keys: readonly string[]): Promise<Map<string, LoadedRecord>> {
    const out = new Map<string, LoadedRecord>();
    const unique = [...new Set(keys)];
    await Promise.all(
      chunk(unique, 100).map(async (part) => {
        let request: KeysAndAttributes | undefined = {
          Keys: part.map((k) => ({ [PK]: { S: recordPk(k) } })),
          ConsistentRead: true,
          ProjectionExpression: '#pk, #ver, #body',
          ExpressionAttributeNames: NAMES,
        };
        for (let attempt = 1; request?.Keys?.length; attempt++) {
          if (attempt > this.o.maxBatchAttempts) {
            throw new BaselineStoreError(`BatchGetItem left ${request.Keys.length} key(s) unprocessed after ${this.o.maxBatchAttempts} attempts`);
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
      throw new BaselineStoreError(`commit failed for ${failures.length} of ${changes.length} record(s) in ${this.o.tableName}`, {
        cause: failures[0],
      });
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
          ...(isNew ? {} : { ExpressionAttributeValues: { ':expected': { N: String(change.expectedVersion) } } }),
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
    const days = record.type === 'identity' ? this.o.identityTtlDays : this.o.sourceTtlDays;
    return Math.floor(this.o.nowMs() / 1000) + days * DAY_SECONDS;
  }

  private encodeBody(key: string, record: StateRecord): AttributeValue {
    const json = JSON.stringify(record);
    if (Buffer.byteLength(json) <= this.o.compressAboveBytes) return { S: json };
    const gz = gzipSync(json);
    if (gz.length > this.o.maxBodyBytes) {
      throw new BaselineStoreError(`record ${key} is ${gz.length} bytes gzipped, over the ${this.o.maxBodyBytes}-byte limit`);
    }
    return { B: gz };
  }
}

/** Decode one stored record item (JSON string body, or gzipped JSON binary body). */
function decodeRecord(item: Record<string, AttributeValue>): LoadedRecord {
  const pk = item[PK]?.S ?? '?';
  const body = item[bodyAttribute];
  const version = Number(item[versionAttribute]?.N);
  try {
    const text = body?.S ?? (body?.B ? gunzipSync(body.B).toString('utf8') : undefined);
    if (text === undefined || !Number.isInteger(version)) throw new Error('missing body or version');
    return { record: JSON.parse(text) as StateRecord, version };
  } catch (error) {
    throw new BaselineStoreError(`stored record ${pk} cannot be decoded`, { cause: error });
  }
}

/** Ledger options. */
export interface DynamoDbFindingLedgerOptions extends DynamoDbOptions {
  /** The engine's dedup window: markers expire one day after their window ends. */
  readonly dedupWindowSeconds: number;
}

/** Finding dedup markers in DynamoDB: the first writer of an id alerts, later writers raise its count. */
export class DynamoDbFindingLedger implements FindingLedger {
  private readonly o: Required<Omit<DynamoDbFindingLedgerOptions, 'client' | 'tableName' | 'dedupWindowSeconds'>> & DynamoDbFindingLedgerOptions;

  constructor(options: DynamoDbFindingLedgerOptions) {
    if (options.tableName === '') throw new BaselineStoreError('DynamoDbFindingLedger needs a table name');
    if (!(options.dedupWindowSeconds > 0)) throw new BaselineStoreError('DynamoDbFindingLedger needs a positive dedupWindowSeconds');
    this.o = { reportConsumedCapacity: false, concurrency: 16, maxBatchAttempts: 8, sleep: realSleep, nowMs: () => Date.now(), ...options };
  }

  /**
   * One atomic UpdateItem per finding: the body is set only if absent, the count is added, and the
   * old image tells whether this writer was first (fresh) or not (repeat, with the cumulative count).
   */
  async record(findings: readonly Finding[]): Promise<LedgerResult> {
    const results = await mapLimit(findings, this.o.concurrency, (f) => this.recordOne(f));
    const fresh: Finding[] = [];
    const repeats: Finding[] = [];
    const failures: unknown[] = [];
    for (const r of results) {
      if (r.status === 'rejected') failures.push(r.reason);
      else (r.value.isFresh ? fresh : repeats).push(r.value.finding);
    }
    if (failures.length > 0) {
      throw new BaselineStoreError(`recording ${failures.length} of ${findings.length} finding(s) failed`, { cause: failures[0] });
    }
    return { fresh, repeats };
  }

  private async recordOne(f: Finding): Promise<{ isFresh: boolean; finding: Finding }> {
    // Kept a whole dedup window (plus a day) after it is first written, whatever the events' age.
    const expiresAt = Math.floor(this.o.nowMs() / 1000) + this.o.dedupWindowSeconds + DAY_SECONDS;
    let old: Record<string, AttributeValue> | undefined;
    try {
      const response = await this.o.client.send(
        new UpdateItemCommand({
          TableName: this.o.tableName,
          Key: { [PK]: { S: findingPk(f.id) } },
          UpdateExpression: 'SET #body = if_not_exists(#body, :body), #exp = if_not_exists(#exp, :exp), #kind = :kind ADD #count :n',
          ExpressionAttributeNames: { '#body': bodyAttribute, '#exp': ttlAttribute, '#kind': 'kind', '#count': 'count' },
          ExpressionAttributeValues: {
            ':body': { S: JSON.stringify(f) },
            ':exp': { N: String(expiresAt) },
            ':kind': { S: 'finding' },
            ':n': { N: String(f.count) },
          },
          ReturnValues: 'ALL_OLD',
          ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
        }),
      );
      old = response.Attributes;
    } catch (error) {
      throw new BaselineStoreError(`UpdateItem ${findingPk(f.id)} failed`, { cause: error });
    }
    const oldBody = old?.[bodyAttribute]?.S;
    if (oldBody === undefined) return { isFresh: true, finding: f };
    let prior: Finding;
    try {
      prior = JSON.parse(oldBody) as Finding;
    } catch {
      prior = f;
    }
    const priorCount = Number(old?.count?.N ?? prior.count);
    return { isFresh: false, finding: mergeFinding({ ...prior, count: priorCount }, f) };
  }

  /**
   * Clear the markers (body and count) so a retry of the batch alerts again. An UpdateItem per id
   * rather than a delete: rare (only when even the on-failure queue refused a finding), and it
   * needs no permission beyond the ones every batch uses.
   */
  async forget(ids: readonly string[]): Promise<void> {
    const results = await mapLimit([...new Set(ids)], this.o.concurrency, async (id) => {
      try {
        await this.o.client.send(
          new UpdateItemCommand({
            TableName: this.o.tableName,
            Key: { [PK]: { S: findingPk(id) } },
            UpdateExpression: 'REMOVE #body, #count',
            // Never create a marker (it would have no TTL): an absent one is already forgotten.
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK, '#body': bodyAttribute, '#count': 'count' },
            ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      throw new BaselineStoreError(`clearing ${failures.length} finding marker(s) failed`, { cause: failures[0]?.reason });
    }
  }
}
