/**
 * Integration-contract files: validate them (versioned, unknown fields refused so a typo cannot
 * silently switch a check off) and write them back as JSON. Drafting a contract from a baseline is
 * contract-draft.ts; the drift from a contract is what the contract-violation rule raises on events
 * (lambdas/local/contracts.ts). Pure: callers read the files.
 * Reads JSON only, so the Lambdas carry no YAML parser: YAML files go through `parseContracts` and
 * `stringifyContracts` (yaml-text.ts), which the CLI and the stack use.
 */
import './zod.js';
import * as z from 'zod/mini';
import { parseCidr } from './cidr.js';
import type { Contract } from './contracts.js';
import type { CredentialKind, ParseResult } from './identity-event.js';

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
const list = <T extends z.ZodMiniType>(item: T) =>
  z.array(item).check(z.minLength(1, { error: NON_EMPTY_LIST }));
const text = z.string().check(z.minLength(1, { error: 'must not be empty' }));
const positiveInt = z.number().check(z.int(), z.gte(1));

const cidrText = z.string().check(
  z.superRefine((value, ctx) => {
    const r = parseCidr(value);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
  }),
);

const contractSchema = z
  .strictObject({
    identity: text,
    description: z.optional(z.string()),
    allowedAsns: z.optional(list(z.number().check(z.int(), z.gte(0), z.lte(4_294_967_295)))),
    allowedNetworks: z.optional(list(cidrText)),
    allowedVpcEndpoints: z.optional(
      list(
        z.string().check(
          z.regex(/^vpce-[0-9a-f]{8,17}$/, {
            error: 'is not a VPC endpoint id (vpce- followed by 8-17 hex digits)',
          }),
        ),
      ),
    ),
    allowedActions: z.optional(list(text)),
    allowedScopes: z.optional(list(text)),
    userAgentPatterns: z.optional(list(text)),
    rateEnvelope: z.optional(
      z.strictObject({ maxPerMinute: z.optional(positiveInt), maxPerHour: z.optional(positiveInt) }).check(
        z.refine((r) => r.maxPerMinute !== undefined || r.maxPerHour !== undefined, {
          error: 'declares neither maxPerMinute nor maxPerHour',
        }),
      ),
    ),
    activeHoursUtc: z.optional(
      z
        .strictObject({
          start: z.number().check(z.int(), z.gte(0), z.lte(23)),
          end: z.number().check(z.int(), z.gte(1), z.lte(24)),
        })
        .check(
          z.refine((h) => h.start !== h.end, {
            error: 'start and end are equal: an empty window (use start 0, end 24 for all day)',
          }),
        ),
    ),
    allowedCredentialKinds: z.optional(list(z.enum(DECLARABLE_CREDENTIAL_KINDS))),
  })
  .check(
    z.refine((c) => Object.keys(c).some((k) => k !== 'identity' && k !== 'description'), {
      error: 'declares no constraint: add at least one allowed… field, activeHoursUtc or rateEnvelope',
    }),
  );

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

/** Field order in written files and reports (identity first, then what it may do, then when and how much). */
export const CONTRACT_FIELD_ORDER: readonly string[] = [...(KNOWN_FIELDS['contract'] as readonly string[])];

/** The content of a version-1 file holding `contracts`, fields in a stable order (the in-memory `origin` is not written). */
export function contractsFileContent(contracts: readonly Contract[]): {
  version: number;
  contracts: Record<string, unknown>[];
} {
  return {
    version: CONTRACT_FILE_VERSION,
    contracts: contracts.map((c) => {
      const out: Record<string, unknown> = {};
      for (const k of CONTRACT_FIELD_ORDER) {
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
