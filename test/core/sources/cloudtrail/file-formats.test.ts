import { gzipSync } from 'node:zlib';
import {
  maybeGunzip,
  parseCloudTrailBytes,
  parseCloudTrailText,
} from '../../../../lambdas/core/sources/cloudtrail/index.js';
import { ROLE_GET_OBJECT, USER_LIST_USERS, withFields } from '../fixtures.js';

describe('parseCloudTrailText', () => {
  const a = withFields(USER_LIST_USERS, { eventID: 'a' });
  const b = withFields(USER_LIST_USERS, { eventID: 'b' });

  it('reads the S3 delivery format {"Records":[…]}', () => {
    const parsed = parseCloudTrailText(JSON.stringify({ Records: [a, b] }));
    expect(parsed.format).toBe('records');
    expect(parsed.records.map((r) => r['eventID'])).toEqual(['a', 'b']);
    expect(parsed.rejects).toEqual([]);
  });

  it('reads a JSON array and a single pretty-printed record', () => {
    expect(parseCloudTrailText(JSON.stringify([a, b])).records).toHaveLength(2);
    const single = parseCloudTrailText(JSON.stringify(a, null, 2));
    expect(single.format).toBe('single');
    expect(single.records[0]?.['eventID']).toBe('a');
  });

  it('reads JSON Lines, skips blank lines and counts broken lines with their line number', () => {
    const text = `${JSON.stringify(a)}\r\n\n{"eventName": "Trunc\n${JSON.stringify(b)}\n42\n`;
    const parsed = parseCloudTrailText(text);
    expect(parsed.format).toBe('json-lines');
    expect(parsed.records.map((r) => r['eventID'])).toEqual(['a', 'b']);
    expect(parsed.rejects).toEqual([
      { line: 3, reason: 'invalid-json' },
      { line: 5, reason: 'not-an-object' },
    ]);
  });

  it('expands S3 files concatenated one per line', () => {
    const text = `${JSON.stringify({ Records: [a] })}\n${JSON.stringify({ Records: [b, 'junk'] })}\n`;
    const parsed = parseCloudTrailText(text);
    expect(parsed.records).toHaveLength(2);
    expect(parsed.rejects).toEqual([{ line: 2, reason: 'not-an-object' }]);
  });

  it('unwraps the LookupEvents shape with an embedded CloudTrailEvent string', () => {
    const lookup = {
      EventId: 'a',
      EventName: 'ListUsers',
      ReadOnly: 'true',
      AccessKeyId: 'AKIA3EXAMPLEKEY00001',
      EventTime: '2024-05-01 21:00:00+10:00',
      CloudTrailEvent: JSON.stringify(a),
    };
    const broken = { ...lookup, CloudTrailEvent: '{"eventName":' };
    const parsed = parseCloudTrailText(`${JSON.stringify(lookup)}\n${JSON.stringify(broken)}`);
    expect(parsed.records).toEqual([a]);
    expect(parsed.rejects).toEqual([{ line: 2, reason: 'invalid-embedded-event' }]);
  });

  it('treats empty text and a byte-order mark as nothing to read, not as errors', () => {
    expect(parseCloudTrailText('  \n ')).toEqual({ format: 'empty', records: [], rejects: [] });
    expect(parseCloudTrailText(`\ufeff${JSON.stringify({ Records: [a] })}`).records).toHaveLength(1);
  });
});

describe('maybeGunzip', () => {
  it('inflates .gz input and passes plain input through', () => {
    const text = JSON.stringify({ Records: [USER_LIST_USERS] });
    const gz = maybeGunzip(gzipSync(text));
    const plain = maybeGunzip(Buffer.from(text));
    expect(gz.ok && Buffer.from(gz.value).toString('utf8')).toBe(text);
    expect(plain.ok && Buffer.from(plain.value).toString('utf8')).toBe(text);
  });

  it('reports a corrupt gzip and an oversized one instead of throwing', () => {
    const corrupt = Buffer.concat([gzipSync('{"Records":[]}').subarray(0, 12), Buffer.from('garbage')]);
    expect(maybeGunzip(corrupt)).toEqual({ ok: false, reason: 'invalid-gzip' });
    expect(maybeGunzip(gzipSync(Buffer.alloc(2 * 1024 * 1024)), 1024 * 1024)).toEqual({
      ok: false,
      reason: 'gzip-too-large',
    });
  });
});

describe('parseCloudTrailBytes', () => {
  it('reads .json and .json.gz files alike and reports a corrupt archive as one reject', () => {
    const text = JSON.stringify({ Records: [USER_LIST_USERS, ROLE_GET_OBJECT] });
    expect(parseCloudTrailBytes(gzipSync(text)).records).toHaveLength(2);
    expect(parseCloudTrailBytes(Buffer.from(text)).records).toHaveLength(2);
    expect(parseCloudTrailBytes(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]))).toEqual({
      format: 'empty',
      records: [],
      rejects: [{ line: 0, reason: 'invalid-gzip' }],
    });
  });
});
