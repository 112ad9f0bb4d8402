/**
 * The SNS sink's messages, per protocol: what e-mail, SMS and machine subscribers are handed, checked
 * on the requests the sink sends (validated against the SNS SDK's own input schemas).
 */
import * as snsSdk from '@aws-sdk/client-sns';
import { PublishBatchCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import { SNS_MAX_BYTES, SnsFindingSink, snsMessage, splitMessage } from '../../lambdas/adapters/sns-sink';
import { renderAlert } from '../../lambdas/core/alert';
import type { Finding } from '../../lambdas/core/finding';
import { productionRenderer } from '../../lambdas/handlers/production-aws';
import { validateSdkRequest } from '../support/asff-schema';
import { findingsFor } from '../support/findings';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:nhi-watch-alerts';

/** A client that accepts everything and keeps each request's operation and input. */
function recordingClient() {
  const requests: { operation: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: (command: PublishBatchCommand | PublishCommand) => {
      const operation = command instanceof PublishBatchCommand ? 'PublishBatch' : 'Publish';
      const input = command.input as unknown as Record<string, unknown>;
      expect(validateSdkRequest(snsSdk as unknown as Record<string, unknown>, operation, input)).toEqual([]);
      requests.push({ operation, input });
      if (command instanceof PublishBatchCommand)
        return Promise.resolve({
          Successful: (command.input.PublishBatchRequestEntries ?? []).map((e) => ({
            Id: e.Id,
            MessageId: 'm',
          })),
          Failed: [],
        });
      return Promise.resolve({ MessageId: 'm' });
    },
  } as unknown as SNSClient;
  return { client, requests };
}

/** SNS's rule for a structured message: a JSON object of texts with a `default`. */
function texts(message: string): Record<string, string> {
  const parsed = JSON.parse(message) as Record<string, unknown>;
  expect(typeof parsed['default']).toBe('string');
  for (const v of Object.values(parsed)) expect(typeof v).toBe('string');
  return parsed as Record<string, string>;
}

const findings = (n: number): Finding[] =>
  findingsFor(
    Array.from({ length: n }, (_, i) => ({ identity: { key: `aws:123456789012:role/worker-${i}` } })),
  );

describe('SNS messages per protocol', () => {
  it('gives e-mail the readable text, SMS the subject and every other protocol the finding JSON alone', async () => {
    const { client, requests } = recordingClient();
    const sink = new SnsFindingSink({
      client,
      topicArn: TOPIC,
      render: productionRenderer('us-east-1', '123456789012', true),
    });
    const fresh = findings(3);
    expect(await sink.publish(fresh, [])).toEqual({ delivered: 3, failed: [] });
    const entries = requests.flatMap(
      (r) =>
        r.input['PublishBatchRequestEntries'] as {
          MessageStructure?: string;
          Message: string;
          Subject: string;
        }[],
    );
    expect(entries).toHaveLength(3);
    for (const e of entries) {
      expect(e.MessageStructure).toBe('json');
      const t = texts(e.Message);
      expect(Object.keys(t).sort()).toEqual(['default', 'email', 'sms']);
      expect(t['email']).toMatch(/^HIGH: /);
      expect(t['email']).toContain('Security Hub');
      expect(t['email']).not.toContain('{"');
      expect(t['sms']).toBe(e.Subject);
      expect(fresh.map((f) => f.id)).toContain((JSON.parse(t['default']!) as Finding).id);
    }
  });

  it('sends a digest the same way', async () => {
    const { client, requests } = recordingClient();
    const sink = new SnsFindingSink({
      client,
      topicArn: TOPIC,
      render: productionRenderer('us-east-1', '123456789012', false),
      digestThreshold: 2,
    });
    const fresh = findings(5);
    await sink.publish(fresh, []);
    expect(requests.map((r) => r.operation)).toEqual(['Publish']);
    const t = texts(requests[0]!.input['Message'] as string);
    expect(requests[0]!.input['MessageStructure']).toBe('json');
    expect(t['email']).toMatch(/5 findings/);
    const digest = JSON.parse(t['default']!) as { count: number; findings: Finding[] };
    expect(digest.count).toBe(5);
  });

  it('falls back to one text for every protocol when the structure would pass the 256 KB limit', () => {
    // A finding JSON of quotes: escaping it into the structure doubles it past SNS's limit.
    const alert = { ...renderAlert(findings(1)[0]!), json: JSON.stringify({ q: '"'.repeat(130_000) }) };
    const message = snsMessage(alert);
    expect(message.MessageStructure).toBeUndefined();
    expect(Buffer.byteLength(message.Message)).toBeLessThan(SNS_MAX_BYTES);
    expect(splitMessage(message.Message)?.json).toBe(alert.json);
    const small = snsMessage(renderAlert(findings(1)[0]!));
    expect(small.MessageStructure).toBe('json');
  });
});
