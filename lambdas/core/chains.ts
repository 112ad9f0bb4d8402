/**
 * Identity chains: which identity a temporary credential really belongs to. Every credential
 * issuance the normaliser recognises (event.issuance) becomes a bounded link record keyed on the
 * issued access key id, holding the chain that led to it (federated subject / AWS service /
 * calling identity → role → role …). A later call made with that key is attributed: the engine
 * sets `event.chain` from the link before rules run, so findings, alerts and ASFF show whose
 * credential it was. An AssumeRole made with a linked key extends its chain (role chaining).
 *
 * A link is written once, when the key is issued; using the key writes nothing. Links live as long as the credential (at most 36 h, the longest STS allows), in the baseline
 * table under `lnk#<access key id>`, with the same exactly-once rules as every other record
 * (versioned conditional writes, batch ids remembered). Pure: no I/O, no clock.
 */
import type { ChainHop, ChainRoot, CredentialChain, IdentityEvent, Issuance } from './identity-event.js';

/** Longest credential lifetime STS issues (GetSessionToken / GetFederationToken): links never outlive it. */
export const MAX_LINK_LIFETIME_MS = 36 * 3_600_000;
/** Lifetime assumed when an issuance logs no expiry: the STS default of one hour. */
export const DEFAULT_LINK_LIFETIME_MS = 3_600_000;
/** Clock skew tolerated between an issuance and the first / last use of its key. */
export const LINK_SKEW_MS = 5 * 60_000;
/** Hops kept per chain (the newest: the role a call acts as is never dropped). */
export const MAX_CHAIN_HOPS = 6;

/** The link of one issued access key: the chain that led to it and where the key has been used. */
export interface LinkRecord {
  readonly type: 'link';
  readonly key: string;
  readonly accessKeyId: string;
  /** Event time of the issuance (epoch ms). */
  issuedAtMs: number;
  /** When the credential expires (epoch ms): the issuance's own expiry, at most 36 h after issue. */
  expiresAtMs: number;
  /** Issuer → … → this key. */
  chain: CredentialChain;
  /** Ids of the batches already folded in. */
  batches: string[];
}

/** Key of the link record of an issued access key. */
export const linkKey = (accessKeyId: string): string => `lnk#${accessKeyId}`;

/** Whether a credential id is a temporary key id a link can exist for. */
const isSessionKeyId = (id: string | undefined): id is string =>
  id !== undefined && id.startsWith('ASIA') && id.length >= 16 && id.length <= 128;

/** The key of the link that attributes this call's credential, if any could exist. */
export function callerLinkKey(event: IdentityEvent): string | undefined {
  return isSessionKeyId(event.credential.id) ? linkKey(event.credential.id) : undefined;
}

/** The key of the link this call creates (a successful issuance), if any. */
export function issuedLinkKey(event: IdentityEvent): string | undefined {
  const issued = event.issuance;
  if (issued === undefined || event.outcome.authz === 'denied' || event.outcome.authn === 'failure')
    return undefined;
  return isSessionKeyId(issued.accessKeyId) ? linkKey(issued.accessKeyId) : undefined;
}

/** Whether a link attributes a call at `timeMs` (the key was live then, give or take clock skew). */
export const isLinkLive = (link: LinkRecord, timeMs: number): boolean =>
  timeMs >= link.issuedAtMs - LINK_SKEW_MS && timeMs <= link.expiresAtMs + LINK_SKEW_MS;

/** Origin key of a call for chains: the AWS service acting, else ASN, else network, else the raw source. */
export function chainOriginKey(event: IdentityEvent): string {
  const o = event.origin;
  if (o.awsService !== undefined) return `svc:${o.awsService}`;
  if (o.asn !== undefined) return `AS${o.asn}`;
  if (o.network !== undefined) return `net:${o.network}`;
  return `raw:${(o.ip ?? 'unknown').slice(0, 64)}`;
}

/** What kind of place a call came from, for comparing where a key was issued with where it is used. */
export function originKind(event: IdentityEvent): NonNullable<ChainHop['fromKind']> {
  const o = event.origin;
  if (o.awsService !== undefined) return 'aws-service';
  if (!o.isIp) return 'unknown';
  if (o.isAws) return 'aws-network';
  if (o.isPrivate) return 'private';
  return 'outside';
}

/** Name of the calling identity for people: `role/x`, `user/x`, the service principal, else the key. */
function identityLabel(event: IdentityEvent): string {
  const id = event.identity;
  if (id.kind === 'aws-service') return id.name ?? id.key;
  if (id.name !== undefined) {
    if (id.kind === 'iam-role') return `role/${id.name}`;
    if (id.kind === 'iam-user') return `user/${id.name}`;
    if (id.kind === 'federated') return `federated-user/${id.name}`;
    return id.name;
  }
  return id.principal ?? id.key;
}

/** Where a chain starts when the caller's own credential is not linked to an earlier issuance. */
function rootOf(event: IdentityEvent, issued: Issuance): ChainRoot {
  const originKey = chainOriginKey(event);
  if (issued.subject !== undefined) {
    return {
      kind: 'federated',
      identityKey: event.identity.key,
      label: issued.subject.label,
      subject: issued.subject,
      originKey,
    };
  }
  if (event.identity.kind === 'aws-service')
    return { kind: 'aws-service', identityKey: event.identity.key, label: identityLabel(event), originKey };
  const root: { -readonly [K in keyof ChainRoot]: ChainRoot[K] } = {
    kind: 'identity',
    identityKey: event.identity.key,
    label: identityLabel(event),
    originKey,
  };
  if (event.credential.id !== undefined) root.credentialId = event.credential.id;
  return root;
}

/** The hop an issuance adds, with where the issuing call came from. */
function hopOf(event: IdentityEvent, issued: Issuance): ChainHop {
  const hop: { -readonly [K in keyof ChainHop]: ChainHop[K] } = {
    api: issued.api,
    accessKeyId: issued.accessKeyId,
    atMs: event.timeMs,
    from: chainOriginKey(event),
    fromKind: originKind(event),
  };
  // GetSessionToken / GetFederationToken act as the calling principal.
  const acting = issued.roleArn ?? event.identity.principal;
  if (acting !== undefined) hop.roleArn = acting;
  if (issued.sessionName !== undefined) hop.sessionName = issued.sessionName;
  return hop;
}

/**
 * The chain of the key an issuance created: the caller's own chain (when its credential is linked
 * and live) plus this hop, or a new chain rooted at the caller / federated subject / AWS service.
 */
export function chainOfIssuance(
  event: IdentityEvent,
  issued: Issuance,
  callerChain: CredentialChain | undefined,
): CredentialChain {
  const hop = hopOf(event, issued);
  if (callerChain === undefined) return { root: rootOf(event, issued), hops: [hop], droppedHops: 0 };
  const hops = [...callerChain.hops, hop];
  const overflow = Math.max(0, hops.length - MAX_CHAIN_HOPS);
  return {
    root: callerChain.root,
    hops: hops.slice(overflow),
    droppedHops: callerChain.droppedHops + overflow,
  };
}

/** A new link for the key an issuance created. */
export function newLink(
  event: IdentityEvent,
  issued: Issuance,
  callerChain: CredentialChain | undefined,
): LinkRecord {
  const t = event.timeMs;
  const logged = issued.expiresAtMs;
  const expiresAtMs =
    logged !== undefined && logged > t
      ? Math.min(logged, t + MAX_LINK_LIFETIME_MS)
      : t + DEFAULT_LINK_LIFETIME_MS;
  return {
    type: 'link',
    key: linkKey(issued.accessKeyId),
    accessKeyId: issued.accessKeyId,
    issuedAtMs: t,
    expiresAtMs,
    chain: chainOfIssuance(event, issued, callerChain),
    batches: [],
  };
}

/** A link decoded from JSON (no observed-value maps to revive: subjects and names are values, not keys). */
export const reviveLink = (r: LinkRecord): LinkRecord => r;

/** The event as rules see it once its credential is attributed. */
export const withChain = (event: IdentityEvent, chain: CredentialChain): IdentityEvent => ({
  ...event,
  chain,
});

/** `arn:aws:iam::123:role/path/name` → `role/name`; anything else as it is. */
function shortRole(arn: string): string {
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (role !== null) return `role/${role[1]}`;
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user !== null) return `user/${user[1]}`;
  return arn;
}

/** What a hop's key acts as, for people. */
function hopTarget(hop: ChainHop, isLast: boolean): string {
  let target: string;
  if (hop.api === 'GetFederationToken') target = `federated-user/${hop.sessionName ?? '?'}`;
  else if (hop.api === 'GetSessionToken')
    target = `session of ${hop.roleArn !== undefined ? shortRole(hop.roleArn) : 'the caller'}`;
  else target = hop.roleArn !== undefined ? shortRole(hop.roleArn) : 'role ?';
  if (isLast && hop.sessionName !== undefined && hop.api !== 'GetFederationToken')
    target += ` (session ${hop.sessionName})`;
  return target;
}

/**
 * The chain in one line: `repository org/app on refs/heads/main via GitHub OIDC → role/ci-deployer
 * → AssumeRole → role/prod-admin (session deploy-42)`. Attacker-influenced text (subjects, session
 * names): neutralise before display.
 */
export function describeChain(chain: CredentialChain): string {
  const parts: string[] = [chain.root.label];
  if (chain.droppedHops > 0)
    parts.push(`… ${chain.droppedHops} earlier hop${chain.droppedHops === 1 ? '' : 's'} …`);
  chain.hops.forEach((hop, i) => {
    const isLast = i === chain.hops.length - 1;
    // The first hop of a federated chain is implied by its label (`via GitHub OIDC`).
    if (!(i === 0 && chain.droppedHops === 0 && chain.root.kind === 'federated')) parts.push(hop.api);
    parts.push(hopTarget(hop, isLast));
  });
  return parts.join(' → ');
}

/** Depth of a chain: issuances between the root and the credential. */
export const chainDepth = (chain: CredentialChain): number => chain.hops.length + chain.droppedHops;
