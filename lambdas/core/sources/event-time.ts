/**
 * Event-time parsing for the spellings found in real and vendor-exported logs. Strict on purpose:
 * `Date.parse` accepts almost anything (`"1"` is the year 2001), and a wrong event time silently
 * corrupts rate profiles and windows, so anything unrecognised is rejected instead.
 */

// 2024-06-02T20:16:32Z, 2024-06-02 20:16:32.000000000, 2020-09-14T00:44:23.000Z, 2022-02-08 09:23:37+11:00
const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
// 20131102T010628Z (CloudTrail sessionContext.creationDate in some old records)
const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// 10/Jun/2023:15:36:28 +0000 (CLF, API Gateway $context.requestTime)
const CLF = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Reject roll-over dates such as 2023-02-30.
  if (new Date(t).getUTCDate() !== day && second !== 60) return undefined;
  return t;
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length >= 4 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

const DAY_CACHE_LIMIT = 512;
const dayCache = new Map<string, number>();

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for CloudTrail's own spelling `YYYY-MM-DDTHH:MM:SSZ` (almost every record): the day is
 * validated once and memoised, the time of day is read digit by digit.
 */
function parseCanonicalUtc(text: string): number | undefined {
  if (text.charCodeAt(10) !== 84 /* T */ || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return undefined;
  const day = text.slice(0, 10);
  let dayMs = dayCache.get(day);
  if (dayMs === undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (m === null) return undefined;
    const t = utc(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, 0, 0);
    if (t === undefined) return undefined;
    dayMs = t;
    if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear();
    dayCache.set(day, dayMs);
  }
  const h = twoDigits(text, 11);
  const mi = twoDigits(text, 14);
  const s = twoDigits(text, 17);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  return dayMs + h * 3_600_000 + mi * 60_000 + s * 1000;
}

/**
 * Parse an ISO-8601-like timestamp (CloudTrail `eventTime`, Panther's space-separated variant with
 * up to nanoseconds, Logstash `@timestamp`, offsets) to epoch ms. No zone means UTC.
 */
export function parseIsoTime(text: string): number | undefined {
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */) {
    const fast = parseCanonicalUtc(text);
    if (fast !== undefined) return fast;
  }
  const m = ISO_LIKE.exec(text);
  if (m === null) return undefined;
  const fraction = m[7];
  const ms = fraction === undefined ? 0 : Number((fraction + '00').slice(0, 3));
  const t = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  return t === undefined ? undefined : t - offsetMinutes(m[8]) * 60_000;
}

/** Parse `20131102T010628Z` (compact ISO basic format) to epoch ms. */
export function parseCompactTime(text: string): number | undefined {
  const m = COMPACT.exec(text);
  if (m === null) return undefined;
  return utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), 0);
}

/** Parse CLF time `10/Jun/2023:15:36:28 +0000` (API Gateway `$context.requestTime`) to epoch ms. */
export function parseClfTime(text: string): number | undefined {
  const m = CLF.exec(text);
  if (m === null) return undefined;
  const month = MONTHS[m[2] ?? ''];
  if (month === undefined) return undefined;
  const t = utc(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), 0);
  if (t === undefined) return undefined;
  const offset = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return t - offset * 60_000;
}

/** Parse any of the supported spellings; undefined when none fits. */
export function parseLoggedTime(text: string): number | undefined {
  return parseIsoTime(text) ?? parseCompactTime(text) ?? parseClfTime(text);
}

// Oct 2, 2019 11:12:29 PM / Jul 10, 2023, 1:28:26 PM (CloudTrail's spelling of a credential's expiration, UTC)
const US_MEDIUM = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2})\s?([AP]M)$/;

/**
 * Parse the `expiration` of credentials in CloudTrail responses: the US medium date-time spelling
 * (`Jul 10, 2023, 1:28:26 PM`, with or without the comma after the year, UTC), ISO 8601, or epoch
 * seconds / milliseconds as a number. Undefined for anything else.
 */
export function parseExpirationTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value);
  }
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = US_MEDIUM.exec(value);
  if (m === null) return parseIsoTime(value);
  const month = MONTHS[m[1] ?? ''];
  const hour12 = Number(m[4]);
  if (month === undefined || hour12 < 1 || hour12 > 12) return undefined;
  const hour = (hour12 % 12) + (m[7] === 'PM' ? 12 : 0);
  return utc(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]), 0);
}
