/**
 * The user's configuration: one file (YAML or JSON) for the CLI and the stack, the same content as
 * JSON in the Lambdas' `NHI_CONFIG` environment variable. Validated strictly at the boundary —
 * unknown keys, unknown rule ids, wrong types and unusable suppressions are errors that name the
 * file and the field — and merged over the engine defaults. docs/CONFIG.md documents every key.
 * Reads JSON only, so the Lambdas carry no YAML parser: YAML files go through `parseConfigText`
 * (yaml-text.ts), which the CLI and the stack use.
 */
import './zod.js';
import * as z from 'zod/mini';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './engine.js';
import { compileGlob } from './glob.js';
import type { BaselineLimits, LearningConfig } from './baseline.js';
import type { ThresholdValue, Thresholds } from './rules/rule.js';
import { suppressionProblems, type Suppression } from './suppressions.js';

/** Everything nhi-watch reads from configuration. */
export interface NhiWatchConfig {
  readonly engine: EngineConfig;
  readonly suppressions: readonly Suppression[];
  /** Contract files (paths or globs, relative to the configuration file). */
  readonly contractsFiles: readonly string[];
}

/** The configuration when no file is given: engine defaults, no suppressions, no contracts. */
export const DEFAULT_CONFIG: NhiWatchConfig = {
  engine: DEFAULT_ENGINE_CONFIG,
  suppressions: [],
  contractsFiles: [],
};

/** One problem in a configuration, at a field path such as `suppressions[0].expires`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A parsed configuration, or every problem found (the reason lists them, naming the source). */
export type ConfigResult =
  | { readonly ok: true; readonly value: NhiWatchConfig }
  | { readonly ok: false; readonly reason: string; readonly issues: readonly ConfigIssue[] };

/** What the validator knows about the rules (written elsewhere), to reject typos. */
export interface ConfigParseOptions {
  /** File name (or `NHI_CONFIG`) named in every error. */
  readonly source: string;
  /** @default from the source's extension: `.json` is JSON, anything else YAML (a superset of JSON) */
  readonly format?: 'json' | 'yaml';
  /** Rule ids that exist: other ids in `thresholds`, `disabledRules` and suppression `rule` patterns are errors. @default no check */
  readonly knownRuleIds?: readonly string[];
  /** Threshold defaults by rule id: unknown threshold names and values of another type are errors. @default no check */
  readonly ruleDefaults?: Readonly<Record<string, Thresholds>>;
}

/** Largest configuration text accepted. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** A limit may be raised to at most this many times its default (baseline items must stay far below DynamoDB's 400 KB). */
export const MAX_LIMIT_FACTOR = 8;

const nonEmpty = z.string().check(z.minLength(1, 'must not be empty'));

/** A strict object with one field per key of `defaults`, each validated by `field(default)`. */
function overridesOf<T extends object>(
  defaults: T,
  field: (d: number) => z.ZodMiniType<number>,
): z.ZodMiniType<Partial<T>> {
  const shape: Record<string, z.ZodMiniType<number>> = {};
  for (const [k, v] of Object.entries(defaults))
    if (typeof v === 'number') shape[k] = z.optional(field(v)) as unknown as z.ZodMiniType<number>;
  return z.strictObject(shape) as unknown as z.ZodMiniType<Partial<T>>;
}

const thresholdValue: z.ZodMiniType<ThresholdValue> = z.union(
  [
    z.number().check(z.refine(Number.isFinite, 'must be a finite number')),
    z.boolean(),
    z.string(),
    z.readonly(z.array(z.string())),
  ],
  { error: 'must be a number, true / false, a string or a list of strings' },
);

const suppressionSchema = z
  .strictObject({
    id: z.optional(nonEmpty),
    rule: z.optional(nonEmpty),
    identity: z.optional(nonEmpty),
    origin: z.optional(nonEmpty),
    reason: nonEmpty,
    expires: nonEmpty,
  })
  .check(
    z.superRefine((s, ctx) => {
      for (const p of suppressionProblems(toSuppression(s))) {
        const field = /^(reason|expires|rule|identity|origin): /.exec(p)?.[1];
        ctx.addIssue({
          code: 'custom',
          message: field !== undefined ? p.slice(field.length + 2) : p,
          path: field !== undefined ? [field] : [],
        });
      }
    }),
  );

const fileSchema = z.strictObject({
  version: z.optional(z.literal(1)),
  learning: z.optional(
    overridesOf<LearningConfig>(DEFAULT_ENGINE_CONFIG.learning, () => z.number().check(z.int(), z.gte(0))),
  ),
  limits: z.optional(
    overridesOf<BaselineLimits>(DEFAULT_ENGINE_CONFIG.limits, (d) =>
      z
        .number()
        .check(
          z.int(),
          z.gte(1),
          z.lte(
            d * MAX_LIMIT_FACTOR,
            `at most ${d * MAX_LIMIT_FACTOR} (${MAX_LIMIT_FACTOR}x the default ${d})`,
          ),
        ),
    ),
  ),
  thresholds: z.optional(z.record(nonEmpty, z.record(nonEmpty, thresholdValue))),
  dedupWindowSeconds: z.optional(
    z
      .number()
      .check(
        z.int(),
        z.gte(60, 'at least 60 seconds'),
        z.lte(30 * 86_400, 'at most 30 days (2592000 seconds)'),
      ),
  ),
  disabledRules: z.optional(z.array(nonEmpty)),
  suppressions: z.optional(z.array(suppressionSchema)),
  contractsFiles: z.optional(z.array(nonEmpty)),
});

type ConfigFile = z.infer<typeof fileSchema>;

/** Parse the configuration from JSON text, as the Lambdas receive it in `NHI_CONFIG`. */
export function parseConfigJson(
  json: string,
  opts: Omit<ConfigParseOptions, 'source' | 'format'> & { readonly source?: string } = {},
): ConfigResult {
  const options: ConfigParseOptions = { ...opts, source: opts.source ?? 'NHI_CONFIG' };
  if (Buffer.byteLength(json, 'utf8') > MAX_CONFIG_BYTES)
    return configFailure(options.source, [{ path: '', message: `larger than ${MAX_CONFIG_BYTES} bytes` }]);
  const parsed = parseJson(json);
  if (!parsed.ok) return configFailure(options.source, [{ path: '', message: parsed.message }]);
  return resolveConfig(parsed.value, options);
}

/** Validate an already-parsed configuration object and merge it over the defaults. Empty input (null, `{}`) gives the defaults. */
export function resolveConfig(raw: unknown, opts: ConfigParseOptions): ConfigResult {
  if (raw === null || raw === undefined) return { ok: true, value: DEFAULT_CONFIG };
  const parsed = fileSchema.safeParse(raw, { reportInput: true });
  // Cross-checks read the raw input defensively, so one run reports every problem.
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(toIssues)),
    ...crossChecks(raw, opts),
  ];
  if (!parsed.success || issues.length > 0) return configFailure(opts.source, inDocumentOrder(issues, raw));
  return { ok: true, value: merge(parsed.data) };
}

/**
 * The configuration as compact JSON holding only what differs from the defaults (for `NHI_CONFIG`,
 * whose environment shares a 4 KB limit). `parseConfigJson` of the result gives the same configuration.
 */
export function configToJson(config: NhiWatchConfig): string {
  const d = DEFAULT_ENGINE_CONFIG;
  const e = config.engine;
  const changed = <T extends object>(value: T, defaults: T): Partial<T> =>
    Object.fromEntries(
      Object.entries(value).filter(([k, v]) => (defaults as Record<string, unknown>)[k] !== v),
    ) as Partial<T>;
  const out: Record<string, unknown> = {};
  const learning = changed(e.learning, d.learning);
  const limits = changed(e.limits, d.limits);
  if (Object.keys(learning).length > 0) out.learning = learning;
  if (Object.keys(limits).length > 0) out.limits = limits;
  if (Object.keys(e.thresholds).length > 0) out.thresholds = e.thresholds;
  if (e.dedupWindowSeconds !== d.dedupWindowSeconds) out.dedupWindowSeconds = e.dedupWindowSeconds;
  if (e.disabledRules.length > 0) out.disabledRules = e.disabledRules;
  if (config.suppressions.length > 0) out.suppressions = config.suppressions;
  if (config.contractsFiles.length > 0) out.contractsFiles = config.contractsFiles;
  return JSON.stringify(out);
}

function merge(file: ConfigFile): NhiWatchConfig {
  const d = DEFAULT_ENGINE_CONFIG;
  const engine: EngineConfig = {
    limits: { ...d.limits, ...file.limits },
    learning: { ...d.learning, ...file.learning },
    thresholds: file.thresholds ?? d.thresholds,
    dedupWindowSeconds: file.dedupWindowSeconds ?? d.dedupWindowSeconds,
    disabledRules: file.disabledRules ?? d.disabledRules,
  };
  return {
    engine,
    suppressions: (file.suppressions ?? []).map(toSuppression),
    contractsFiles: file.contractsFiles ?? [],
  };
}

/** A validated suppression entry without its absent optional fields. */
function toSuppression(s: {
  readonly id?: string | undefined;
  readonly rule?: string | undefined;
  readonly identity?: string | undefined;
  readonly origin?: string | undefined;
  readonly reason: string;
  readonly expires: string;
}): Suppression {
  const out: { -readonly [K in keyof Suppression]: Suppression[K] } = {
    reason: s.reason,
    expires: s.expires,
  };
  for (const k of ['id', 'rule', 'identity', 'origin'] as const) {
    const v = s[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Issues sorted by the position of their top-level key in the input (stable within one key). */
function inDocumentOrder(issues: readonly ConfigIssue[], raw: unknown): ConfigIssue[] {
  const keys = Object.keys(record(raw));
  const rank = (i: ConfigIssue): number => {
    const top = /^[^.[]*/.exec(i.path)?.[0] ?? '';
    const at = keys.indexOf(top);
    return at === -1 ? (top === '' ? -1 : keys.length) : at;
  };
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.n - b.n)
    .map((x) => x.issue);
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const isThresholdValue = (v: unknown): v is ThresholdValue =>
  typeof v === 'number' ||
  typeof v === 'boolean' ||
  typeof v === 'string' ||
  (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/**
 * Checks across fields and against the known rules: unknown rule ids, threshold names and types,
 * repeated ids. Reads the raw input (shape errors are the schema's to report).
 */
function crossChecks(raw: unknown, opts: ConfigParseOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const file = record(raw);
  const known = opts.knownRuleIds ?? (opts.ruleDefaults ? Object.keys(opts.ruleDefaults) : undefined);
  const unknownRule = (id: string): string => {
    const near = known === undefined ? undefined : closest(id, known);
    return `unknown rule id "${id}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}`;
  };

  for (const [ruleId, thresholds] of Object.entries(record(file.thresholds))) {
    if (known && !known.includes(ruleId)) {
      issues.push({ path: `thresholds.${ruleId}`, message: unknownRule(ruleId) });
      continue;
    }
    const defaults = opts.ruleDefaults?.[ruleId];
    if (!defaults) continue;
    for (const [name, value] of Object.entries(record(thresholds))) {
      const path = `thresholds.${ruleId}.${name}`;
      if (!(name in defaults)) {
        const names = Object.keys(defaults);
        issues.push({
          path,
          message: `unknown threshold of ${ruleId}; it has ${names.length > 0 ? names.join(', ') : 'none'}`,
        });
        continue;
      }
      const d = defaults[name] as ThresholdValue;
      if (isThresholdValue(value) && kindOf(value) !== kindOf(d)) {
        issues.push({
          path,
          message: `expected ${kindOf(d)} (default ${JSON.stringify(d)}), got ${kindOf(value)}`,
        });
      }
    }
  }

  const seenDisabled = new Set<string>();
  list(file.disabledRules).forEach((id, i) => {
    if (typeof id !== 'string' || id === '') return;
    if (known && !known.includes(id)) issues.push({ path: `disabledRules[${i}]`, message: unknownRule(id) });
    if (seenDisabled.has(id))
      issues.push({ path: `disabledRules[${i}]`, message: `"${id}" is listed twice` });
    seenDisabled.add(id);
  });

  const ids = new Set<string>();
  list(file.suppressions).forEach((entry, i) => {
    const s = record(entry);
    const at = `suppressions[${i}]`;
    if (typeof s.rule === 'string' && s.rule !== '' && known) {
      const pattern = compileGlob(s.rule);
      if (!known.some((id) => pattern.test(id))) {
        issues.push({
          path: `${at}.rule`,
          message: /[*?]/.test(s.rule) ? `"${s.rule}" matches no rule` : unknownRule(s.rule),
        });
      }
    }
    if (typeof s.id === 'string' && s.id !== '') {
      if (ids.has(s.id)) issues.push({ path: `${at}.id`, message: `duplicate suppression id "${s.id}"` });
      ids.add(s.id);
    }
  });
  return issues;
}

const kindOf = (v: ThresholdValue): string => (Array.isArray(v) ? 'a list of strings' : `a ${typeof v}`);

/** zod issues → field-path issues; an unknown key names the key itself. */
function toIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const base = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: base === '' ? k : `${base}.${k}`, message: 'unknown key' }));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return [{ path: base, message: 'required' }];
  return [{ path: base, message: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** A failed {@link ConfigResult} whose reason names `source` (and the field) on every line. */
export function configFailure(source: string, issues: readonly ConfigIssue[]): ConfigResult {
  const lines = issues.map((i) =>
    i.path === '' ? `${source}: ${i.message}` : `${source}: ${i.path}: ${i.message}`,
  );
  return { ok: false, reason: lines.join('\n'), issues };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The known id closest to `id` (edit distance ≤ 2), for "did you mean". */
function closest(id: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const dist = editDistance(id, k);
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
