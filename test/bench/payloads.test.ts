import { gunzipSync } from 'node:zlib';
import { buildPayloads, decodeFloor, replicateCloudTrail, type LogsPayload } from '../../bench/payloads';
import { quantile } from '../../bench/harness';

const record = (id: string, time: string) =>
  JSON.stringify({
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventName: 'GetObject',
    eventSource: 's3.amazonaws.com',
  });

describe('benchmark payloads', () => {
  it('encodes CloudWatch Logs deliveries that decode back to the same messages', () => {
    const msgs = [
      record('a', '2023-07-10T11:42:36Z'),
      record('b', '2023-07-10T11:43:36Z'),
      record('c', '2023-07-10T11:44:36Z'),
    ];
    const [first, second] = buildPayloads(msgs, 2);
    const decoded = JSON.parse(
      gunzipSync(Buffer.from(first!.event.awslogs.data, 'base64')).toString('utf8'),
    ) as LogsPayload;
    expect(decoded.messageType).toBe('DATA_MESSAGE');
    expect(decoded.logEvents.map((e) => e.message)).toEqual(msgs.slice(0, 2));
    expect(decoded.logEvents[0]!.timestamp).toBe(Date.parse('2023-07-10T11:42:36Z'));
    expect(second!.events).toBe(1);
    expect(decodeFloor([first!, second!]).events).toBe(3);
  });

  it('replicates a corpus with unique event ids and later times', () => {
    const lines = [record('a', '2023-07-10T11:00:00Z'), record('b', '2023-07-10T11:30:00Z')];
    const out = replicateCloudTrail(lines, 5).map(
      (l) => JSON.parse(l) as { eventID: string; eventTime: string },
    );
    expect(out.map((r) => r.eventID)).toEqual(['a', 'b', 'a-1', 'b-1', 'a-2']);
    expect(Date.parse(out[2]!.eventTime)).toBeGreaterThan(Date.parse(out[1]!.eventTime));
  });
});

describe('quantile', () => {
  it('interpolates between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.99)).toBeCloseTo(4.96);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
