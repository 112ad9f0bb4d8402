/**
 * Origin enrichment: parse a logged source address, place it in its network, and ask an
 * offline IP database (behind the {@link IpIntel} port) for its ASN, organisation and country.
 * Pure: the database is handed in; nothing here reads files or the clock.
 */
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
}

/** Parse a dotted-quad strictly (no leading zeros, octets ≤ 255); returns the 32-bit value or -1. */
export function parseIpv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0) leadingZero = c === 48;
      else if (leadingZero) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Parse an IPv6 address into 8 hextets; undefined when malformed. Zone ids are rejected. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45 || text.indexOf(':') < 0) return undefined;
  const doubleColon = text.indexOf('::');
  if (doubleColon >= 0 && text.indexOf('::', doubleColon + 1) >= 0) return undefined;
  const head = doubleColon >= 0 ? text.slice(0, doubleColon) : text;
  const tail = doubleColon >= 0 ? text.slice(doubleColon + 2) : '';
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const tailGroups: number[] = [];
  const parsePart = (parts: string[], out: number[], isLast: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (isLast && i === parts.length - 1 && part.indexOf('.') >= 0) {
        const v4 = parseIpv4(part);
        if (v4 < 0) return false;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (part.length === 0 || part.length > 4) return false;
      let v = 0;
      for (let j = 0; j < part.length; j++) {
        const c = part.charCodeAt(j);
        let d: number;
        if (c >= 48 && c <= 57) d = c - 48;
        else if (c >= 97 && c <= 102) d = c - 87;
        else if (c >= 65 && c <= 70) d = c - 55;
        else return false;
        v = v * 16 + d;
      }
      out.push(v);
    }
    return true;
  };
  if (doubleColon >= 0) {
    if (!parsePart(headParts, groups, false) || !parsePart(tailParts, tailGroups, true)) return undefined;
    const missing = 8 - groups.length - tailGroups.length;
    if (missing < 1) return undefined;
    for (let i = 0; i < missing; i++) groups.push(0);
    for (const g of tailGroups) groups.push(g);
    return groups;
  }
  if (!parsePart(headParts, groups, true)) return undefined;
  return groups.length === 8 ? groups : undefined;
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

/** Parse a logged address (IPv4, IPv6, IPv4-mapped IPv6); undefined for anything else. */
export function parseIp(raw: string): ParsedIp | undefined {
  if (raw.length === 0 || raw.length > 45) return undefined;
  const v4 = parseIpv4(raw);
  if (v4 >= 0) return { version: 4, network: v4Network(v4), isPrivate: isPrivateV4(v4), lookupText: raw };
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
  let awsService = input.invokedBy;
  if (source !== undefined && source.length > 0) {
    origin.ip = source;
    const facts = addressFacts(source, intel);
    if (facts.parsed !== undefined) {
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
    origin.vpcEndpointId = input.vpcEndpointId;
  if (userAgent !== undefined && userAgent.length > 0) origin.userAgent = userAgent;
  return origin;
}
