import fc from 'fast-check';
import {
  cidrContains,
  firstContainingCidr,
  formatCidr,
  formatIp,
  isPrivateCidr,
  parseCidr,
  parseIp,
} from '../../lambdas/core/cidr';

const cidr = (text: string) => {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const ip = (text: string) => {
  const a = parseIp(text);
  if (!a) throw new Error(`not an address: ${text}`);
  return a;
};

describe('parseIp', () => {
  it.each([
    ['192.0.2.1', 4, '192.0.2.1'],
    ['0.0.0.0', 4, '0.0.0.0'],
    ['255.255.255.255', 4, '255.255.255.255'],
    ['2001:db8::1', 6, '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1'],
    ['::', 6, '::'],
    ['::1', 6, '::1'],
    ['fe80::', 6, 'fe80::'],
    ['1:2:3:4:5:6:7:8', 6, '1:2:3:4:5:6:7:8'],
    ['1:0:0:2:0:0:0:3', 6, '1:0:0:2::3'],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::c000:221'],
    ['::ffff:192.0.2.1', 4, '192.0.2.1'],
    ['::ffff:c000:0201', 4, '192.0.2.1'],
  ])('%s is IPv%s %s', (text, version, canonical) => {
    const a = ip(text);
    expect(a.version).toBe(version);
    expect(formatIp(a)).toBe(canonical);
  });

  it.each([
    '',
    '192.0.2',
    '192.0.2.1.5',
    '192.0.2.256',
    '192.0.2.01',
    '192.0.2.-1',
    ' 192.0.2.1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::1',
    'fe80::1%eth0',
    '[2001:db8::1]',
    ':::',
    '1.2.3.4::',
    'AWS Internal',
    'lambda.amazonaws.com',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => void parseIp(s)));
    fc.assert(fc.property(fc.string(), (s) => void parseCidr(s)));
  });

  it('round-trips every IPv4 and IPv6 address through its canonical text', () => {
    fc.assert(fc.property(fc.ipV4(), (s) => formatIp(ip(s)) === formatIp(ip(formatIp(ip(s))))));
    fc.assert(
      fc.property(fc.ipV6(), (s) => {
        const a = ip(s);
        expect(formatIp(ip(formatIp(a)))).toBe(formatIp(a));
      }),
    );
  });
});

describe('parseCidr', () => {
  it('reads v4 and v6 blocks and treats a bare address as a host block', () => {
    expect(formatCidr(cidr('203.0.113.0/24'))).toBe('203.0.113.0/24');
    expect(formatCidr(cidr('2001:db8:7::/48'))).toBe('2001:db8:7::/48');
    expect(cidr('192.0.2.7').prefix).toBe(32);
    expect(cidr('2001:db8::7').prefix).toBe(128);
    expect(cidr('0.0.0.0/0').prefix).toBe(0);
  });

  it('refuses host bits and names the network that was probably meant', () => {
    expect(parseCidr('10.0.0.1/8')).toEqual({
      ok: false,
      reason: '"10.0.0.1/8" has host bits set; the network is 10.0.0.0/8',
    });
    expect(parseCidr('2001:db8::1/32')).toEqual({
      ok: false,
      reason: '"2001:db8::1/32" has host bits set; the network is 2001:db8::/32',
    });
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '10.0.0.0/-1', '::/129', 'foo/8', '10.0.0/8'])(
    'refuses %j',
    (text) => {
      expect(parseCidr(text).ok).toBe(false);
    },
  );
});

describe('cidrContains', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.0', true],
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['203.0.113.128/25', '203.0.113.127', false],
    ['203.0.113.128/25', '203.0.113.200', true],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['192.0.2.7/32', '192.0.2.7', true],
    ['192.0.2.7/32', '192.0.2.8', false],
    ['2001:db8:7::/48', '2001:db8:7:ffff::1', true],
    ['2001:db8:7::/48', '2001:db8:8::1', false],
    ['2001:db8::/29', '2001:dbf::1', true],
    ['2001:db8::/29', '2001:dc0::1', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '192.0.2.1', false],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['203.0.113.0/24', '::ffff:203.0.113.9', true],
    ['::ffff:0:0/96', '192.0.2.1', true],
  ])('%s contains %s: %s', (block, addr, expected) => {
    expect(cidrContains(cidr(block), ip(addr))).toBe(expected);
  });

  it('agrees with a plain prefix comparison for random IPv4 addresses and blocks', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, n, prefix) => {
        const toInt = (s: string) => s.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const net = (toInt(n) & mask) >>> 0;
        const netText = [24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.');
        const expected = (toInt(a) & mask) >>> 0 === net;
        expect(cidrContains(cidr(`${netText}/${prefix}`), ip(a))).toBe(expected);
      }),
    );
  });
});

describe('firstContainingCidr', () => {
  it('names the block that allowed the address, skipping the others', () => {
    expect(firstContainingCidr(['198.51.100.0/24', '2001:db8::/32', '203.0.113.0/24'], '203.0.113.5')).toBe(
      '203.0.113.0/24',
    );
    expect(firstContainingCidr(['198.51.100.0/24', '2001:db8::/32'], '2001:db8:1::5')).toBe('2001:db8::/32');
    expect(firstContainingCidr(['198.51.100.0/24'], '203.0.113.5')).toBeUndefined();
    expect(firstContainingCidr(['198.51.100.0/24'], 'AWS Internal')).toBeUndefined();
  });
});

describe('isPrivateCidr', () => {
  it('recognises private, CGNAT, loopback, link-local and ULA blocks only when wholly inside them', () => {
    for (const p of [
      '10.1.2.0/24',
      '172.20.0.0/16',
      '192.168.1.0/24',
      '100.64.3.0/24',
      '127.0.0.0/8',
      '169.254.0.0/16',
      'fd00:1::/48',
      'fe80::/64',
      '::1/128',
    ])
      expect(isPrivateCidr(cidr(p))).toBe(true);
    for (const p of ['203.0.113.0/24', '172.32.0.0/16', '8.0.0.0/7', '2001:db8::/48', '0.0.0.0/0'])
      expect(isPrivateCidr(cidr(p))).toBe(false);
  });
});
