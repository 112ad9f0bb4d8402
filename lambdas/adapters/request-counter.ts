/**
 * Counts what an AWS SDK client sends: commands by name, HTTP attempts (retries included) and, for
 * DynamoDB, the capacity units the service reports (when requests ask for ConsumedCapacity).
 * Attached to a client as middleware, so tests and benchmarks measure the real adapter, not a mock.
 */

/** Counts of one client's requests. */
export interface RequestCounts {
  /** Commands by name (`BatchGetItemCommand` → n), counted once however often the SDK retried them. */
  readonly commands: Record<string, number>;
  /** HTTP attempts, retries included. */
  httpAttempts: number;
  /** DynamoDB read capacity units reported by the service. */
  readCapacityUnits: number;
  /** DynamoDB write capacity units reported by the service. */
  writeCapacityUnits: number;
}

/** A counter attached to a client: read `counts`, `reset()` between measurements. */
export interface RequestCounter {
  readonly counts: RequestCounts;
  /** Commands sent in total. */
  total(): number;
  reset(): void;
}

interface CapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

type Next = (args: unknown) => Promise<{ output: unknown }>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;
interface Stack {
  add(
    middleware: Middleware,
    options: { step: 'initialize' | 'deserialize'; name: string; override?: boolean },
  ): void;
}
/** Any AWS SDK v3 client (their middleware stacks differ only in input / output types). */
export interface CountableClient {
  readonly middlewareStack: object;
}

const READ_COMMANDS = new Set([
  'BatchGetItemCommand',
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

/** Attach a counter to an SDK client (DynamoDB, SNS, SQS, Security Hub…). */
export function countRequests(client: CountableClient): RequestCounter {
  const counts: RequestCounts = {
    commands: {},
    httpAttempts: 0,
    readCapacityUnits: 0,
    writeCapacityUnits: 0,
  };
  const addCapacity = (command: string, consumed: CapacityLike | CapacityLike[] | undefined): void => {
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const read = c.ReadCapacityUnits ?? (READ_COMMANDS.has(command) ? c.CapacityUnits : 0) ?? 0;
      const write = c.WriteCapacityUnits ?? (READ_COMMANDS.has(command) ? 0 : c.CapacityUnits) ?? 0;
      counts.readCapacityUnits += read;
      counts.writeCapacityUnits += write;
    }
  };
  const stack = client.middlewareStack as Stack;
  stack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      counts.commands[command] = (counts.commands[command] ?? 0) + 1;
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: CapacityLike | CapacityLike[] } | undefined;
      addCapacity(command, output?.ConsumedCapacity);
      return result;
    },
    { step: 'initialize', name: 'nhiWatchCountCommands', override: true },
  );
  stack.add(
    (next) => (args) => {
      counts.httpAttempts += 1;
      return next(args);
    },
    { step: 'deserialize', name: 'nhiWatchCountAttempts', override: true },
  );
  return {
    counts,
    total: () => Object.values(counts.commands).reduce((a, b) => a + b, 0),
    reset: () => {
      for (const k of Object.keys(counts.commands)) delete counts.commands[k];
      counts.httpAttempts = 0;
      counts.readCapacityUnits = 0;
      counts.writeCapacityUnits = 0;
    },
  };
}
