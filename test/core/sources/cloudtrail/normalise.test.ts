import {
  normaliseCloudTrail,
  parseCloudTrailLine,
  type CloudTrailRecord,
} from '../../../../lambdas/core/sources/cloudtrail/index.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { NO_IP_INTEL } from '../../../../lambdas/core/sources/ip-intel.js';
import { plausibleWindow } from '../../../../lambdas/core/sources/time-window.js';
import { INTEL, ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from '../fixtures.js';

function normalised(record: Record<string, unknown>, intel = INTEL): IdentityEvent {
  const result = normaliseCloudTrail(record, intel, { logGroup: 'aws-cloudtrail-logs-123456789012' });
  if (!result.ok) throw new Error(`expected a normalised event, got reject: ${result.reason}`);
  return result.value;
}

function rejectReason(record: unknown): string {
  const result = normaliseCloudTrail(record as CloudTrailRecord, NO_IP_INTEL);
  if (result.ok) throw new Error('expected a reject');
  return result.reason;
}

describe('normaliseCloudTrail — action, time and rejects', () => {
  it('names the action eventSource:eventName with resource, region and read-only flag', () => {
    expect(normalised(ROLE_GET_OBJECT).action).toEqual({
      name: 's3.amazonaws.com:GetObject',
      service: 's3',
      resource: 'arn:aws:s3:::orders-export/daily/2024-05-01.csv',
      region: 'eu-west-1',
      isReadOnly: true,
    });
    const noResources = normalised(
      withFields(ROLE_GET_OBJECT, { resources: undefined, eventName: 'GetBucketPolicy' }),
    );
    expect(noResources.action.resource).toBe('orders-export');
  });

  it('carries ids, log group and recipient account', () => {
    const event = normalised(ROLE_GET_OBJECT);
    expect(event).toMatchObject({
      source: 'cloudtrail',
      eventId: '3f0b0a0e-8c44-4c55-9c1c-0b3b7d2f8a01',
      logGroup: 'aws-cloudtrail-logs-123456789012',
      recipientAccountId: '123456789012',
      timeMs: Date.UTC(2024, 4, 1, 10, 0, 0),
    });
  });

  it.each([
    ['2024-06-02 20:16:32', Date.UTC(2024, 5, 2, 20, 16, 32)],
    ['2024-06-02 20:16:32.123456789', Date.UTC(2024, 5, 2, 20, 16, 32, 123)],
    ['2024-06-02T20:16:32.5Z', Date.UTC(2024, 5, 2, 20, 16, 32, 500)],
    ['2022-02-08 09:23:37+11:00', Date.UTC(2022, 1, 7, 22, 23, 37)],
  ])('reads event time %s', (eventTime, expected) => {
    expect(normalised(withFields(USER_LIST_USERS, { eventTime })).timeMs).toBe(expected);
  });

  it('reads the Logstash @timestamp when eventTime is gone', () => {
    const record = withFields(USER_LIST_USERS, { '@timestamp': '2020-09-14T00:44:23.000Z' });
    delete record['eventTime'];
    expect(normalised(record).timeMs).toBe(Date.UTC(2020, 8, 14, 0, 44, 23));
  });

  it.each([
    [{ eventTime: undefined }, 'missing-event-time'],
    [{ eventTime: null }, 'missing-event-time'],
    [{ eventTime: 'redacted' }, 'invalid-event-time'],
    [{ eventTime: '...' }, 'invalid-event-time'],
    [{ eventTime: '2023-02-30T00:00:00Z' }, 'invalid-event-time'],
    [{ eventTime: 1714557600000 }, 'invalid-event-time'],
    [{ eventName: undefined }, 'missing-event-name'],
    [{ eventSource: undefined }, 'missing-event-source'],
  ])('rejects %j with %s', (fields, reason) => {
    expect(rejectReason(withFields(USER_LIST_USERS, fields))).toBe(reason);
  });
});

describe('parseCloudTrailLine', () => {
  it('reads one JSON line exactly as the record normaliser reads the parsed record', () => {
    const line = parseCloudTrailLine(JSON.stringify(ROLE_GET_OBJECT), NO_IP_INTEL, { logGroup: 'g' });
    expect(line).toEqual(normaliseCloudTrail(ROLE_GET_OBJECT, NO_IP_INTEL, { logGroup: 'g' }));
    expect(line.ok).toBe(true);
  });

  it.each([
    ['{"eventTime":', 'invalid-json'],
    ['', 'invalid-json'],
    ['[{"eventName":"X"}]', 'not-an-object'],
    ['null', 'not-an-object'],
    ['"2024-05-01T10:00:00Z"', 'not-an-object'],
    [JSON.stringify(withFields(USER_LIST_USERS, { userIdentity: undefined })), 'missing-user-identity'],
  ])('rejects %j with %s', (line, reason) => {
    expect(parseCloudTrailLine(line, NO_IP_INTEL)).toEqual({ ok: false, reason });
  });
});

describe('normaliseCloudTrail — plausible time', () => {
  /** Received 2024-05-02: the fixtures (2024-05-01) are inside, anything after 2024-05-03 is not. */
  const window = plausibleWindow(Date.UTC(2024, 4, 2));

  it.each([
    ['1970-01-01T00:00:00Z'],
    ['2005-12-31T23:59:59Z'],
    ['0001-01-01T00:00:00Z'],
    ['2024-05-03T00:00:01Z'],
    ['9999-12-31T23:59:59Z'],
  ])('rejects eventTime %s as event-time-out-of-range', (eventTime) => {
    expect(normaliseCloudTrail(withFields(USER_LIST_USERS, { eventTime }), NO_IP_INTEL, { window })).toEqual({
      ok: false,
      reason: 'event-time-out-of-range',
    });
  });

  it('accepts the edges of the window and, without a window, anything from 2006 on', () => {
    for (const eventTime of ['2006-01-01T00:00:00Z', '2024-05-03T00:00:00Z']) {
      const r = normaliseCloudTrail(withFields(USER_LIST_USERS, { eventTime }), NO_IP_INTEL, { window });
      expect(r.ok).toBe(true);
    }
    expect(
      normaliseCloudTrail(withFields(USER_LIST_USERS, { eventTime: '2999-01-01T00:00:00Z' }), NO_IP_INTEL).ok,
    ).toBe(true);
    expect(rejectReason(withFields(USER_LIST_USERS, { eventTime: '1999-01-01T00:00:00Z' }))).toBe(
      'event-time-out-of-range',
    );
  });

  it('leaves out a credential issue time outside the window but keeps the event', () => {
    const issuedAt = (creationDate: string) => {
      const record = withFields(ROLE_GET_OBJECT, {
        userIdentity: {
          ...(ROLE_GET_OBJECT['userIdentity'] as Record<string, unknown>),
          sessionContext: { attributes: { creationDate, mfaAuthenticated: 'false' } },
        },
      });
      const r = normaliseCloudTrail(record, NO_IP_INTEL, { window });
      if (!r.ok) throw new Error(r.reason);
      return r.value.credential.issuedAtMs;
    };
    expect(issuedAt('2024-05-01T09:58:00Z')).toBe(Date.UTC(2024, 4, 1, 9, 58));
    expect(issuedAt('1970-01-01T00:00:00Z')).toBeUndefined();
    expect(issuedAt('2030-01-01T00:00:00Z')).toBeUndefined();
  });
});
