/**
 * The text formats CloudTrail records arrive in (S3 delivery objects, arrays, single records,
 * `LookupEvents` output, JSON Lines; gzipped or not), split into records with every unusable unit
 * counted. Pure: gunzip comes from node's zlib, no I/O.
 */
import { gunzipSync } from 'node:zlib';
import type { ParseResult } from '../../identity-event.js';
import { asObject, type JsonObject } from '../fields.js';

/** A CloudTrail record as parsed from JSON: untrusted until normalised. */
export type CloudTrailRecord = JsonObject;

/** One unit of input that could not be used, with where it was and why. */
export interface TextReject {
  /**
   * 1-based line for JSON Lines; 1-based position of the record for whole-document formats;
   * 0 when the whole input is unusable (e.g. a corrupt `.gz`).
   */
  readonly line: number;
  readonly reason: string;
}

/** Which container format a CloudTrail text turned out to be. */
export type CloudTrailTextFormat = 'records' | 'array' | 'single' | 'json-lines' | 'empty';

/** The records found in a CloudTrail text, and every unusable unit with its reason. */
export interface CloudTrailText {
  readonly format: CloudTrailTextFormat;
  readonly records: CloudTrailRecord[];
  readonly rejects: TextReject[];
}

/** Default ceiling for decompressed input, against gzip bombs (CloudTrail S3 objects are far smaller). */
export const DEFAULT_MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

/**
 * Gunzip the bytes if they start with the gzip magic number, otherwise return them unchanged,
 * so callers can hand over `.json` and `.json.gz` alike.
 */
export function maybeGunzip(
  data: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_GUNZIP_BYTES,
): ParseResult<Uint8Array> {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return { ok: true, value: data };
  try {
    return { ok: true, value: gunzipSync(data, { maxOutputLength: maxOutputBytes }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'gzip-too-large' : 'invalid-gzip' };
  }
}

/**
 * Unwrap the CloudTrail `LookupEvents` API shape (`{EventId, …, CloudTrailEvent: "<json>"}`)
 * to the record it embeds; other objects are returned as they are.
 */
function unwrapRecord(value: unknown): ParseResult<CloudTrailRecord> {
  const obj = asObject(value);
  if (obj === undefined) return { ok: false, reason: 'not-an-object' };
  const embedded = obj['CloudTrailEvent'];
  if (typeof embedded !== 'string') return { ok: true, value: obj };
  let inner: unknown;
  try {
    inner = JSON.parse(embedded);
  } catch {
    return { ok: false, reason: 'invalid-embedded-event' };
  }
  const innerObj = asObject(inner);
  return innerObj === undefined
    ? { ok: false, reason: 'invalid-embedded-event' }
    : { ok: true, value: innerObj };
}

function collect(
  values: readonly unknown[],
  records: CloudTrailRecord[],
  rejects: TextReject[],
  lineOf: (i: number) => number,
): void {
  for (let i = 0; i < values.length; i++) {
    const r = unwrapRecord(values[i]);
    if (r.ok) records.push(r.value);
    else rejects.push({ line: lineOf(i), reason: r.reason });
  }
}

/**
 * Split a CloudTrail text into records. Accepts the S3 delivery format `{"Records":[…]}`, a JSON
 * array of records, a single record, the `LookupEvents` shape with an embedded `CloudTrailEvent`
 * string, and JSON Lines of any of these. Never throws; every unusable line is a reject.
 */
export function parseCloudTrailText(text: string): CloudTrailText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trim();
  const records: CloudTrailRecord[] = [];
  const rejects: TextReject[] = [];
  if (trimmed.length === 0) return { format: 'empty', records, rejects };
  const first = trimmed.charCodeAt(0);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let whole: unknown;
    let parsed = true;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      parsed = false;
    }
    if (parsed) {
      if (Array.isArray(whole)) {
        collect(whole, records, rejects, (i) => i + 1);
        return { format: 'array', records, rejects };
      }
      const obj = asObject(whole);
      const list = obj?.['Records'];
      if (Array.isArray(list)) {
        collect(list, records, rejects, (i) => i + 1);
        return { format: 'records', records, rejects };
      }
      collect([whole], records, rejects, () => 1);
      return { format: 'single', records, rejects };
    }
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      rejects.push({ line: i + 1, reason: 'invalid-json' });
      continue;
    }
    const nested = asObject(value)?.['Records'];
    if (Array.isArray(nested)) collect(nested, records, rejects, () => i + 1);
    else collect([value], records, rejects, () => i + 1);
  }
  return { format: 'json-lines', records, rejects };
}

/**
 * Read a CloudTrail file's bytes as delivered (`.json`, `.json.gz`, JSON Lines, …): gunzip when
 * needed, decode UTF-8, split into records. A corrupt or oversized gzip is one reject at line 0.
 */
export function parseCloudTrailBytes(
  data: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_GUNZIP_BYTES,
): CloudTrailText {
  const inflated = maybeGunzip(data, maxOutputBytes);
  if (!inflated.ok) return { format: 'empty', records: [], rejects: [{ line: 0, reason: inflated.reason }] };
  const bytes = inflated.value;
  return parseCloudTrailText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
