/**
 * Loopback CloudWatch Logs (FilterLogEvents), CloudTrail (LookupEvents) and STS (GetCallerIdentity)
 * on 127.0.0.1, for `nhi-watch backfill --log-group / --lookup-events`. Every request is checked
 * against the SDK's own request schema (on the awsJson wire: timestamps in epoch seconds) and the
 * documented limits; the services' behaviour that matters to a reader is kept:
 * - FilterLogEvents: `endTime` inclusive, small pages with `nextToken`, some of them empty (the
 *   service searches a range in pieces), all streams interleaved, `limit` 1..10,000;
 * - LookupEvents: newest first, `MaxResults` 1..50, 2 requests per second per account and region
 *   (more is answered with ThrottlingException), only the last 90 days;
 * - GetCallerIdentity (awsQuery, XML): the account the test names.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cloudTrailSdk from '@aws-sdk/client-cloudtrail';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { validateSdkRequest } from './asff-schema';
import { readBody } from './servers';

/** A log event as stored in a group. */
export interface StoredLogEvent {
  readonly eventId: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
}

/** An event of CloudTrail's event history. */
export interface StoredTrailEvent {
  readonly eventId: string;
  readonly eventTimeMs: number;
  readonly eventName: string;
  /** The CloudTrail record, as JSON text. */
  readonly cloudTrailEvent: string;
}

/** The running servers' state and what they saw. */
export interface HistoryServer {
  readonly endpoint: string;
  /** Log group name → events. */
  readonly groups: Map<string, StoredLogEvent[]>;
  /** Region → event history. */
  readonly trails: Map<string, StoredTrailEvent[]>;
  /** Every request: operation and region (from the signature's scope). */
  readonly calls: { operation: string; region: string; body: Record<string, unknown> }[];
  /** Schema and limit problems seen in any request (a correct client causes none). */
  readonly problems: string[];
  /** LookupEvents requests answered with ThrottlingException. */
  throttled: number;
  /** Answer every CloudWatch Logs and CloudTrail request with this error (a revoked permission). */
  failWith: { status: number; type: string } | undefined;
  stop(): Promise<void>;
}

const regionOf = (req: IncomingMessage): string =>
  /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';

const PAGE = 25;
const DAY_MS = 86_400_000;

/** Start the servers; `account` is what GetCallerIdentity answers; `nowMs` the service's clock. */
export async function startHistoryServer(
  account: string,
  nowMs: () => number = Date.now,
): Promise<HistoryServer> {
  const state: HistoryServer = {
    endpoint: '',
    groups: new Map(),
    trails: new Map(),
    calls: [],
    problems: [],
    throttled: 0,
    failWith: undefined,
    stop: () => Promise.resolve(),
  };
  const lookupTimes = new Map<string, number[]>();

  const json = (res: ServerResponse, status: number, body: unknown, type?: string): void => {
    res
      .writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(type !== undefined ? { 'x-amzn-errortype': type } : {}),
      })
      .end(JSON.stringify(type !== undefined ? { __type: type, message: String(body) } : body));
  };

  const filterLogEvents = (res: ServerResponse, body: Record<string, unknown>): void => {
    const limit = (body.limit as number | undefined) ?? 10_000;
    if (limit < 1 || limit > 10_000) state.problems.push(`FilterLogEvents: limit ${limit} outside 1..10000`);
    const group = state.groups.get(String(body.logGroupName));
    if (group === undefined) {
      json(res, 400, `The specified log group does not exist.`, 'ResourceNotFoundException');
      return;
    }
    const start = (body.startTime as number | undefined) ?? 0;
    const end = (body.endTime as number | undefined) ?? Number.MAX_SAFE_INTEGER;
    const matching = group.filter((e) => e.timestamp >= start && e.timestamp <= end);
    // The token is where the next page starts; every third page is empty, as the service's can be.
    const [offset, page] = (typeof body.nextToken === 'string' ? body.nextToken : '0:0')
      .split(':')
      .map(Number) as [number, number];
    const count = page % 3 === 2 ? 0 : Math.min(PAGE, limit);
    const events = matching.slice(offset, offset + count);
    const next = offset + events.length;
    json(res, 200, {
      events: events.map((e) => ({ ...e, ingestionTime: e.timestamp + 1_000 })),
      searchedLogStreams: [],
      ...(next < matching.length || count === 0 ? { nextToken: `${next}:${page + 1}` } : {}),
    });
  };

  const lookupEvents = (res: ServerResponse, body: Record<string, unknown>, region: string): void => {
    const now = nowMs();
    const recent = (lookupTimes.get(region) ?? []).filter((t) => t > now - 1_000);
    if (recent.length >= 2) {
      state.throttled += 1;
      json(res, 400, 'Rate exceeded', 'ThrottlingException');
      return;
    }
    lookupTimes.set(region, [...recent, now]);
    const max = (body.MaxResults as number | undefined) ?? 50;
    if (max < 1 || max > 50) state.problems.push(`LookupEvents: MaxResults ${max} outside 1..50`);
    const start = ((body.StartTime as number | undefined) ?? 0) * 1000;
    const end = ((body.EndTime as number | undefined) ?? now / 1000) * 1000;
    if (start > end) state.problems.push('LookupEvents: StartTime after EndTime');
    const matching = (state.trails.get(region) ?? [])
      .filter((e) => e.eventTimeMs >= start && e.eventTimeMs <= end && e.eventTimeMs >= now - 90 * DAY_MS)
      .sort((a, b) => b.eventTimeMs - a.eventTimeMs);
    const offset = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
    const events = matching.slice(offset, offset + max);
    const next = offset + events.length;
    json(res, 200, {
      Events: events.map((e) => ({
        EventId: e.eventId,
        EventName: e.eventName,
        EventTime: e.eventTimeMs / 1000,
        CloudTrailEvent: e.cloudTrailEvent,
      })),
      ...(next < matching.length ? { NextToken: String(next) } : {}),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = (await readBody(req)).toString('utf8');
    const region = regionOf(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === '') {
      // STS, awsQuery: a form body, an XML answer.
      const form = new URLSearchParams(text);
      state.calls.push({ operation: form.get('Action') ?? '', region, body: Object.fromEntries(form) });
      if (form.get('Action') !== 'GetCallerIdentity' || form.get('Version') !== '2011-06-15') {
        state.problems.push(`STS: unexpected request ${text}`);
        res.writeHead(400).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
            `<Arn>arn:aws:iam::${account}:user/backfill</Arn><UserId>AIDAEXAMPLEUSER00001</UserId><Account>${account}</Account>` +
            `</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      return;
    }
    if (state.failWith !== undefined) {
      json(res, state.failWith.status, 'scripted failure', state.failWith.type);
      return;
    }
    const operation = target.slice(target.lastIndexOf('.') + 1);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      state.problems.push(`${operation}: body is not JSON`);
      json(res, 400, 'body is not JSON', 'SerializationException');
      return;
    }
    state.calls.push({ operation, region, body });
    const sdk = (operation === 'LookupEvents' ? cloudTrailSdk : logsSdk) as unknown as Record<
      string,
      unknown
    >;
    const problems = validateSdkRequest(sdk, operation, body, 'awsJson');
    if (problems.length > 0) {
      state.problems.push(...problems.map((p) => `${operation}: ${p}`));
      json(res, 400, problems.join('; '), 'InvalidParameterException');
      return;
    }
    if (operation === 'FilterLogEvents') filterLogEvents(res, body);
    else if (operation === 'LookupEvents') lookupEvents(res, body, region);
    else json(res, 400, `no operation ${operation}`, 'UnknownOperationException');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      state.problems.push(`server error: ${String(error)}`);
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
