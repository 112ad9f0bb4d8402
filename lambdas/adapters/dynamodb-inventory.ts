/**
 * Every identity baseline in the deployed table, for `nhi-watch identities`: a paginated Scan of
 * the `id#` items (the baselines nhi-watch keeps anyway), decoded with the store's own codec.
 * Read-only; eventually consistent reads are enough for an inventory.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IdentityBaseline } from '../core/baseline.js';
import { BASELINE_TABLE } from '../core/baseline-table.js';
import { BaselineStoreError, decodeRecord } from './dynamodb-store.js';

const { partitionKey, versionAttribute, bodyAttribute } = BASELINE_TABLE;

/** What a scan read: the identities, and the items that could not be decoded (counted, skipped). */
export interface ScannedIdentities {
  readonly identities: IdentityBaseline[];
  readonly undecodable: readonly string[];
}

/** Scan the table for identity baselines (pk `id#…`), page by page. */
export async function scanIdentities(client: DynamoDBClient, tableName: string): Promise<ScannedIdentities> {
  if (tableName === '') throw new BaselineStoreError('scanIdentities needs a table name');
  const identities: IdentityBaseline[] = [];
  const undecodable: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'begins_with(#pk, :id)',
          ProjectionExpression: '#pk, #ver, #body',
          ExpressionAttributeNames: {
            '#pk': partitionKey.name,
            '#ver': versionAttribute,
            '#body': bodyAttribute,
          },
          ExpressionAttributeValues: { ':id': { S: 'id#' } },
          ...(start !== undefined ? { ExclusiveStartKey: start } : {}),
        }),
      );
    } catch (error) {
      throw new BaselineStoreError(`Scan of ${tableName} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const item of page.Items ?? []) {
      try {
        const { record } = decodeRecord(item);
        if (record.type === 'identity') identities.push(record);
      } catch {
        undecodable.push(item[partitionKey.name]?.S ?? '?');
      }
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { identities, undecodable };
}
