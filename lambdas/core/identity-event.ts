/**
 * The identity event: what every CloudTrail record and API Gateway access-log line becomes.
 * It answers who called, with which credential, from where, doing what, and with what outcome.
 * Never carries a secret: credentials are identified by id / fingerprint only.
 */

/**
 * Longest identity key an event may carry, in UTF-8 bytes. State is kept under `id#<key>` and
 * DynamoDB refuses a partition key over 2,048 bytes — for the whole request, so one oversized key
 * would fail every retry of a delivery. Real principals are far shorter (an IAM role ARN with the
 * longest path and name is under 700 characters); a longer key can only be forged or corrupt.
 */
export const MAX_IDENTITY_KEY_BYTES = 1_536;

/** UTF-8 length of a text (what DynamoDB counts), computed without allocating. */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

/** Whether an identity key is too long to keep state for (see {@link MAX_IDENTITY_KEY_BYTES}). */
export const isOversizedKey = (key: string): boolean =>
  key.length > MAX_IDENTITY_KEY_BYTES ||
  (key.length * 3 > MAX_IDENTITY_KEY_BYTES && utf8Bytes(key) > MAX_IDENTITY_KEY_BYTES);

/** An AWS account id: twelve digits. */
export const isAccountId = (text: string): boolean => /^\d{12}$/.test(text);

/** Which log the event came from. */
export type EventSource = 'cloudtrail' | 'api-gateway';

/** The kind of principal a baseline is kept for. */
export type IdentityKind =
  | 'iam-role'
  | 'iam-user'
  | 'root'
  | 'federated'
  | 'aws-service'
  | 'identity-center'
  | 'api-client'
  | 'unknown';

/** How the caller proved who it is. */
export type CredentialKind =
  | 'long-lived-key' // AKIA…
  | 'session-key' // ASIA…
  | 'bearer-token' // JWT / OAuth token, identified by jti or a fingerprint
  | 'api-key' // API Gateway API key, identified by its id
  | 'mtls-certificate' // identified by serial number
  | 'console-session'
  | 'sigv4' // IAM-authorised API call (API Gateway AWS_IAM)
  | 'none'
  | 'unknown';

/** Authentication result: did the credential prove an identity? */
export type AuthnResult = 'success' | 'failure' | 'unknown';
/** Authorization result: was the authenticated identity allowed to do this? */
export type AuthzResult = 'allowed' | 'denied' | 'unknown';

/** Coarse class of the user agent, for "human use of an NHI" and new-agent rules. */
export type UserAgentClass =
  | 'sdk'
  | 'cli'
  | 'iac'
  | 'browser'
  | 'console'
  | 'aws-internal'
  | 'offensive-tool'
  | 'http-library'
  | 'unknown';

/** Who the event is about: the thing a baseline is kept for. */
export interface Identity {
  /** Stable baseline key, e.g. `aws:123456789012:role/deployer` or `api:abc123:client:partner-7`. */
  readonly key: string;
  readonly kind: IdentityKind;
  readonly accountId?: string;
  /** Principal ARN (the role ARN for assumed roles, not the session ARN) or token subject. */
  readonly principal?: string;
  /** Human-friendly name (role name, user name, client id). */
  readonly name?: string;
  /** Role-session name or token subject when it differs from the key. Attacker-influenced. */
  readonly sessionName?: string;
  /** OAuth client id / API Gateway principalId / Cognito client. */
  readonly clientId?: string;
  /** Token issuer or federated identity provider (e.g. token.actions.githubusercontent.com). */
  readonly issuer?: string;
  /**
   * Whether this call creates a role chain: the CloudTrail normaliser sets it on calls made by a
   * role session (AssumedRole), true when the call is `sts:AssumeRole` (role → role), false on the
   * session's other calls, and leaves it unset for other callers. It says nothing about how the
   * calling session itself was obtained. lateral-movement relies on it to name an AssumeRole as
   * one more hop from the original credential in its evidence (never as a trigger of its own).
   */
  readonly isRoleChain?: boolean;
}

/** Which credential was presented; never the secret value. */
export interface Credential {
  /** AKIA…/ASIA… access key id, token jti or fingerprint, API key id, certificate serial. */
  readonly id?: string;
  readonly kind: CredentialKind;
  /** When the credential / session was issued (epoch ms), when known. */
  readonly issuedAtMs?: number;
  /** Whether MFA authenticated the session, when known. */
  readonly isMfa?: boolean;
}

/** Where the call came from. */
export interface Origin {
  /** Source IP as logged (may be an AWS service name, `AWS Internal` or an anonymised string). */
  readonly ip?: string;
  /** True when `ip` parsed as an IPv4/IPv6 address. */
  readonly isIp: boolean;
  /** /24 for IPv4, /48 for IPv6. */
  readonly network?: string;
  readonly asn?: number;
  readonly asOrg?: string;
  /** ISO 3166 alpha-2 country. */
  readonly country?: string;
  /** True when the address is in an AWS network (AS16509/AS14618/AS8987) or the call was made by an AWS service. */
  readonly isAws: boolean;
  /** True for RFC 1918 / loopback / link-local / CGNAT / documentation-free private space. */
  readonly isPrivate: boolean;
  readonly vpcEndpointId?: string;
  /** AWS service that acted on the caller's behalf (`invokedBy`, service-name sourceIPAddress). */
  readonly awsService?: string;
  /** Raw user agent. Attacker-controlled: neutralise before display. */
  readonly userAgent?: string;
  /** Normalised family, e.g. `aws-cli`, `boto3`, `aws-sdk-js`, `terraform`, `chrome`, `curl`. */
  readonly userAgentFamily: string;
  readonly userAgentClass: UserAgentClass;
}

/** ATT&CK-style tactic of a sensitive action (lambdas/core/catalogue/sensitive-actions.ts). */
export type Tactic =
  | 'defense-evasion'
  | 'persistence'
  | 'privilege-escalation'
  | 'credential-access'
  | 'discovery'
  | 'exposure'
  | 'execution'
  | 'lateral-movement'
  | 'impact';

/** The sensitive-action catalogue entry a call matched, decided by the normaliser from its request parameters. */
export interface SensitiveMatch {
  /** Catalogue entry id, e.g. `cloudtrail-stop-logging`. */
  readonly id: string;
  readonly tactic: Tactic;
}

/** What was done. */
export interface Action {
  /** `s3.amazonaws.com:GetObject` or `GET /orders/{id}`. */
  readonly name: string;
  readonly service?: string;
  readonly resource?: string;
  readonly region?: string;
  readonly isReadOnly?: boolean;
  /** For sts:AssumeRole* — the role being assumed. */
  readonly targetRoleArn?: string;
  /** Account of the target resource / role when it differs from the caller's. */
  readonly targetAccountId?: string;
  /**
   * The sensitive-action catalogue entry the call matches (its name and, where they decide, its
   * request parameters: a detector update that disables it, a snapshot shared with `all`). Set by
   * the CloudTrail normaliser; carries no parameter values.
   */
  readonly sensitive?: SensitiveMatch;
}

/** The credential-issuing APIs nhi-watch links (STS, Cognito identity pools, IAM Roles Anywhere). */
export type IssuanceApi =
  | 'AssumeRole'
  | 'AssumeRoleWithWebIdentity'
  | 'AssumeRoleWithSAML'
  | 'GetSessionToken'
  | 'GetFederationToken'
  | 'GetCredentialsForIdentity'
  | 'CreateSession';

/** How a federated subject proved itself. */
export type FederationKind = 'web-identity' | 'saml' | 'cognito' | 'x509';

/**
 * The outside identity a credential was issued to: an OIDC token's subject (GitHub Actions
 * `repo:org/app:ref:refs/heads/main`, EKS `system:serviceaccount:ns:name`), a SAML NameID, a
 * Cognito identity id, a Roles Anywhere certificate. Every field is attacker-influenced text.
 */
export interface FederatedSubject {
  readonly kind: FederationKind;
  /** Token issuer host (`token.actions.githubusercontent.com`), SAML issuer, identity pool, trust anchor. */
  readonly provider: string;
  /** Token audience / SAML audience / identity pool id, when logged. */
  readonly audience?: string;
  /** The subject as logged: `sub`, NameID, identity id, certificate subject. */
  readonly subject: string;
  /**
   * What a baseline learns the subject by, stable across routine change: a GitHub repository
   * without its ref, an EKS service account, a Cognito identity pool (not each end user), a SAML
   * issuer. Prefixed with the provider.
   */
  readonly pattern: string;
  /** Owner scope of the pattern (GitHub organisation, EKS cluster + namespace, GitLab group, …), prefixed with the provider. */
  readonly owner: string;
  /** For people: `repository org/app on refs/heads/main via GitHub OIDC`. */
  readonly label: string;
}

/**
 * A credential this call issued: the link from the new access key id to whoever received it.
 * Never carries the secret access key or the session token.
 */
export interface Issuance {
  readonly api: IssuanceApi;
  /** The issued access key id (`ASIA…`). */
  readonly accessKeyId: string;
  /** Role the credential acts as, when a role was assumed. */
  readonly roleArn?: string;
  /** Role-session name, federated-user name or certificate serial the session is known by. */
  readonly sessionName?: string;
  /** When the credential expires (epoch ms), when logged. */
  readonly expiresAtMs?: number;
  /** The federated subject it was issued to; absent when the caller's own credential asked for it. */
  readonly subject?: FederatedSubject;
}

/** One issuance on the way to a credential. */
export interface ChainHop {
  readonly api: IssuanceApi;
  /** Role assumed (ARN), or the principal the session belongs to (GetSessionToken / GetFederationToken). */
  readonly roleArn?: string;
  readonly sessionName?: string;
  /** The issued access key id. */
  readonly accessKeyId: string;
  /** Event time of the issuance (epoch ms). */
  readonly atMs: number;
  /** Origin key of the issuing call (`AS64500`, `svc:ec2.amazonaws.com`, `net:…`): where the key was handed out. */
  readonly from?: string;
  /** What kind of place that is: an AWS service issuing for a workload, an AWS network address, private space, the internet. */
  readonly fromKind?: 'aws-service' | 'aws-network' | 'private' | 'outside' | 'unknown';
}

/** Where a chain starts: a federated subject, an AWS service, or an identity using its own credential. */
export interface ChainRoot {
  readonly kind: 'federated' | 'aws-service' | 'identity';
  /** Identity key of the first caller (for `federated`, the role it assumed). */
  readonly identityKey: string;
  /** Name for people: subject label, service principal, principal ARN or key. */
  readonly label: string;
  readonly subject?: FederatedSubject;
  /** Credential the first caller presented (`AKIA…`), when it had one. */
  readonly credentialId?: string;
  /** Origin key (`AS64500`, `svc:lambda.amazonaws.com`, `net:…`) the first issuance came from. */
  readonly originKey?: string;
}

/** How the credential of a call was obtained, as far back as nhi-watch saw the issuances. */
export interface CredentialChain {
  readonly root: ChainRoot;
  /** Issuances oldest first; bounded (the newest are kept when a chain is longer). */
  readonly hops: readonly ChainHop[];
  /** Hops left out past the depth bound. */
  readonly droppedHops: number;
}

/** Outcome, with authentication, authorization and application status kept apart. */
export interface Outcome {
  readonly authn: AuthnResult;
  readonly authz: AuthzResult;
  /** HTTP status (API Gateway) or undefined. */
  readonly status?: number;
  /** CloudTrail errorCode / API Gateway error type. */
  readonly errorCode?: string;
  readonly isThrottled: boolean;
  /** OAuth scopes granted, when the authorizer logs them. */
  readonly scopes?: readonly string[];
}

/** One normalised call. */
export interface IdentityEvent {
  readonly source: EventSource;
  /** Event / request id as logged ('' when absent). */
  readonly eventId: string;
  /** Event time (not arrival time), epoch ms. */
  readonly timeMs: number;
  readonly identity: Identity;
  readonly credential: Credential;
  readonly origin: Origin;
  readonly action: Action;
  readonly outcome: Outcome;
  /** CloudWatch log group / file the event came from. */
  readonly logGroup?: string;
  /** The event's own account (recipientAccountId) when known. */
  readonly recipientAccountId?: string;
  /** The credential this call issued (set by the normaliser on successful issuance calls). */
  readonly issuance?: Issuance;
  /**
   * How the call's credential was obtained (set by the engine from the issuance links it keeps):
   * issuer → role → session, through role chaining.
   */
  readonly chain?: CredentialChain;
}

/** Result of parsing one unit of input at the boundary: a value or a counted reason. */
export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };
