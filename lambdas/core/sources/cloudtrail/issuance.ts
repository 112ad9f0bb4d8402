/**
 * Credential issuance in CloudTrail: the calls that hand out AWS credentials, and what they link —
 * the issued access key id (`responseElements…credentials.accessKeyId`), the role and session it
 * acts as, its expiry, and the federated subject it was issued to. Reads only those fields: the
 * secret access key and the session token next to them are never read, copied or returned.
 *
 * | API (event source)                                  | subject                                           |
 * |-----------------------------------------------------|---------------------------------------------------|
 * | sts AssumeRole                                      | none: the caller (or AWS service) asked           |
 * | sts AssumeRoleWithWebIdentity                       | token `sub`, provider (`iss`), audience           |
 * | sts AssumeRoleWithSAML                              | NameID, issuer, audience                          |
 * | sts GetSessionToken / GetFederationToken            | none: the calling user                            |
 * | cognito-identity GetCredentialsForIdentity          | Cognito identity id (pool from the id's region)   |
 * | rolesanywhere CreateSession                         | certificate (source identity / subject ARN), trust anchor |
 */
import type { FederatedSubject, Issuance, IssuanceApi } from '../../identity-event.js';
import { parseExpirationTime } from '../event-time.js';
import { asObject, asText, capped, type JsonObject } from '../fields.js';
import { federatedSubject } from '../federated-subject.js';
import type { CloudTrailRecord } from './file-formats.js';

const STS_APIS: ReadonlySet<string> = new Set([
  'AssumeRole',
  'AssumeRoleWithWebIdentity',
  'AssumeRoleWithSAML',
  'GetSessionToken',
  'GetFederationToken',
]);

/** Temporary access key ids only: a long-lived `AKIA` key is never issued by these calls. */
const ISSUED_KEY = /^ASIA[A-Z0-9]{12,124}$/;

/** The API of a record if it issues credentials, else undefined. */
export function issuanceApiOf(eventSource: string, eventName: string): IssuanceApi | undefined {
  if (eventSource === 'sts.amazonaws.com' && STS_APIS.has(eventName)) return eventName as IssuanceApi;
  if (eventSource === 'cognito-identity.amazonaws.com' && eventName === 'GetCredentialsForIdentity')
    return 'GetCredentialsForIdentity';
  if (eventSource === 'rolesanywhere.amazonaws.com' && eventName === 'CreateSession') return 'CreateSession';
  return undefined;
}

/** `arn:aws:sts::123:assumed-role/Role/session` → session; `…:federated-user/name` → name. */
function sessionFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const assumed = arn.indexOf(':assumed-role/');
  if (assumed > 0) {
    const rest = arn.slice(assumed + ':assumed-role/'.length);
    const slash = rest.indexOf('/');
    return slash > 0 && slash < rest.length - 1 ? rest.slice(slash + 1) : undefined;
  }
  const federated = arn.indexOf(':federated-user/');
  if (federated > 0) return arn.slice(federated + ':federated-user/'.length) || undefined;
  return undefined;
}

/** `arn:aws:sts::123:assumed-role/Role/session` → `arn:aws:iam::123:role/Role` (path unknown: as logged by STS). */
function roleArnFromSessionArn(arn: string | undefined): string | undefined {
  const m = arn === undefined ? null : /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  return m === null ? undefined : `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}

/** The subject a web-identity, SAML, Cognito or Roles Anywhere issuance was made for. */
function subjectOf(
  api: IssuanceApi,
  ui: JsonObject | undefined,
  request: JsonObject | undefined,
  response: JsonObject,
  first: JsonObject | undefined,
): FederatedSubject | undefined {
  switch (api) {
    case 'AssumeRoleWithWebIdentity': {
      const provider = asText(response['provider']) ?? asText(ui?.['identityProvider']);
      const sub = asText(response['subjectFromWebIdentityToken']) ?? asText(ui?.['userName']);
      if (provider === undefined || sub === undefined) return undefined;
      let audience = asText(response['audience']);
      const principalId = asText(ui?.['principalId']);
      // principalId is `<provider>:<audience>:<sub>` when the response does not say.
      if (audience === undefined && principalId?.startsWith(`${provider}:`) === true) {
        const rest = principalId.slice(provider.length + 1);
        const colon = rest.indexOf(':');
        if (colon > 0) audience = rest.slice(0, colon);
      }
      return federatedSubject('web-identity', provider, sub, audience);
    }
    case 'AssumeRoleWithSAML': {
      const issuer =
        asText(response['issuer']) ?? asText(request?.['principalArn']) ?? asText(ui?.['identityProvider']);
      const sub = asText(response['subject']) ?? asText(ui?.['userName']);
      if (issuer === undefined || sub === undefined) return undefined;
      return federatedSubject('saml', issuer, sub, asText(response['audience']));
    }
    case 'GetCredentialsForIdentity': {
      const identityId = asText(response['identityId']) ?? asText(request?.['identityId']);
      if (identityId === undefined) return undefined;
      const pool = asText(request?.['identityPoolId']) ?? asText(response['identityPoolId']);
      return federatedSubject('cognito', 'cognito-identity.amazonaws.com', identityId, pool);
    }
    case 'CreateSession': {
      const anchor = asText(request?.['trustAnchorArn']) ?? 'unknown trust anchor';
      const subject =
        asText(first?.['sourceIdentity']) ?? asText(response['subjectArn']) ?? asText(ui?.['principalId']);
      if (subject === undefined) return undefined;
      return federatedSubject('x509', anchor, subject);
    }
    default:
      return undefined;
  }
}

/**
 * The issuance a record describes, or undefined: not an issuing call, failed (no credentials in
 * the response), or an issued key id that is not an `ASIA…` id (redacted samples, placeholders).
 */
export function issuanceOf(record: CloudTrailRecord, eventSource: string, eventName: string): Issuance | undefined {
  const api = issuanceApiOf(eventSource, eventName);
  if (api === undefined) return undefined;
  const response = asObject(record['responseElements']);
  if (response === undefined) return undefined;
  const request = asObject(record['requestParameters']);
  const ui = asObject(record['userIdentity']);
  // Roles Anywhere answers with a credential set; everything else with `credentials`.
  const set = response['credentialSet'];
  const first = Array.isArray(set) ? asObject(set[0]) : undefined;
  const credentials = asObject((first ?? response)['credentials']);
  const accessKeyId = asText(credentials?.['accessKeyId']);
  if (accessKeyId === undefined || !ISSUED_KEY.test(accessKeyId)) return undefined;

  const issuance: { -readonly [K in keyof Issuance]: Issuance[K] } = { api, accessKeyId };
  const expiresAtMs = parseExpirationTime(credentials?.['expiration']);
  if (expiresAtMs !== undefined) issuance.expiresAtMs = expiresAtMs;

  const assumedArn =
    asText(asObject((first ?? response)['assumedRoleUser'])?.['arn']) ??
    asText(asObject(response['federatedUser'])?.['arn']);
  const roleArn =
    asText(first?.['roleArn']) ??
    asText(request?.['roleArn']) ??
    asText(request?.['customRoleArn']) ??
    roleArnFromSessionArn(assumedArn);
  if (roleArn !== undefined) issuance.roleArn = capped(roleArn, 512);
  const sessionName =
    sessionFromArn(assumedArn) ?? asText(request?.['roleSessionName']) ?? asText(request?.['name']);
  if (sessionName !== undefined) issuance.sessionName = capped(sessionName, 256);
  const subject = subjectOf(api, ui, request, response, first);
  if (subject !== undefined) issuance.subject = subject;
  return issuance;
}
