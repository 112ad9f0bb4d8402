/**
 * Suppressions: findings the team has decided not to be alerted about, declared in configuration
 * with a reason and an expiry so that nothing is silenced forever by accident. A suppression
 * matches a finding when every pattern it declares matches (rule AND identity AND origin); an
 * expired suppression matches nothing and is reported, so the CLI and the Lambda logs can say so.
 */
import { cidrContains, parseCidr, parseIp, type Cidr } from './cidr.js';
import { compileGlob, type Glob } from './glob.js';
import type { Finding } from './finding.js';
import type { ParseResult } from './identity-event.js';

/** The pipeline's suppression hook: drops findings that configuration suppresses (identity / rule / origin, with expiry). */
export type SuppressionFilter = (
  findings: readonly Finding[],
  nowMs: number,
) => { kept: Finding[]; suppressed: number };

/** One suppression as written in configuration. */
export interface Suppression {
  /** A name for logs and CLI warnings. @default none (the patterns describe it) */
  readonly id?: string;
  /** Glob over the rule id (`new-user-agent`, `new-*`). */
  readonly rule?: string;
  /** Glob over the identity key or principal ARN (`aws:123456789012:role/ci-*`, `arn:aws:iam::*:role/backup`). */
  readonly identity?: string;
  /** CIDR block (`198.51.100.0/24`, `2001:db8::/32`), ASN (`AS16509`), address, or glob over the source (`*.amazonaws.com`). */
  readonly origin?: string;
  /** Why the finding is expected. Required. */
  readonly reason: string;
  /** ISO 8601 date (midnight UTC at the start of that day) or date-time with a zone. Required. */
  readonly expires: string;
}

/** A finding and the suppression that silenced it. */
export interface SuppressedFinding {
  readonly finding: Finding;
  readonly suppression: Suppression;
}

/** Outcome of applying suppressions to a batch of findings. */
export interface SuppressionResult {
  readonly kept: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** Suppressions past their expiry: not applied, to be reported. */
  readonly expired: Suppression[];
  /** Suppressions that cannot be applied (configuration validation rejects these first). */
  readonly invalid: { readonly suppression: Suppression; readonly reason: string }[];
}

/** How a suppression's `origin` matches a finding. */
export type OriginMatcher =
  | { readonly kind: 'asn'; readonly asn: number }
  | { readonly kind: 'cidr'; readonly cidr: Cidr }
  | { readonly kind: 'glob'; readonly glob: Glob };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** Expiry instant (epoch ms) of an ISO 8601 date or zoned date-time; undefined when it is not one or names a day that does not exist. */
export function parseExpiry(text: string): number | undefined {
  const d = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!d) return undefined;
  const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const day = new Date(Date.UTC(y, mo - 1, da));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== da) return undefined;
  if (d.length > 4) {
    const [h, mi, s, oh, om] = [
      Number(d[4]),
      Number(d[5]),
      Number(d[6] ?? 0),
      Number(d[7] ?? 0),
      Number(d[8] ?? 0),
    ];
    if (h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return undefined;
  }
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parse a suppression's `origin` pattern. A pattern with `/` must be a valid CIDR block (a typo must not become a glob). */
export function parseOriginPattern(text: string): ParseResult<OriginMatcher> {
  const asn = /^AS(\d+)$/i.exec(text);
  if (asn) {
    const n = Number(asn[1]);
    return n <= 4_294_967_295
      ? { ok: true, value: { kind: 'asn', asn: n } }
      : { ok: false, reason: `"${text}": ASN out of range` };
  }
  if (text.includes('/')) {
    const c = parseCidr(text);
    return c.ok ? { ok: true, value: { kind: 'cidr', cidr: c.value } } : c;
  }
  const ip = parseIp(text);
  if (ip) {
    const cidr: Cidr = { version: ip.version, bytes: ip.bytes, prefix: ip.bytes.length * 8 };
    return { ok: true, value: { kind: 'cidr', cidr } };
  }
  if (text === '') return { ok: false, reason: 'empty origin pattern' };
  return { ok: true, value: { kind: 'glob', glob: compileGlob(text) } };
}

/** Problems with one suppression (empty when usable): required fields, a real expiry, at least one pattern, a valid origin. */
export function suppressionProblems(s: Suppression): string[] {
  const problems: string[] = [];
  if (typeof s.reason !== 'string' || s.reason.trim() === '') problems.push('reason: required');
  if (typeof s.expires !== 'string' || s.expires === '') {
    problems.push('expires: required');
  } else if (parseExpiry(s.expires) === undefined) {
    problems.push(
      `expires: "${s.expires}" is not an ISO 8601 date (2026-09-30) or date-time with a zone (2026-09-30T18:00:00Z)`,
    );
  }
  if (s.rule === undefined && s.identity === undefined && s.origin === undefined) {
    problems.push('needs at least one of rule, identity, origin (it would suppress every finding)');
  }
  for (const k of ['rule', 'identity', 'origin'] as const)
    if (s[k] === '') problems.push(`${k}: empty pattern`);
  if (s.origin !== undefined && s.origin !== '') {
    const o = parseOriginPattern(s.origin);
    if (!o.ok) problems.push(`origin: ${o.reason}`);
  }
  return problems;
}

/** A short name for a suppression in warnings: its id, else its patterns. */
export function describeSuppression(s: Suppression): string {
  if (s.id !== undefined && s.id !== '') return s.id;
  const parts = (['rule', 'identity', 'origin'] as const)
    .filter((k) => s[k] !== undefined)
    .map((k) => `${k}=${s[k]}`);
  return parts.join(' ');
}

interface Compiled {
  readonly suppression: Suppression;
  readonly rule: Glob | undefined;
  readonly identity: Glob | undefined;
  readonly origin: OriginMatcher | undefined;
}

/** Split findings into kept and suppressed at `nowMs`; the first matching suppression (in configuration order) is the one reported. */
export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
  nowMs: number,
): SuppressionResult {
  const active: Compiled[] = [];
  const expired: Suppression[] = [];
  const invalid: { suppression: Suppression; reason: string }[] = [];
  for (const s of suppressions) {
    const problems = suppressionProblems(s);
    if (problems.length > 0) {
      invalid.push({ suppression: s, reason: problems.join('; ') });
      continue;
    }
    if ((parseExpiry(s.expires) as number) <= nowMs) {
      expired.push(s);
      continue;
    }
    const origin = s.origin === undefined ? undefined : parseOriginPattern(s.origin);
    active.push({
      suppression: s,
      rule: s.rule === undefined ? undefined : compileGlob(s.rule),
      identity: s.identity === undefined ? undefined : compileGlob(s.identity),
      origin: origin?.ok === true ? origin.value : undefined,
    });
  }

  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const hit = active.find((c) => matches(c, f));
    if (hit) suppressed.push({ finding: f, suppression: hit.suppression });
    else kept.push(f);
  }
  return { kept, suppressed, expired, invalid };
}

/** Callbacks of {@link suppressionFilter}: how the caller hears about suppressions it should warn about. */
export interface SuppressionFilterHooks {
  /** Called on each run that meets expired suppressions (e.g. to log a warning). */
  readonly onExpired?: (expired: readonly Suppression[]) => void;
  /** Called on each run that meets unusable suppressions (configuration validation normally prevents these). */
  readonly onInvalid?: (invalid: SuppressionResult['invalid']) => void;
}

/** The pipeline's suppression hook over a fixed list of suppressions. */
export function suppressionFilter(
  suppressions: readonly Suppression[],
  hooks: SuppressionFilterHooks = {},
): SuppressionFilter {
  return (findings, nowMs) => {
    const r = applySuppressions(findings, suppressions, nowMs);
    if (r.expired.length > 0) hooks.onExpired?.(r.expired);
    if (r.invalid.length > 0) hooks.onInvalid?.(r.invalid);
    return { kept: r.kept, suppressed: r.suppressed.length };
  };
}

function matches(c: Compiled, f: Finding): boolean {
  if (c.rule && !c.rule.test(f.ruleId)) return false;
  if (
    c.identity &&
    !(c.identity.test(f.identityKey) || (f.principal !== undefined && c.identity.test(f.principal)))
  )
    return false;
  if (c.origin && !originMatches(c.origin, f)) return false;
  return true;
}

function originMatches(o: OriginMatcher, f: Finding): boolean {
  switch (o.kind) {
    case 'asn':
      return f.asn === o.asn;
    case 'glob':
      return f.sourceIp !== undefined && o.glob.test(f.sourceIp);
    case 'cidr': {
      const ip = f.sourceIp === undefined ? undefined : parseIp(f.sourceIp);
      return ip !== undefined && cidrContains(o.cidr, ip);
    }
  }
}
