/**
 * CloudTrail record → {@link IdentityEvent}, and the line parser the CloudTrail log handler and
 * local replay share (one CloudWatch Logs message or one JSON Lines line → identity event).
 */
import { isAccountId, type IdentityEvent, type ParseResult } from '../../identity-event.js';
import { parseIsoTime } from '../event-time.js';
import { asObject, asText, capped } from '../fields.js';
import { buildOrigin, type IpIntel } from '../ip-intel.js';
import { NO_CLOCK_WINDOW, isWithin, type TimeWindow } from '../time-window.js';
import { actionOf } from './action.js';
import { credentialOf } from './credential.js';
import { outcomeOf } from './error-codes.js';
import type { CloudTrailRecord } from './file-formats.js';
import { identityOf } from './identity.js';
import { issuanceOf } from './issuance.js';

/** Context the record does not carry itself. */
export interface CloudTrailContext {
  /** CloudWatch log group or file the record came from. */
  readonly logGroup?: string;
  /**
   * Plausible event times; a record outside is rejected (`event-time-out-of-range`).
   * @default {@link NO_CLOCK_WINDOW} (2006 onwards): entry layers pass a window bounded by their clock
   */
  readonly window?: TimeWindow;
}

/** Longest `eventName` / `eventSource` kept, in characters. */
const MAX_EVENT_NAME_CHARS = 128;

/**
 * Normalise one CloudTrail record to an {@link IdentityEvent}, or a reason it cannot be used
 * (`missing-event-time`, `invalid-event-time`, `event-time-out-of-range`, `missing-event-name`, `missing-event-source`,
 * `missing-user-identity`, `unidentifiable-caller`, `identity-too-long`). Never throws on malformed input and never
 * copies request / response payloads (which may hold session tokens).
 *
 * `identity.isRoleChain` is true on `sts:AssumeRole` calls made by a role session, i.e. the call
 * that creates a role chain; false on other role events. `issuance` is set on calls that issued
 * credentials (cloudtrail/issuance.ts): the new key id and who received it, never the secret.
 */
export function normaliseCloudTrail(
  record: CloudTrailRecord,
  intel: IpIntel,
  context: CloudTrailContext = {},
): ParseResult<IdentityEvent> {
  const rawTime = record['eventTime'] ?? record['@timestamp'];
  if (rawTime === undefined || rawTime === null) return { ok: false, reason: 'missing-event-time' };
  const timeMs = typeof rawTime === 'string' ? parseIsoTime(rawTime) : undefined;
  if (timeMs === undefined) return { ok: false, reason: 'invalid-event-time' };
  const window = context.window ?? NO_CLOCK_WINDOW;
  if (!isWithin(window, timeMs)) return { ok: false, reason: 'event-time-out-of-range' };
  // Real names are short (the longest AWS event names are under 64 characters); capped so that a
  // forged one cannot grow the action maps of a baseline or a population past what DynamoDB stores.
  const rawName = asText(record['eventName']);
  if (rawName === undefined) return { ok: false, reason: 'missing-event-name' };
  const eventName = capped(rawName, MAX_EVENT_NAME_CHARS);
  const rawSource = asText(record['eventSource']);
  if (rawSource === undefined) return { ok: false, reason: 'missing-event-source' };
  const eventSource = capped(rawSource, MAX_EVENT_NAME_CHARS);
  const who = identityOf(record, eventName);
  if (!who.ok) return who;
  const ui = asObject(record['userIdentity']);
  const source = asText(record['sourceIPAddress']);
  const event: { -readonly [K in keyof IdentityEvent]: IdentityEvent[K] } = {
    source: 'cloudtrail',
    eventId: asText(record['eventID']) ?? asText(record['requestID']) ?? '',
    timeMs,
    identity: who.value,
    credential: credentialOf(record, eventName, who.value.kind, asText(ui?.['type']), window),
    origin: buildOrigin(
      {
        source: source === undefined ? undefined : capped(source, 256),
        userAgent: asText(record['userAgent']),
        invokedBy: asText(ui?.['invokedBy']),
        vpcEndpointId: asText(record['vpcEndpointId']),
      },
      intel,
    ),
    action: actionOf(record, eventSource, eventName, who.value),
    outcome: outcomeOf(record, eventName),
  };
  if (context.logGroup !== undefined) event.logGroup = context.logGroup;
  const recipient = asText(record['recipientAccountId']);
  if (recipient !== undefined && isAccountId(recipient)) event.recipientAccountId = recipient;
  // Only the issued key id, role, session, expiry and subject: never the secret or the token.
  const issuance = issuanceOf(record, eventSource, eventName);
  if (issuance !== undefined) event.issuance = issuance;
  return { ok: true, value: event };
}

/**
 * Parse and normalise one CloudTrail line (a CloudWatch Logs message of a CloudTrail log group,
 * or one line of a JSON Lines file): `invalid-json` and `not-an-object` besides the reasons of
 * {@link normaliseCloudTrail}.
 */
export function parseCloudTrailLine(
  line: string,
  intel: IpIntel,
  context: CloudTrailContext = {},
): ParseResult<IdentityEvent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  const record = asObject(parsed);
  if (record === undefined) return { ok: false, reason: 'not-an-object' };
  return normaliseCloudTrail(record, intel, context);
}
