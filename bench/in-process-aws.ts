/**
 * AWS answered in-process, for timing the exported Lambda handler without a network: the SDK
 * clients the handler builds (productionDeps) run their whole middleware stack — serialisation,
 * SigV4 signing, retries, deserialisation, modelled errors — and only the socket is replaced. The
 * Node HTTP handler every `@aws-sdk/client-*` here shares (`@smithy/node-http-handler`) is patched so
 * that requests to `*.in-process.test` endpoints are answered by:
 *
 * - a DynamoDB table that keeps items as DynamoDB does (one item per `pk`, typed attribute values) and
 *   evaluates the condition and update expressions the adapters write (`attribute_not_exists`,
 *   `attribute_exists`, `=`, `<>`, `AND`; `SET a = :v`, `SET a = a + :v`, nested map paths, `REMOVE`),
 *   failing a condition with the modelled `ConditionalCheckFailedException` DynamoDB returns;
 * - counting SNS (Publish, PublishBatch: awsQuery XML replies), Security Hub (BatchImportFindings)
 *   and SQS (SendMessageBatch) endpoints that accept everything.
 *
 * Anything else (an operation or expression form the adapters do not use today) is answered with a
 * 400 naming it, so a change in the adapters shows up as a failed benchmark, never as a silent
 * wrong answer. Time spent inside these responders is the server's work: it is measured
 * (`serverNs`) so the benchmark can report it apart from the handler's own.
 */
import { randomUUID } from 'node:crypto';

import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A DynamoDB attribute value as the JSON wire protocol carries it. */
type Attr = {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  L?: Attr[];
  M?: Record<string, Attr>;
  SS?: string[];
  NS?: string[];
};
type Item = Record<string, Attr>;

/** The subset of the HTTP request the SDK hands its request handler. */
interface WireRequest {
  readonly hostname: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}
interface WireResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Requests and units seen by the in-process endpoints. */
export interface InProcessCounters {
  /** Requests by `service.Operation`. */
  readonly requests: Map<string, number>;
  /** Write units DynamoDB would charge for the puts and updates (1 per started KB of the larger of old and new item). */
  writeUnits: number;
  /** Read units of strongly consistent reads (1 per started 4 KB per item). */
  readUnits: number;
  conditionalFailures: number;
  snsMessages: number;
  snsBytes: number;
  securityHubFindings: number;
  securityHubBytes: number;
  sqsMessages: number;
  /** Nanoseconds spent inside the responders (the servers' share of a pass). */
  serverNs: bigint;
}

/** Counters at zero. */
export const zeroCounters = (): InProcessCounters => ({
  requests: new Map(),
  writeUnits: 0,
  readUnits: 0,
  conditionalFailures: 0,
  snsMessages: 0,
  snsBytes: 0,
  securityHubFindings: 0,
  securityHubBytes: 0,
  sqsMessages: 0,
  serverNs: 0n,
});

const KB = 1024;
const text = new TextEncoder();

/** Size of an attribute value as DynamoDB counts it (strings and binaries by length, numbers ~ digits / 2 + 1, containers 3 + members). */
function attrSize(v: Attr): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + attrSize(x), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((a, n) => a + n.length, 0);
  return 0;
}
/** Size of an item: attribute names plus values. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((a, [k, v]) => a + Buffer.byteLength(k) + attrSize(v), 0);

/** A request DynamoDB would refuse (or this emulator cannot answer faithfully). */
class DynamoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const unsupported = (what: string): never => {
  throw new DynamoError('ValidationException', `in-process DynamoDB does not support ${what}`);
};

type Names = Record<string, string> | undefined;
type Values = Record<string, Attr> | undefined;

/** An expression path (`#a.#b`, `a.b`) as attribute names. */
function pathOf(expr: string, names: Names): string[] {
  return expr
    .trim()
    .split('.')
    .map((part) => {
      const p = part.trim();
      if (/\[|\]/.test(p)) unsupported(`list index paths (${expr})`);
      if (p.startsWith('#')) {
        const n = names?.[p];
        if (n === undefined) throw new DynamoError('ValidationException', `undefined attribute name ${p}`);
        return n;
      }
      return p;
    });
}

function valueOf(expr: string, values: Values): Attr {
  const v = values?.[expr.trim()];
  if (v === undefined) throw new DynamoError('ValidationException', `undefined attribute value ${expr}`);
  return v;
}

function getPath(item: Item | undefined, path: readonly string[]): Attr | undefined {
  let cur: Attr | undefined = item === undefined ? undefined : { M: item };
  for (const p of path) cur = cur?.M !== undefined && Object.hasOwn(cur.M, p) ? cur.M[p] : undefined;
  return cur;
}

function sameValue(a: Attr | undefined, b: Attr): boolean {
  if (a === undefined) return false;
  if (b.N !== undefined) return a.N !== undefined && Number(a.N) === Number(b.N);
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluate a condition expression of the forms the adapters write. */
function conditionHolds(expr: string, item: Item | undefined, names: Names, values: Values): boolean {
  return expr.split(/\s+AND\s+/i).every((clause) => {
    const c = clause.trim();
    const fn = /^(attribute_not_exists|attribute_exists)\s*\(\s*([^)]+)\)$/i.exec(c);
    if (fn) {
      const present = getPath(item, pathOf(fn[2] as string, names)) !== undefined;
      return (fn[1] as string).toLowerCase() === 'attribute_exists' ? present : !present;
    }
    const cmp = /^([#\w.]+)\s*(=|<>)\s*(:\w+)$/.exec(c);
    if (cmp) {
      const eq = sameValue(getPath(item, pathOf(cmp[1] as string, names)), valueOf(cmp[3] as string, values));
      return cmp[2] === '=' ? eq : !eq;
    }
    if (/\bOR\b|\bNOT\b|\(/i.test(c)) return unsupported(`condition ${JSON.stringify(c)}`);
    return unsupported(`condition ${JSON.stringify(c)}`);
  });
}

/** Apply an update expression (`SET …`, `REMOVE …`) to a copy of an item. */
function applyUpdate(expr: string, current: Item | undefined, key: Item, names: Names, values: Values): Item {
  const item: Item = current === undefined ? { ...key } : structuredClone<Item>(current);
  const sections = expr.split(/\b(SET|REMOVE|ADD|DELETE)\b/i).filter((s) => s.trim() !== '');
  for (let i = 0; i < sections.length; i += 2) {
    const verb = (sections[i] as string).toUpperCase();
    const body = sections[i + 1] ?? '';
    for (const action of body.split(',')) {
      if (verb === 'SET') {
        const [lhs, rhs] = action.split('=') as [string, string | undefined];
        if (rhs === undefined) unsupported(`SET action ${JSON.stringify(action)}`);
        const path = pathOf(lhs, names);
        const plus = /^\s*([#\w.]+)\s*\+\s*(:\w+)\s*$/.exec(rhs as string);
        let value: Attr;
        if (plus) {
          const base = getPath(item, pathOf(plus[1] as string, names));
          if (base?.N === undefined)
            throw new DynamoError(
              'ValidationException',
              'An operand in the update expression has an incorrect data type',
            );
          value = { N: String(Number(base.N) + Number(valueOf(plus[2] as string, values).N)) };
        } else if (/^\s*:\w+\s*$/.test(rhs as string)) value = valueOf(rhs as string, values);
        else return unsupported(`SET value ${JSON.stringify(rhs)}`);
        const parent = path.length === 1 ? { M: item } : getPath(item, path.slice(0, -1));
        if (parent?.M === undefined)
          throw new DynamoError(
            'ValidationException',
            'The document path provided in the update expression is invalid for update',
          );
        parent.M[path[path.length - 1] as string] = value;
      } else if (verb === 'REMOVE') {
        const path = pathOf(action, names);
        const parent = path.length === 1 ? { M: item } : getPath(item, path.slice(0, -1));
        if (parent?.M !== undefined) delete parent.M[path[path.length - 1] as string];
      } else unsupported(`${verb} in update expressions`);
    }
  }
  return item;
}

/** An answer as the SDK hands it to callers: every binary attribute value (`{ B: base64 }`) as bytes. */
function bytesOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bytesOf);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = k === 'B' && typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : bytesOf(v);
  return out;
}

/** DynamoDB tables in memory, answering the JSON wire protocol. */
export class InProcessDynamoDb {
  /** Items by table, then by partition key value. Stored items are never mutated in place (copy on write), so a snapshot is a shallow copy. */
  private tables = new Map<string, Map<string, Item>>();

  constructor(
    private readonly counters: InProcessCounters,
    private readonly pk = 'pk',
  ) {}

  /** Every table's items now (cheap: items are immutable once stored). */
  snapshot(): Map<string, Map<string, Item>> {
    return new Map([...this.tables].map(([t, items]) => [t, new Map(items)]));
  }

  /** Go back to a snapshot. */
  restore(snapshot: Map<string, Map<string, Item>>): void {
    this.tables = new Map([...snapshot].map(([t, items]) => [t, new Map(items)]));
  }

  /** Items of a table (for figures: item sizes, counts). */
  items(table: string): ReadonlyMap<string, Item> {
    return this.tables.get(table) ?? new Map();
  }

  private table(name: string): Map<string, Item> {
    let t = this.tables.get(name);
    if (t === undefined) this.tables.set(name, (t = new Map()));
    return t;
  }

  private keyOf(key: Item): string {
    const v = key[this.pk]?.S;
    if (v === undefined) throw new DynamoError('ValidationException', `key has no ${this.pk} string`);
    if (Buffer.byteLength(v) > 2048)
      throw new DynamoError(
        'ValidationException',
        'Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes',
      );
    return v;
  }

  /**
   * A client for the adapters that calls this table directly, without the SDK's HTTP stack (for the
   * fuzzer, whose subject is the handler, not the SDK): a command's input goes over as the JSON wire
   * protocol carries it (binaries as base64), the answer comes back as the SDK would hand it (binaries
   * as bytes), a failed condition is the SDK's modelled `ConditionalCheckFailedException`, and
   * anything this table cannot answer faithfully is an error naming it. Requests are counted by
   * operation in `requests`.
   */
  directClient(requests: Map<string, number>): DynamoDBClient {
    const send = (command: { constructor: { name: string }; input: unknown }): Promise<unknown> => {
      const operation = command.constructor.name.replace(/Command$/, '');
      requests.set(operation, (requests.get(operation) ?? 0) + 1);
      try {
        const wire = JSON.parse(
          JSON.stringify(
            command.input,
            function (this: Record<string, unknown>, key: string, value: unknown) {
              const raw = this[key];
              return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value;
            },
          ),
        ) as Record<string, unknown>;
        return Promise.resolve(bytesOf(this.answer(operation, wire)));
      } catch (error) {
        if (error instanceof DynamoError && error.type === 'ConditionalCheckFailedException')
          return Promise.reject(
            new ConditionalCheckFailedException({ message: error.message, $metadata: {} }),
          );
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    return { send } as unknown as DynamoDBClient;
  }

  /** Answer one operation (the `X-Amz-Target` suffix) on its JSON input. */
  answer(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'BatchGetItem':
        return this.batchGet(input);
      case 'GetItem':
        return this.getItem(input);
      case 'PutItem':
        return this.putItem(input);
      case 'UpdateItem':
        return this.updateItem(input);
      default:
        return unsupported(`the ${operation} operation`);
    }
  }

  private batchGet(input: Record<string, unknown>): unknown {
    const requestItems = input.RequestItems as Record<
      string,
      { Keys: Item[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }
    >;
    const responses: Record<string, Item[]> = {};
    for (const [name, req] of Object.entries(requestItems)) {
      if (req.Keys.length > 100) throw new DynamoError('ValidationException', 'Too many items requested');
      const t = this.table(name);
      const projection = req.ProjectionExpression?.split(',').map(
        (p) => pathOf(p, req.ExpressionAttributeNames)[0] as string,
      );
      const out: Item[] = [];
      for (const key of req.Keys) {
        const item = t.get(this.keyOf(key));
        if (item === undefined) continue;
        this.counters.readUnits += Math.max(1, Math.ceil(itemSize(item) / (4 * KB)));
        if (projection === undefined) out.push(item);
        else {
          const p: Item = {};
          for (const a of projection) if (Object.hasOwn(item, a)) p[a] = item[a] as Attr;
          out.push(p);
        }
      }
      responses[name] = out;
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private getItem(input: Record<string, unknown>): unknown {
    const item = this.table(input.TableName as string).get(this.keyOf(input.Key as Item));
    if (item !== undefined) this.counters.readUnits += Math.max(1, Math.ceil(itemSize(item) / (4 * KB)));
    return item === undefined ? {} : { Item: item };
  }

  private checkCondition(input: Record<string, unknown>, current: Item | undefined): void {
    const cond = input.ConditionExpression as string | undefined;
    if (cond === undefined) return;
    if (
      !conditionHolds(
        cond,
        current,
        input.ExpressionAttributeNames as Names,
        input.ExpressionAttributeValues as Values,
      )
    ) {
      this.counters.conditionalFailures += 1;
      this.counters.writeUnits += 1;
      throw new DynamoError('ConditionalCheckFailedException', 'The conditional request failed');
    }
  }

  private putItem(input: Record<string, unknown>): unknown {
    const t = this.table(input.TableName as string);
    const item = input.Item as Item;
    const key = this.keyOf(item);
    const current = t.get(key);
    this.checkCondition(input, current);
    if (itemSize(item) > 400 * KB)
      throw new DynamoError('ValidationException', 'Item size has exceeded the maximum allowed size');
    this.counters.writeUnits += Math.max(
      1,
      Math.ceil(Math.max(itemSize(item), current ? itemSize(current) : 0) / KB),
    );
    t.set(key, item);
    return {};
  }

  private updateItem(input: Record<string, unknown>): unknown {
    const t = this.table(input.TableName as string);
    const keyItem = input.Key as Item;
    const key = this.keyOf(keyItem);
    const current = t.get(key);
    this.checkCondition(input, current);
    const next = applyUpdate(
      input.UpdateExpression as string,
      current,
      keyItem,
      input.ExpressionAttributeNames as Names,
      input.ExpressionAttributeValues as Values,
    );
    this.counters.writeUnits += Math.max(
      1,
      Math.ceil(Math.max(itemSize(next), current ? itemSize(current) : 0) / KB),
    );
    t.set(key, next);
    return {};
  }
}

const json = (
  statusCode: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.0',
): WireResponse => ({
  statusCode,
  headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID() },
  body: text.encode(JSON.stringify(body)),
});
const xml = (body: string): WireResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
  body: text.encode(body),
});

/** The request body as text: a string, or the bytes the SDK would write to the socket. */
const bodyText = (body: unknown): string =>
  typeof body === 'string'
    ? body
    : body instanceof Uint8Array
      ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
      : '';

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Every in-process endpoint, behind one request handler. */
export class InProcessAws {
  readonly counters: InProcessCounters = zeroCounters();
  readonly dynamoDb = new InProcessDynamoDb(this.counters);

  /** Endpoint variables that point the SDK at these responders (`AWS_ENDPOINT_URL_<SERVICE>`). */
  static readonly ENDPOINTS = {
    AWS_ENDPOINT_URL_DYNAMODB: 'http://dynamodb.in-process.test',
    AWS_ENDPOINT_URL_SNS: 'http://sns.in-process.test',
    AWS_ENDPOINT_URL_SECURITYHUB: 'http://securityhub.in-process.test',
    AWS_ENDPOINT_URL_SQS: 'http://sqs.in-process.test',
  } as const;

  /** Zero the counters (the tables stay). */
  resetCounters(): void {
    const c = this.counters;
    c.requests.clear();
    c.writeUnits = c.readUnits = c.conditionalFailures = 0;
    c.snsMessages = c.snsBytes = c.securityHubFindings = c.securityHubBytes = c.sqsMessages = 0;
    c.serverNs = 0n;
  }

  private count(op: string): void {
    this.counters.requests.set(op, (this.counters.requests.get(op) ?? 0) + 1);
  }

  /** Answer one request addressed to `*.in-process.test`. */
  respond(request: WireRequest): WireResponse {
    const t0 = process.hrtime.bigint();
    try {
      const service = request.hostname.split('.')[0] ?? '';
      const body = bodyText(request.body);
      if (service === 'dynamodb') {
        const op = (request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        this.count(`DynamoDB.${op}`);
        try {
          return json(200, this.dynamoDb.answer(op, JSON.parse(body) as Record<string, unknown>));
        } catch (error) {
          if (!(error instanceof DynamoError)) throw error;
          return json(400, {
            __type: `com.amazonaws.dynamodb.v20120810#${error.type}`,
            message: error.message,
          });
        }
      }
      if (service === 'sns') {
        const form = new URLSearchParams(body);
        const action = form.get('Action') ?? '';
        this.count(`SNS.${action}`);
        this.counters.snsBytes += body.length;
        if (action === 'Publish') {
          this.counters.snsMessages += 1;
          return xml(
            `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        }
        if (action === 'PublishBatch') {
          const ids: string[] = [];
          for (const [k, v] of form) if (/^PublishBatchRequestEntries\.member\.\d+\.Id$/.test(k)) ids.push(v);
          this.counters.snsMessages += ids.length;
          const members = ids
            .map((id) => `<member><Id>${id}</Id><MessageId>${randomUUID()}</MessageId></member>`)
            .join('');
          return xml(
            `<PublishBatchResponse xmlns="${SNS_NS}"><PublishBatchResult><Successful>${members}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
          );
        }
        return xml(
          `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>in-process SNS does not support ${action}</Message></Error></ErrorResponse>`,
        );
      }
      if (service === 'securityhub') {
        this.count(`SecurityHub.${request.method} ${request.path}`);
        if (request.path !== '/findings/import')
          return json(
            400,
            { Message: `in-process Security Hub does not support ${request.path}` },
            'application/json',
          );
        const findings = (JSON.parse(body) as { Findings?: unknown[] }).Findings ?? [];
        this.counters.securityHubFindings += findings.length;
        this.counters.securityHubBytes += body.length;
        return json(
          200,
          { FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] },
          'application/json',
        );
      }
      if (service === 'sqs') {
        const op = (request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        this.count(`SQS.${op}`);
        const input = JSON.parse(body) as { Entries?: { Id: string }[] };
        if (op !== 'SendMessageBatch')
          return json(400, {
            __type: 'com.amazonaws.sqs#InvalidAction',
            message: `in-process SQS does not support ${op}`,
          });
        const entries = input.Entries ?? [];
        this.counters.sqsMessages += entries.length;
        return json(200, {
          Successful: entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })),
          Failed: [],
        });
      }
      return json(400, { message: `no in-process endpoint for ${request.hostname}` });
    } finally {
      this.counters.serverNs += process.hrtime.bigint() - t0;
    }
  }

  /**
   * Route every SDK request to `*.in-process.test` here, for the rest of the process (other hosts go
   * to the network as before). Returns a function that undoes it.
   */
  install(): () => void {
    const proto = NodeHttpHandler.prototype as unknown as {
      handle: (request: WireRequest, options?: unknown) => Promise<{ response: WireResponse }>;
    };
    const original = proto.handle;
    const respond = (request: WireRequest): WireResponse => this.respond(request);
    proto.handle = function (this: unknown, request: WireRequest, options?: unknown) {
      if (!request.hostname.endsWith('.in-process.test')) return original.call(this, request, options);
      return Promise.resolve({ response: respond(request) });
    };
    return () => {
      proto.handle = original;
    };
  }
}
