/**
 * CloudTrail input: the text formats records arrive in, and the normaliser from a CloudTrail record
 * to an {@link IdentityEvent}.
 *
 * Identity keys (the thing a baseline is kept for) are stable strings, never a session:
 *
 * | userIdentity                                  | key                                              | kind            |
 * |-----------------------------------------------|--------------------------------------------------|-----------------|
 * | AssumedRole                                   | `aws:<account>:role/<role name>` (the role, not the session) | iam-role |
 * | AssumedRole without issuer / role name        | `aws:<account>:role-id/<AROA… unique id>`       | iam-role        |
 * | IAMUser                                       | `aws:<account>:user/<user name>`                 | iam-user        |
 * | Root                                          | `aws:<account>:root`                             | root            |
 * | FederatedUser (GetFederationToken)            | `aws:<account>:federated-user/<name>`            | federated       |
 * | WebIdentityUser / SAMLUser assuming a role    | `aws:<account>:role/<role name>`, provider in `issuer` | iam-role  |
 * | WebIdentityUser without a role                | `aws:web-identity:<provider>/<subject>`          | federated       |
 * | SAMLUser without a role                       | `aws:<account>:saml-user/<user name>`            | federated       |
 * | AWSService (or `invokedBy` only)              | `aws:service:<service principal>`                | aws-service     |
 * | AWSAccount (cross-account caller)             | `aws:<account>:principal/<AROA…/AIDA… id>`       | iam-role / iam-user / unknown |
 * | AWSAccount `ANONYMOUS_PRINCIPAL`              | `aws:anonymous`                                  | unknown         |
 * | IdentityCenterUser                            | `aws:identity-center:<identity store>/<user id>` | identity-center |
 * | Unknown / no type, only an access key         | `aws:key:<AKIA…/ASIA…>`                          | unknown         |
 * | Unknown with a principal id or user name      | `aws:<account>:unknown/<principal id or name>`   | unknown         |
 *
 * `<account>` is `userIdentity.accountId`, else the account in the ARN, else `recipientAccountId`,
 * else `unknown`.
 */
import { gunzipSync } from 'node:zlib';
import type {
  Action,
  AuthnResult,
  AuthzResult,
  Credential,
  CredentialKind,
  Identity,
  IdentityEvent,
  IdentityKind,
  Outcome,
  ParseResult,
} from '../identity-event.js';
import { matchSensitiveAction } from '../catalogue/sensitive-actions.js';
import { parseCompactTime, parseIsoTime } from './event-time.js';
import { asFlag, asObject, asText, capped, type JsonObject } from './fields.js';
import { awsServiceFromSource, buildOrigin, type IpIntel } from './ip-intel.js';

/** A CloudTrail record as parsed from JSON: untrusted until normalised. */
export type CloudTrailRecord = JsonObject;

/** One unit of input that could not be used, with where it was and why. */
export interface TextReject {
  /**
   * 1-based line for JSON Lines; 1-based position of the record for whole-document formats;
   * 0 when the whole input is unusable (e.g. a corrupt `.gz`).
   */
  readonly line: number;
  readonly reason: string;
}

/** Which container format a CloudTrail text turned out to be. */
export type CloudTrailTextFormat = 'records' | 'array' | 'single' | 'json-lines' | 'empty';

/** The records found in a CloudTrail text, and every unusable unit with its reason. */
export interface CloudTrailText {
  readonly format: CloudTrailTextFormat;
  readonly records: CloudTrailRecord[];
  readonly rejects: TextReject[];
}

/** Default ceiling for decompressed input, against gzip bombs (CloudTrail S3 objects are far smaller). */
export const DEFAULT_MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

/**
 * Gunzip the bytes if they start with the gzip magic number, otherwise return them unchanged,
 * so callers can hand over `.json` and `.json.gz` alike.
 */
export function maybeGunzip(
  data: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_GUNZIP_BYTES,
): ParseResult<Uint8Array> {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return { ok: true, value: data };
  try {
    return { ok: true, value: gunzipSync(data, { maxOutputLength: maxOutputBytes }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, reason: code === 'ERR_BUFFER_TOO_LARGE' ? 'gzip-too-large' : 'invalid-gzip' };
  }
}

/**
 * Unwrap the CloudTrail `LookupEvents` API shape (`{EventId, …, CloudTrailEvent: "<json>"}`)
 * to the record it embeds; other objects are returned as they are.
 */
function unwrapRecord(value: unknown): ParseResult<CloudTrailRecord> {
  const obj = asObject(value);
  if (obj === undefined) return { ok: false, reason: 'not-an-object' };
  const embedded = obj['CloudTrailEvent'];
  if (typeof embedded !== 'string') return { ok: true, value: obj };
  let inner: unknown;
  try {
    inner = JSON.parse(embedded);
  } catch {
    return { ok: false, reason: 'invalid-embedded-event' };
  }
  const innerObj = asObject(inner);
  return innerObj === undefined
    ? { ok: false, reason: 'invalid-embedded-event' }
    : { ok: true, value: innerObj };
}

function collect(
  values: readonly unknown[],
  records: CloudTrailRecord[],
  rejects: TextReject[],
  lineOf: (i: number) => number,
): void {
  for (let i = 0; i < values.length; i++) {
    const r = unwrapRecord(values[i]);
    if (r.ok) records.push(r.value);
    else rejects.push({ line: lineOf(i), reason: r.reason });
  }
}

/**
 * Split a CloudTrail text into records. Accepts the S3 delivery format `{"Records":[…]}`, a JSON
 * array of records, a single record, the `LookupEvents` shape with an embedded `CloudTrailEvent`
 * string, and JSON Lines of any of these. Never throws; every unusable line is a reject.
 */
export function parseCloudTrailText(text: string): CloudTrailText {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trim();
  const records: CloudTrailRecord[] = [];
  const rejects: TextReject[] = [];
  if (trimmed.length === 0) return { format: 'empty', records, rejects };
  const first = trimmed.charCodeAt(0);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let whole: unknown;
    let parsed = true;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      parsed = false;
    }
    if (parsed) {
      if (Array.isArray(whole)) {
        collect(whole, records, rejects, (i) => i + 1);
        return { format: 'array', records, rejects };
      }
      const obj = asObject(whole);
      const list = obj?.['Records'];
      if (Array.isArray(list)) {
        collect(list, records, rejects, (i) => i + 1);
        return { format: 'records', records, rejects };
      }
      collect([whole], records, rejects, () => 1);
      return { format: 'single', records, rejects };
    }
  }
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      rejects.push({ line: i + 1, reason: 'invalid-json' });
      continue;
    }
    const nested = asObject(value)?.['Records'];
    if (Array.isArray(nested)) collect(nested, records, rejects, () => i + 1);
    else collect([value], records, rejects, () => i + 1);
  }
  return { format: 'json-lines', records, rejects };
}

/**
 * Read a CloudTrail file's bytes as delivered (`.json`, `.json.gz`, JSON Lines, …): gunzip when
 * needed, decode UTF-8, split into records. A corrupt or oversized gzip is one reject at line 0.
 */
export function parseCloudTrailBytes(
  data: Uint8Array,
  maxOutputBytes = DEFAULT_MAX_GUNZIP_BYTES,
): CloudTrailText {
  const inflated = maybeGunzip(data, maxOutputBytes);
  if (!inflated.ok) return { format: 'empty', records: [], rejects: [{ line: 0, reason: inflated.reason }] };
  const bytes = inflated.value;
  return parseCloudTrailText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

// ---------------------------------------------------------------------------------------------
// Outcome classes

/** Error codes meaning the credential did not prove an identity (signature, token, key, expiry). */
export const AUTHENTICATION_FAILURE_CODES: ReadonlySet<string> = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'Client.AuthFailure',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'UnrecognizedClientException',
  'InvalidToken',
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'IDPRejectedClaim',
  'IDPRejectedClaimException',
  'InvalidAuthenticationCode',
  'RequestExpired',
  'Client.RequestExpired',
  'InvalidSecurity',
  'AccountProblem',
  'OptInRequired',
  'Client.OptInRequired',
]);

/** Error codes meaning the identity was known but not allowed to do this. */
export const AUTHORIZATION_DENIAL_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
  'ForbiddenException',
  'VpceAccessDenied',
  'Client.AccessDenied',
  'AllAccessDisabled',
]);

/** Error codes meaning the call was rate-limited: neither an authentication failure nor a denial. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'Throttled',
  'RequestLimitExceeded',
  'Client.RequestLimitExceeded',
  'TooManyRequestsException',
  'TooManyRequests',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'RateExceeded',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete',
]);

/** Class of a CloudTrail error code. */
export type CloudTrailErrorClass = 'none' | 'authentication' | 'authorization' | 'throttling' | 'other';

const errorClassCache = new Map<string, CloudTrailErrorClass>();

/**
 * Classify an `errorCode`. Besides the exact lists, codes embedding a known authentication code
 * (e.g. `CloudTrailInvalidClientTokenIdException`) are authentication failures and codes containing
 * `AccessDenied`, `NotAuthorized`, `Unauthorized` or `Forbidden` are denials. `2xx` codes (seen in
 * some exported data) and the empty string mean success.
 */
export function classifyErrorCode(errorCode: string | undefined): CloudTrailErrorClass {
  if (errorCode === undefined || errorCode.length === 0) return 'none';
  const hit = errorClassCache.get(errorCode);
  if (hit !== undefined) return hit;
  let cls: CloudTrailErrorClass;
  if (/^2\d\d$/.test(errorCode)) cls = 'none';
  else if (AUTHENTICATION_FAILURE_CODES.has(errorCode)) cls = 'authentication';
  else if (AUTHORIZATION_DENIAL_CODES.has(errorCode)) cls = 'authorization';
  else if (THROTTLING_CODES.has(errorCode)) cls = 'throttling';
  else if (
    /InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|InvalidAccessKeyId|IncompleteSignature/.test(
      errorCode,
    )
  )
    cls = 'authentication';
  else if (/AccessDenied|NotAuthorized|Unauthorized|Forbidden/i.test(errorCode)) cls = 'authorization';
  else if (/Throttl|TooManyRequests|RequestLimitExceeded|RateExceeded/i.test(errorCode)) cls = 'throttling';
  else cls = 'other';
  if (errorClassCache.size < 4096) errorClassCache.set(errorCode, cls);
  return cls;
}

function outcomeOf(record: CloudTrailRecord, eventName: string): Outcome {
  const errorCode = asText(record['errorCode']);
  const errorMessage = asText(record['errorMessage']);
  let authn: AuthnResult = 'success';
  let authz: AuthzResult = 'allowed';
  let isThrottled = false;
  if (
    eventName === 'ConsoleLogin' ||
    eventName === 'UserAuthentication' ||
    eventName === 'CredentialChallenge'
  ) {
    const result =
      asText(asObject(record['responseElements'])?.[eventName]) ??
      asText(asObject(record['serviceEventDetails'])?.[eventName]);
    if (
      result === 'Failure' ||
      errorMessage === 'Failed authentication' ||
      (errorCode !== undefined && classifyErrorCode(errorCode) !== 'none')
    ) {
      authn = 'failure';
      authz = 'unknown';
    }
  } else {
    switch (classifyErrorCode(errorCode)) {
      case 'authentication':
        authn = 'failure';
        authz = 'unknown';
        break;
      case 'authorization':
        authz = 'denied';
        break;
      case 'throttling':
        authz = 'unknown';
        isThrottled = true;
        break;
      case 'none':
      case 'other':
        break;
    }
  }
  const outcome: { -readonly [K in keyof Outcome]: Outcome[K] } = { authn, authz, isThrottled };
  if (errorCode !== undefined) outcome.errorCode = capped(errorCode, 128);
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Identity

type MutableIdentity = { -readonly [K in keyof Identity]: Identity[K] };

/** `arn:aws:iam::123456789012:role/path/name` → `{ partition, account, resource }`. */
function splitArn(
  arn: string | undefined,
): { partition: string; account: string; resource: string } | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  // arn:partition:service:region:account:resource — the resource may itself contain ':'.
  const c1 = 3;
  const c2 = arn.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : arn.indexOf(':', c2 + 1);
  const c4 = c3 < 0 ? -1 : arn.indexOf(':', c3 + 1);
  const c5 = c4 < 0 ? -1 : arn.indexOf(':', c4 + 1);
  if (c5 < 0) return undefined;
  return {
    partition: c2 > c1 + 1 ? arn.slice(c1 + 1, c2) : 'aws',
    account: arn.slice(c4 + 1, c5),
    resource: arn.slice(c5 + 1),
  };
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;

function identity(key: string, kind: IdentityKind, account: string | undefined): MutableIdentity {
  const id: MutableIdentity = { key, kind };
  if (account !== undefined) id.accountId = account;
  return id;
}

/** Identity for an assumed role: keyed on the role whatever the session. */
function roleIdentity(
  roleName: string,
  account: string,
  partition: string,
  roleArn: string | undefined,
): MutableIdentity {
  const id = identity(
    `aws:${account}:role/${roleName}`,
    'iam-role',
    account === 'unknown' ? undefined : account,
  );
  id.principal = roleArn ?? `arn:${partition}:iam::${account}:role/${roleName}`;
  id.name = roleName;
  return id;
}

/** Role name + account from a role ARN (`…:role/path/Name`), if it is one. */
function roleFromArn(
  arn: string | undefined,
): { name: string; account: string; partition: string } | undefined {
  const parsed = splitArn(arn);
  if (parsed === undefined || !parsed.resource.startsWith('role/')) return undefined;
  const name = lastSegment(parsed.resource);
  return name.length > 0
    ? { name, account: parsed.account.length > 0 ? parsed.account : 'unknown', partition: parsed.partition }
    : undefined;
}

function accessKeyIdentity(
  accessKeyId: string | undefined,
  account: string | undefined,
): MutableIdentity | undefined {
  if (accessKeyId === undefined || !ACCESS_KEY_ID.test(accessKeyId)) return undefined;
  return identity(`aws:key:${accessKeyId}`, 'unknown', account);
}

function identityOf(record: CloudTrailRecord, eventName: string): ParseResult<Identity> {
  const ui = asObject(record['userIdentity']);
  const recipient = asText(record['recipientAccountId']);
  const source = asText(record['sourceIPAddress']);
  if (ui === undefined) {
    const service = source === undefined ? undefined : awsServiceFromSource(source);
    if (service !== undefined && service !== 'AWS Internal')
      return { ok: true, value: serviceIdentity(service) };
    return { ok: false, reason: 'missing-user-identity' };
  }
  const type = asText(ui['type']);
  const arn = asText(ui['arn']);
  const arnParts = splitArn(arn);
  const accountId = asText(ui['accountId']);
  const account =
    accountId ??
    (arnParts !== undefined && arnParts.account.length > 0 ? arnParts.account : undefined) ??
    recipient ??
    'unknown';
  const partition = arnParts?.partition ?? 'aws';
  const principalId = asText(ui['principalId']);
  const userName = asText(ui['userName']);
  const accessKeyId = asText(ui['accessKeyId']);
  const invokedBy = asText(ui['invokedBy']);
  const sessionContext = asObject(ui['sessionContext']);
  const issuer = asObject(sessionContext?.['sessionIssuer']);
  const knownAccount = account === 'unknown' ? undefined : account;
  const requestParameters = asObject(record['requestParameters']);

  switch (type) {
    case 'AssumedRole': {
      const issuerArn = asText(issuer?.['arn']);
      const fromIssuer = roleFromArn(issuerArn);
      // Session ARN: arn:aws:sts::123:assumed-role/RoleName/SessionName
      let roleName = fromIssuer?.name ?? asText(issuer?.['userName']);
      let sessionName: string | undefined;
      if (arnParts !== undefined && arnParts.resource.startsWith('assumed-role/')) {
        const rest = arnParts.resource.slice('assumed-role/'.length);
        const slash = rest.indexOf('/');
        const nameFromArn = slash < 0 ? rest : rest.slice(0, slash);
        if (roleName === undefined && nameFromArn.length > 0) roleName = nameFromArn;
        if (slash >= 0 && slash < rest.length - 1) sessionName = rest.slice(slash + 1);
      }
      const colon = principalId?.indexOf(':') ?? -1;
      if (sessionName === undefined && principalId !== undefined && colon > 0)
        sessionName = principalId.slice(colon + 1);
      roleName ??= userName;
      let id: MutableIdentity;
      if (roleName !== undefined) {
        id = roleIdentity(roleName, account, partition, fromIssuer !== undefined ? issuerArn : undefined);
      } else if (principalId !== undefined && colon !== 0) {
        const roleId = colon > 0 ? principalId.slice(0, colon) : principalId;
        id = identity(`aws:${account}:role-id/${roleId}`, 'iam-role', knownAccount);
      } else {
        const byKey = accessKeyIdentity(accessKeyId, knownAccount);
        if (byKey === undefined) return { ok: false, reason: 'unidentifiable-caller' };
        return { ok: true, value: byKey };
      }
      if (sessionName !== undefined) id.sessionName = capped(sessionName, 256);
      const provider = asText(asObject(sessionContext?.['webIdFederationData'])?.['federatedProvider']);
      if (provider !== undefined) id.issuer = provider;
      id.isRoleChain = eventName === 'AssumeRole';
      return { ok: true, value: id };
    }
    case 'IAMUser': {
      const name =
        userName ??
        (arnParts !== undefined && arnParts.resource.startsWith('user/')
          ? lastSegment(arnParts.resource)
          : undefined);
      if (name === undefined || name.length === 0) {
        if (principalId !== undefined)
          return {
            ok: true,
            value: identity(`aws:${account}:user-id/${principalId}`, 'iam-user', knownAccount),
          };
        const byKey = accessKeyIdentity(accessKeyId, knownAccount);
        return byKey === undefined
          ? { ok: false, reason: 'unidentifiable-caller' }
          : { ok: true, value: byKey };
      }
      const id = identity(`aws:${account}:user/${name}`, 'iam-user', knownAccount);
      id.principal = arn ?? `arn:${partition}:iam::${account}:user/${name}`;
      id.name = name;
      return { ok: true, value: id };
    }
    case 'Root': {
      const id = identity(`aws:${account}:root`, 'root', knownAccount);
      id.principal = arn ?? `arn:${partition}:iam::${account}:root`;
      id.name = 'root';
      return { ok: true, value: id };
    }
    case 'FederatedUser': {
      let name: string | undefined;
      if (arnParts !== undefined && arnParts.resource.startsWith('federated-user/'))
        name = arnParts.resource.slice('federated-user/'.length);
      if ((name === undefined || name.length === 0) && principalId !== undefined)
        name = principalId.slice(principalId.indexOf(':') + 1);
      if (name === undefined || name.length === 0) {
        const byKey = accessKeyIdentity(accessKeyId, knownAccount);
        return byKey === undefined
          ? { ok: false, reason: 'unidentifiable-caller' }
          : { ok: true, value: byKey };
      }
      const id = identity(`aws:${account}:federated-user/${name}`, 'federated', knownAccount);
      if (arn !== undefined) id.principal = arn;
      id.name = name;
      id.sessionName = capped(name, 256);
      const issuerArn = asText(issuer?.['arn']);
      if (issuerArn !== undefined) id.issuer = issuerArn;
      return { ok: true, value: id };
    }
    case 'WebIdentityUser':
    case 'SAMLUser': {
      const provider = asText(ui['identityProvider']);
      const role = roleFromArn(asText(requestParameters?.['roleArn']));
      if (role !== undefined) {
        const id = roleIdentity(
          role.name,
          role.account === 'unknown' ? account : role.account,
          role.partition,
          asText(requestParameters?.['roleArn']),
        );
        if (provider !== undefined) id.issuer = provider;
        const subject = userName ?? asText(requestParameters?.['roleSessionName']);
        if (subject !== undefined) id.sessionName = capped(subject, 256);
        if (
          type === 'WebIdentityUser' &&
          provider !== undefined &&
          principalId?.startsWith(`${provider}:`) === true
        ) {
          const rest = principalId.slice(provider.length + 1);
          const audience = rest.slice(0, Math.max(0, rest.indexOf(':')));
          if (audience.length > 0) id.clientId = audience;
        }
        return { ok: true, value: id };
      }
      if (userName === undefined) return { ok: false, reason: 'unidentifiable-caller' };
      const id =
        type === 'WebIdentityUser'
          ? identity(`aws:web-identity:${provider ?? 'unknown'}/${userName}`, 'federated', knownAccount)
          : identity(`aws:${account}:saml-user/${userName}`, 'federated', knownAccount);
      id.name = capped(userName, 256);
      if (provider !== undefined) id.issuer = provider;
      return { ok: true, value: id };
    }
    case 'AWSService': {
      const service =
        invokedBy ?? (source === undefined ? undefined : awsServiceFromSource(source)) ?? 'unknown';
      return { ok: true, value: serviceIdentity(service) };
    }
    case 'AWSAccount': {
      if (accountId === 'ANONYMOUS_PRINCIPAL' || principalId === 'ANONYMOUS_PRINCIPAL') {
        return { ok: true, value: { key: 'aws:anonymous', kind: 'unknown', name: 'anonymous' } };
      }
      const colon = principalId?.indexOf(':') ?? -1;
      const uniqueId =
        principalId === undefined ? undefined : colon > 0 ? principalId.slice(0, colon) : principalId;
      if (uniqueId === undefined || uniqueId.length === 0) {
        return { ok: true, value: identity(`aws:${account}:account`, 'unknown', knownAccount) };
      }
      const kind: IdentityKind = uniqueId.startsWith('AROA')
        ? 'iam-role'
        : uniqueId.startsWith('AIDA')
          ? 'iam-user'
          : 'unknown';
      const id = identity(`aws:${account}:principal/${uniqueId}`, kind, knownAccount);
      if (principalId !== undefined && colon > 0) id.sessionName = capped(principalId.slice(colon + 1), 256);
      return { ok: true, value: id };
    }
    case 'IdentityCenterUser': {
      const onBehalfOf = asObject(ui['onBehalfOf']);
      const userId = asText(onBehalfOf?.['userId']) ?? principalId ?? userName;
      if (userId === undefined) return { ok: false, reason: 'unidentifiable-caller' };
      const store = lastSegment(asText(onBehalfOf?.['identityStoreArn']) ?? 'unknown');
      const id = identity(`aws:identity-center:${store}/${userId}`, 'identity-center', knownAccount);
      id.name = capped(userName ?? userId, 256);
      return { ok: true, value: id };
    }
    default: {
      // Unknown, missing type (AwsServiceEvent with only invokedBy), failed calls known by key only.
      if (invokedBy !== undefined) return { ok: true, value: serviceIdentity(invokedBy) };
      const byKey = accessKeyIdentity(accessKeyId, knownAccount);
      if (byKey !== undefined) return { ok: true, value: byKey };
      const who = principalId ?? userName;
      if (who !== undefined) {
        const id = identity(`aws:${account}:unknown/${capped(who, 256)}`, 'unknown', knownAccount);
        if (userName !== undefined) id.name = capped(userName, 256);
        return { ok: true, value: id };
      }
      const service = source === undefined ? undefined : awsServiceFromSource(source);
      if (service !== undefined && service !== 'AWS Internal')
        return { ok: true, value: serviceIdentity(service) };
      return { ok: false, reason: 'unidentifiable-caller' };
    }
  }
}

function serviceIdentity(service: string): Identity {
  return { key: `aws:service:${service}`, kind: 'aws-service', name: service };
}

// ---------------------------------------------------------------------------------------------
// Credential

function credentialOf(
  record: CloudTrailRecord,
  eventName: string,
  kind: IdentityKind,
  userIdentityType: string | undefined,
): Credential {
  const ui = asObject(record['userIdentity']);
  const accessKeyId = asText(ui?.['accessKeyId']);
  const attributes = asObject(asObject(ui?.['sessionContext'])?.['attributes']);
  let credentialKind: CredentialKind;
  if (eventName === 'ConsoleLogin' || asFlag(record['sessionCredentialFromConsole']) === true)
    credentialKind = 'console-session';
  else if (accessKeyId === undefined && record['eventSource'] === 'signin.amazonaws.com')
    credentialKind = 'console-session';
  else if (accessKeyId !== undefined && accessKeyId.startsWith('AKIA')) credentialKind = 'long-lived-key';
  else if (accessKeyId !== undefined && accessKeyId.startsWith('ASIA')) credentialKind = 'session-key';
  else if (accessKeyId !== undefined) credentialKind = 'unknown';
  else if (userIdentityType === 'WebIdentityUser') credentialKind = 'bearer-token';
  else if (kind === 'aws-service' || userIdentityType === 'AWSAccount') credentialKind = 'none';
  else credentialKind = 'unknown';
  const credential: { -readonly [K in keyof Credential]: Credential[K] } = { kind: credentialKind };
  if (accessKeyId !== undefined) credential.id = capped(accessKeyId, 128);
  const created = asText(attributes?.['creationDate']);
  if (created !== undefined) {
    const t = parseIsoTime(created) ?? parseCompactTime(created);
    if (t !== undefined) credential.issuedAtMs = t;
  }
  const mfa = asFlag(attributes?.['mfaAuthenticated']);
  if (mfa !== undefined) credential.isMfa = mfa;
  if (eventName === 'ConsoleLogin') {
    const extra = asObject(record['additionalEventData']);
    const used = asText(extra?.['MFAUsed']);
    // With SAML federation MFA happens at the identity provider; MFAUsed says nothing then.
    if (used !== undefined && asText(extra?.['SamlProviderArn']) === undefined)
      credential.isMfa = used === 'Yes';
  }
  return credential;
}

// ---------------------------------------------------------------------------------------------
// Action

/** Request parameters that name the resource acted on, in order of preference. */
const RESOURCE_PARAMETERS: readonly string[] = [
  'roleArn',
  'bucketName',
  'secretId',
  'functionName',
  'name',
  'userName',
  'roleName',
  'policyArn',
  'instanceId',
  'keyId',
  'logGroupName',
  'topicArn',
  'queueUrl',
  'tableName',
  'dBInstanceIdentifier',
  'dBSnapshotIdentifier',
  'snapshotId',
  'imageId',
  'trailName',
  'groupName',
  'clusterName',
  'repositoryName',
  'stackName',
  'modelId',
];

/** Preference of each resource-naming request parameter (lower wins). */
const RESOURCE_PARAMETER_RANK: ReadonlyMap<string, number> = new Map(
  RESOURCE_PARAMETERS.map((name, i) => [name, i]),
);

function resourceOf(record: CloudTrailRecord): string | undefined {
  const resources = record['resources'];
  if (Array.isArray(resources)) {
    for (const r of resources) {
      const o = asObject(r);
      const arn = asText(o?.['ARN']) ?? asText(o?.['arn']);
      if (arn !== undefined) return capped(arn, 512);
    }
  }
  const params = asObject(record['requestParameters']);
  if (params === undefined) return undefined;
  // Walk the (few) parameters present rather than probing every known name.
  let best: string | undefined;
  let bestRank = RESOURCE_PARAMETERS.length;
  for (const name in params) {
    const rank = RESOURCE_PARAMETER_RANK.get(name);
    if (rank === undefined || rank >= bestRank) continue;
    const v = params[name];
    if (typeof v === 'string' && v.length > 0) {
      best = v;
      bestRank = rank;
    }
  }
  return best === undefined ? undefined : capped(best, 512);
}

function actionOf(
  record: CloudTrailRecord,
  eventSource: string,
  eventName: string,
  caller: Identity,
): Action {
  const callerAccount = caller.accountId;
  const dot = eventSource.indexOf('.');
  const action: { -readonly [K in keyof Action]: Action[K] } = {
    name: `${eventSource}:${eventName}`,
    service: dot > 0 ? eventSource.slice(0, dot) : eventSource,
  };
  const resource = resourceOf(record);
  if (resource !== undefined) action.resource = resource;
  const region = asText(record['awsRegion']);
  if (region !== undefined) action.region = capped(region, 64);
  const readOnly = asFlag(record['readOnly']);
  if (readOnly !== undefined) action.isReadOnly = readOnly;
  const recipient = asText(record['recipientAccountId']);
  if (eventName.startsWith('AssumeRole')) {
    const roleArn = asText(asObject(record['requestParameters'])?.['roleArn']);
    if (roleArn !== undefined) {
      action.targetRoleArn = capped(roleArn, 512);
      const target = splitArn(roleArn)?.account;
      if (target !== undefined && target.length > 0 && target !== callerAccount)
        action.targetAccountId = target;
    }
  }
  if (
    action.targetAccountId === undefined &&
    recipient !== undefined &&
    callerAccount !== undefined &&
    recipient !== callerAccount
  ) {
    action.targetAccountId = recipient;
  }
  // The catalogue entry is decided here, where the request parameters are; the event keeps only its id.
  const callerNames: string[] = [];
  if (caller.name !== undefined) callerNames.push(caller.name);
  if (caller.sessionName !== undefined) callerNames.push(caller.sessionName);
  const sensitive = matchSensitiveAction(eventSource, eventName, record['requestParameters'], {
    ...(callerAccount !== undefined ? { account: callerAccount } : {}),
    callerNames,
  });
  if (sensitive !== undefined) action.sensitive = sensitive;
  return action;
}

// ---------------------------------------------------------------------------------------------
// Normaliser

/** Context the record does not carry itself. */
export interface CloudTrailContext {
  /** CloudWatch log group or file the record came from. */
  readonly logGroup?: string;
}

/**
 * Normalise one CloudTrail record to an {@link IdentityEvent}, or a reason it cannot be used
 * (`missing-event-time`, `invalid-event-time`, `missing-event-name`, `missing-event-source`,
 * `missing-user-identity`, `unidentifiable-caller`). Never throws on malformed input and never
 * copies request / response payloads (which may hold session tokens).
 *
 * `identity.isRoleChain` is true on `sts:AssumeRole` calls made by a role session, i.e. the call
 * that creates a role chain; false on other role events.
 */
export function normaliseCloudTrail(
  record: CloudTrailRecord,
  intel: IpIntel,
  context: CloudTrailContext = {},
): ParseResult<IdentityEvent> {
  const rawTime = record['eventTime'] ?? record['@timestamp'];
  if (rawTime === undefined || rawTime === null) return { ok: false, reason: 'missing-event-time' };
  const timeMs = typeof rawTime === 'string' ? parseIsoTime(rawTime) : undefined;
  if (timeMs === undefined) return { ok: false, reason: 'invalid-event-time' };
  const eventName = asText(record['eventName']);
  if (eventName === undefined) return { ok: false, reason: 'missing-event-name' };
  const eventSource = asText(record['eventSource']);
  if (eventSource === undefined) return { ok: false, reason: 'missing-event-source' };
  const who = identityOf(record, eventName);
  if (!who.ok) return who;
  const ui = asObject(record['userIdentity']);
  const source = asText(record['sourceIPAddress']);
  const event: { -readonly [K in keyof IdentityEvent]: IdentityEvent[K] } = {
    source: 'cloudtrail',
    eventId: asText(record['eventID']) ?? asText(record['requestID']) ?? '',
    timeMs,
    identity: who.value,
    credential: credentialOf(record, eventName, who.value.kind, asText(ui?.['type'])),
    origin: buildOrigin(
      {
        source: source === undefined ? undefined : capped(source, 256),
        userAgent: asText(record['userAgent']),
        invokedBy: asText(ui?.['invokedBy']),
        vpcEndpointId: asText(record['vpcEndpointId']),
      },
      intel,
    ),
    action: actionOf(record, eventSource, eventName, who.value),
    outcome: outcomeOf(record, eventName),
  };
  if (context.logGroup !== undefined) event.logGroup = context.logGroup;
  const recipient = asText(record['recipientAccountId']);
  if (recipient !== undefined) event.recipientAccountId = recipient;
  return { ok: true, value: event };
}
