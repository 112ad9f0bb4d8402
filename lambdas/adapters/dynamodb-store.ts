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
 * | `fnd#<finding id>`    | finding dedup marker          | none: `count`, `firstSeenMs` N | first write + dedup window + 1 day |
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
 *   conditional PutItem per changed record, and per 100 findings one BatchGetItem and one
 *   TransactWriteItems of markers. Never per event.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';

import { BASELINE_TABLE } from '../core/baseline-table.js';
import { parseRecord, type StateRecord } from '../core/baseline.js';
import { mergeFinding, type Finding } from '../core/finding.js';
import type {
  BaselineStore,
  CommitResult,
  FindingLedger,
  LedgerResult,
  LoadedRecord,
  StateChange,
} from '../core/ports.js';
import { chunk, mapLimit } from './batching.js';
import { isTransient, jitteredDelayMs, realSleep, type Sleep } from './retry.js';

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
    const days = record.type === 'identity' ? this.o.identityTtlDays : this.o.sourceTtlDays;
    return Math.floor(this.o.nowMs() / 1000) + days * DAY_SECONDS;
  }

  private encodeBody(key: string, record: StateRecord): AttributeValue {
    const json = JSON.stringify(record);
    if (Buffer.byteLength(json) <= this.o.compressAboveBytes) return { S: json };
    const gz = gzipSync(json);
    if (gz.length > this.o.maxBodyBytes) {
      throw new BaselineStoreError(
        `record ${key} is ${gz.length} bytes gzipped, over the ${this.o.maxBodyBytes}-byte limit`,
      );
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
    return { record: parseRecord(text), version };
  } catch (error) {
    throw new BaselineStoreError(`stored record ${pk} cannot be decoded`, { cause: error });
  }
}

/** Ledger options. */
export interface DynamoDbFindingLedgerOptions extends DynamoDbOptions {
  /** The engine's dedup window: markers are kept this long (plus a day) after they are first written. */
  readonly dedupWindowSeconds: number;
  /** Attempts of a chunk's transaction (conflicts with concurrent writers, throttling). @default 8 */
  readonly maxTransactionAttempts?: number;
}

/** What the ledger knows of a finding id. */
interface Marker {
  readonly count: number;
  readonly firstSeenMs: number;
}

/**
 * Finding dedup markers in DynamoDB: the first writer of an id alerts, later writers raise its count.
 * A marker is small (count, first seen, TTL): the finding itself travels to SNS and Security Hub,
 * and a repeat is the current finding with the cumulative count. Per 100 findings of a batch:
 * one BatchGetItem (which ids are known) and one TransactWriteItems (create the new markers,
 * conditional on absence; ADD to the known ones' counts) — a constant per batch, never per event.
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

  async record(findings: readonly Finding[]): Promise<LedgerResult> {
    // One entry per id (the engine already merges repeats within a batch; this keeps the transaction valid regardless).
    const byId = new Map<string, Finding>();
    for (const f of findings) {
      const prior = byId.get(f.id);
      byId.set(f.id, prior ? mergeFinding(prior, f) : f);
    }
    const fresh: Finding[] = [];
    const repeats: Finding[] = [];
    for (const part of chunk([...byId.values()], 100)) {
      const known = await this.markers(part.map((f) => f.id));
      const created = await this.write(part, known);
      for (const f of part) {
        const prior = known.get(f.id);
        if (created.has(f.id) || prior === undefined) fresh.push(f);
        else
          repeats.push({
            ...f,
            count: prior.count + f.count,
            firstSeenMs: Math.min(prior.firstSeenMs, f.firstSeenMs),
          });
      }
    }
    return { fresh, repeats };
  }

  /** Markers of these ids (strongly consistent), UnprocessedKeys retried. */
  private async markers(ids: readonly string[]): Promise<Map<string, Marker>> {
    const out = new Map<string, Marker>();
    let request: KeysAndAttributes | undefined = {
      Keys: ids.map((id) => ({ [PK]: { S: findingPk(id) } })),
      ConsistentRead: true,
      ProjectionExpression: '#pk, #count, #first',
      ExpressionAttributeNames: { '#pk': PK, '#count': 'count', '#first': 'firstSeenMs' },
    };
    for (let attempt = 1; request?.Keys?.length; attempt++) {
      if (attempt > this.o.maxBatchAttempts)
        throw new BaselineStoreError(`BatchGetItem left ${request.Keys.length} finding marker(s) unread`);
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
        throw new BaselineStoreError(`BatchGetItem of finding markers on ${this.o.tableName} failed`, {
          cause: error,
        });
      }
      for (const item of response.Responses?.[this.o.tableName] ?? []) {
        const marker = markerOf(item);
        if (marker) out.set((item[PK]?.S ?? '').slice('fnd#'.length), marker);
      }
      request = response.UnprocessedKeys?.[this.o.tableName];
    }
    return out;
  }

  /**
   * One transaction: create the markers not known (conditional on their absence), add to the
   * counts of the known. A marker created meanwhile by a concurrent writer cancels the transaction
   * with its current value: it becomes known (a repeat) and the transaction is retried. Returns the
   * ids this writer created — the findings that alert.
   */
  private async write(part: readonly Finding[], known: Map<string, Marker>): Promise<Set<string>> {
    const expiresAt = String(Math.floor(this.o.nowMs() / 1000) + this.o.dedupWindowSeconds + DAY_SECONDS);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.o.maxTransactionAttempts; attempt++) {
      if (attempt > 1) await this.o.sleep(jitteredDelayMs(attempt));
      const items: TransactWriteItem[] = part.map((f) =>
        known.has(f.id)
          ? {
              Update: {
                TableName: this.o.tableName,
                Key: { [PK]: { S: findingPk(f.id) } },
                UpdateExpression: 'ADD #count :n',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':n': { N: String(f.count) } },
              },
            }
          : {
              Put: {
                TableName: this.o.tableName,
                Item: {
                  [PK]: { S: findingPk(f.id) },
                  kind: { S: 'finding' },
                  count: { N: String(f.count) },
                  firstSeenMs: { N: String(f.firstSeenMs) },
                  [ttlAttribute]: { N: expiresAt },
                },
                ConditionExpression: 'attribute_not_exists(#count)',
                ExpressionAttributeNames: { '#count': 'count' },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
      );
      try {
        await this.o.client.send(
          new TransactWriteItemsCommand({
            TransactItems: items,
            // Idempotent if the SDK resends this very request (no count added twice).
            ClientRequestToken: randomUUID(),
            ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
          }),
        );
        return new Set(part.filter((f) => !known.has(f.id)).map((f) => f.id));
      } catch (error) {
        lastError = error;
        if (error instanceof TransactionCanceledException) {
          (error.CancellationReasons ?? []).forEach((reason, i) => {
            const f = part[i];
            if (f !== undefined && reason.Code === 'ConditionalCheckFailed') {
              known.set(
                f.id,
                (reason.Item && markerOf(reason.Item)) ?? { count: 0, firstSeenMs: f.firstSeenMs },
              );
            }
          });
          continue;
        }
        if (!isTransient(error)) break;
      }
    }
    throw new BaselineStoreError(`recording ${part.length} finding(s) failed after retries`, {
      cause: lastError,
    });
  }

  /**
   * Clear the markers (their count) so a retry of the batch alerts again. An UpdateItem per id
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
            UpdateExpression: 'REMOVE #count',
            // Never create a marker (it would have no TTL): an absent one is already forgotten.
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK, '#count': 'count' },
            ...(this.o.reportConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      throw new BaselineStoreError(`clearing ${failures.length} finding marker(s) failed`, {
        cause: failures[0]?.reason,
      });
    }
  }
}

/** A stored marker, or undefined when the item holds none (absent, or forgotten). */
function markerOf(item: Record<string, AttributeValue>): Marker | undefined {
  const count = Number(item.count?.N);
  if (!Number.isFinite(count)) return undefined;
  const first = Number(item.firstSeenMs?.N);
  return { count, firstSeenMs: Number.isFinite(first) ? first : Number.MAX_SAFE_INTEGER };
}
