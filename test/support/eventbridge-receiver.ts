/**
 * A loopback EventBridge (PutEvents, awsJson1_1) on 127.0.0.1 for the OCSF destination: every request
 * is checked against the SDK's own request schema and PutEvents' limits (1..10 entries), every
 * entry's Detail against OCSF 1.1.0 (test/support/ocsf-schema.ts); accepted events are kept.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as eventBridgeSdk from '@aws-sdk/client-eventbridge';
import { validateSdkRequest } from './asff-schema';
import { validateOcsfDetectionFinding } from './ocsf-schema';
import { readBody } from './servers';

/** One event the receiver accepted. */
export interface ReceivedEvent {
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

export interface EventBridgeReceiver {
  readonly endpoint: string;
  readonly events: ReceivedEvent[];
  /** Everything wrong with the requests received (empty when all were valid). */
  readonly problems: string[];
  stop(): Promise<void>;
}

export async function startEventBridgeReceiver(): Promise<EventBridgeReceiver> {
  const events: ReceivedEvent[] = [];
  const problems: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = (await readBody(req)).toString('utf8');
      const reply = (status: number, payload: unknown, errorType?: string): void => {
        const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
        if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
        res.writeHead(status, headers).end(JSON.stringify(payload));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'AWSEvents.PutEvents') {
        problems.push(`unexpected operation ${target}`);
        reply(400, { __type: 'UnknownOperationException', message: target }, 'UnknownOperationException');
        return;
      }
      let request: { Entries?: Record<string, unknown>[] };
      try {
        request = JSON.parse(body) as typeof request;
      } catch {
        problems.push('PutEvents body is not JSON');
        reply(400, { message: 'not JSON' }, 'ValidationException');
        return;
      }
      const found = validateSdkRequest(eventBridgeSdk, 'PutEvents', request, 'awsJson');
      const entries = request.Entries ?? [];
      if (entries.length < 1 || entries.length > 10) found.push(`${entries.length} entries (1..10 allowed)`);
      if (found.length > 0) {
        problems.push(...found.map((p) => `PutEvents: ${p}`));
        reply(400, { message: found.join('; ') }, 'ValidationException');
        return;
      }
      const results = entries.map((e, i) => {
        let detail: Record<string, unknown>;
        try {
          detail = JSON.parse(String(e['Detail'])) as Record<string, unknown>;
        } catch {
          return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
        }
        const bad = validateOcsfDetectionFinding(detail);
        if (bad.length > 0) {
          problems.push(...bad.map((p) => `entry ${i}: ${p}`));
          return { ErrorCode: 'MalformedDetail', ErrorMessage: bad.join('; ') };
        }
        events.push({
          eventBusName: String(e['EventBusName']),
          source: String(e['Source']),
          detailType: String(e['DetailType']),
          detail,
        });
        return { EventId: `event-${events.length}` };
      });
      reply(200, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    problems,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
