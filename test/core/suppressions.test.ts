import type { Finding } from '../../lambdas/core/finding';
import {
  applySuppressions,
  describeSuppression,
  parseExpiry,
  parseOriginPattern,
  suppressionFilter,
  suppressionProblems,
  type Suppression,
} from '../../lambdas/core/suppressions';
import { findingFor } from '../support/findings';

const NOW = Date.UTC(2026, 5, 1, 12);
const LATER = '2027-01-01';

const fromDo = (): Finding =>
  findingFor(
    { origin: { ip: '203.0.113.50', asn: 14061, asOrg: 'DigitalOcean, LLC' } },
    {},
    { id: 'new-source' },
  );
const fromAws = (): Finding => findingFor({}, {}, { id: 'new-user-agent' });
const fromV6 = (): Finding =>
  findingFor(
    {
      identity: {
        key: 'aws:123456789012:role/ci-deploy',
        principal: 'arn:aws:iam::123456789012:role/ci-deploy',
      },
      origin: { ip: '2001:db8:85a3::7334', asn: 64500 },
    },
    {},
    { id: 'new-source' },
  );
const viaService = (): Finding =>
  findingFor(
    {
      origin: { ip: 'lambda.amazonaws.com', isIp: false, asn: undefined, awsService: 'lambda.amazonaws.com' },
    },
    {},
    { id: 'new-source' },
  );

const sup = (s: Partial<Suppression>): Suppression => ({ reason: 'expected', expires: LATER, ...s });
const suppressedIds = (findings: Finding[], s: Suppression[]): string[] =>
  applySuppressions(findings, s, NOW).suppressed.map(
    (x) => x.finding.ruleId + '@' + (x.finding.sourceIp ?? ''),
  );

describe('applySuppressions', () => {
  it('suppresses by rule glob and keeps everything else', () => {
    const r = applySuppressions([fromDo(), fromAws()], [sup({ rule: 'new-user-*' })], NOW);
    expect(r.kept.map((f) => f.ruleId)).toEqual(['new-source']);
    expect(r.suppressed.map((x) => x.finding.ruleId)).toEqual(['new-user-agent']);
    expect(r.suppressed[0]!.suppression.rule).toBe('new-user-*');
  });

  it('suppresses by identity glob over the key or the principal ARN', () => {
    const fs = [fromDo(), fromV6()];
    expect(suppressedIds(fs, [sup({ identity: 'aws:123456789012:role/ci-*' })])).toEqual([
      'new-source@2001:db8:85a3::7334',
    ]);
    expect(suppressedIds(fs, [sup({ identity: 'arn:aws:iam::*:role/ci-deploy' })])).toEqual([
      'new-source@2001:db8:85a3::7334',
    ]);
    // Names alone are not matched: "ci-deploy" could be any account's role.
    expect(suppressedIds(fs, [sup({ identity: 'ci-deploy' })])).toEqual([]);
  });

  it('suppresses by origin: IPv4 and IPv6 CIDR, single address, ASN, glob', () => {
    const fs = [fromDo(), fromAws(), fromV6(), viaService()];
    expect(suppressedIds(fs, [sup({ origin: '203.0.113.0/24' })])).toEqual(['new-source@203.0.113.50']);
    expect(suppressedIds(fs, [sup({ origin: '203.0.113.50' })])).toEqual(['new-source@203.0.113.50']);
    expect(suppressedIds(fs, [sup({ origin: '2001:db8::/32' })])).toEqual(['new-source@2001:db8:85a3::7334']);
    expect(suppressedIds(fs, [sup({ origin: 'as14061' })])).toEqual(['new-source@203.0.113.50']);
    expect(suppressedIds(fs, [sup({ origin: '*.amazonaws.com' })])).toEqual([
      'new-source@lambda.amazonaws.com',
    ]);
    expect(suppressedIds(fs, [sup({ origin: '3.80.10.*' })])).toEqual(['new-user-agent@3.80.10.20']);
    expect(suppressedIds(fs, [sup({ origin: '0.0.0.0/0' })])).toEqual([
      'new-source@203.0.113.50',
      'new-user-agent@3.80.10.20',
    ]);
  });

  it('matches IPv4-mapped IPv6 sources against IPv4 blocks', () => {
    const mapped = findingFor({ origin: { ip: '::ffff:203.0.113.9' } });
    expect(applySuppressions([mapped], [sup({ origin: '203.0.113.0/24' })], NOW).suppressed).toHaveLength(1);
    expect(
      applySuppressions([mapped], [sup({ origin: '::ffff:203.0.113.0/120' })], NOW).suppressed,
    ).toHaveLength(1);
    expect(applySuppressions([mapped], [sup({ origin: '198.51.100.0/24' })], NOW).suppressed).toHaveLength(0);
  });

  it('requires every declared pattern to match', () => {
    const fs = [fromDo(), fromAws()];
    expect(suppressedIds(fs, [sup({ rule: 'new-source', origin: 'AS16509' })])).toEqual([]);
    expect(suppressedIds(fs, [sup({ rule: 'new-source', origin: 'AS14061' })])).toEqual([
      'new-source@203.0.113.50',
    ]);
  });

  it('does not apply expired suppressions and reports each of them', () => {
    const old = sup({ id: 'old-scanner', rule: '*', expires: '2026-05-31' });
    const r = applySuppressions([fromDo(), fromAws()], [old, sup({ rule: 'nothing' })], NOW);
    expect(r.kept).toHaveLength(2);
    expect(r.expired).toEqual([old]);
  });

  it('expires a date-only suppression at midnight UTC at the start of that day, and a date-time at its instant', () => {
    const f = [fromDo()];
    expect(applySuppressions(f, [sup({ rule: '*', expires: '2026-06-01' })], NOW).expired).toHaveLength(1);
    expect(applySuppressions(f, [sup({ rule: '*', expires: '2026-06-02' })], NOW).suppressed).toHaveLength(1);
    expect(
      applySuppressions(f, [sup({ rule: '*', expires: '2026-06-01T12:00:00Z' })], NOW).expired,
    ).toHaveLength(1);
    expect(
      applySuppressions(f, [sup({ rule: '*', expires: '2026-06-01T14:00:01+02:00' })], NOW).suppressed,
    ).toHaveLength(1);
  });

  it('reports the first matching suppression in configuration order', () => {
    const a = sup({ id: 'a', rule: 'new-*' });
    const b = sup({ id: 'b', origin: 'AS14061' });
    expect(applySuppressions([fromDo()], [b, a], NOW).suppressed[0]!.suppression.id).toBe('b');
  });

  it('refuses to apply a suppression that would match everything or cannot be read', () => {
    const broad = { reason: 'x', expires: LATER } as Suppression;
    const badCidr = sup({ origin: '10.0.0.0/33' });
    const r = applySuppressions([fromDo()], [broad, badCidr], NOW);
    expect(r.kept).toHaveLength(1);
    expect(r.invalid.map((i) => i.reason)).toEqual([
      'needs at least one of rule, identity, origin (it would suppress every finding)',
      'origin: "10.0.0.0/33": prefix length must be 0-32',
    ]);
  });

  it('plugs into the pipeline as a SuppressionFilter that tells the caller about expired suppressions', () => {
    const old = sup({ id: 'old', rule: 'new-user-agent', expires: '2026-01-01' });
    const warned: string[] = [];
    const filter = suppressionFilter([sup({ rule: 'new-source' }), old], {
      onExpired: (xs) => warned.push(...xs.map(describeSuppression)),
    });
    expect(filter([fromDo(), fromAws()], NOW)).toEqual({
      kept: [expect.objectContaining({ ruleId: 'new-user-agent' })],
      suppressed: 1,
    });
    expect(warned).toEqual(['old']);
  });
});

describe('parseOriginPattern', () => {
  it('reads ASNs, CIDR blocks, addresses and globs', () => {
    expect(parseOriginPattern('AS16509')).toEqual({ ok: true, value: { kind: 'asn', asn: 16509 } });
    expect(parseOriginPattern('10.0.0.0/8')).toMatchObject({
      ok: true,
      value: { kind: 'cidr', cidr: { version: 4, prefix: 8 } },
    });
    expect(parseOriginPattern('2001:db8::/32')).toMatchObject({
      ok: true,
      value: { kind: 'cidr', cidr: { version: 6, prefix: 32 } },
    });
    expect(parseOriginPattern('192.0.2.1')).toMatchObject({
      ok: true,
      value: { kind: 'cidr', cidr: { version: 4, prefix: 32 } },
    });
    expect(parseOriginPattern('*.amazonaws.com')).toMatchObject({ ok: true, value: { kind: 'glob' } });
  });

  it('refuses malformed blocks instead of treating them as globs', () => {
    expect(parseOriginPattern('10.0.0.1/8')).toEqual({
      ok: false,
      reason: '"10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
    });
    expect(parseOriginPattern('10.0.0/8')).toEqual({
      ok: false,
      reason: '"10.0.0/8" is not an IPv4 or IPv6 CIDR block',
    });
    expect(parseOriginPattern('10.0.0.0/8/9')).toEqual({
      ok: false,
      reason: '"10.0.0.0/8/9": prefix length must be 0-32',
    });
    expect(parseOriginPattern('2001:db8::/129')).toEqual({
      ok: false,
      reason: '"2001:db8::/129": prefix length must be 0-128',
    });
    expect(parseOriginPattern('AS99999999999')).toEqual({
      ok: false,
      reason: '"AS99999999999": ASN out of range',
    });
  });
});

describe('parseExpiry', () => {
  it('reads dates and zoned date-times and refuses days that do not exist or zoneless times', () => {
    expect(parseExpiry('2026-09-30')).toBe(Date.UTC(2026, 8, 30));
    expect(parseExpiry('2026-09-30T18:30:00Z')).toBe(Date.UTC(2026, 8, 30, 18, 30));
    expect(parseExpiry('2026-09-30T18:30+02:00')).toBe(Date.UTC(2026, 8, 30, 16, 30));
    expect(parseExpiry('2026-02-30')).toBeUndefined();
    expect(parseExpiry('2026-09-30T18:30:00')).toBeUndefined();
    expect(parseExpiry('30/09/2026')).toBeUndefined();
    expect(parseExpiry('2026-09-30T25:00:00Z')).toBeUndefined();
  });
});

describe('suppressionProblems and describeSuppression', () => {
  it('lists what is wrong with a suppression', () => {
    expect(suppressionProblems({ rule: '', reason: ' ', expires: 'soon' })).toEqual([
      'reason: required',
      'expires: "soon" is not an ISO 8601 date (2026-09-30) or date-time with a zone (2026-09-30T18:00:00Z)',
      'rule: empty pattern',
    ]);
    expect(suppressionProblems(sup({ rule: 'x' }))).toEqual([]);
  });

  it('names a suppression by id, else by its patterns', () => {
    expect(describeSuppression(sup({ id: 'ci-egress', rule: 'x' }))).toBe('ci-egress');
    expect(describeSuppression(sup({ rule: 'new-source', origin: 'AS16509' }))).toBe(
      'rule=new-source origin=AS16509',
    );
  });
});
