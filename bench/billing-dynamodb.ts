/**
 * A DynamoDB client answered in process, that bills every request the way DynamoDB on-demand does,
 * for the write-unit and scale figures (bench/writes.ts). The production store and ledger
 * (lambdas/adapters/dynamodb-store.ts) are handed it as their `client`: every command they send is
 * answered here from an in-memory table, with the conditional semantics they rely on, and counted.
 *
 * Billing, as the DynamoDB developer guide states it (read-write-operations):
 * - a write (PutItem, UpdateItem) costs one write unit per started KB of the *larger* of the item
 *   before and after the write; one whose condition fails still costs that, and is counted apart;
 * - a strongly consistent read costs one read unit per started 4 KB of each item read, an eventually
 *   consistent one half that; BatchGetItem reads every key as a GetItem, rounding each item
 *   separately, and a key with no item still costs the minimum (one unit, or a half);
 * - transactions (none used by nhi-watch) would cost twice; an attempt to use one is refused.
 * Item size: attribute names plus values (strings and binaries by byte length, numbers by their
 * digits / 2 + 1, lists and maps 3 bytes plus their members).
 *
 * Only the operations and expression forms the adapters use are understood; anything else throws,
 * so a change in the adapters shows up as a failed benchmark, never as a wrong figure.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

const KB = 1024;

/** Size of an attribute value as DynamoDB counts it. */
export function attributeSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + attributeSize(x), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((a, n) => a + n.length, 0);
  return 0;
}

/** Size of an item: attribute names plus values. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k) + attributeSize(v), 0);

/** Write units of a write: started KB of the larger of the item before and after (at least 1). */
export const writeUnitsOf = (before: Item | undefined, after: Item | undefined): number =>
  Math.max(1, Math.ceil(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0) / KB));

/** What was billed. */
export interface Bill {
  writeUnits: number;
  readUnits: number;
  writes: number;
  conditionalFailures: number;
  /** Write units of the failed conditional writes (included in writeUnits). */
  failedWriteUnits: number;
  batchGets: number;
  /** Write units by the kind of record (`id`, `pop`, `src`, `lnk`, `fnd`). */
  readonly writeUnitsByKind: Map<string, number>;
}

export const emptyBill = (): Bill => ({
  writeUnits: 0,
  readUnits: 0,
  writes: 0,
  conditionalFailures: 0,
  failedWriteUnits: 0,
  batchGets: 0,
  writeUnitsByKind: new Map(),
});

type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

const nameOf = (token: string, names: Names): string => {
  const t = token.trim();
  if (!t.startsWith('#')) return t;
  const n = names?.[t];
  if (n === undefined) throw new Error(`billing DynamoDB: undefined attribute name ${t}`);
  return n;
};
const valueOf = (token: string, values: Values): AttributeValue => {
  const v = values?.[token.trim()];
  if (v === undefined) throw new Error(`billing DynamoDB: undefined attribute value ${token}`);
  return v;
};
const same = (a: AttributeValue | undefined, b: AttributeValue): boolean =>
  a !== undefined &&
  (b.N !== undefined ? a.N !== undefined && Number(a.N) === Number(b.N) : a.S !== undefined && a.S === b.S);

/** The condition forms the adapters write: `attribute_not_exists(#x)`, `#x = :v`. */
function holds(expr: string | undefined, item: Item | undefined, names: Names, values: Values): boolean {
  if (expr === undefined) return true;
  return expr.split(/\s+AND\s+/).every((clause) => {
    const c = clause.trim();
    const absent = /^attribute_not_exists\(\s*(#?\w+)\s*\)$/.exec(c);
    if (absent) return item === undefined || item[nameOf(absent[1] as string, names)] === undefined;
    const eq = /^(#?\w+)\s*=\s*(:\w+)$/.exec(c);
    if (eq) return same(item?.[nameOf(eq[1] as string, names)], valueOf(eq[2] as string, values));
    throw new Error(`billing DynamoDB: condition ${JSON.stringify(c)} not understood`);
  });
}

/** The update forms the ledger writes: `SET #a = #a + :v, #m.#k = :v, #a = :v` and `REMOVE #a, #b`. */
function update(expr: string, current: Item | undefined, key: Item, names: Names, values: Values): Item {
  const item: Item = current === undefined ? { ...key } : structuredClone(current);
  const [setPart, removePart] = expr.split(/\s+REMOVE\s+/);
  const sets = (setPart ?? '').replace(/^\s*SET\s+/, '');
  for (const action of sets.split(',')) {
    if (action.trim() === '') continue;
    const [lhs, rhs] = action.split('=').map((s) => s.trim()) as [string, string];
    const path = lhs.split('.').map((p) => nameOf(p, names));
    const plus = /^(#?\w+)\s*\+\s*(:\w+)$/.exec(rhs);
    const value: AttributeValue = plus
      ? {
          N: String(
            Number(item[nameOf(plus[1] as string, names)]?.N ?? Number.NaN) +
              Number(valueOf(plus[2] as string, values).N),
          ),
        }
      : valueOf(rhs, values);
    if (path.length === 1) item[path[0] as string] = value;
    else if (path.length === 2) {
      const map = item[path[0] as string]?.M;
      if (map === undefined) throw new Error('billing DynamoDB: document path invalid for update');
      item[path[0] as string] = { M: { ...map, [path[1] as string]: value } };
    } else throw new Error(`billing DynamoDB: path ${lhs} not understood`);
  }
  for (const name of (removePart ?? '').split(',')) if (name.trim() !== '') delete item[nameOf(name, names)];
  return item;
}

/** One table (any name), items by `pk`. */
export class BillingDynamoDb {
  readonly items = new Map<string, Item>();
  bill: Bill = emptyBill();

  /** The object to hand the adapters as their DynamoDBClient. */
  get client(): DynamoDBClient {
    return { send: (command: unknown) => this.send(command) } as unknown as DynamoDBClient;
  }

  private charge(pk: string, units: number): void {
    const kind = pk.slice(0, Math.max(0, pk.indexOf('#')));
    this.bill.writeUnitsByKind.set(kind, (this.bill.writeUnitsByKind.get(kind) ?? 0) + units);
    this.bill.writeUnits += units;
  }

  private fail(pk: string, units: number): never {
    this.bill.conditionalFailures += 1;
    this.bill.failedWriteUnits += units;
    this.charge(pk, units);
    throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  }

  send(command: unknown): Promise<unknown> {
    try {
      return Promise.resolve(this.answer(command));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private answer(command: unknown): unknown {
    if (command instanceof BatchGetItemCommand) {
      this.bill.batchGets += 1;
      const responses: Record<string, Item[]> = {};
      for (const [table, request] of Object.entries(command.input.RequestItems ?? {})) {
        if ((request.Keys?.length ?? 0) > 100) throw new Error('billing DynamoDB: more than 100 keys');
        const projected = request.ProjectionExpression?.split(',').map((p) =>
          nameOf(p, request.ExpressionAttributeNames),
        );
        const out: Item[] = [];
        const perUnit = request.ConsistentRead === true ? 1 : 0.5;
        for (const key of request.Keys ?? []) {
          const item = this.items.get(key.pk?.S ?? '');
          // Each key is read as a GetItem: a key with no item still costs the minimum unit.
          this.bill.readUnits += perUnit * Math.max(1, Math.ceil((item ? itemSize(item) : 0) / (4 * KB)));
          if (item === undefined) continue;
          out.push(
            projected === undefined
              ? item
              : Object.fromEntries(projected.filter((a) => item[a] !== undefined).map((a) => [a, item[a]!])),
          );
        }
        responses[table] = out;
      }
      return { Responses: responses, UnprocessedKeys: {} };
    }
    if (command instanceof PutItemCommand) {
      const input = command.input;
      const next = input.Item ?? {};
      const pk = next.pk?.S ?? '';
      const current = this.items.get(pk);
      const units = writeUnitsOf(current, next);
      if (
        !holds(
          input.ConditionExpression,
          current,
          input.ExpressionAttributeNames,
          input.ExpressionAttributeValues,
        )
      )
        this.fail(pk, units);
      if (itemSize(next) > 400 * KB) throw new Error(`billing DynamoDB: item ${pk} over 400 KB`);
      this.bill.writes += 1;
      this.charge(pk, units);
      this.items.set(pk, next);
      return {};
    }
    if (command instanceof UpdateItemCommand) {
      const input = command.input;
      const key = input.Key ?? {};
      const pk = key.pk?.S ?? '';
      const current = this.items.get(pk);
      const names = input.ExpressionAttributeNames;
      const values = input.ExpressionAttributeValues;
      if (!holds(input.ConditionExpression, current, names, values))
        this.fail(pk, writeUnitsOf(current, undefined));
      const next = update(input.UpdateExpression ?? '', current, key, names, values);
      this.bill.writes += 1;
      this.charge(pk, writeUnitsOf(current, next));
      this.items.set(pk, next);
      return {};
    }
    throw new Error(`billing DynamoDB: ${(command as object).constructor.name} not supported`);
  }
}
