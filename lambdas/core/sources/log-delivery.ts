/**
 * One CloudWatch Logs delivery → identity events: every log event of a decoded subscription
 * payload goes through a source's line normaliser; unusable lines are counted by reason and
 * skipped. The log handlers and local replay both use this, so a line is accepted or rejected
 * for the same reason wherever it is read.
 */
import { eventScrubber } from '../secrets.js';
import type { IdentityEvent, ParseResult } from '../identity-event.js';
import type { CloudWatchLogsPayload } from './cloudwatch-logs.js';
import type { IpIntel } from './ip-intel.js';
import { isWithin, type TimeWindow } from './time-window.js';

/** What a line normaliser knows besides the line. */
export interface LineContext {
  readonly logGroup: string;
  /** Account that owns the log group. */
  readonly owner: string;
  /** CloudWatch Logs timestamp of the line (epoch ms). */
  readonly timestampMs: number;
  readonly intel: IpIntel;
  /** Plausible event times of this delivery; the normaliser rejects a line whose time is outside. */
  readonly window: TimeWindow;
}

/** Turns one log line into an identity event, or a reason it cannot. Should never throw. */
export type LineNormaliser = (message: string, context: LineContext) => ParseResult<IdentityEvent>;

/** The events of a delivery and its unusable lines by reason. */
export interface DeliveryEvents {
  /** Events in payload order. */
  readonly events: IdentityEvent[];
  /** Unusable lines by reason (malformed log-event entries included); their sum is the number of lines skipped. */
  readonly rejects: Map<string, number>;
  /** Log events in the payload, usable or not. */
  readonly lines: number;
}

/** Reason counted for a line whose normaliser threw (a defect, contained to the line). */
export const NORMALISER_ERROR = 'normaliser-error';

/** Reason counted for a log event whose CloudWatch Logs timestamp is outside the window. */
export const LOG_EVENT_TIME_OUT_OF_RANGE = 'log-event-time-out-of-range';

/** Add `n` to the count of `reason`. */
export function countReject(rejects: Map<string, number>, reason: string, n = 1): void {
  rejects.set(reason, (rejects.get(reason) ?? 0) + n);
}

/**
 * Normalise every log event of a decoded DATA_MESSAGE payload (a CONTROL_MESSAGE has none).
 * A log event stamped outside `window` is rejected before its message is read
 * (`log-event-time-out-of-range`); the normaliser bounds the line's own time by the same window.
 * A normaliser that throws costs its line (`normaliser-error`), never the delivery.
 */
export function eventsOfDelivery(
  payload: CloudWatchLogsPayload,
  normalise: LineNormaliser,
  intel: IpIntel,
  window: TimeWindow,
): DeliveryEvents {
  const rejects = new Map<string, number>();
  for (const r of payload.rejectedLogEvents) countReject(rejects, r.reason);
  const events: IdentityEvent[] = [];
  const scrubEvent = eventScrubber();
  for (const line of payload.logEvents) {
    if (!isWithin(window, line.timestamp)) {
      countReject(rejects, LOG_EVENT_TIME_OUT_OF_RANGE);
      continue;
    }
    const context: LineContext = {
      logGroup: payload.logGroup,
      owner: payload.owner,
      timestampMs: line.timestamp,
      intel,
      window,
    };
    let parsed: ParseResult<IdentityEvent>;
    try {
      parsed = normalise(line.message, context);
    } catch {
      parsed = { ok: false, reason: NORMALISER_ERROR };
    }
    // Secret-shaped text is redacted before any baseline, log or finding sees it (core/secrets.ts).
    if (parsed.ok) events.push(scrubEvent(parsed.value));
    else countReject(rejects, parsed.reason);
  }
  return { events, rejects, lines: payload.logEvents.length + payload.rejectedLogEvents.length };
}
