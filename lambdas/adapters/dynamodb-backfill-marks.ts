/**
 * Which backfill chunks are already folded into the baseline table: one small item per chunk,
 * `bf#<batch id>`, written after the chunk's state committed (never before: a crash in between
 * leaves the chunk unmarked, and the identity records, which remember their recent batch ids,
 * recognise it when it is folded again). A re-run of a backfill reads these first, so it never
 * folds a chunk twice however long ago it ran — the records' own batch memory is bounded.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { BASELINE_TABLE } from '../core/baseline-table.js';
import { chunk } from './batching.js';
import { BaselineStoreError } from './dynamodb-store.js';
import { jitteredDelayMs, realSleep, type Sleep } from './retry.js';

const PK = BASELINE_TABLE.partitionKey.name;
const TTL = BASELINE_TABLE.ttlAttribute;
const DAY_SECONDS = 86_400;

/** Partition key of a backfill chunk's marker. */
export const backfillMarkPk = (batchId: string): string => `bf#${batchId}`;

/** A folded chunk to mark. */
export interface BackfillMark {
  readonly batchId: string;
  /** Events the chunk held (for reports). */
  readonly events: number;
  /** Where the chunk came from, e.g. `s3://bucket/key#0`. */
  readonly source: string;
}

/** Options of the marks store. */
export interface DynamoDbBackfillMarksOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Markers live as long as the identity records they protect. @default 400 */
  readonly ttlDays?: number;
  /** Attempts for UnprocessedKeys / UnprocessedItems. @default 8 */
  readonly maxBatchAttempts?: number;
  readonly sleep?: Sleep;
  readonly nowMs?: () => number;
}

/** Backfill chunk markers in the baseline table. */
export class DynamoDbBackfillMarks {
  private readonly ttlDays: number;
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;
  private readonly nowMs: () => number;

  constructor(private readonly o: DynamoDbBackfillMarksOptions) {
    if (o.tableName === '') throw new BaselineStoreError('DynamoDbBackfillMarks needs a table name');
    this.ttlDays = o.ttlDays ?? 400;
    this.maxAttempts = o.maxBatchAttempts ?? 8;
    this.sleep = o.sleep ?? realSleep;
    this.nowMs = o.nowMs ?? (() => Date.now());
  }

  /** The batch ids among `batchIds` already marked folded (strongly consistent reads). */
  async folded(batchIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunk([...new Set(batchIds)], 100)) {
      let request: KeysAndAttributes | undefined = {
        Keys: part.map((id) => ({ [PK]: { S: backfillMarkPk(id) } })),
        ConsistentRead: true,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': PK },
      };
      for (let attempt = 1; request?.Keys?.length; attempt++) {
        if (attempt > this.maxAttempts)
          throw new BaselineStoreError(`BatchGetItem left ${request.Keys.length} marker(s) unprocessed`);
        if (attempt > 1) await this.sleep(jitteredDelayMs(attempt));
        let response: BatchGetItemCommandOutput;
        try {
          response = await this.o.client.send(
            new BatchGetItemCommand({ RequestItems: { [this.o.tableName]: request } }),
          );
        } catch (error) {
          throw new BaselineStoreError(`reading backfill markers in ${this.o.tableName} failed`, {
            cause: error,
          });
        }
        for (const item of response.Responses?.[this.o.tableName] ?? []) {
          const pk = item[PK]?.S ?? '';
          if (pk.startsWith('bf#')) found.add(pk.slice(3));
        }
        request = response.UnprocessedKeys?.[this.o.tableName];
      }
    }
    return found;
  }

  /** Mark chunks folded (idempotent: a marker written twice is the same marker). */
  async mark(marks: readonly BackfillMark[]): Promise<void> {
    const expiresAt = Math.floor(this.nowMs() / 1000) + this.ttlDays * DAY_SECONDS;
    for (const part of chunk(marks, 25)) {
      let items: WriteRequest[] | undefined = part.map((m) => ({
        PutRequest: {
          Item: {
            [PK]: { S: backfillMarkPk(m.batchId) },
            events: { N: String(m.events) },
            source: { S: m.source.slice(0, 1024) },
            foldedAt: { N: String(this.nowMs()) },
            [TTL]: { N: String(expiresAt) },
          },
        },
      }));
      for (let attempt = 1; items !== undefined && items.length > 0; attempt++) {
        if (attempt > this.maxAttempts)
          throw new BaselineStoreError(`BatchWriteItem left ${items.length} marker(s) unprocessed`);
        if (attempt > 1) await this.sleep(jitteredDelayMs(attempt));
        let response: BatchWriteItemCommandOutput;
        try {
          response = await this.o.client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.o.tableName]: items } }),
          );
        } catch (error) {
          throw new BaselineStoreError(`writing backfill markers in ${this.o.tableName} failed`, {
            cause: error,
          });
        }
        items = response.UnprocessedItems?.[this.o.tableName];
      }
    }
  }
}
