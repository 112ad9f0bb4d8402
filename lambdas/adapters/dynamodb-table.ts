/**
 * The baseline table as DynamoDB API input, derived from the one definition in
 * core/baseline-table.ts that the CDK stack also deploys: the integration tests and the local
 * tools create their table from here, so the table the code is tested against is the deployed one.
 */
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

import { BASELINE_TABLE } from '../core/baseline-table.js';

/** CreateTable input for the baseline table named `tableName`. */
export function baselineTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, billingMode } = BASELINE_TABLE;
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: partitionKey.name, AttributeType: partitionKey.type }],
    KeySchema: [{ AttributeName: partitionKey.name, KeyType: 'HASH' }],
    BillingMode: billingMode,
  };
}

/** Create the baseline table (and switch its TTL on) where no stack deploys it: tests, local servers. */
export async function createBaselineTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(baselineTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: BASELINE_TABLE.ttlAttribute, Enabled: true },
    }),
  );
}
