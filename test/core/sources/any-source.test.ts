import {
  isCloudTrailRecord,
  normaliseAnyLine,
  normaliseAnyRecord,
} from '../../../lambdas/core/sources/any-source.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';
import { NO_CLOCK_WINDOW, plausibleWindow } from '../../../lambdas/core/sources/time-window.js';
import { ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from './fixtures.js';

const ACCESS_LOG = {
  requestId: 'c0ffee00-0000-4000-8000-000000000001',
  requestTimeEpoch: '1714557600',
  apiId: 'a1b2c3d4e5',
  httpMethod: 'GET',
  resourcePath: '/orders',
  status: '200',
  sourceIp: '198.51.100.7',
  clientId: 'orders-sync',
};

const context = (logGroup: string, timestampMs = 1714557600000) => ({
  logGroup,
  owner: '123456789012',
  timestampMs,
  intel: NO_IP_INTEL,
  window: NO_CLOCK_WINDOW,
});

describe('records of unknown source', () => {
  it('tells CloudTrail records from access-log lines', () => {
    expect(isCloudTrailRecord(ROLE_GET_OBJECT)).toBe(true);
    expect(isCloudTrailRecord({ eventName: 'X' })).toBe(true);
    expect(isCloudTrailRecord(ACCESS_LOG)).toBe(false);
  });

  it('normalises each with its own source and keeps the log group', () => {
    const ct = normaliseAnyRecord(ROLE_GET_OBJECT, NO_IP_INTEL, { logGroup: 'trail.json' });
    const ag = normaliseAnyRecord(ACCESS_LOG, NO_IP_INTEL, { logGroup: 'access.jsonl' });
    expect(ct.ok && ct.value.source).toBe('cloudtrail');
    expect(ct.ok && ct.value.logGroup).toBe('trail.json');
    expect(ag.ok && ag.value.identity.key).toBe('api:a1b2c3d4e5:jwt:orders-sync');
  });

  it('names the source in every reject reason', () => {
    expect(normaliseAnyRecord(withFields(USER_LIST_USERS, { eventTime: undefined }), NO_IP_INTEL)).toEqual({
      ok: false,
      reason: 'cloudtrail: missing-event-time',
    });
    expect(normaliseAnyRecord({ hello: 'world' }, NO_IP_INTEL)).toEqual({
      ok: false,
      reason: 'api-gateway: not-an-access-log',
    });
    expect(normaliseAnyLine('{', context('g'))).toEqual({ ok: false, reason: 'log event: invalid-json' });
    expect(normaliseAnyLine('"text"', context('g'))).toEqual({
      ok: false,
      reason: 'log event: not-an-object',
    });
  });

  it('uses the log event timestamp for an access-log line without a time', () => {
    const { requestTimeEpoch: _, ...untimed } = ACCESS_LOG;
    const parsed = normaliseAnyLine(JSON.stringify(untimed), context('g', 1714557601234));
    expect(parsed.ok && parsed.value.timeMs).toBe(1714557601234);
  });

  it('bounds both sources by the window it is given', () => {
    const window = plausibleWindow(Date.UTC(2024, 3, 1));
    expect(normaliseAnyRecord(ROLE_GET_OBJECT, NO_IP_INTEL, { window })).toEqual({
      ok: false,
      reason: 'cloudtrail: event-time-out-of-range',
    });
    expect(normaliseAnyRecord(ACCESS_LOG, NO_IP_INTEL, { window })).toEqual({
      ok: false,
      reason: 'api-gateway: request-time-out-of-range',
    });
  });
});
