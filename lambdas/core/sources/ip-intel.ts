/**
 * Origin enrichment: parse a logged source address, place it in its network, and ask an
 * offline IP database (behind the {@link IpIntel} port) for its ASN, organisation and country.
 * Pure: the database is handed in; nothing here reads files or the clock.
 */
import { parseIpv4, parseIpv6 } from '../cidr.js';
import type { Origin } from '../identity-event.js';
import { capped } from './fields.js';
import { classifyUserAgent } from './user-agent.js';

/** What an IP database knows about one address. */
export interface IpInfo {
  readonly asn?: number;
  readonly asOrg?: string;
  /** ISO 3166 alpha-2. */
  readonly country?: string;
}

/** Port for an offline IP database, so core stays pure and the data file stays replaceable. */
export interface IpIntel {
  /** Look up a textual IPv4 / IPv6 address; undefined when unknown or not an address. */
  lookup(ip: string): IpInfo | undefined;
}

/** An IpIntel that knows nothing: for tests and for runs without the data file. */
export const NO_IP_INTEL: IpIntel = { lookup: () => undefined };

/** Amazon's autonomous systems (AS16509 Amazon.com, AS14618 Amazon AES, AS8987 Amazon EU): "inside AWS". */
export const AWS_ASNS: ReadonlySet<number> = new Set([16509, 14618, 8987]);

/** A syntactically valid IP address reduced to what the detectors need. */
export interface ParsedIp {
  readonly version: 4 | 6;
  /** `a.b.c.0/24` for IPv4 (also IPv4-mapped IPv6), `h:h:h::/48` for IPv6. */
  readonly network: string;
  /** RFC 1918, loopback, link-local, CGNAT, unspecified, IPv6 ULA / link-local. */
  readonly isPrivate: boolean;
  /** The canonical text to look up (IPv4-mapped IPv6 is unwrapped to IPv4). */
  readonly lookupText: string;
  /**
   * The address as events carry it: the logged text, except an IPv4 address written with leading
   * zeros, which is canonicalised (`253.252.51.07` → `253.252.51.7`) so that it compares equal to
   * the same address written plainly.
   */
  readonly text: string;
}

function isPrivateV4(v: number): boolean {
  const a = Math.floor(v / 16777216);
  const b = Math.floor(v / 65536) % 256;
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function v4Text(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

function v4Network(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.0/24`;
}

/**
 * Parse a logged address (IPv4, IPv6, IPv4-mapped IPv6); undefined for anything else. A dotted quad
 * whose octets carry leading zeros (anonymised or re-written logs: `255.090.254.5`) is read as
 * decimal — never octal, as `inet_aton` would — and canonicalised; AWS itself never logs them.
 */
export function parseIp(raw: string): ParsedIp | undefined {
  if (raw.length === 0 || raw.length > 45) return undefined;
  const strict = parseIpv4(raw);
  const v4 = strict >= 0 ? strict : parseIpv4(raw, 0, raw.length, true);
  if (v4 >= 0) {
    const text = strict >= 0 ? raw : v4Text(v4);
    return { version: 4, network: v4Network(v4), isPrivate: isPrivateV4(v4), lookupText: text, text };
  }
  const g = parseIpv6(raw);
  if (g === undefined) return undefined;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    const mapped = g6 * 65536 + g7;
    return {
      version: 4,
      network: v4Network(mapped),
      isPrivate: isPrivateV4(mapped),
      lookupText: v4Text(mapped),
      text: raw,
    };
  }
  const isUnspecifiedOrLoopback =
    g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 <= 1;
  const isPrivate = isUnspecifiedOrLoopback || (g0 & 0xfe00) === 0xfc00 || (g0 & 0xffc0) === 0xfe80;
  return {
    version: 6,
    network: `${g0.toString(16)}:${g1.toString(16)}:${g2.toString(16)}::/48`,
    isPrivate,
    lookupText: raw.toLowerCase(),
    text: raw,
  };
}

/** True when a logged source is an AWS service rather than an address (`lambda.amazonaws.com`, `AWS Internal`). */
export function awsServiceFromSource(source: string): string | undefined {
  if (source === 'AWS Internal') return source;
  if (source.endsWith('.amazonaws.com') && source.indexOf(' ') < 0 && source.indexOf(',') < 0) return source;
  return undefined;
}

interface AddressFacts {
  readonly parsed: ParsedIp | undefined;
  readonly info: IpInfo | undefined;
}

const ADDRESS_CACHE_LIMIT = 8192;
const addressCaches = new WeakMap<IpIntel, Map<string, AddressFacts>>();

/** Parse + look up one address, memoised per database (bounded: a batch rarely has many distinct sources). */
function addressFacts(raw: string, intel: IpIntel): AddressFacts {
  let cache = addressCaches.get(intel);
  if (cache === undefined) {
    cache = new Map();
    addressCaches.set(intel, cache);
  }
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const parsed = parseIp(raw);
  const facts: AddressFacts = {
    parsed,
    info: parsed === undefined || parsed.isPrivate ? undefined : intel.lookup(parsed.lookupText),
  };
  if (cache.size >= ADDRESS_CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(raw, facts);
  return facts;
}

/** Everything the normalisers know about where a call came from, before enrichment. */
export interface OriginInput {
  /** Source as logged: an address, an AWS service name, `AWS Internal`, or junk. */
  readonly source?: string | undefined;
  readonly userAgent?: string | undefined;
  /** AWS service that acted on the caller's behalf (CloudTrail `invokedBy`). */
  readonly invokedBy?: string | undefined;
  readonly vpcEndpointId?: string | undefined;
}

const MAX_USER_AGENT_CHARS = 1024;
const MAX_SOURCE_CHARS = 256;
/** Real values are short (`ec2.amazonaws.com`, `vpce-0123456789abcdef0`); capped like every learned text. */
const MAX_SERVICE_CHARS = 128;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Build the {@link Origin} of an identity event: network, ASN, country, AWS or not, user-agent family. */
export function buildOrigin(input: OriginInput, intel: IpIntel): Origin {
  const userAgent = input.userAgent === undefined ? undefined : capped(input.userAgent, MAX_USER_AGENT_CHARS);
  const ua = classifyUserAgent(userAgent);
  const origin: Mutable<Origin> = {
    isIp: false,
    isAws: false,
    isPrivate: false,
    userAgentFamily: ua.family,
    userAgentClass: ua.class,
  };
  const source = input.source === undefined ? undefined : capped(input.source, MAX_SOURCE_CHARS);
  let awsService = input.invokedBy === undefined ? undefined : capped(input.invokedBy, MAX_SERVICE_CHARS);
  if (source !== undefined && source.length > 0) {
    origin.ip = source;
    const facts = addressFacts(source, intel);
    if (facts.parsed !== undefined) {
      origin.ip = facts.parsed.text;
      origin.isIp = true;
      origin.network = facts.parsed.network;
      origin.isPrivate = facts.parsed.isPrivate;
      const info = facts.info;
      if (info !== undefined) {
        if (info.asn !== undefined) {
          origin.asn = info.asn;
          if (AWS_ASNS.has(info.asn)) origin.isAws = true;
        }
        if (info.asOrg !== undefined) origin.asOrg = info.asOrg;
        if (info.country !== undefined) origin.country = info.country;
      }
    } else if (awsService === undefined) {
      awsService = awsServiceFromSource(source);
    }
  }
  if (awsService !== undefined && awsService.length > 0) {
    origin.awsService = awsService;
    origin.isAws = true;
  }
  if (input.vpcEndpointId !== undefined && input.vpcEndpointId.length > 0)
    origin.vpcEndpointId = capped(input.vpcEndpointId, MAX_SERVICE_CHARS);
  if (userAgent !== undefined && userAgent.length > 0) origin.userAgent = userAgent;
  return origin;
}
