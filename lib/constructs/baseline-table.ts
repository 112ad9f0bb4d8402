import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BASELINE_TABLE } from '../../lambdas/core/baseline-table.js';

/**
 * The DynamoDB actions the functions need on the baseline table, exactly what `lambdas/adapters` sends:
 * BatchGetItem (baselines, finding ledger items) and conditional PutItem and UpdateItem (a transaction
 * would be authorised as the PutItem / UpdateItem of each of its items). No point reads, condition
 * checks, scans, queries or deletes (TTL expires items).
 */
export const BASELINE_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/** Properties of {@link BaselineTable}. */
export interface BaselineTableProps {
  /** Encrypts the table (customer-managed). */
  readonly encryptionKey: kms.IKey;
}

/**
 * The per-identity baselines, shaped by `lambdas/core/baseline-table.ts`: on-demand, TTL-expired,
 * point-in-time recoverable, encrypted with nhi-watch's key, protected from deletion and retained with the
 * stack (it holds months of learned behaviour that cannot be rebuilt quickly).
 *
 * The table is this construct's default child, so its logical id is the one the construct's id gives (a
 * changed logical id would replace the retained table in a deployed stack).
 */
export class BaselineTable extends Construct {
  /** The table. */
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: BaselineTableProps) {
    super(scope, id);
    const table = new dynamodb.Table(this, 'Default', {
      partitionKey: {
        name: BASELINE_TABLE.partitionKey.name,
        type: BASELINE_TABLE.partitionKey.type as dynamodb.AttributeType,
      },
      billingMode: BASELINE_TABLE.billingMode as dynamodb.BillingMode,
      timeToLiveAttribute: BASELINE_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // aws-cdk-lib's interfaces are not written for exactOptionalPropertyTypes; Table implements ITable.
    this.table = table as unknown as dynamodb.ITable;
  }

  /** A statement granting exactly {@link BASELINE_TABLE_ACTIONS} on the table (the key is granted apart). */
  pipelineAccessStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'BaselineTable',
      actions: [...BASELINE_TABLE_ACTIONS],
      resources: [this.table.tableArn],
    });
  }
}
