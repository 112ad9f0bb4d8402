import type { CloudWatchLogsPayload } from '../../../lambdas/core/sources/cloudwatch-logs.js';
import { parseCloudTrailLine } from '../../../lambdas/core/sources/cloudtrail/index.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';
import {
  NORMALISER_ERROR,
  eventsOfDelivery,
  type LineNormaliser,
} from '../../../lambdas/core/sources/log-delivery.js';
import { ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from './fixtures.js';

const cloudTrailLine: LineNormaliser = (message, ctx) =>
  parseCloudTrailLine(message, ctx.intel, { logGroup: ctx.logGroup });

function payload(
  messages: readonly string[],
  extra: Partial<CloudWatchLogsPayload> = {},
): CloudWatchLogsPayload {
  return {
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs-123456789012',
    logStream: '123456789012_CloudTrail_eu-west-1',
    subscriptionFilters: ['nhi-watch'],
    messageType: 'DATA_MESSAGE',
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1714557600000 + i, message })),
    rejectedLogEvents: [],
    ...extra,
  };
}

describe('eventsOfDelivery', () => {
  it('normalises every line in order and counts each unusable one by reason', () => {
    const delivered = eventsOfDelivery(
      payload(
        [
          JSON.stringify(ROLE_GET_OBJECT),
          'not json',
          '[1,2]',
          JSON.stringify(withFields(USER_LIST_USERS, { eventTime: undefined })),
          JSON.stringify(USER_LIST_USERS),
          'also not json',
        ],
        { rejectedLogEvents: [{ index: 6, reason: 'log-event-missing-message' }] },
      ),
      cloudTrailLine,
      NO_IP_INTEL,
    );

    expect(delivered.events.map((e) => e.action.name)).toEqual([
      's3.amazonaws.com:GetObject',
      'iam.amazonaws.com:ListUsers',
    ]);
    expect(delivered.events.every((e) => e.logGroup === 'aws-cloudtrail-logs-123456789012')).toBe(true);
    expect(Object.fromEntries(delivered.rejects)).toEqual({
      'invalid-json': 2,
      'not-an-object': 1,
      'missing-event-time': 1,
      'log-event-missing-message': 1,
    });
    expect(delivered.lines).toBe(7);
  });

  it('hands the normaliser the log group, owner and the log event timestamp', () => {
    const seen: unknown[] = [];
    eventsOfDelivery(
      payload(['a', 'b']),
      (_message, ctx) => {
        seen.push({ logGroup: ctx.logGroup, owner: ctx.owner, timestampMs: ctx.timestampMs });
        return { ok: false, reason: 'x' };
      },
      NO_IP_INTEL,
    );
    expect(seen).toEqual([
      { logGroup: 'aws-cloudtrail-logs-123456789012', owner: '123456789012', timestampMs: 1714557600000 },
      { logGroup: 'aws-cloudtrail-logs-123456789012', owner: '123456789012', timestampMs: 1714557600001 },
    ]);
  });

  it('contains a normaliser that throws to its own line', () => {
    const exploding: LineNormaliser = (message, ctx) => {
      if (message === 'boom') throw new TypeError('defect');
      return cloudTrailLine(message, ctx);
    };
    const delivered = eventsOfDelivery(
      payload([JSON.stringify(ROLE_GET_OBJECT), 'boom', JSON.stringify(USER_LIST_USERS)]),
      exploding,
      NO_IP_INTEL,
    );

    expect(delivered.events).toHaveLength(2);
    expect(Object.fromEntries(delivered.rejects)).toEqual({ [NORMALISER_ERROR]: 1 });
  });

  it('yields nothing for a control message', () => {
    const delivered = eventsOfDelivery(
      payload([], { messageType: 'CONTROL_MESSAGE' }),
      cloudTrailLine,
      NO_IP_INTEL,
    );
    expect(delivered).toEqual({ events: [], rejects: new Map(), lines: 0 });
  });
});
