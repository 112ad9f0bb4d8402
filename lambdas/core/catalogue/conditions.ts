/**
 * Request-parameter conditions of the sensitive-action catalogue, as data: a small path language
 * over CloudTrail `requestParameters` and a few named checks for what a path cannot say (an IAM
 * policy that grants everything, a trust policy naming another account, a rule opening an admin
 * port to the world). Pure; never throws on attacker-shaped input; reads at most a bounded amount.
 */

/** A JSON value as parsed. */
type Json = unknown;

/** Named checks on a parameter's value. */
export type NamedCheck =
  /** An IAM policy document (JSON text or object) with an Allow of `*` / `iam:*` on `*`. */
  | 'policy-grants-admin'
  /** A resource policy with an unconditional Allow to principal `*`. */
  | 'policy-public'
  /** A trust policy with an Allow to `*` or to an AWS principal of another account. */
  | 'trust-foreign-principal'
  /** A user name that is not the caller's own (acting on another user). */
  | 'other-user'
  /** EC2 ip permissions opening an administrative port (22, 3389, databases) or every port to 0.0.0.0/0 or ::/0. */
  | 'world-open-admin-port';

/** A condition on request parameters. Paths are dotted (`''` is the parameters themselves); arrays along a path are searched element by element. */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  /** Some value at `path` equals one of `in`. */
  | { readonly path: string; readonly in: readonly (string | number | boolean)[] }
  /** Some string value at `path` matches the pattern (case-insensitive). */
  | { readonly path: string; readonly matches: string }
  /** Some value at `path` is present and not empty. */
  | { readonly path: string; readonly present: true }
  /** Some numeric value at `path` (number or numeric text) is at least `atLeast`. */
  | { readonly path: string; readonly atLeast: number }
  | { readonly path: string; readonly check: NamedCheck };

/** What a condition may compare with besides the parameters: the caller. */
export interface ConditionContext {
  /** The caller's account. */
  readonly account?: string;
  /** The caller's own user or role-session name (for `other-user`). */
  readonly callerNames: readonly string[];
}

const MAX_VALUES = 256;
const MAX_POLICY_CHARS = 64 * 1024;

/** Values at a dotted path; arrays met on the way (and at the end) are expanded, at most MAX_VALUES. */
export function valuesAt(root: Json, path: string): Json[] {
  if (path === '') return [root];
  let current: Json[] = [root];
  for (const segment of path.split('.')) {
    const next: Json[] = [];
    for (const node of current) {
      const items: readonly Json[] = Array.isArray(node) ? (node as readonly Json[]) : [node];
      for (const item of items) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
        if (!Object.hasOwn(item, segment)) continue;
        next.push((item as Record<string, Json>)[segment]);
        if (next.length >= MAX_VALUES) break;
      }
    }
    current = next;
    if (current.length === 0) return current;
  }
  const out: Json[] = [];
  for (const v of current) {
    if (Array.isArray(v)) out.push(...(v as readonly Json[]).slice(0, MAX_VALUES));
    else out.push(v);
  }
  return out.slice(0, MAX_VALUES);
}

const isEmpty = (v: Json): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

const regexCache = new Map<string, RegExp>();
const regex = (pattern: string): RegExp => {
  let r = regexCache.get(pattern);
  if (!r) {
    r = new RegExp(pattern, 'i');
    regexCache.set(pattern, r);
  }
  return r;
};

/** Whether request parameters meet a condition. */
export function meets(params: Json, c: Condition, ctx: ConditionContext): boolean {
  if ('all' in c) return c.all.every((x) => meets(params, x, ctx));
  if ('any' in c) return c.any.some((x) => meets(params, x, ctx));
  if ('not' in c) return !meets(params, c.not, ctx);
  const values = valuesAt(params, c.path);
  if ('in' in c) return values.some((v) => c.in.includes(v as string | number | boolean));
  if ('matches' in c) return values.some((v) => typeof v === 'string' && regex(c.matches).test(v));
  if ('present' in c) return values.some((v) => !isEmpty(v));
  if ('atLeast' in c)
    return values.some((v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      return Number.isFinite(n) && n >= c.atLeast;
    });
  return values.some((v) => CHECKS[c.check](v, ctx));
}

/** A policy document from JSON text (CloudTrail logs IAM policies as URL-decoded JSON text) or an object. */
function policyOf(v: Json): Record<string, Json> | undefined {
  let doc: Json = v;
  if (typeof v === 'string') {
    if (v.length > MAX_POLICY_CHARS) return undefined;
    let text = v;
    if (/^%7B/i.test(text)) {
      try {
        text = decodeURIComponent(text);
      } catch {
        return undefined;
      }
    }
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return doc !== null && typeof doc === 'object' && !Array.isArray(doc)
    ? (doc as Record<string, Json>)
    : undefined;
}

/** Allow statements of a policy. */
function allowStatements(v: Json): Record<string, Json>[] {
  const doc = policyOf(v);
  if (!doc) return [];
  const raw = doc['Statement'];
  const list = Array.isArray(raw) ? raw : [raw];
  return list
    .slice(0, MAX_VALUES)
    .filter(
      (s): s is Record<string, Json> =>
        s !== null &&
        typeof s === 'object' &&
        !Array.isArray(s) &&
        (s as Record<string, Json>)['Effect'] === 'Allow',
    );
}

const strings = (v: Json): string[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string').slice(0, MAX_VALUES);

/** Principals of a statement: `*`, or the AWS principals (ARNs / account ids) it names. */
function awsPrincipals(s: Record<string, Json>): string[] {
  const p = s['Principal'];
  if (p === '*') return ['*'];
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return [];
  return strings((p as Record<string, Json>)['AWS']);
}

const accountOfPrincipal = (p: string): string | undefined => {
  if (/^\d{12}$/.test(p)) return p;
  const m = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(p);
  return m?.[1];
};

const ADMIN_PORTS = [22, 3389, 1433, 3306, 5432, 1521, 27017, 6379, 9200, 5984, 23, 21, 445];
const WORLD = ['0.0.0.0/0', '::/0'];

function portsOpenAdmin(from: Json, to: Json, protocol: Json): boolean {
  if (protocol === '-1' || protocol === -1 || protocol === 'all') return true;
  const f = Number(from);
  const t = Number(to);
  if (!Number.isFinite(f) || !Number.isFinite(t)) return false;
  if (f === -1 || (f <= 0 && t >= 65535)) return true;
  return ADMIN_PORTS.some((p) => p >= f && p <= t);
}

const CHECKS: Record<NamedCheck, (v: Json, ctx: ConditionContext) => boolean> = {
  'policy-grants-admin': (v) =>
    allowStatements(v).some((s) => {
      const actions = strings(s['Action']);
      const resources = strings(s['Resource']);
      return (
        actions.some((a) => a === '*' || a === '*:*' || a.toLowerCase() === 'iam:*') &&
        resources.includes('*')
      );
    }),
  'policy-public': (v) =>
    allowStatements(v).some((s) => s['Condition'] === undefined && awsPrincipals(s).includes('*')),
  'trust-foreign-principal': (v, ctx) =>
    allowStatements(v).some((s) =>
      awsPrincipals(s).some((p) => {
        if (p === '*') return true;
        const account = accountOfPrincipal(p);
        return account !== undefined && ctx.account !== undefined && account !== ctx.account;
      }),
    ),
  'other-user': (v, ctx) => typeof v === 'string' && v !== '' && !ctx.callerNames.includes(v),
  'world-open-admin-port': (v) => {
    // `v` is one ip-permission object (from `ipPermissions.items`) or the flat legacy parameters.
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
    const perm = v as Record<string, Json>;
    const cidrs = [
      ...strings(perm['cidrIp']),
      ...valuesAt(perm, 'ipRanges.items.cidrIp'),
      ...valuesAt(perm, 'ipv6Ranges.items.cidrIpv6'),
    ];
    if (!cidrs.some((c) => typeof c === 'string' && WORLD.includes(c))) return false;
    return portsOpenAdmin(perm['fromPort'], perm['toPort'], perm['ipProtocol']);
  },
};
