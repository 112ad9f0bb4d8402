/**
 * The OCSF sink's PutEvents requests, validated against the EventBridge SDK's own request schema
 * (as awsJson carries them), and each event's Detail against OCSF 1.1.0.
 */
import * as eventBridgeSdk from '@aws-sdk/client-eventbridge';
import type {
  EventBridgeClient,
  PutEventsCommand,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';

import { EventBridgeOcsfSink, OCSF_DETAIL_TYPE } from '../../lambdas/adapters/eventbridge-ocsf-sink';
import type { Finding } from '../../lambdas/core/finding';
import { toOcsf } from '../../lambdas/core/ocsf';
import { validateSdkRequest } from '../support/asff-schema';
import { findingsFor } from '../support/findings';
import { validateOcsfDetectionFinding } from '../support/ocsf-schema';

const CTX = { region: 'eu-west-1', accountId: '111122223333', productVersion: '0.1.0' };

/** A client answering each call with `answer(entries, call)`; keeps the entries of every call. */
function client(
  answer: (n: number, call: number) => PutEventsResultEntry[] | Error = (n) =>
    Array.from({ length: n }, () => ({ EventId: 'e' })),
) {
  const calls: PutEventsRequestEntry[][] = [];
  const c = {
    send: (command: PutEventsCommand) => {
      const entries = command.input.Entries ?? [];
      const wire = {
        Entries: entries.map((e) => ({
          ...e,
          Time: e.Time === undefined ? undefined : e.Time.getTime() / 1000,
        })),
      };
      expect(
        validateSdkRequest(
          eventBridgeSdk as unknown as Record<string, unknown>,
          'PutEvents',
          JSON.parse(JSON.stringify(wire)),
          'awsJson',
        ),
      ).toEqual([]);
      calls.push(entries);
      const result = answer(entries.length, calls.length);
      if (result instanceof Error) return Promise.reject(result);
      return Promise.resolve({
        FailedEntryCount: result.filter((r) => r.ErrorCode !== undefined).length,
        Entries: result,
      });
    },
  } as unknown as EventBridgeClient;
  return { client: c, calls };
}

const sinkWith = (c: EventBridgeClient) =>
  new EventBridgeOcsfSink({
    client: c,
    eventBusName: 'nhi-watch-findings',
    toOcsf: (f, activity) => toOcsf(f, CTX, activity),
    sleep: () => Promise.resolve(),
  });

const findings = (n: number, prefix = 'worker'): Finding[] =>
  findingsFor(
    Array.from({ length: n }, (_, i) => ({
      identity: {
        key: `aws:123456789012:role/${prefix}-${i}`,
        kind: 'iam-role',
        principal: `arn:aws:iam::123456789012:role/${prefix}-${i}`,
      },
    })),
  );

describe('OCSF findings on EventBridge', () => {
  it('puts fresh findings as Create and repeats as Update, 10 a call, each a valid OCSF Detection Finding', async () => {
    const { client: c, calls } = client();
    const fresh = findings(14);
    const repeats = findings(7, 'again');
    expect(await sinkWith(c).publish(fresh, repeats)).toEqual({ delivered: 21, failed: [] });
    expect(calls.map((call) => call.length)).toEqual([10, 10, 1]);
    const entries = calls.flat();
    for (const e of entries) {
      expect([e.Source, e.DetailType, e.EventBusName]).toEqual([
        'nhi-watch',
        OCSF_DETAIL_TYPE,
        'nhi-watch-findings',
      ]);
      expect(validateOcsfDetectionFinding(JSON.parse(e.Detail!))).toEqual([]);
      expect(e.Resources?.[0]).toMatch(/^arn:aws:iam::123456789012:role\//);
    }
    const activities = entries.map((e) => (JSON.parse(e.Detail!) as { activity_name: string }).activity_name);
    expect(activities.filter((a) => a === 'Create')).toHaveLength(14);
    expect(activities.filter((a) => a === 'Update')).toHaveLength(7);
  });

  it('retries entries EventBridge throttled and reports those it refused for good', async () => {
    const { client: c, calls } = client((n, call) =>
      call === 1
        ? [
            { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
            { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' },
            ...Array.from({ length: n - 2 }, () => ({ EventId: 'e' })),
          ]
        : Array.from({ length: n }, () => ({ EventId: 'e' })),
    );
    const fresh = findings(3);
    const result = await sinkWith(c).publish(fresh, []);
    expect(result.delivered).toBe(2);
    expect(result.failed.map((f) => [f.finding.id, f.reason])).toEqual([
      [fresh[1]!.id, 'EventBridge MalformedDetail: bad'],
    ]);
    expect(calls.map((call) => call.length)).toEqual([3, 1]);
  });

  it('reports every finding as failed when EventBridge stays unreachable', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError', $retryable: {} });
    const { client: c, calls } = client(() => down);
    const result = await sinkWith(c).publish(findings(2), []);
    expect(result.delivered).toBe(0);
    expect(result.failed).toHaveLength(2);
    expect(result.failed[0]!.reason).toMatch(/EventBridge PutEvents failed/);
    expect(calls.length).toBeGreaterThan(1);
  });
});
