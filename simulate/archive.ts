/**
 * A simulated CloudTrail S3 archive: the simulator's CloudTrail records laid out as CloudTrail
 * delivers them to a bucket — one object per account, region and delivery interval, keyed
 * `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`
 * with a `{"Records":[…]}` body. For backfill tests, demos and benchmarks. Pure: the caller gzips
 * and writes (to a folder or to S3).
 */

/** One archive object before compression. */
export interface ArchiveObject {
  readonly key: string;
  readonly account: string;
  readonly region: string;
  /** Delivery time (end of the interval), epoch ms. */
  readonly deliveredMs: number;
  /** `{"Records":[…]}`. */
  readonly body: string;
  readonly records: number;
}

/** How the archive is laid out. */
export interface ArchiveOptions {
  /** Organization trail layout (`AWSLogs/<org-id>/<account>/…`) when given. */
  readonly organizationId?: string;
  /** Minutes of events per object. @default 5 */
  readonly intervalMinutes?: number;
  /** Records within an object in reverse time order (real objects are not sorted). @default false */
  readonly isUnsorted?: boolean;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** FNV-1a of a string, as 8 hex digits: a deterministic stand-in for CloudTrail's random suffix. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);

/** Lay CloudTrail records out as an S3 archive, objects sorted by key. */
export function cloudTrailArchive(records: readonly object[], options: ArchiveOptions = {}): ArchiveObject[] {
  const intervalMs = (options.intervalMinutes ?? 5) * 60_000;
  const groups = new Map<string, { account: string; region: string; endMs: number; rows: object[] }>();
  for (const r of records) {
    const rec = r as Record<string, unknown>;
    const account = str(rec['recipientAccountId'], '000000000000');
    const region = str(rec['awsRegion'], 'us-east-1');
    const t = Date.parse(str(rec['eventTime'], ''));
    const endMs = (Math.floor((Number.isFinite(t) ? t : 0) / intervalMs) + 1) * intervalMs;
    const k = `${account}\u0000${region}\u0000${endMs}`;
    const g = groups.get(k) ?? { account, region, endMs, rows: [] };
    g.rows.push(r);
    groups.set(k, g);
  }
  const objects: ArchiveObject[] = [];
  for (const g of groups.values()) {
    const d = new Date(g.endMs);
    const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
    const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
    const rows = options.isUnsorted === true ? [...g.rows].reverse() : g.rows;
    const body = JSON.stringify({ Records: rows });
    const root = options.organizationId !== undefined ? `AWSLogs/${options.organizationId}` : 'AWSLogs';
    objects.push({
      key: `${root}/${g.account}/CloudTrail/${g.region}/${day}/${g.account}_CloudTrail_${g.region}_${stamp}_${fnv(body)}.json.gz`,
      account: g.account,
      region: g.region,
      deliveredMs: g.endMs,
      body,
      records: rows.length,
    });
  }
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
