/**
 * Population priors: bounded records for the populations an identity belongs to — its account, and
 * its kind of workload within the account (Lambda role, EC2 instance role, CI / OIDC role, IAM user,
 * API client…). They let a rule judge an identity with no history of its own: "first time anyone in
 * this account called cloudtrail:StopLogging", "no Lambda role here ever listed IAM users", "this
 * identity is brand new and already creates access keys".
 *
 * Records live in the same store as identity baselines and follow the same exactly-once rules: the
 * engine folds into a working copy, writes it once per batch conditional on the version it read, and
 * remembers the batch id so a redelivered batch is not folded twice. Pure: no I/O, no clock.
 */
import { touch, type BaselineLimits, type Dimension, type FoldNotes, type ValueStat } from './baseline.js';
import {
  deleteOwn,
  emptyRecord,
  getOwn,
  keysOf,
  setOwn,
  toSafeRecord,
  type SafeRecord,
} from './safe-record.js';
import { isAccountId, type IdentityEvent } from './identity-event.js';

/** The kind of workload an identity's call reveals: the peers it is compared with. */
export type PeerKind =
  'lambda' | 'ec2-instance' | 'container' | 'ci-oidc' | 'iam-user' | 'api-client' | 'human' | 'root' | 'role';

/** Peer kinds, for documentation and validation. */
export const PEER_KINDS: readonly PeerKind[] = [
  'lambda',
  'ec2-instance',
  'container',
  'ci-oidc',
  'iam-user',
  'api-client',
  'human',
  'root',
  'role',
];

/** One action in a population: calls, first / last seen, and how many identities called it. */
export interface PopulationAction {
  n: number;
  f: number;
  l: number;
  /** Identities that called it (counted on each identity's first allowed call of it). */
  i: number;
}

/** A bounded population record: an account, or one kind of identity within an account. */
export interface PopulationRecord {
  readonly type: 'population';
  readonly key: string;
  readonly scope: 'account' | 'kind';
  /** The account (or API) the population belongs to. */
  readonly account: string;
  readonly kind?: PeerKind;
  firstSeenMs: number;
  lastSeenMs: number;
  eventCount: number;
  /** Identities first seen by nhi-watch in this population. */
  identities: number;
  /** Allowed actions → stats, least recently seen evicted past `maxPopulationActions`. */
  actions: SafeRecord<PopulationAction>;
  rolesAssumed: Dimension;
  asns: Dimension;
  batches: string[];
}

/** The priors a rule sees for one event: the records as they were before the event. */
export interface Priors {
  readonly peerKind: PeerKind;
  readonly account: PopulationRecord | undefined;
  readonly kind: PopulationRecord | undefined;
}

/** Key of an account's population record. */
export const accountPopulationKey = (account: string): string => `pop#acct#${account}`;
/** Whether a state record key is a population record's. */
export const isPopulationKey = (key: string): boolean => key.startsWith('pop#');
/** Key of a kind-of-identity population record within an account. */
export const kindPopulationKey = (account: string, kind: PeerKind): string => `pop#kind#${account}#${kind}`;

const EC2_SESSION = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/**
 * The peer kind an event shows. Derived from what the call carries: the runtime marker AWS SDKs put
 * in the user agent (`exec-env/AWS_Lambda_…`, `exec-env/AWS_ECS_…`), an instance id as the role
 * session name (EC2 instance profiles), a web-identity provider (CI / OIDC), console or SSO use.
 */
export function peerKindOf(event: IdentityEvent): PeerKind {
  const id = event.identity;
  if (id.kind === 'root') return 'root';
  if (id.kind === 'api-client') return 'api-client';
  const ua = event.origin.userAgent ?? '';
  const uaClass = event.origin.userAgentClass;
  if (
    id.kind === 'identity-center' ||
    event.credential.kind === 'console-session' ||
    uaClass === 'browser' ||
    uaClass === 'console' ||
    (id.principal?.includes(':role/aws-reserved/sso.amazonaws.com/') ?? false) ||
    (id.name?.startsWith('AWSReservedSSO_') ?? false) ||
    (id.issuer !== undefined && /saml/i.test(id.issuer))
  )
    return 'human';
  if (ua.includes('exec-env/AWS_Lambda')) return 'lambda';
  if (ua.includes('exec-env/AWS_ECS')) return 'container';
  if (id.sessionName !== undefined && EC2_SESSION.test(id.sessionName)) return 'ec2-instance';
  if (id.issuer !== undefined) return 'ci-oidc';
  if (id.kind === 'iam-user') return 'iam-user';
  return 'role';
}

/** The account (or API) an event's populations belong to; undefined for AWS services and unknown callers. */
export function populationAccount(event: IdentityEvent): string | undefined {
  if (event.identity.kind === 'aws-service') return undefined;
  if (event.source === 'api-gateway') {
    const parts = event.identity.key.split(':');
    return parts.length >= 2 && parts[1] !== '' ? `api:${parts[1]}` : undefined;
  }
  const account = event.identity.accountId ?? event.recipientAccountId;
  // Priors are per AWS account: anything but an account id (`unknown`, a forged string) has none.
  return account !== undefined && isAccountId(account) ? account : undefined;
}

/** Keys of an event's population records (none for AWS services or callers without an account). */
export function populationKeys(
  event: IdentityEvent,
): { account: string; kind: string; peerKind: PeerKind } | undefined {
  const account = populationAccount(event);
  if (account === undefined) return undefined;
  const peerKind = peerKindOf(event);
  return { account: accountPopulationKey(account), kind: kindPopulationKey(account, peerKind), peerKind };
}

/** A fresh population record. */
export function emptyPopulation(
  key: string,
  scope: 'account' | 'kind',
  account: string,
  timeMs: number,
  kind?: PeerKind,
): PopulationRecord {
  const r: PopulationRecord = {
    type: 'population',
    key,
    scope,
    account,
    firstSeenMs: timeMs,
    lastSeenMs: timeMs,
    eventCount: 0,
    identities: 0,
    actions: emptyRecord(),
    rolesAssumed: emptyRecord(),
    asns: emptyRecord(),
    batches: [],
  };
  return kind === undefined ? r : { ...r, kind };
}

/** What the identity's own baseline said before the event (the engine knows; the population record cannot). */
export interface PopulationFoldHints {
  /** First event nhi-watch has seen from this identity. */
  readonly isNewIdentity: boolean;
  /** The identity's first allowed call of this action. */
  readonly isNewActionForIdentity: boolean;
}

/**
 * Fold one event into a population record (mutates it); returns whether anything was folded.
 * Authentication failures say nothing about the population and are skipped; denied calls count as
 * calls but not as actions the population does. `weight` is what the event counts for in the call
 * counters (core/write-policy.ts); `notes.isNovel` is set when it changed anything but counters
 * and times (a new identity, a new action or one more identity calling it, a role, an ASN).
 */
export function foldPopulation(
  p: PopulationRecord,
  event: IdentityEvent,
  hints: PopulationFoldHints,
  limits: BaselineLimits,
  weight = 1,
  notes?: FoldNotes,
): boolean {
  if (event.outcome.authn === 'failure') return false;
  const t = event.timeMs;
  if (t < p.firstSeenMs) p.firstSeenMs = t;
  if (t > p.lastSeenMs) p.lastSeenMs = t;
  p.eventCount += weight;
  let isNovel = hints.isNewIdentity || hints.isNewActionForIdentity;
  if (hints.isNewIdentity) p.identities += 1;
  if (event.outcome.authz !== 'denied') {
    const name = event.action.name;
    const a = getOwn(p.actions, name);
    if (a) {
      a.n += weight;
      if (t > a.l) a.l = t;
      if (t < a.f) a.f = t;
      if (hints.isNewActionForIdentity) a.i += 1;
    } else {
      isNovel = true;
      setOwn(p.actions, name, { n: weight, f: t, l: t, i: 1 });
      const keys = keysOf(p.actions);
      if (keys.length > limits.maxPopulationActions) {
        let oldest = keys[0] as string;
        let oldestL = Infinity;
        for (const k of keys) {
          const l = getOwn(p.actions, k)?.l ?? Infinity;
          if (l < oldestL) {
            oldest = k;
            oldestL = l;
          }
        }
        deleteOwn(p.actions, oldest);
      }
    }
  }
  const role = event.action.targetRoleArn;
  if (
    role !== undefined &&
    role !== '' &&
    touch(p.rolesAssumed, role, t, limits.maxValuesPerDimension, weight)
  )
    isNovel = true;
  if (
    event.origin.asn !== undefined &&
    touch(p.asns, String(event.origin.asn), t, limits.maxValuesPerDimension, weight)
  )
    isNovel = true;
  if (notes && isNovel) notes.isNovel = true;
  return true;
}

/** A population's stats for an action, own keys only (an action named `constructor` is not "seen"). */
export const populationAction = (
  p: PopulationRecord | undefined,
  action: string,
): PopulationAction | undefined => (p === undefined ? undefined : getOwn(p.actions, action));

/** A population record decoded from JSON, its maps back to null-prototype records (see reviveRecord). */
export function revivePopulation(r: PopulationRecord): PopulationRecord {
  r.actions = toSafeRecord<PopulationAction>(r.actions);
  r.rolesAssumed = toSafeRecord<ValueStat>(r.rolesAssumed);
  r.asns = toSafeRecord<ValueStat>(r.asns);
  return r;
}

/** Whether a population has enough history to say "never seen here": this many days and identities. */
export function isPopulationMature(
  p: PopulationRecord | undefined,
  timeMs: number,
  minDays: number,
  minIdentities: number,
): p is PopulationRecord {
  return p !== undefined && timeMs - p.firstSeenMs >= minDays * 86_400_000 && p.identities >= minIdentities;
}

/** `account 123456789012: 14 identities, 41,022 calls since …`: what a prior judgement was based on. */
export function describePopulation(p: PopulationRecord): string {
  const what =
    p.scope === 'account' ? `account ${p.account}` : `${p.kind ?? 'unknown'} identities of ${p.account}`;
  return `${what}: ${p.identities} identities, ${p.eventCount} calls since ${new Date(p.firstSeenMs).toISOString().slice(0, 16)}Z`;
}
