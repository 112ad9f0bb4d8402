/**
 * Integration contracts: what an identity exists to do, declared by its owners. A breach of any
 * declared field is a finding (contract-violation). Parsing and validation of contract files live
 * in contracts-file.ts; this module holds the type and the matching of identities to contracts.
 */
import { compileGlob, type Glob } from './glob.js';

/** One identity's (or identity pattern's) declared integration. Every field is optional: absent = not constrained. */
export interface Contract {
  /** Identity key or glob (`*` any run of characters), e.g. `aws:123456789012:role/etl-*`. */
  readonly identity: string;
  readonly description?: string;
  readonly allowedAsns?: readonly number[];
  /** CIDR blocks. */
  readonly allowedNetworks?: readonly string[];
  readonly allowedVpcEndpoints?: readonly string[];
  /** Globs over action names: `dynamodb.amazonaws.com:*`, `GET /orders/*`. */
  readonly allowedActions?: readonly string[];
  readonly allowedScopes?: readonly string[];
  /** Globs over the raw user agent. */
  readonly userAgentPatterns?: readonly string[];
  readonly rateEnvelope?: { readonly maxPerMinute?: number; readonly maxPerHour?: number };
  /** UTC hours [start, end): `{start: 8, end: 18}`; start > end wraps midnight. */
  readonly activeHoursUtc?: { readonly start: number; readonly end: number };
  readonly allowedCredentialKinds?: readonly string[];
  /** Where the contract came from (file path), for error messages and evidence. */
  readonly origin?: string;
}

/** IAM service prefixes whose CloudTrail event source is not `<prefix>.amazonaws.com`. */
const EVENT_SOURCE_BY_IAM_PREFIX: Readonly<Record<string, string>> = {
  cloudwatch: 'monitoring.amazonaws.com',
  'execute-api': 'execute-api.amazonaws.com',
};

/**
 * Contract authors write actions the way IAM policies do (`s3:GetObject`, `dynamodb:*`); events
 * name them `eventSource:eventName` (`s3.amazonaws.com:GetObject`). IAM-style globs are rewritten
 * to the event form; event-form globs, API routes (`GET /orders/*`) and bare globs are kept.
 */
export function canonicalActionGlob(glob: string): string {
  const colon = glob.indexOf(':');
  if (colon <= 0 || glob.includes(' ')) return glob;
  const prefix = glob.slice(0, colon);
  if (!/^[a-z0-9-]+$/.test(prefix)) return glob;
  return `${EVENT_SOURCE_BY_IAM_PREFIX[prefix] ?? `${prefix}.amazonaws.com`}${glob.slice(colon)}`;
}

/** The contract with its action globs in event form (see {@link canonicalActionGlob}). */
export function canonicalContract(c: Contract): Contract {
  if (!c.allowedActions) return c;
  return { ...c, allowedActions: c.allowedActions.map(canonicalActionGlob) };
}

/** A compiled contract set: the most specific matching contract per identity (exact key beats glob; longer glob beats shorter). */
export class ContractSet {
  private readonly exact = new Map<string, Contract>();
  private readonly patterns: { glob: Glob; contract: Contract; specificity: number }[] = [];
  private readonly cache = new Map<string, Contract | undefined>();

  constructor(contracts: readonly Contract[]) {
    for (const declared of contracts) {
      const c = canonicalContract(declared);
      if (c.identity.includes('*') || c.identity.includes('?')) {
        this.patterns.push({
          glob: compileGlob(c.identity),
          contract: c,
          specificity: c.identity.replace(/[*?]/g, '').length,
        });
      } else {
        this.exact.set(c.identity, c);
      }
    }
    this.patterns.sort((a, b) => b.specificity - a.specificity);
  }

  /** The contract for an identity key, or undefined. */
  forIdentity(key: string): Contract | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    const found = this.exact.get(key) ?? this.patterns.find((p) => p.glob.test(key))?.contract;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, found);
    return found;
  }

  /** Number of contracts. */
  get size(): number {
    return this.exact.size + this.patterns.length;
  }
}
