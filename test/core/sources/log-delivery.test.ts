import type { CloudWatchLogsPayload } from '../../../lambdas/core/sources/cloudwatch-logs.js';
import { parseCloudTrailLine } from '../../../lambdas/core/sources/cloudtrail/index.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';
import { plausibleWindow } from '../../../lambdas/core/sources/time-window.js';
import { scrubEvent } from '../../../lambdas/core/secrets.js';
import {
  LOG_EVENT_TIME_OUT_OF_RANGE,
  NORMALISER_ERROR,
  eventsOfDelivery,
  type LineNormaliser,
} from '../../../lambdas/core/sources/log-delivery.js';
import { ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from './fixtures.js';

const cloudTrailLine: LineNormaliser = (message, ctx) =>
  parseCloudTrailLine(message, ctx.intel, { logGroup: ctx.logGroup, window: ctx.window });

/** A delivery received the day after the fixtures' 2024-05-01 calls. */
const RECEIVED_MS = Date.UTC(2024, 4, 2);
const WINDOW = plausibleWindow(RECEIVED_MS);

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
      WINDOW,
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
        seen.push({
          logGroup: ctx.logGroup,
          owner: ctx.owner,
          timestampMs: ctx.timestampMs,
          window: ctx.window,
        });
        return { ok: false, reason: 'x' };
      },
      NO_IP_INTEL,
      WINDOW,
    );
    expect(seen).toEqual([
      {
        logGroup: 'aws-cloudtrail-logs-123456789012',
        owner: '123456789012',
        timestampMs: 1714557600000,
        window: WINDOW,
      },
      {
        logGroup: 'aws-cloudtrail-logs-123456789012',
        owner: '123456789012',
        timestampMs: 1714557600001,
        window: WINDOW,
      },
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
      WINDOW,
    );

    expect(delivered.events).toHaveLength(2);
    expect(Object.fromEntries(delivered.rejects)).toEqual({ [NORMALISER_ERROR]: 1 });
  });

  it('yields nothing for a control message', () => {
    const delivered = eventsOfDelivery(
      payload([], { messageType: 'CONTROL_MESSAGE' }),
      cloudTrailLine,
      NO_IP_INTEL,
      WINDOW,
    );
    expect(delivered).toEqual({ events: [], rejects: new Map(), lines: 0 });
  });

  it('rejects a line whose log-event timestamp or own time is implausible, and keeps the others', () => {
    const base = payload([
      JSON.stringify(ROLE_GET_OBJECT),
      JSON.stringify(ROLE_GET_OBJECT),
      JSON.stringify(ROLE_GET_OBJECT),
      JSON.stringify(withFields(USER_LIST_USERS, { eventTime: '2024-05-03T00:00:01Z' })),
      JSON.stringify(withFields(USER_LIST_USERS, { eventTime: '2005-12-31T23:59:59Z' })),
      JSON.stringify(USER_LIST_USERS),
    ]);
    const stamps = [
      -1e19,
      Date.UTC(2005, 11, 31),
      WINDOW.notAfterMs + 1,
      1714557600003,
      1714557600004,
      1714557600005,
    ];
    const delivered = eventsOfDelivery(
      { ...base, logEvents: base.logEvents.map((e, i) => ({ ...e, timestamp: stamps[i]! })) },
      cloudTrailLine,
      NO_IP_INTEL,
      WINDOW,
    );

    expect(delivered.events.map((e) => e.action.name)).toEqual(['iam.amazonaws.com:ListUsers']);
    expect(Object.fromEntries(delivered.rejects)).toEqual({
      [LOG_EVENT_TIME_OUT_OF_RANGE]: 3,
      'event-time-out-of-range': 2,
    });
  });

  it('redacts secrets in every event exactly as scrubEvent does, however often a text repeats in the delivery', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const lines = [
      withFields(ROLE_GET_OBJECT, { userAgent: `curl/8.0 Authorization: Bearer ${jwt}` }),
      ROLE_GET_OBJECT,
      withFields(ROLE_GET_OBJECT, { userAgent: `curl/8.0 Authorization: Bearer ${jwt}` }),
      withFields(USER_LIST_USERS, { userAgent: 'aws-cli/2.15 token=abcdef123456&x=1' }),
      withFields(USER_LIST_USERS, { userAgent: 'aws-cli/2.15 token=abcdef123456&x=1' }),
      USER_LIST_USERS,
    ].map((r) => JSON.stringify(r));

    const delivered = eventsOfDelivery(payload(lines), cloudTrailLine, NO_IP_INTEL, WINDOW);

    const oneByOne = lines.map((line) => {
      const parsed = parseCloudTrailLine(line, NO_IP_INTEL, {
        logGroup: 'aws-cloudtrail-logs-123456789012',
        window: WINDOW,
      });
      if (!parsed.ok) throw new Error(parsed.reason);
      return scrubEvent(parsed.value);
    });
    expect(delivered.events).toEqual(oneByOne);
    expect(delivered.events[0]?.origin.userAgent).toMatch(
      /^curl\/8\.0 Authorization: .*\[redacted:jwt:[0-9a-f]{8}\]$/,
    );
    expect(delivered.events[0]?.origin.userAgent).not.toContain(jwt);
    expect(delivered.events[2]?.origin.userAgent).toBe(delivered.events[0]?.origin.userAgent);
    expect(delivered.events[4]?.origin.userAgent).toMatch(/token=\[redacted:query:[0-9a-f]{8}\]&x=1$/);
    expect(delivered.events[1]).toEqual(oneByOne[1]);
  });
});
