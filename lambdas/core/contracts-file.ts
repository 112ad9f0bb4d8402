/**
 * Integration-contract files: validate them (versioned, unknown fields refused so a typo cannot
 * silently switch a check off), write them back as JSON, draft one from what an identity was
 * observed doing, and diff a contract against a baseline. Pure: callers read the files. Reads JSON
 * only, so the Lambdas carry no YAML parser: YAML files go through `parseContracts` and
 * `stringifyContracts` (yaml-text.ts), which the CLI and the stack use.
 */
import { entriesOf, keysOf } from './safe-record.js';
import { z } from 'zod';
import { totalCalls } from './baseline-facts.js';
import type { Dimension, IdentityBaseline } from './baseline.js';
import { cidrContains, isPrivateCidr, parseCidr } from './cidr.js';
import type { Contract } from './contracts.js';
import { firstMatchingGlob, matchesGlob } from './glob.js';
import type { CredentialKind, ParseResult } from './identity-event.js';
import { AWS_ASNS } from './sources/ip-intel.js';

/** The contract-file format version this code reads and writes. */
export const CONTRACT_FILE_VERSION = 1;

/** Text formats a contract file can be written in. */
export type ContractFormat = 'yaml' | 'json';

/** The format a file name implies (`.yaml` / `.yml` / `.json`), or undefined. */
export function contractFormatOf(path: string): ContractFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith('.yaml') || p.endsWith('.yml')) return 'yaml';
  if (p.endsWith('.json')) return 'json';
  return undefined;
}

/** Credential kinds a contract may allow (`unknown` is what a log could not tell, never a declaration). */
const DECLARABLE_CREDENTIAL_KINDS = [
  'long-lived-key',
  'session-key',
  'bearer-token',
  'api-key',
  'mtls-certificate',
  'console-session',
  'sigv4',
  'none',
] as const satisfies readonly CredentialKind[];

const NON_EMPTY_LIST = 'must list at least one value (omit the field to leave it unconstrained)';
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1, { error: NON_EMPTY_LIST });
const text = z.string().min(1, { error: 'must not be empty' });
const positiveInt = z.number().int().min(1);

const cidrText = z.string().superRefine((value, ctx) => {
  const r = parseCidr(value);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
});

const contractSchema = z
  .strictObject({
    identity: text,
    description: z.string().optional(),
    allowedAsns: list(z.number().int().min(0).max(4_294_967_295)).optional(),
    allowedNetworks: list(cidrText).optional(),
    allowedVpcEndpoints: list(
      z.string().regex(/^vpce-[0-9a-f]{8,17}$/, {
        error: 'is not a VPC endpoint id (vpce- followed by 8-17 hex digits)',
      }),
    ).optional(),
    allowedActions: list(text).optional(),
    allowedScopes: list(text).optional(),
    userAgentPatterns: list(text).optional(),
    rateEnvelope: z
      .strictObject({ maxPerMinute: positiveInt.optional(), maxPerHour: positiveInt.optional() })
      .refine((r) => r.maxPerMinute !== undefined || r.maxPerHour !== undefined, {
        error: 'declares neither maxPerMinute nor maxPerHour',
      })
      .optional(),
    activeHoursUtc: z
      .strictObject({ start: z.number().int().min(0).max(23), end: z.number().int().min(1).max(24) })
      .refine((h) => h.start !== h.end, {
        error: 'start and end are equal: an empty window (use start 0, end 24 for all day)',
      })
      .optional(),
    allowedCredentialKinds: list(z.enum(DECLARABLE_CREDENTIAL_KINDS)).optional(),
  })
  .refine((c) => Object.keys(c).some((k) => k !== 'identity' && k !== 'description'), {
    error: 'declares no constraint: add at least one allowed… field, activeHoursUtc or rateEnvelope',
  });

const fileSchema = z.strictObject({
  version: z.literal(CONTRACT_FILE_VERSION, {
    error: `unsupported version: this nhi-watch reads version ${CONTRACT_FILE_VERSION}`,
  }),
  contracts: z.array(contractSchema),
});

/** Field names known at each level of the file, for "did you mean" hints. */
const KNOWN_FIELDS: Record<string, readonly string[]> = {
  top: Object.keys(fileSchema.shape),
  contract: [
    'identity',
    'description',
    'allowedAsns',
    'allowedNetworks',
    'allowedVpcEndpoints',
    'allowedActions',
    'allowedScopes',
    'userAgentPatterns',
    'rateEnvelope',
    'activeHoursUtc',
    'allowedCredentialKinds',
  ],
  rateEnvelope: ['maxPerMinute', 'maxPerHour'],
  activeHoursUtc: ['start', 'end'],
};

type PathKey = string | number | symbol;

/** `contracts[0].allowedAsns[1]` from `['contracts', 0, 'allowedAsns', 1]`. */
function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : `${out === '' ? '' : '.'}${String(k)}`;
  return out === '' ? '(top level)' : out;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PathKey, unknown>)[k];
  }
  return v;
}

/** How a value is named in an error: `"AS123"`, `3.5`, `a list`, `nothing`. */
function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  boolean: 'true or false',
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(
        cur + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length] as number;
}

function suggestion(key: string, path: readonly PathKey[]): string {
  const last = path.at(-1);
  const level = path.length === 0 ? 'top' : typeof last === 'number' ? 'contract' : String(last);
  const known = KNOWN_FIELDS[level] ?? [];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)))
    return ` (did you mean "${best}"?)`;
  return known.length > 0 ? ` (known fields: ${known.join(', ')})` : '';
}

/** One readable line per zod issue, naming the field path and the offending value. */
function issueLines(issue: z.core.$ZodIssue, root: unknown): string[] {
  const path = issue.path as readonly PathKey[];
  const got = valueAt(root, path);
  if (
    got === undefined &&
    path.length > 0 &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_value')
  ) {
    return [`${formatPath(path)}: missing (required)`];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${formatPath([...path, k])}: unknown field${suggestion(k, path)}`);
    case 'invalid_type': {
      const hint =
        issue.expected === 'number' && typeof got === 'string' && /^AS\d+$/i.test(got)
          ? ` (write ${got.slice(2)}, without "AS")`
          : '';
      return [
        `${formatPath(path)}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(got)}${hint}`,
      ];
    }
    case 'too_small':
      if (issue.origin === 'array') return [`${formatPath(path)}: ${NON_EMPTY_LIST}`];
      if (issue.origin === 'string') return [`${formatPath(path)}: must not be empty`];
      return [`${formatPath(path)}: must be at least ${String(issue.minimum)}, got ${describeValue(got)}`];
    case 'too_big':
      return [`${formatPath(path)}: must be at most ${String(issue.maximum)}, got ${describeValue(got)}`];
    case 'invalid_value':
      if (issue.values.length > 1) {
        return [
          `${formatPath(path)}: expected one of ${issue.values.map((v) => String(v)).join(', ')}; got ${describeValue(got)}`,
        ];
      }
      return [`${formatPath(path)}: ${issue.message}, got ${describeValue(got)}`];
    case 'invalid_format':
      return [`${formatPath(path)}: ${describeValue(got)} ${issue.message}`];
    default:
      return [`${formatPath(path)}: ${issue.message}`];
  }
}

/** Errors reported per file before "and N more". */
const MAX_ERRORS = 10;

/** A failed parse whose reason prefixes every line with `origin` (at most 10 lines, then "and N more"). */
export function contractsFailure(origin: string, lines: readonly string[]): { ok: false; reason: string } {
  const shown = lines.slice(0, MAX_ERRORS).map((l) => `${origin}: ${l}`);
  if (lines.length > MAX_ERRORS) shown.push(`${origin}: … and ${lines.length - MAX_ERRORS} more errors`);
  return { ok: false, reason: shown.join('\n') };
}

/** Copy the declared fields, leaving absent ones absent (the Contract type has no `undefined` members). */
function toContract(c: z.infer<typeof contractSchema>, origin: string): Contract {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v;
  out['origin'] = origin;
  return out as unknown as Contract;
}

/**
 * Validate the parsed content of a contract file (whatever text format it was written in). `origin`
 * (the file's path) prefixes every error and is kept on each contract for evidence. Every problem is
 * reported (up to 10), one per line, e.g.
 * `contracts/partner.yaml: contracts[0].allowedAsns[1]: expected a number, got "AS123" (write 123, without "AS")`.
 */
export function parseContractsData(data: unknown, origin: string): ParseResult<Contract[]> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return contractsFailure(origin, [
      `expected a mapping with "version: ${CONTRACT_FILE_VERSION}" and "contracts: [...]", got ${describeValue(data)}`,
    ]);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success)
    return contractsFailure(
      origin,
      parsed.error.issues.flatMap((i) => issueLines(i, data)),
    );

  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  parsed.data.contracts.forEach((c, i) => {
    const first = seen.get(c.identity);
    if (first !== undefined)
      duplicates.push(`contracts[${i}].identity: "${c.identity}" is already declared by contracts[${first}]`);
    else seen.set(c.identity, i);
  });
  if (duplicates.length > 0) return contractsFailure(origin, duplicates);
  return { ok: true, value: parsed.data.contracts.map((c) => toContract(c, origin)) };
}

/** Validate a JSON contract file (the format the Lambdas read); errors as {@link parseContractsData}. */
export function parseContractsJson(textIn: string, origin: string): ParseResult<Contract[]> {
  let data: unknown;
  try {
    data = JSON.parse(textIn) as unknown;
  } catch (e) {
    return contractsFailure(origin, [`invalid JSON: ${(e as Error).message}`]);
  }
  return parseContractsData(data, origin);
}

/** Field order in written files (identity first, then what it may do, then when and how much). */
const FIELD_ORDER = [...(KNOWN_FIELDS['contract'] as readonly string[])];

/** The content of a version-1 file holding `contracts`, fields in a stable order (the in-memory `origin` is not written). */
export function contractsFileContent(contracts: readonly Contract[]): {
  version: number;
  contracts: Record<string, unknown>[];
} {
  return {
    version: CONTRACT_FILE_VERSION,
    contracts: contracts.map((c) => {
      const out: Record<string, unknown> = {};
      for (const k of FIELD_ORDER) {
        const v = (c as unknown as Record<string, unknown>)[k];
        if (v !== undefined) out[k] = v;
      }
      return out;
    }),
  };
}

/** Write contracts as a version-1 JSON file. */
export function contractsToJson(contracts: readonly Contract[]): string {
  return `${JSON.stringify(contractsFileContent(contracts), null, 2)}\n`;
}

/** Options for drafting a contract from a baseline. */
export interface DraftOptions {
  /** Origins (ASNs, networks, VPC endpoints) and user-agent families seen fewer times are left out. @default 2 */
  readonly minOriginCalls?: number;
  /** maxPerHour = this × the busiest hour seen (at least 10). @default 2 */
  readonly rateHeadroom?: number;
  /** An identity active in at least this many hours of the day gets no activeHoursUtc. @default 20 */
  readonly alwaysOnHours?: number;
}

const keysWith = (dim: Dimension, min: number): string[] =>
  entriesOf(dim)
    .filter(([, stat]) => stat.n >= min)
    .map(([k]) => k);

/** Hours of the day (UTC) in which the identity has been active, from its rate profile. */
function activeHours(b: IdentityBaseline): Set<number> {
  const hours = new Set<number>();
  b.rate.slots.forEach((s, h) => {
    if (s.m > 0) hours.add(h);
  });
  if (b.rate.bucketCount > 0) hours.add(new Date(b.rate.bucketStartMs).getUTCHours());
  return hours;
}

/** The smallest [start, end) window (wrapping midnight) holding every active hour, or undefined when none / all day. */
function hoursWindow(
  hours: ReadonlySet<number>,
  alwaysOn: number,
): { start: number; end: number } | undefined {
  if (hours.size === 0 || hours.size >= alwaysOn) return undefined;
  // The longest circular run of inactive hours is what the window leaves out.
  let bestStart = -1;
  let bestLength = 0;
  for (let h = 0; h < 24; h++) {
    if (hours.has(h) || !hours.has((h + 23) % 24)) continue;
    let n = 0;
    while (n < 24 && !hours.has((h + n) % 24)) n += 1;
    if (n > bestLength) {
      bestStart = h;
      bestLength = n;
    }
  }
  if (bestStart === -1) return undefined;
  const start = (bestStart + bestLength) % 24;
  const end = bestStart === 0 ? 24 : bestStart;
  return { start, end };
}

/**
 * Draft a contract from what an identity was observed doing: its ASNs (all of Amazon's when it ran
 * in AWS), private networks, VPC endpoints (when every own call used one), actions, scopes, user-agent
 * families, credential kinds, active hours and an hourly envelope with headroom. A starting point
 * for the owners to review, never an approval of everything seen.
 */
export function draftContract(b: IdentityBaseline, options: DraftOptions = {}): Contract {
  const minOrigin = options.minOriginCalls ?? 2;
  const headroom = options.rateHeadroom ?? 2;
  const d = b.dims;
  const out: Record<string, unknown> = {
    identity: b.key,
    description: `Drafted by nhi-watch from ${b.eventCount} calls seen ${new Date(b.firstSeenMs).toISOString()} to ${new Date(b.lastSeenMs).toISOString()}; review before use.`,
  };
  const asns = keysWith(d.asns, minOrigin).map(Number);
  if (asns.some((a) => AWS_ASNS.has(a))) for (const a of AWS_ASNS) if (!asns.includes(a)) asns.push(a);
  if (asns.length > 0) out['allowedAsns'] = asns.sort((x, y) => x - y);
  const networks = keysWith(d.networks, minOrigin).filter((n) => {
    const c = parseCidr(n);
    // Public networks are covered by their ASNs; without ASN data, keep them too.
    return c.ok && (isPrivateCidr(c.value) || asns.length === 0);
  });
  if (networks.length > 0) out['allowedNetworks'] = networks.sort();
  const ownCalls = totalCalls(d.credentialKinds) - totalCalls(d.awsServices);
  const vpces = keysWith(d.vpcEndpoints, minOrigin);
  if (vpces.length > 0 && totalCalls(d.vpcEndpoints) >= ownCalls) out['allowedVpcEndpoints'] = vpces.sort();
  const actions = keysOf(d.actions).sort();
  if (actions.length > 0) out['allowedActions'] = actions;
  const scopes = keysOf(d.scopes).sort();
  if (scopes.length > 0) out['allowedScopes'] = scopes;
  const families = keysWith(d.uaFamilies, minOrigin).sort();
  if (families.length > 0) out['userAgentPatterns'] = families;
  const peak = Math.max(b.rate.peak, b.rate.bucketCount);
  if (peak > 0) out['rateEnvelope'] = { maxPerHour: Math.max(10, Math.ceil(peak * headroom)) };
  const window = hoursWindow(activeHours(b), options.alwaysOnHours ?? 20);
  if (window) out['activeHoursUtc'] = window;
  const kinds = keysOf(d.credentialKinds)
    .filter((k) => k !== 'unknown')
    .sort();
  if (kinds.length > 0) out['allowedCredentialKinds'] = kinds;
  return out as unknown as Contract;
}

/** One thing a baseline did that its contract does not allow. */
export interface ContractDiffEntry {
  /** The contract field that does not allow it. */
  readonly field: string;
  /** The observed value (`AS14061`, an action, `hour 03`, …). */
  readonly value: string;
  /** Calls with that value (for hours: the mean calls in that hour of day). */
  readonly calls: number;
  readonly lastSeenMs?: number;
}

function undeclared(
  field: string,
  dim: Dimension,
  isAllowed: (value: string) => boolean,
  label: (value: string) => string = (v) => v,
): ContractDiffEntry[] {
  return entriesOf(dim)
    .filter(([v]) => !isAllowed(v))
    .map(([v, s]) => ({ field, value: label(v), calls: s.n, lastSeenMs: s.l }));
}

/** Whether a whole observed network (/24, /48) lies inside one of the allowed blocks. */
function networkAllowed(network: string, allowed: readonly string[]): boolean {
  const n = parseCidr(network);
  if (!n.ok) return false;
  return allowed.some((a) => {
    const c = parseCidr(a);
    return (
      c.ok &&
      c.value.prefix <= n.value.prefix &&
      cidrContains(c.value, { version: n.value.version, bytes: n.value.bytes })
    );
  });
}

/**
 * What the baseline did that the contract does not allow, most used first within each field: the
 * review list before a contract is enforced, and the drift report afterwards. Public networks are
 * judged by ASN when the contract lists ASNs.
 */
export function diffContract(c: Contract, b: IdentityBaseline): ContractDiffEntry[] {
  const d = b.dims;
  const out: ContractDiffEntry[] = [];
  if (c.allowedCredentialKinds) {
    const kinds = c.allowedCredentialKinds;
    out.push(
      ...undeclared('allowedCredentialKinds', d.credentialKinds, (k) => k === 'unknown' || kinds.includes(k)),
    );
  }
  if (c.allowedAsns) {
    const asns = c.allowedAsns;
    out.push(
      ...undeclared(
        'allowedAsns',
        d.asns,
        (a) => asns.includes(Number(a)),
        (a) => `AS${a}`,
      ),
    );
  }
  if (c.allowedNetworks) {
    const nets = c.allowedNetworks;
    const hasAsns = c.allowedAsns !== undefined;
    out.push(
      ...undeclared('allowedNetworks', d.networks, (n) => {
        if (networkAllowed(n, nets)) return true;
        const parsed = parseCidr(n);
        return hasAsns && parsed.ok && !isPrivateCidr(parsed.value);
      }),
    );
  }
  if (c.allowedVpcEndpoints) {
    const vpces = c.allowedVpcEndpoints;
    out.push(...undeclared('allowedVpcEndpoints', d.vpcEndpoints, (v) => vpces.includes(v)));
  }
  if (c.allowedActions) {
    const actions = c.allowedActions;
    out.push(...undeclared('allowedActions', d.actions, (a) => firstMatchingGlob(actions, a) !== undefined));
  }
  if (c.allowedScopes) {
    const scopes = c.allowedScopes;
    out.push(...undeclared('allowedScopes', d.scopes, (s) => firstMatchingGlob(scopes, s) !== undefined));
  }
  if (c.userAgentPatterns) {
    const patterns = c.userAgentPatterns;
    out.push(
      ...undeclared('userAgentPatterns', d.uaFamilies, (f) => patterns.some((p) => matchesGlob(p, f, true))),
    );
  }
  if (c.activeHoursUtc) {
    const { start, end } = c.activeHoursUtc;
    for (const h of [...activeHours(b)].sort((x, y) => x - y)) {
      const inside = start < end ? h >= start && h < end : h >= start || h < end;
      if (!inside)
        out.push({
          field: 'activeHoursUtc',
          value: `hour ${String(h).padStart(2, '0')}`,
          calls: b.rate.slots[h]?.m ?? 0,
        });
    }
  }
  const maxPerHour = c.rateEnvelope?.maxPerHour;
  const peak = Math.max(b.rate.peak, b.rate.bucketCount);
  if (maxPerHour !== undefined && peak > maxPerHour) {
    out.push({ field: 'rateEnvelope.maxPerHour', value: `busiest hour ${peak} calls`, calls: peak });
  }
  const order = new Map(FIELD_ORDER.map((f, i) => [f, i]));
  const rank = (f: string) => order.get(f.split('.')[0] as string) ?? FIELD_ORDER.length;
  return out.sort(
    (x, y) => rank(x.field) - rank(y.field) || y.calls - x.calls || (x.value < y.value ? -1 : 1),
  );
}
