/**
 * An in-process DynamoDB for the fuzzer: answers the five operations nhi-watch's DynamoDB adapters
 * send (BatchGetItem, PutItem, TransactWriteItems, UpdateItem) with the conditions they use, so
 * the real adapters — and the real record codec (JSON, gzip above 1 KB, null prototypes restored on
 * decode) — run without a server. Not a general emulator: expressions are matched, not parsed.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

const META = { $metadata: {} };

/** The table's items by partition key, and request counts. */
export class InProcessDynamoDb {
  readonly items = new Map<string, Item>();
  readonly requests = new Map<string, number>();

  /** A client whose `send` is served here (typed as the SDK client the adapters take). */
  get client(): DynamoDBClient {
    return { send: (command: unknown) => this.send(command) } as unknown as DynamoDBClient;
  }

  private count(op: string): void {
    this.requests.set(op, (this.requests.get(op) ?? 0) + 1);
  }

  private send(command: unknown): Promise<unknown> {
    return new Promise((resolve) => resolve(this.handle(command)));
  }

  private handle(command: unknown): unknown {
    if (command instanceof BatchGetItemCommand) {
      this.count('BatchGetItem');
      const responses: Record<string, Item[]> = {};
      for (const [table, request] of Object.entries(command.input.RequestItems ?? {})) {
        responses[table] = (request.Keys ?? []).flatMap((k) => {
          const item = this.items.get(k['pk']?.S ?? '');
          return item ? [structuredClone(item)] : [];
        });
      }
      return { Responses: responses, UnprocessedKeys: {} };
    }
    if (command instanceof PutItemCommand) {
      this.count('PutItem');
      const item = command.input.Item ?? {};
      const pk = item['pk']?.S ?? '';
      const current = this.items.get(pk);
      const condition = command.input.ConditionExpression ?? '';
      const ok = condition.startsWith('attribute_not_exists')
        ? current === undefined
        : current?.['ver']?.N === command.input.ExpressionAttributeValues?.[':expected']?.N;
      if (!ok) throw new ConditionalCheckFailedException({ message: 'conditional check failed', ...META });
      this.items.set(pk, structuredClone(item));
      return {};
    }
    if (command instanceof TransactWriteItemsCommand) {
      this.count('TransactWriteItems');
      const items = command.input.TransactItems ?? [];
      const reasons = items.map((t) => {
        const pk = (t.Put?.Item ?? t.Update?.Key ?? {})['pk']?.S ?? '';
        const current = this.items.get(pk);
        if (t.Put && current?.['count'] !== undefined)
          return { Code: 'ConditionalCheckFailed', Item: structuredClone(current) };
        return { Code: 'None' };
      });
      if (reasons.some((r) => r.Code !== 'None'))
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          CancellationReasons: reasons,
          ...META,
        });
      for (const t of items) {
        if (t.Put) this.items.set(t.Put.Item?.['pk']?.S ?? '', structuredClone(t.Put.Item ?? {}));
        else if (t.Update) {
          const pk = t.Update.Key?.['pk']?.S ?? '';
          const current = this.items.get(pk) ?? { pk: { S: pk } };
          const add = Number(t.Update.ExpressionAttributeValues?.[':n']?.N ?? 0);
          current['count'] = { N: String(Number(current['count']?.N ?? 0) + add) };
          this.items.set(pk, current);
        }
      }
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      this.count('UpdateItem');
      const pk = command.input.Key?.['pk']?.S ?? '';
      const current = this.items.get(pk);
      if (!current)
        throw new ConditionalCheckFailedException({ message: 'conditional check failed', ...META });
      delete current['count'];
      return {};
    }
    throw new Error(`InProcessDynamoDb: unsupported command ${(command as object).constructor.name}`);
  }
}
