/**
 * Property: whatever times a delivery carries (log-event timestamps, CloudTrail `eventTime`,
 * access-log `requestTimeEpoch` / `requestTime`, credential `creationDate`), no decoded event holds
 * a time outside the plausible window, and every line is either an event or a counted reject.
 */
import fc from 'fast-check';
import type { IdentityEvent } from '../../../lambdas/core/identity-event.js';
import { parseApiGatewayAccessLog } from '../../../lambdas/core/sources/api-gateway.js';
import { parseCloudTrailLine } from '../../../lambdas/core/sources/cloudtrail/index.js';
import type { CloudWatchLogsPayload } from '../../../lambdas/core/sources/cloudwatch-logs.js';
import { NO_IP_INTEL } from '../../../lambdas/core/sources/ip-intel.js';
import { eventsOfDelivery, type LineNormaliser } from '../../../lambdas/core/sources/log-delivery.js';
import {
  EARLIEST_PLAUSIBLE_MS,
  MAX_TIME_MS,
  isWithin,
  plausibleWindow,
  type TimeWindow,
} from '../../../lambdas/core/sources/time-window.js';
import { ROLE_GET_OBJECT } from './fixtures.js';

const cloudTrailLine: LineNormaliser = (message, ctx) =>
  parseCloudTrailLine(message, ctx.intel, { logGroup: ctx.logGroup, window: ctx.window });
const accessLogLine: LineNormaliser = (message, ctx) =>
  parseApiGatewayAccessLog(message, ctx.intel, {
    logGroup: ctx.logGroup,
    timestampMs: ctx.timestampMs,
    window: ctx.window,
  });

/** Delivery times from 2006 to 2100. */
const receivedAt = fc.integer({ min: EARLIEST_PLAUSIBLE_MS, max: Date.UTC(2100, 0, 1) });

/** Epoch ms anywhere a number can be, weighted towards the edges of plausibility. */
const anyMs = (received: number): fc.Arbitrary<number> =>
  fc.oneof(
    fc.double(),
    fc.integer({ min: -MAX_TIME_MS, max: MAX_TIME_MS }),
    fc.integer({ min: EARLIEST_PLAUSIBLE_MS - 86_400_000, max: EARLIEST_PLAUSIBLE_MS + 86_400_000 }),
    fc.integer({ min: received - 86_400_000, max: received + 3 * 86_400_000 }),
  );

/** A time as an ISO string, a CLF string, a number of seconds or ms, or junk. */
const spelledTime = (ms: number): fc.Arbitrary<unknown> => {
  const valid = Math.abs(ms) <= MAX_TIME_MS && Number.isFinite(ms);
  const d = valid ? new Date(Math.trunc(ms)) : undefined;
  const iso = d?.toISOString();
  return fc.constantFrom<unknown>(
    ...(iso !== undefined
      ? [iso, iso.replace(/\.\d{3}Z$/, 'Z'), iso.replace('T', ' ').replace('Z', '')]
      : []),
    ...(d !== undefined
      ? [
          `${String(d.getUTCDate()).padStart(2, '0')}/${d.toUTCString().slice(8, 11)}/${d.getUTCFullYear()}:${d
            .toISOString()
            .slice(11, 19)} +0000`,
        ]
      : []),
    ms,
    String(Math.trunc(ms / 1000)),
    String(Math.trunc(ms)),
    '-',
  );
};

interface Line {
  readonly timestamp: number;
  readonly message: string;
}

const cloudTrailLines = (received: number): fc.Arbitrary<Line> =>
  fc
    .tuple(anyMs(received), anyMs(received), anyMs(received))
    .chain(([stamp, event, created]) =>
      fc.tuple(fc.constant(stamp), spelledTime(event), spelledTime(created)),
    )
    .map(([timestamp, eventTime, creationDate]) => ({
      timestamp,
      message: JSON.stringify({
        ...ROLE_GET_OBJECT,
        eventTime,
        userIdentity: {
          ...(ROLE_GET_OBJECT['userIdentity'] as Record<string, unknown>),
          sessionContext: { attributes: { creationDate, mfaAuthenticated: 'false' } },
        },
      }),
    }));

const accessLogLines = (received: number): fc.Arbitrary<Line> =>
  fc
    .tuple(anyMs(received), anyMs(received), fc.constantFrom('requestTimeEpoch', 'requestTime', 'none'))
    .chain(([stamp, t, field]) => fc.tuple(fc.constant(stamp), spelledTime(t), fc.constant(field)))
    .map(([timestamp, time, field]) => ({
      timestamp,
      message: JSON.stringify({
        requestId: 'r1',
        apiId: 'a1b2c3d4e5',
        httpMethod: 'GET',
        status: '200',
        clientId: 'orders-sync',
        ...(field === 'none' ? {} : { [field]: time }),
      }),
    }));

function payload(lines: readonly Line[]): CloudWatchLogsPayload {
  return {
    owner: '123456789012',
    logGroup: 'g',
    logStream: 's',
    subscriptionFilters: [],
    messageType: 'DATA_MESSAGE',
    logEvents: lines.map((l, i) => ({ id: String(i), ...l })),
    rejectedLogEvents: [],
  };
}

function holdsOnlyPlausibleTimes(events: readonly IdentityEvent[], window: TimeWindow): boolean {
  return events.every(
    (e) =>
      isWithin(window, e.timeMs) &&
      (e.credential.issuedAtMs === undefined || isWithin(window, e.credential.issuedAtMs)),
  );
}

describe('no decoded event has an implausible time', () => {
  it.each([
    ['CloudTrail', cloudTrailLines, cloudTrailLine],
    ['API Gateway', accessLogLines, accessLogLine],
  ] as const)('%s deliveries', (_name, lines, normalise) => {
    fc.assert(
      fc.property(
        receivedAt.chain((received) =>
          fc.tuple(fc.constant(received), fc.array(lines(received), { minLength: 1, maxLength: 20 })),
        ),
        ([received, ls]) => {
          const window = plausibleWindow(received);
          const delivered = eventsOfDelivery(payload(ls), normalise, NO_IP_INTEL, window);
          const rejected = [...delivered.rejects.values()].reduce((a, n) => a + n, 0);
          return (
            holdsOnlyPlausibleTimes(delivered.events, window) &&
            delivered.events.length + rejected === ls.length &&
            !delivered.rejects.has('normaliser-error')
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts every line whose times are all inside the window', () => {
    fc.assert(
      fc.property(
        receivedAt.chain((received) =>
          fc.tuple(
            fc.constant(received),
            fc.integer({ min: EARLIEST_PLAUSIBLE_MS, max: received + 86_400_000 }),
          ),
        ),
        ([received, t]) => {
          const eventTime = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
          const line = { timestamp: t, message: JSON.stringify({ ...ROLE_GET_OBJECT, eventTime }) };
          const delivered = eventsOfDelivery(
            payload([line]),
            cloudTrailLine,
            NO_IP_INTEL,
            plausibleWindow(received),
          );
          return delivered.events.length === 1;
        },
      ),
      { numRuns: 300 },
    );
  });
});
