/**
 * Who made a CloudTrail call: `userIdentity` → the {@link Identity} a baseline is kept for. One
 * function per `userIdentity.type`, chosen by a switch; the keys are stable strings, never a
 * session:
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
import { isOversizedKey, type Identity, type IdentityKind, type ParseResult } from '../../identity-event.js';
import { asObject, asText, capped, type JsonObject } from '../fields.js';
import { awsServiceFromSource } from '../ip-intel.js';
import { lastSegment, roleFromArn, splitArn } from './arn.js';
import type { CloudTrailRecord } from './file-formats.js';

type MutableIdentity = { -readonly [K in keyof Identity]: Identity[K] };

/** The fields of a record's `userIdentity` (and around it) that the per-type extractors read. */
interface Caller {
  readonly ui: JsonObject;
  readonly type: string | undefined;
  readonly eventName: string;
  readonly source: string | undefined;
  readonly arn: string | undefined;
  readonly arnParts: ReturnType<typeof splitArn>;
  readonly accountId: string | undefined;
  /** Best account for the key: never empty, `unknown` when nothing says. */
  readonly account: string;
  /** `account` unless it is `unknown`. */
  readonly knownAccount: string | undefined;
  readonly partition: string;
  readonly principalId: string | undefined;
  readonly userName: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly invokedBy: string | undefined;
  readonly sessionContext: JsonObject | undefined;
  readonly issuer: JsonObject | undefined;
  readonly requestParameters: JsonObject | undefined;
}

const UNIDENTIFIABLE = { ok: false, reason: 'unidentifiable-caller' } as const;

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

function accessKeyIdentity(
  accessKeyId: string | undefined,
  account: string | undefined,
): MutableIdentity | undefined {
  if (accessKeyId === undefined || !ACCESS_KEY_ID.test(accessKeyId)) return undefined;
  return identity(`aws:key:${accessKeyId}`, 'unknown', account);
}

/** Known only by its access key, or not at all. */
function byAccessKey(c: Caller): ParseResult<Identity> {
  const byKey = accessKeyIdentity(c.accessKeyId, c.knownAccount);
  return byKey === undefined ? UNIDENTIFIABLE : { ok: true, value: byKey };
}

function serviceIdentity(service: string): Identity {
  return { key: `aws:service:${service}`, kind: 'aws-service', name: service };
}

function assumedRole(c: Caller): ParseResult<Identity> {
  const { arnParts, principalId, account, knownAccount, issuer } = c;
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
  roleName ??= c.userName;
  let id: MutableIdentity;
  if (roleName !== undefined) {
    id = roleIdentity(roleName, account, c.partition, fromIssuer !== undefined ? issuerArn : undefined);
  } else if (principalId !== undefined && colon !== 0) {
    const roleId = colon > 0 ? principalId.slice(0, colon) : principalId;
    id = identity(`aws:${account}:role-id/${roleId}`, 'iam-role', knownAccount);
  } else {
    return byAccessKey(c);
  }
  if (sessionName !== undefined) id.sessionName = capped(sessionName, 256);
  const provider = asText(asObject(c.sessionContext?.['webIdFederationData'])?.['federatedProvider']);
  if (provider !== undefined) id.issuer = provider;
  id.isRoleChain = c.eventName === 'AssumeRole';
  return { ok: true, value: id };
}

function iamUser(c: Caller): ParseResult<Identity> {
  const { arnParts, account, knownAccount } = c;
  const name =
    c.userName ??
    (arnParts !== undefined && arnParts.resource.startsWith('user/')
      ? lastSegment(arnParts.resource)
      : undefined);
  if (name === undefined || name.length === 0) {
    if (c.principalId !== undefined)
      return {
        ok: true,
        value: identity(`aws:${account}:user-id/${c.principalId}`, 'iam-user', knownAccount),
      };
    return byAccessKey(c);
  }
  const id = identity(`aws:${account}:user/${name}`, 'iam-user', knownAccount);
  id.principal = c.arn ?? `arn:${c.partition}:iam::${account}:user/${name}`;
  id.name = name;
  return { ok: true, value: id };
}

function root(c: Caller): ParseResult<Identity> {
  const id = identity(`aws:${c.account}:root`, 'root', c.knownAccount);
  id.principal = c.arn ?? `arn:${c.partition}:iam::${c.account}:root`;
  id.name = 'root';
  return { ok: true, value: id };
}

function federatedUser(c: Caller): ParseResult<Identity> {
  const { arnParts, principalId } = c;
  let name: string | undefined;
  if (arnParts !== undefined && arnParts.resource.startsWith('federated-user/'))
    name = arnParts.resource.slice('federated-user/'.length);
  if ((name === undefined || name.length === 0) && principalId !== undefined)
    name = principalId.slice(principalId.indexOf(':') + 1);
  if (name === undefined || name.length === 0) return byAccessKey(c);
  const id = identity(`aws:${c.account}:federated-user/${name}`, 'federated', c.knownAccount);
  if (c.arn !== undefined) id.principal = c.arn;
  id.name = name;
  id.sessionName = capped(name, 256);
  const issuerArn = asText(c.issuer?.['arn']);
  if (issuerArn !== undefined) id.issuer = issuerArn;
  return { ok: true, value: id };
}

/** `WebIdentityUser` / `SAMLUser`: the role being assumed when there is one, else the federated subject. */
function federatedSubject(c: Caller, type: 'WebIdentityUser' | 'SAMLUser'): ParseResult<Identity> {
  const { userName, principalId, requestParameters } = c;
  const provider = asText(c.ui['identityProvider']);
  const roleArn = asText(requestParameters?.['roleArn']);
  const role = roleFromArn(roleArn);
  if (role !== undefined) {
    const id = roleIdentity(
      role.name,
      role.account === 'unknown' ? c.account : role.account,
      role.partition,
      roleArn,
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
  if (userName === undefined) return UNIDENTIFIABLE;
  const id =
    type === 'WebIdentityUser'
      ? identity(`aws:web-identity:${provider ?? 'unknown'}/${userName}`, 'federated', c.knownAccount)
      : identity(`aws:${c.account}:saml-user/${userName}`, 'federated', c.knownAccount);
  id.name = capped(userName, 256);
  if (provider !== undefined) id.issuer = provider;
  return { ok: true, value: id };
}

function awsService(c: Caller): ParseResult<Identity> {
  const service =
    c.invokedBy ?? (c.source === undefined ? undefined : awsServiceFromSource(c.source)) ?? 'unknown';
  return { ok: true, value: serviceIdentity(service) };
}

function awsAccount(c: Caller): ParseResult<Identity> {
  const { principalId, account, knownAccount } = c;
  if (c.accountId === 'ANONYMOUS_PRINCIPAL' || principalId === 'ANONYMOUS_PRINCIPAL') {
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

function identityCenterUser(c: Caller): ParseResult<Identity> {
  const onBehalfOf = asObject(c.ui['onBehalfOf']);
  const userId = asText(onBehalfOf?.['userId']) ?? c.principalId ?? c.userName;
  if (userId === undefined) return UNIDENTIFIABLE;
  const store = lastSegment(asText(onBehalfOf?.['identityStoreArn']) ?? 'unknown');
  const id = identity(`aws:identity-center:${store}/${userId}`, 'identity-center', c.knownAccount);
  id.name = capped(c.userName ?? userId, 256);
  return { ok: true, value: id };
}

/** Unknown, missing type (AwsServiceEvent with only invokedBy), failed calls known by key only. */
function unknownCaller(c: Caller): ParseResult<Identity> {
  const { userName } = c;
  if (c.invokedBy !== undefined) return { ok: true, value: serviceIdentity(c.invokedBy) };
  const byKey = accessKeyIdentity(c.accessKeyId, c.knownAccount);
  if (byKey !== undefined) return { ok: true, value: byKey };
  const who = c.principalId ?? userName;
  if (who !== undefined) {
    const id = identity(`aws:${c.account}:unknown/${capped(who, 256)}`, 'unknown', c.knownAccount);
    if (userName !== undefined) id.name = capped(userName, 256);
    return { ok: true, value: id };
  }
  const service = c.source === undefined ? undefined : awsServiceFromSource(c.source);
  if (service !== undefined && service !== 'AWS Internal')
    return { ok: true, value: serviceIdentity(service) };
  return UNIDENTIFIABLE;
}

function callerOf(record: CloudTrailRecord, ui: JsonObject, eventName: string): Caller {
  const arn = asText(ui['arn']);
  const arnParts = splitArn(arn);
  const accountId = asText(ui['accountId']);
  const account =
    accountId ??
    (arnParts !== undefined && arnParts.account.length > 0 ? arnParts.account : undefined) ??
    asText(record['recipientAccountId']) ??
    'unknown';
  const sessionContext = asObject(ui['sessionContext']);
  return {
    ui,
    type: asText(ui['type']),
    eventName,
    source: asText(record['sourceIPAddress']),
    arn,
    arnParts,
    accountId,
    account,
    knownAccount: account === 'unknown' ? undefined : account,
    partition: arnParts?.partition ?? 'aws',
    principalId: asText(ui['principalId']),
    userName: asText(ui['userName']),
    accessKeyId: asText(ui['accessKeyId']),
    invokedBy: asText(ui['invokedBy']),
    sessionContext,
    issuer: asObject(sessionContext?.['sessionIssuer']),
    requestParameters: asObject(record['requestParameters']),
  };
}

/**
 * The identity behind a record, or `missing-user-identity` / `unidentifiable-caller` /
 * `identity-too-long` (a key no real principal has, which DynamoDB could not store either).
 */
export function identityOf(record: CloudTrailRecord, eventName: string): ParseResult<Identity> {
  const who = identityOfCaller(record, eventName);
  // IAM caps an ARN at 2,048 characters: a longer principal is forged or corrupt, like a key too long to store.
  return who.ok && (isOversizedKey(who.value.key) || (who.value.principal?.length ?? 0) > 2_048)
    ? { ok: false, reason: 'identity-too-long' }
    : who;
}

function identityOfCaller(record: CloudTrailRecord, eventName: string): ParseResult<Identity> {
  const ui = asObject(record['userIdentity']);
  if (ui === undefined) {
    const source = asText(record['sourceIPAddress']);
    const service = source === undefined ? undefined : awsServiceFromSource(source);
    if (service !== undefined && service !== 'AWS Internal')
      return { ok: true, value: serviceIdentity(service) };
    return { ok: false, reason: 'missing-user-identity' };
  }
  const caller = callerOf(record, ui, eventName);
  switch (caller.type) {
    case 'AssumedRole':
      return assumedRole(caller);
    case 'IAMUser':
      return iamUser(caller);
    case 'Root':
      return root(caller);
    case 'FederatedUser':
      return federatedUser(caller);
    case 'WebIdentityUser':
    case 'SAMLUser':
      return federatedSubject(caller, caller.type);
    case 'AWSService':
      return awsService(caller);
    case 'AWSAccount':
      return awsAccount(caller);
    case 'IdentityCenterUser':
      return identityCenterUser(caller);
    default:
      return unknownCaller(caller);
  }
}
