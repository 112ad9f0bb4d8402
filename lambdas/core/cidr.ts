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

function parseIpv4Bytes(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    // Decimal only, no leading zeros (a leading zero is octal to some parsers: ambiguous, refused).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[offset + i] = n;
  }
  return true;
}

function parseIpv6Bytes(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0] as string);
  const tail = halves.length === 2 ? groupsOf(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const pushGroups = (groups: string[], isLast: boolean, target: number[]): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] as string;
      if (isLast && i === groups.length - 1 && g.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIpv4Bytes(g, v4, 0)) return false;
        target.push(
          ((v4[0] as number) << 8) | (v4[1] as number),
          ((v4[2] as number) << 8) | (v4[3] as number),
        );
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      target.push(parseInt(g, 16));
    }
    return true;
  };
  const tailWords: number[] = [];
  if (halves.length === 2) {
    if (!pushGroups(head, false, words) || !pushGroups(tail, true, tailWords)) return undefined;
    if (words.length + tailWords.length > 7) return undefined;
    while (words.length + tailWords.length < 8) words.push(0);
    words.push(...tailWords);
  } else {
    if (!pushGroups(head, true, words) || words.length !== 8) return undefined;
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = words[i] as number;
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
  if (text.includes(':')) {
    const bytes = parseIpv6Bytes(text);
    if (!bytes) return undefined;
    if (isV4Mapped(bytes)) return { version: 4, bytes: bytes.slice(12) };
    return { version: 6, bytes };
  }
  const bytes = new Uint8Array(4);
  return parseIpv4Bytes(text, bytes, 0) ? { version: 4, bytes } : undefined;
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
    bytes = parseIpv6Bytes(addrText);
  } else {
    bytes = new Uint8Array(4);
    if (!parseIpv4Bytes(addrText, bytes, 0)) bytes = undefined;
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
