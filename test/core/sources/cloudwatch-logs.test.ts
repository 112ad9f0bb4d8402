import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  decodeCloudWatchLogsData,
  decodeCloudWatchLogsEvent,
} from '../../../lambdas/core/sources/cloudwatch-logs.js';
import { normaliseCloudTrail } from '../../../lambdas/core/sources/cloudtrail/index.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';

const CORPUS = join(__dirname, '../../../../shared/corpus');

function encode(payload: unknown): string {
  return gzipSync(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64');
}

const ENVELOPE = {
  owner: '123456789012',
  logGroup: 'aws-cloudtrail-logs-123456789012',
  logStream: '123456789012_CloudTrail_eu-west-1',
  subscriptionFilters: ['nhi-watch'],
  messageType: 'DATA_MESSAGE',
};

describe('decodeCloudWatchLogsEvent', () => {
  it('decodes a real subscription payload built from corpus CloudTrail events', () => {
    const lines = readFileSync(join(CORPUS, 'cloudtrail/invictus-aws-dataset/events.jsonl'), 'utf8')
      .split('\n')
      .slice(0, 200)
      .filter((l) => l.length > 0);
    const logEvents = lines.map((message, i) => ({
      id: `3778${String(i).padStart(52, '0')}`,
      timestamp: 1688989320000 + i,
      message,
    }));
    const decoded = decodeCloudWatchLogsEvent({ awslogs: { data: encode({ ...ENVELOPE, logEvents }) } });

    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject({
      owner: '123456789012',
      logGroup: ENVELOPE.logGroup,
      messageType: 'DATA_MESSAGE',
      subscriptionFilters: ['nhi-watch'],
    });
    expect(decoded.value.logEvents.map((e) => e.message)).toEqual(lines);
    expect(decoded.value.rejectedLogEvents).toEqual([]);
    const normalised = decoded.value.logEvents.map((e) =>
      normaliseCloudTrail(JSON.parse(e.message), NO_IP_INTEL, { logGroup: decoded.value.logGroup }),
    );
    expect(normalised.every((r) => r.ok)).toBe(true);
  });

  it('turns a CONTROL_MESSAGE into zero events, not an error', () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [
        {
          id: '',
          timestamp: 1714557600000,
          message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.',
        },
      ],
    };
    const decoded = decodeCloudWatchLogsData(encode(control));
    expect(decoded).toEqual({
      ok: true,
      value: {
        owner: 'CloudwatchLogs',
        logGroup: '',
        logStream: '',
        subscriptionFilters: [],
        messageType: 'CONTROL_MESSAGE',
        logEvents: [],
        rejectedLogEvents: [],
      },
    });
  });

  it('skips and counts malformed log events without losing the good ones', () => {
    const decoded = decodeCloudWatchLogsData(
      encode({
        ...ENVELOPE,
        logEvents: [
          { id: '1', timestamp: 1, message: 'ok' },
          'junk',
          { id: '2', timestamp: 2 },
          { id: '3', message: 'no time' },
        ],
      }),
    );
    expect(decoded.ok && decoded.value.logEvents).toEqual([{ id: '1', timestamp: 1, message: 'ok' }]);
    expect(decoded.ok && decoded.value.rejectedLogEvents).toEqual([
      { index: 1, reason: 'log-event-not-an-object' },
      { index: 2, reason: 'log-event-missing-message' },
      { index: 3, reason: 'log-event-missing-timestamp' },
    ]);
  });

  it.each([
    ['an event without awslogs', {}, 'missing-awslogs-data'],
    ['data that is not a string', { awslogs: { data: 42 } }, 'missing-awslogs-data'],
    ['bad base64', { awslogs: { data: 'H4sI!!!!AAAA' } }, 'invalid-base64'],
    ['base64 with a wrong length', { awslogs: { data: 'H4sIAAAAAAA' } }, 'invalid-base64'],
    [
      'base64 of plain JSON',
      { awslogs: { data: Buffer.from(JSON.stringify(ENVELOPE)).toString('base64') } },
      'not-gzip',
    ],
    [
      'a truncated gzip',
      {
        awslogs: {
          data: gzipSync(JSON.stringify({ ...ENVELOPE, logEvents: [] }))
            .subarray(0, 30)
            .toString('base64'),
        },
      },
      'invalid-gzip',
    ],
    ['gzip of non-JSON', { awslogs: { data: encode('not json at all') } }, 'invalid-json'],
    ['gzip of a JSON array', { awslogs: { data: encode([1]) } }, 'payload-not-an-object'],
    [
      'no messageType',
      { awslogs: { data: encode({ ...ENVELOPE, messageType: undefined, logEvents: [] }) } },
      'missing-message-type',
    ],
    [
      'an unknown messageType',
      { awslogs: { data: encode({ ...ENVELOPE, messageType: 'DATA', logEvents: [] }) } },
      'unknown-message-type',
    ],
    [
      'no owner',
      { awslogs: { data: encode({ ...ENVELOPE, owner: undefined, logEvents: [] }) } },
      'missing-owner',
    ],
    [
      'no log group',
      { awslogs: { data: encode({ ...ENVELOPE, logGroup: undefined, logEvents: [] }) } },
      'missing-log-group',
    ],
    [
      'no log stream',
      { awslogs: { data: encode({ ...ENVELOPE, logStream: undefined, logEvents: [] }) } },
      'missing-log-stream',
    ],
    ['no logEvents', { awslogs: { data: encode(ENVELOPE) } }, 'missing-log-events'],
  ])('rejects %s', (_name, event, reason) => {
    expect(decodeCloudWatchLogsEvent(event)).toEqual({ ok: false, reason });
  });

  it('refuses a decompression bomb past the configured ceiling', () => {
    const bomb = encode({
      ...ENVELOPE,
      logEvents: [{ id: '1', timestamp: 1, message: 'x'.repeat(4 * 1024 * 1024) }],
    });
    expect(decodeCloudWatchLogsData(bomb, { maxDecompressedBytes: 1024 * 1024 })).toEqual({
      ok: false,
      reason: 'payload-too-large',
    });
    expect(decodeCloudWatchLogsData(bomb).ok).toBe(true);
  });
});
