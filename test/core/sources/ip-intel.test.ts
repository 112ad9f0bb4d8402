import { parseIpv4 } from '../../../lambdas/core/cidr.js';
import {
  awsServiceFromSource,
  buildOrigin,
  NO_IP_INTEL,
  parseIp,
} from '../../../lambdas/core/sources/ip-intel.js';
import { TableIpIntel } from './fixtures.js';

describe('parseIp', () => {
  it.each([
    ['192.0.2.10', { version: 4, network: '192.0.2.0/24', isPrivate: false }],
    ['10.8.8.10', { version: 4, network: '10.8.8.0/24', isPrivate: true }],
    ['172.31.255.1', { version: 4, network: '172.31.255.0/24', isPrivate: true }],
    ['172.32.0.1', { version: 4, network: '172.32.0.0/24', isPrivate: false }],
    ['100.64.3.4', { version: 4, network: '100.64.3.0/24', isPrivate: true }],
    ['169.254.169.254', { version: 4, network: '169.254.169.0/24', isPrivate: true }],
    ['127.0.0.1', { version: 4, network: '127.0.0.0/24', isPrivate: true }],
    ['2001:db8:1:2::5', { version: 6, network: '2001:db8:1::/48', isPrivate: false }],
    ['2001:DB8:0001:0002:0000:0000:0000:0005', { version: 6, network: '2001:db8:1::/48', isPrivate: false }],
    ['::1', { version: 6, network: '0:0:0::/48', isPrivate: true }],
    ['fd12:3456:789a::1', { version: 6, network: 'fd12:3456:789a::/48', isPrivate: true }],
    ['fe80::1ff:fe23:4567:890a', { version: 6, network: 'fe80:0:0::/48', isPrivate: true }],
    [
      '::ffff:198.51.100.7',
      { version: 4, network: '198.51.100.0/24', isPrivate: false, lookupText: '198.51.100.7' },
    ],
    ['64:ff9b::192.0.2.33', { version: 6, network: '64:ff9b:0::/48', isPrivate: false }],
  ])('parses %s', (text, expected) => {
    expect(parseIp(text)).toMatchObject(expected);
  });

  it.each([
    ['255.090.254.5', '255.90.254.5', '255.90.254.0/24'],
    ['253.252.51.07', '253.252.51.7', '253.252.51.0/24'],
    ['08.1.250.216', '8.1.250.216', '8.1.250.0/24'],
    ['010.0.0.001', '10.0.0.1', '10.0.0.0/24'],
  ])('reads %s (leading zeros) as decimal and canonicalises it', (text, canonical, network) => {
    expect(parseIp(text)).toEqual({
      version: 4,
      network,
      isPrivate: canonical.startsWith('10.'),
      lookupText: canonical,
      text: canonical,
    });
  });

  it('keeps the logged text of a plain address', () => {
    expect(parseIp('192.0.2.10')?.text).toBe('192.0.2.10');
    expect(parseIp('2001:DB8::5')?.text).toBe('2001:DB8::5');
  });

  it.each([
    '0255.1.1.1',
    '1.2.3.0004',
    '0x7f.0.0.1',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.256',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.',
    '81.2.69.142, 192.168.10.10',
    'AWS Internal',
    'lambda.amazonaws.com',
    '',
    '-',
    '1::2::3',
    'fe80::1%eth0',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    ':::',
  ])('does not take %j for an address', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('computes the 32-bit value of an IPv4 address', () => {
    expect(parseIpv4('203.0.113.9')).toBe(203 * 2 ** 24 + 113 * 256 + 9);
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
  });
});

describe('awsServiceFromSource', () => {
  it('recognises service principals and AWS Internal, nothing else', () => {
    expect(awsServiceFromSource('lambda.amazonaws.com')).toBe('lambda.amazonaws.com');
    expect(awsServiceFromSource('AWS Internal')).toBe('AWS Internal');
    expect(awsServiceFromSource('203.0.113.9')).toBeUndefined();
    expect(awsServiceFromSource('evil.amazonaws.com, 198.51.100.7')).toBeUndefined();
  });
});

describe('buildOrigin', () => {
  it('carries a leading-zero address in its canonical form, looked up and placed in its network', () => {
    const intel = new TableIpIntel({ '198.51.100.7': { asn: 64500, asOrg: 'Example Hosting' } });
    const origin = buildOrigin({ source: '198.051.100.007' }, intel);
    expect(origin).toMatchObject({
      ip: '198.51.100.7',
      isIp: true,
      network: '198.51.100.0/24',
      asn: 64500,
      isAws: false,
    });
  });

  it('keeps an unparseable source as logged, not an address', () => {
    expect(buildOrigin({ source: '1.2.3.0004' }, NO_IP_INTEL)).toMatchObject({
      ip: '1.2.3.0004',
      isIp: false,
    });
  });

  it('marks AWS networks by ASN and does not look up private addresses', () => {
    const intel = new TableIpIntel({
      '203.0.113.9': { asn: 14618, asOrg: 'Amazon.com, Inc.' },
      '198.51.100.7': { asn: 8987, asOrg: 'Amazon Data Services Ireland' },
    });
    expect(buildOrigin({ source: '203.0.113.9' }, intel)).toMatchObject({ isAws: true, asn: 14618 });
    expect(buildOrigin({ source: '198.51.100.7' }, intel)).toMatchObject({ isAws: true, asn: 8987 });
    expect(buildOrigin({ source: '10.1.2.3' }, intel)).toMatchObject({ isAws: false, isPrivate: true });
    expect(intel.lookups).not.toContain('10.1.2.3');
  });

  it('looks each distinct address up once per database', () => {
    const intel = new TableIpIntel({ '192.0.2.44': { asn: 64496 } });
    for (let i = 0; i < 5; i++) buildOrigin({ source: '192.0.2.44' }, intel);
    expect(intel.lookups).toEqual(['192.0.2.44']);
  });

  it('caps attacker-sized user agents and sources', () => {
    const origin = buildOrigin(
      { source: 'x'.repeat(10_000), userAgent: 'curl/8.0 '.repeat(1000) },
      NO_IP_INTEL,
    );
    expect(origin.ip?.length).toBe(256);
    expect(origin.userAgent?.length).toBe(1024);
    expect(origin.userAgentFamily).toBe('curl');
  });

  it('reports no user agent as family none', () => {
    expect(buildOrigin({}, NO_IP_INTEL)).toEqual({
      isIp: false,
      isAws: false,
      isPrivate: false,
      userAgentFamily: 'none',
      userAgentClass: 'unknown',
    });
  });
});
