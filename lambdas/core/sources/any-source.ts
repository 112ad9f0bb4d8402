/**
 * Input of unknown source (local replay of files and simulated records): tell a CloudTrail record
 * from an API Gateway access-log line and normalise it with its own source's normaliser. Reasons
 * carry the source (`cloudtrail: missing-event-time`, `api-gateway: not-an-access-log`,
 * `log event: invalid-json`) since one run mixes both.
 */
import type { IdentityEvent, ParseResult } from '../identity-event.js';
import { normaliseApiGatewayAccessLog } from './api-gateway.js';
import { normaliseCloudTrail } from './cloudtrail/index.js';
import { asObject, type JsonObject } from './fields.js';
import type { IpIntel } from './ip-intel.js';
import type { LineNormaliser } from './log-delivery.js';
import type { TimeWindow } from './time-window.js';

/** Whether a parsed record is CloudTrail's (any of its defining fields); else it is read as an access log. */
export function isCloudTrailRecord(record: JsonObject): boolean {
  return (
    record['eventVersion'] !== undefined ||
    record['eventSource'] !== undefined ||
    record['userIdentity'] !== undefined ||
    record['eventName'] !== undefined
  );
}

/** Context of a record of unknown source. */
export interface AnySourceContext {
  /** Log group or file the record came from. */
  readonly logGroup?: string;
  /** CloudWatch log-event timestamp, when the record came in a log event. */
  readonly timestampMs?: number;
  /** Plausible event times. @default {@link NO_CLOCK_WINDOW} */
  readonly window?: TimeWindow;
}

/** Normalise a parsed record of either source; the reason of a reject names the source. */
export function normaliseAnyRecord(
  record: JsonObject,
  intel: IpIntel,
  context: AnySourceContext = {},
): ParseResult<IdentityEvent> {
  const ctx = {
    ...(context.logGroup !== undefined ? { logGroup: context.logGroup } : {}),
    ...(context.window !== undefined ? { window: context.window } : {}),
  };
  if (isCloudTrailRecord(record)) {
    const result = normaliseCloudTrail(record, intel, ctx);
    return result.ok ? result : { ok: false, reason: `cloudtrail: ${result.reason}` };
  }
  const result = normaliseApiGatewayAccessLog(record, intel, {
    ...ctx,
    ...(context.timestampMs !== undefined ? { timestampMs: context.timestampMs } : {}),
  });
  return result.ok ? result : { ok: false, reason: `api-gateway: ${result.reason}` };
}

/** A log event of either source (a CloudWatch Logs payload read locally). */
export const normaliseAnyLine: LineNormaliser = (message, context) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'log event: invalid-json' };
  }
  const record = asObject(parsed);
  if (record === undefined) return { ok: false, reason: 'log event: not-an-object' };
  return normaliseAnyRecord(record, context.intel, {
    logGroup: context.logGroup,
    timestampMs: context.timestampMs,
    window: context.window,
  });
};
