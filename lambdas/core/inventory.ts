/**
 * The identity inventory: what nhi-watch knows about each identity it has seen, read from the
 * baselines it keeps anyway (`nhi-watch identities`). Pure: the reference time ("as of") is an
 * argument, so a state file of last year's logs is judged against its own clock, not today's.
 */
import type { Dimension, IdentityBaseline } from './baseline.js';
import type { ContractSet } from './contracts.js';
import type { CredentialKind, IdentityKind } from './identity-event.js';
import { entriesOf } from './safe-record.js';

/** Credential kinds that do not expire by themselves (rotated by hand, if at all). */
const LONG_LIVED: ReadonlySet<CredentialKind> = new Set(['long-lived-key', 'api-key', 'mtls-certificate']);

const DAY_MS = 86_400_000;

/** One credential an identity used. */
export interface CredentialProfile {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly isLongLived: boolean;
  readonly firstUsedMs: number;
  readonly lastUsedMs: number;
  /** Days from its first recorded use to "as of": a lower bound of its age. */
  readonly ageDays: number;
  readonly calls: number;
  /** Used from AWS networks / services, from outside AWS. */
  readonly isUsedInAws: boolean;
  readonly isUsedOutsideAws: boolean;
}

/** A value of a learned dimension with its count and first / last seen. */
export interface ValueProfile {
  readonly value: string;
  readonly calls: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/** One identity in the inventory. */
export interface IdentityProfile {
  readonly key: string;
  readonly kind: IdentityKind;
  readonly accountId?: string;
  readonly principal?: string;
  readonly name?: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly calls: number;
  /** Silent for at least `dormantDays` before "as of". */
  readonly isDormant: boolean;
  readonly daysSilent: number;
  readonly credentials: readonly CredentialProfile[];
  readonly networks: readonly ValueProfile[];
  readonly asns: readonly ValueProfile[];
  readonly countries: readonly ValueProfile[];
  readonly userAgentFamilies: readonly ValueProfile[];
  readonly regions: readonly ValueProfile[];
  readonly rolesAssumed: readonly ValueProfile[];
  /** Most used first. */
  readonly topActions: readonly ValueProfile[];
  readonly distinctActions: number;
  /** Findings known for this identity (undefined: not known from this source). */
  readonly findings?: number;
  /** The contract pattern covering it, when contracts were given; undefined when none covers it. */
  readonly contract?: string;
}

/** Options of {@link identityProfile}. */
export interface InventoryOptions {
  /** The reference time (epoch ms). */
  readonly asOfMs: number;
  /** @default 30 */
  readonly dormantDays?: number;
  /** Actions listed per identity. @default 10 */
  readonly topActions?: number;
  /** When given, each identity's covering contract is named. */
  readonly contracts?: ContractSet;
  /** Findings per identity key, when known. */
  readonly findingsByIdentity?: ReadonlyMap<string, number>;
}

/** The values of a dimension, most used first (ties: most recent first). */
export function valuesOf(dim: Dimension, limit = Number.POSITIVE_INFINITY): ValueProfile[] {
  return entriesOf(dim)
    .map(([value, s]) => ({ value, calls: s.n, firstSeenMs: s.f, lastSeenMs: s.l }))
    .sort((a, b) => b.calls - a.calls || b.lastSeenMs - a.lastSeenMs || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

/** One identity's profile from its baseline. */
export function identityProfile(b: IdentityBaseline, o: InventoryOptions): IdentityProfile {
  const dormantDays = o.dormantDays ?? 30;
  const daysSilent = Math.max(0, (o.asOfMs - b.lastSeenMs) / DAY_MS);
  const credentials = entriesOf(b.credentials)
    .map(([id, c]) => ({
      id,
      kind: c.kind,
      isLongLived: LONG_LIVED.has(c.kind),
      firstUsedMs: c.f,
      lastUsedMs: c.l,
      ageDays: Math.max(0, Math.floor((o.asOfMs - c.f) / DAY_MS)),
      calls: c.n,
      isUsedInAws: c.hasAws,
      isUsedOutsideAws: c.hasOutside,
    }))
    .sort((a, b) => b.lastUsedMs - a.lastUsedMs || (a.id < b.id ? -1 : 1));
  const out: Record<string, unknown> = {
    key: b.key,
    kind: b.kind,
    firstSeenMs: b.firstSeenMs,
    lastSeenMs: b.lastSeenMs,
    calls: b.eventCount,
    isDormant: daysSilent >= dormantDays,
    daysSilent: Math.floor(daysSilent),
    credentials,
    networks: valuesOf(b.dims.networks),
    asns: valuesOf(b.dims.asns).map((v) => ({ ...v, value: `AS${v.value}` })),
    countries: valuesOf(b.dims.countries),
    userAgentFamilies: valuesOf(b.dims.uaFamilies),
    regions: valuesOf(b.dims.regions),
    rolesAssumed: valuesOf(b.dims.rolesAssumed),
    topActions: valuesOf(b.dims.actions, o.topActions ?? 10),
    distinctActions: entriesOf(b.dims.actions).length,
  };
  if (b.accountId !== undefined) out.accountId = b.accountId;
  if (b.principal !== undefined) out.principal = b.principal;
  if (b.name !== undefined) out.name = b.name;
  if (o.findingsByIdentity !== undefined) out.findings = o.findingsByIdentity.get(b.key) ?? 0;
  const contract = o.contracts?.forIdentity(b.key);
  if (contract !== undefined) out.contract = contract.identity;
  return out as unknown as IdentityProfile;
}

/** The inventory: every identity's profile, sorted by key. "As of" defaults to the latest event seen. */
export function inventory(
  baselines: readonly IdentityBaseline[],
  o: Omit<InventoryOptions, 'asOfMs'> & { readonly asOfMs?: number },
): IdentityProfile[] {
  const asOfMs = o.asOfMs ?? baselines.reduce((m, b) => Math.max(m, b.lastSeenMs), 0);
  return baselines
    .map((b) => identityProfile(b, { ...o, asOfMs }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
