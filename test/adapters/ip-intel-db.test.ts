import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileIpIntel,
  IpIntelDb,
  IpIntelDbError,
  loadIpIntelDb,
} from '../../lambdas/adapters/ip-intel-db.js';
import { normaliseCloudTrail } from '../../lambdas/core/sources/cloudtrail/index.js';

const v4 = (text: string): number => text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const v6 = (hex: string): string => BigInt(`0x${hex}`).toString();

/** A small database in the real CSV format: quoted names, doubled quotes, gaps, IPv6. */
const IPV4_CSV = [
  `${v4('192.0.2.0')},${v4('192.0.2.255')},64496,"Example Networks, Inc."`,
  `${v4('198.51.100.0')},${v4('198.51.100.127')},64497,"LLC ""QUOTED"""`,
  `${v4('198.51.100.128')},${v4('198.51.100.255')},16509,Amazon.com Inc.`,
  `${v4('203.0.113.0')},${v4('203.0.113.255')},64498,Plain Org`,
  '',
].join('\n');
const IPV6_CSV = [
  `${v6('20010db8000100000000000000000000')},${v6('20010db80001ffffffffffffffffffff')},64499,Example v6 One`,
  `${v6('20010db8000300000000000000000000')},${v6('20010db80003ffffffffffffffffffff')},64500,"Example v6, Three"`,
].join('\n');

describe('IpIntelDb over a compiled database', () => {
  const db = new IpIntelDb(compileIpIntel(IPV4_CSV, IPV6_CSV, 'test-data@1'), { withCountry: false });

  it('finds the ASN and organisation of an address, unquoting CSV names', () => {
    expect(db.lookup('192.0.2.200')).toEqual({ asn: 64496, asOrg: 'Example Networks, Inc.' });
    expect(db.lookup('198.51.100.1')).toEqual({ asn: 64497, asOrg: 'LLC "QUOTED"' });
    expect(db.lookup('198.51.100.200')).toEqual({ asn: 16509, asOrg: 'Amazon.com Inc.' });
    expect(db.lookup('203.0.113.255')).toEqual({ asn: 64498, asOrg: 'Plain Org' });
  });

  it('knows nothing about gaps, addresses before the first range and after the last', () => {
    expect(db.lookup('192.0.3.0')).toBeUndefined();
    expect(db.lookup('1.1.1.1')).toBeUndefined();
    expect(db.lookup('250.0.0.1')).toBeUndefined();
    expect(db.lookup('0.0.0.0')).toBeUndefined();
  });

  it('looks up IPv6 (at /64 granularity) and IPv4-mapped IPv6', () => {
    expect(db.lookup('2001:db8:1::42')).toEqual({ asn: 64499, asOrg: 'Example v6 One' });
    expect(db.lookup('2001:db8:3:ffff::1')).toEqual({ asn: 64500, asOrg: 'Example v6, Three' });
    expect(db.lookup('2001:db8:2::1')).toBeUndefined();
    expect(db.lookup('::ffff:192.0.2.7')).toEqual({ asn: 64496, asOrg: 'Example Networks, Inc.' });
  });

  it('ignores text that is not an address', () => {
    expect(db.lookup('255.090.254.5')).toBeUndefined();
    expect(db.lookup('lambda.amazonaws.com')).toBeUndefined();
  });

  it('records which data it was built from', () => {
    expect(db.sourceTag).toBe('test-data@1');
    expect(db.size.asEntries).toBe(6);
  });

  it('refuses a corrupt or truncated file', () => {
    const image = compileIpIntel(IPV4_CSV, IPV6_CSV, 'x');
    expect(() => new IpIntelDb(image.subarray(0, image.length - 3))).toThrow(IpIntelDbError);
    expect(() => new IpIntelDb(Buffer.from('not a database at all, just text'))).toThrow(IpIntelDbError);
  });
});

describe('loadIpIntelDb with the npm data', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nhi-watch-ipdb-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails fast on a missing custom file instead of building silently', () => {
    expect(() => loadIpIntelDb({ path: join(dir, 'missing.bin') })).toThrow(IpIntelDbError);
  });

  it('builds a missing file on request, then knows AWS, Google and Cloudflare by ASN and country', () => {
    const path = join(dir, 'ip-intel.bin');
    const db = loadIpIntelDb({ path, buildIfMissing: true });
    expect(db.sourceTag).toMatch(/^@ip-location-db\/asn@/);
    expect(db.lookup('8.8.8.8')).toMatchObject({ asn: 15169, asOrg: 'Google LLC', country: 'US' });
    expect(db.lookup('1.1.1.1')).toMatchObject({ asn: 13335 });
    expect(db.lookup('52.94.76.1')).toMatchObject({ asn: 16509 });
    expect(db.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169 });
    expect(db.lookup('2001:4860:4860::8888')?.country).toBeUndefined();
    expect(readFileSync(path).length).toBeLessThan(16 * 1024 * 1024);
  });

  it('rebuilds a corrupt file only when building is allowed', () => {
    const path = join(dir, 'corrupt.bin');
    writeFileSync(path, 'garbage');
    expect(() => loadIpIntelDb({ path })).toThrow(IpIntelDbError);
    expect(loadIpIntelDb({ path, buildIfMissing: true }).lookup('8.8.8.8')).toMatchObject({ asn: 15169 });
  });

  it('enriches a CloudTrail event end to end: an AWS address is inside AWS', () => {
    // The file the build test above made (built here when this test runs alone).
    const db = loadIpIntelDb({ path: join(dir, 'ip-intel.bin'), buildIfMissing: true });
    const result = normaliseCloudTrail(
      {
        eventTime: '2024-05-01T10:00:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        userIdentity: {
          type: 'IAMUser',
          accountId: '123456789012',
          userName: 'ci',
          accessKeyId: 'AKIA3EXAMPLEKEY00001',
        },
        sourceIPAddress: '52.94.76.1',
      },
      db,
    );
    expect(result.ok && result.value.origin).toMatchObject({
      asn: 16509,
      isAws: true,
      network: '52.94.76.0/24',
      country: 'US',
    });
  });
});
