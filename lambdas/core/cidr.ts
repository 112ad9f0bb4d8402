/**
 * IPv4 / IPv6 address and CIDR parsing and matching, pure and dependency-free: contracts declare
 * allowed networks as CIDR blocks and every event of a contracted identity is checked against them.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are treated as the IPv4 address they carry.
 */
import type { ParseResult } from './identity-event.js';

/** A parsed address: 4 or 16 bytes, network order. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A parsed CIDR block: the network address (host bits zero) and prefix length. */
export interface Cidr {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/**
 * Parse a dotted-quad strictly (decimal, no leading zeros: a leading zero is octal to some parsers,
 * so ambiguous and refused; octets ≤ 255); returns the 32-bit value or -1. A character loop with
 * no allocation: the normalisers call it for every event's source address.
 *
 * `isLeadingZeroDecimal` accepts octets written with leading zeros (at most three digits each) and
 * reads them as decimal (`253.252.51.07` is 253.252.51.7): for logged source addresses only, where
 * re-written or anonymised logs pad octets; CIDR blocks in contracts stay strict.
 */
export function parseIpv4(text: string, start = 0, end = text.length, isLeadingZeroDecimal = false): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0) leadingZero = c === 48;
      else if (leadingZero && !isLeadingZeroDecimal) return -1;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255 || digits > 3) return -1;
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

/** Parse an IPv6 address (a dotted IPv4 tail allowed) into 8 hextets; undefined when malformed. Zone ids are rejected. */
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

/** The 4 bytes of a 32-bit IPv4 value, network order. */
function v4Bytes(v: number): Uint8Array {
  return Uint8Array.of(
    Math.floor(v / 16777216),
    Math.floor(v / 65536) % 256,
    Math.floor(v / 256) % 256,
    v % 256,
  );
}

/** The 16 bytes of 8 hextets, network order. */
function v6Bytes(hextets: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = hextets[i] as number;
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  }
  return bytes;
}

const isV4Mapped = (b: Uint8Array): boolean => {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
};

/** Parse an IPv4 or IPv6 address (no zone, no brackets); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 >= 0) return { version: 4, bytes: v4Bytes(v4) };
  const hextets = parseIpv6(text);
  if (!hextets) return undefined;
  const bytes = v6Bytes(hextets);
  return isV4Mapped(bytes) ? { version: 4, bytes: bytes.slice(12) } : { version: 6, bytes };
}

/** Whether the first `prefix` bits of `a` and `b` are equal. */
function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] as number) & mask) === ((b[full] as number) & mask);
}

/**
 * Parse a CIDR block (`203.0.113.0/24`, `2001:db8::/32`; a bare address is a /32 or /128).
 * Host bits must be zero: `10.0.0.1/8` is refused as a likely typo, naming the network meant.
 */
export function parseCidr(text: string): ParseResult<Cidr> {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  // Blocks keep the family they are written in: `::ffff:0:0/96` is an IPv6 block.
  const version: 4 | 6 = addrText.includes(':') ? 6 : 4;
  let bytes: Uint8Array | undefined;
  if (version === 6) {
    const hextets = parseIpv6(addrText);
    bytes = hextets && v6Bytes(hextets);
  } else {
    const v4 = parseIpv4(addrText);
    bytes = v4 >= 0 ? v4Bytes(v4) : undefined;
  }
  if (!bytes) return { ok: false, reason: `"${text}" is not an IPv4 or IPv6 CIDR block` };
  const maxPrefix = version === 4 ? 32 : 128;
  let prefix = maxPrefix;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > maxPrefix) {
      return { ok: false, reason: `"${text}": prefix length must be 0-${maxPrefix}` };
    }
    prefix = Number(p);
  }
  const network = new Uint8Array(bytes.length);
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) network[i] = bytes[i] as number;
  if (full < bytes.length && (prefix & 7) !== 0)
    network[full] = (bytes[full] as number) & ((0xff << (8 - (prefix & 7))) & 0xff);
  if (!samePrefix(network, bytes, bytes.length * 8)) {
    return {
      ok: false,
      reason: `"${text}" has host bits set; the network is ${formatCidr({ version, bytes: network, prefix })}`,
    };
  }
  return { ok: true, value: { version, bytes: network, prefix } };
}

/** Canonical text of a CIDR block (IPv6 compressed per RFC 5952). */
export function formatCidr(c: Cidr): string {
  return `${formatIp({ version: c.version, bytes: c.bytes })}/${c.prefix}`;
}

/** Canonical text of an address (IPv6 compressed per RFC 5952: longest zero run of ≥2 groups becomes `::`). */
export function formatIp(ip: IpAddress): string {
  const b = ip.bytes;
  if (ip.version === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[2 * i] as number) << 8) | (b[2 * i + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j += 1;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart === -1) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Whether a block contains an address (IPv4 addresses match IPv4 blocks and blocks inside `::ffff:0:0/96` only). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version === 6 && ip.version === 4) {
    // Only blocks inside ::ffff:0:0/96 hold IPv4 addresses (in mapped form); `::/0` means "any IPv6".
    if (cidr.prefix < 96 || !isV4Mapped(cidr.bytes)) return false;
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped.set(ip.bytes, 12);
    return samePrefix(cidr.bytes, mapped, cidr.prefix);
  }
  if (cidr.version !== ip.version) return false;
  return samePrefix(cidr.bytes, ip.bytes, cidr.prefix);
}

/**
 * The first of `cidrs` (CIDR text) that contains `ip` (address text), or undefined. Entries that do
 * not parse are skipped (contract files are validated when loaded, so none should reach here).
 */
export function firstContainingCidr(cidrs: readonly string[], ip: string): string | undefined {
  const addr = parseIp(ip);
  if (!addr) return undefined;
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (c.ok && cidrContains(c.value, addr)) return text;
  }
  return undefined;
}

const PRIVATE_BLOCKS: readonly Cidr[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
].map((t) => {
  const c = parseCidr(t);
  if (!c.ok) throw new Error(`bad built-in block ${t}`);
  return c.value;
});

/** Whether a whole block lies in private / loopback / link-local / CGNAT space (drafted contracts list such networks). */
export function isPrivateCidr(c: Cidr): boolean {
  return PRIVATE_BLOCKS.some(
    (p) => p.version === c.version && p.prefix <= c.prefix && samePrefix(p.bytes, c.bytes, p.prefix),
  );
}
