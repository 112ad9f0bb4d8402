/**
 * API Gateway access logs (JSON): the normaliser from one access-log line to an
 * {@link IdentityEvent}; the recommended identity access-log formats for REST and HTTP APIs live in
 * access-log-format.ts (re-exported here).
 *
 * API Gateway only logs what the stage's format asks for, so the parser accepts lines that lack
 * any of the fields, lines written by other formats (e.g. Elastic's `ip`, `caller`, `user`,
 * `requestTime` keys, WebSocket lines) and API Gateway's `-` for "empty".
 *
 * Identity keys: `api:<apiId>:<issuer or auth type>:<id>` with the most specific stable id —
 * JWT `client_id`, else `sub` (issuer without `https://`, or `jwt`), else Lambda authorizer
 * `principalId` (`lambda`), else API key id (`api-key`), else client-certificate serial (`mtls`),
 * else the IAM caller (`iam`, assumed-role sessions keyed on the role ARN). Calls without any of
 * these are `api:<apiId>:anonymous` (kind `unknown`).
 */
import { createHash } from 'node:crypto';
import {
  isAccountId,
  type AuthnResult,
  type AuthzResult,
  type Credential,
  type Identity,
  type IdentityEvent,
  type Outcome,
  type ParseResult,
} from '../identity-event.js';
import { parseClfTime, parseIsoTime } from './event-time.js';
import { asInteger, asLoggedText, asObject, capped, type JsonObject } from './fields.js';
import { buildOrigin, type IpIntel } from './ip-intel.js';
import { MAX_TIME_MS, NO_CLOCK_WINDOW, isWithin, type TimeWindow } from './time-window.js';

export {
  IDENTITY_ACCESS_LOG_FIELDS,
  IDENTITY_ACCESS_LOG_FORMAT_HTTP,
  IDENTITY_ACCESS_LOG_FORMAT_REST,
  renderAccessLogFormat,
  type AccessLogFormat,
  type IdentityAccessLogField,
} from './access-log-format.js';

// ---------------------------------------------------------------------------------------------

/** Context the line does not carry itself. */
export interface ApiGatewayContext {
  /** CloudWatch log group or file the line came from. */
  readonly logGroup?: string;
  /** CloudWatch log-event timestamp: used as event time only when the line has none. */
  readonly timestampMs?: number;
  /** API id to assume when the line has none (e.g. taken from the log-group name). */
  readonly apiId?: string;
  /**
   * Plausible request times; a line outside is rejected (`request-time-out-of-range`).
   * @default {@link NO_CLOCK_WINDOW} (2006 onwards): entry layers pass a window bounded by their clock
   */
  readonly window?: TimeWindow;
}

/** Fingerprint of a secret-bearing value: identifies it without storing it. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;
}

function pick(record: JsonObject, a: string, b?: string, c?: string): string | undefined {
  return (
    asLoggedText(record[a]) ??
    (b === undefined ? undefined : asLoggedText(record[b])) ??
    (c === undefined ? undefined : asLoggedText(record[c]))
  );
}

function pickInt(record: JsonObject, key: string): number | undefined {
  return asInteger(record[key]);
}

function timeOf(record: JsonObject, context: ApiGatewayContext): ParseResult<number> {
  const time = rawTimeOf(record, context);
  if (!time.ok || isWithin(context.window ?? NO_CLOCK_WINDOW, time.value)) return time;
  return { ok: false, reason: 'request-time-out-of-range' };
}

function rawTimeOf(record: JsonObject, context: ApiGatewayContext): ParseResult<number> {
  const epoch = record['requestTimeEpoch'];
  if (epoch !== undefined && epoch !== '-') {
    const n = asInteger(epoch);
    if (n === undefined) return { ok: false, reason: 'invalid-request-time' };
    const ms = n < 100_000_000_000 ? n * 1000 : n;
    // No instant beyond ±8.64e15 ms exists (a Date cannot hold it, and a huge epoch × 1000 overflows to ±Infinity).
    if (!(Math.abs(ms) <= MAX_TIME_MS)) return { ok: false, reason: 'invalid-request-time' };
    return { ok: true, value: ms };
  }
  const text = asLoggedText(record['requestTime']);
  if (text !== undefined) {
    const t = parseClfTime(text) ?? parseIsoTime(text);
    return t === undefined ? { ok: false, reason: 'invalid-request-time' } : { ok: true, value: t };
  }
  if (context.timestampMs !== undefined && Number.isFinite(context.timestampMs))
    return { ok: true, value: context.timestampMs };
  return { ok: false, reason: 'missing-request-time' };
}

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/;

function stripScheme(issuer: string): string {
  if (issuer.startsWith('https://')) return issuer.slice(8);
  if (issuer.startsWith('http://')) return issuer.slice(7);
  return issuer;
}

/** `arn:aws:sts::1:assumed-role/Role/session` → `{ arn: arn:aws:iam::1:role/Role, session }`. */
function iamCaller(callerArn: string): { arn: string; session?: string } {
  const parts = callerArn.split(':');
  const resource = parts.slice(5).join(':');
  if (parts.length >= 6 && parts[2] === 'sts' && resource.startsWith('assumed-role/')) {
    const rest = resource.slice('assumed-role/'.length);
    const slash = rest.indexOf('/');
    const role = slash < 0 ? rest : rest.slice(0, slash);
    const arn = `arn:${parts[1] ?? 'aws'}:iam::${parts[4] ?? ''}:role/${role}`;
    return slash < 0 ? { arn } : { arn, session: rest.slice(slash + 1) };
  }
  return { arn: callerArn };
}

const AUTHN_ERROR_TYPES: ReadonlySet<string> = new Set([
  'UNAUTHORIZED',
  'MISSING_AUTHENTICATION_TOKEN',
  'INVALID_SIGNATURE',
  'EXPIRED_TOKEN',
  'INVALID_API_KEY',
]);
const THROTTLE_ERROR_TYPES: ReadonlySet<string> = new Set(['THROTTLED', 'QUOTA_EXCEEDED']);

const ACCESS_LOG_MARKERS = [
  'requestId',
  'status',
  'httpMethod',
  'routeKey',
  'sourceIp',
  'ip',
  'resourcePath',
  'extendedRequestId',
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Normalise one parsed access-log record. Rejects (`not-an-access-log`, `missing-request-time`,
 * `invalid-request-time`, `request-time-out-of-range`) are reasons, never exceptions. Raw API keys or tokens that a custom
 * format might log are reduced to a fingerprint; the value itself never enters the event.
 */
export function normaliseApiGatewayAccessLog(
  record: JsonObject,
  intel: IpIntel,
  context: ApiGatewayContext = {},
): ParseResult<IdentityEvent> {
  let isAccessLog = false;
  for (const marker of ACCESS_LOG_MARKERS) {
    if (record[marker] !== undefined) {
      isAccessLog = true;
      break;
    }
  }
  if (!isAccessLog) return { ok: false, reason: 'not-an-access-log' };
  const time = timeOf(record, context);
  if (!time.ok) return time;

  const domainName = pick(record, 'domainName');
  const host = domainName === undefined ? null : EXECUTE_API_HOST.exec(domainName);
  const apiId = capped(pick(record, 'apiId') ?? host?.[1] ?? context.apiId ?? 'unknown', 64);
  const stage = pick(record, 'stage');

  // --- who
  const clientId = pick(record, 'clientId', 'client_id');
  const sub = pick(record, 'sub');
  const issuerRaw = pick(record, 'issuer', 'iss');
  const issuer = issuerRaw === undefined ? undefined : capped(stripScheme(issuerRaw), 256);
  const principalId = pick(record, 'principalId');
  const apiKeyId = pick(record, 'apiKeyId');
  const certSerial = pick(record, 'certSerial');
  const callerArn = pick(record, 'callerArn', 'userArn');
  const caller = pick(record, 'caller');
  const identityAccountId = pick(record, 'identityAccountId');
  let idPart: string | undefined;
  let authPart = 'anonymous';
  const identity: Mutable<Identity> = { key: '', kind: 'api-client' };
  let iamSession: string | undefined;
  if (clientId !== undefined) {
    authPart = issuer ?? 'jwt';
    idPart = clientId;
  } else if (sub !== undefined) {
    authPart = issuer ?? 'jwt';
    idPart = sub;
  } else if (principalId !== undefined) {
    authPart = issuer ?? 'lambda';
    idPart = principalId;
  } else if (apiKeyId !== undefined) {
    authPart = 'api-key';
    idPart = apiKeyId;
  } else if (certSerial !== undefined) {
    authPart = 'mtls';
    idPart = certSerial;
  } else if (callerArn !== undefined) {
    authPart = 'iam';
    const iam = iamCaller(callerArn);
    idPart = iam.arn;
    iamSession = iam.session;
  } else if (caller !== undefined) {
    authPart = 'iam';
    const colon = caller.indexOf(':');
    idPart = colon > 0 ? caller.slice(0, colon) : caller;
    if (colon > 0) iamSession = caller.slice(colon + 1);
  }
  if (idPart === undefined) {
    identity.key = `api:${apiId}:anonymous`;
    identity.kind = 'unknown';
  } else {
    idPart = capped(idPart, 256);
    identity.key = `api:${apiId}:${authPart}:${idPart}`;
    identity.name = idPart;
    const principal = sub ?? (callerArn !== undefined ? iamCaller(callerArn).arn : undefined) ?? principalId;
    if (principal !== undefined) identity.principal = capped(principal, 256);
    const client = clientId ?? principalId;
    if (client !== undefined) identity.clientId = capped(client, 256);
    if (issuer !== undefined) identity.issuer = issuer;
    const session =
      iamSession ?? (clientId !== undefined && sub !== undefined && sub !== clientId ? sub : undefined);
    if (session !== undefined) identity.sessionName = capped(session, 256);
  }
  if (identityAccountId !== undefined && isAccountId(identityAccountId))
    identity.accountId = identityAccountId;
  const isAnonymous = idPart === undefined;

  // --- credential (ids and fingerprints only)
  const jti = pick(record, 'jti');
  const rawToken = pick(record, 'token', 'authorization', 'accessToken');
  const rawApiKey = pick(record, 'apiKey');
  const accessKey = pick(record, 'accessKey');
  const credential: Mutable<Credential> = { kind: 'none' };
  if (jti !== undefined) {
    credential.kind = 'bearer-token';
    credential.id = capped(jti, 256);
  } else if (rawToken !== undefined) {
    credential.kind = 'bearer-token';
    credential.id = fingerprint(rawToken);
  } else if (sub !== undefined || clientId !== undefined || issuer !== undefined) {
    credential.kind = 'bearer-token';
  } else if (apiKeyId !== undefined) {
    credential.kind = 'api-key';
    credential.id = capped(apiKeyId, 256);
  } else if (rawApiKey !== undefined) {
    credential.kind = 'api-key';
    credential.id = fingerprint(rawApiKey);
  } else if (certSerial !== undefined) {
    credential.kind = 'mtls-certificate';
    credential.id = capped(certSerial, 256);
  } else if (accessKey !== undefined) {
    credential.kind = accessKey.startsWith('AKIA')
      ? 'long-lived-key'
      : accessKey.startsWith('ASIA')
        ? 'session-key'
        : 'sigv4';
    credential.id = capped(accessKey, 128);
  } else if (callerArn !== undefined || caller !== undefined) {
    credential.kind = 'sigv4';
  } else if (principalId !== undefined) {
    credential.kind = 'unknown';
  }

  // --- outcome
  const status = pickInt(record, 'status');
  const authnStatus = pickInt(record, 'authnStatus');
  const authorizerStatus = pickInt(record, 'authorizerStatus');
  const authzStatus = pickInt(record, 'authzStatus');
  const errorType = pick(record, 'errorType');
  let authn: AuthnResult = isAnonymous ? 'unknown' : 'success';
  let authz: AuthzResult = 'unknown';
  let isThrottled = false;
  let isAuthnDecided = false;
  let isAuthzDecided = false;
  if (authnStatus !== undefined) {
    authn = authnStatus >= 400 ? 'failure' : 'success';
    isAuthnDecided = true;
  }
  if (authorizerStatus === 401 || authorizerStatus === 403) {
    authn = 'failure';
    isAuthnDecided = true;
  } else if (authorizerStatus !== undefined && authorizerStatus < 400 && !isAuthnDecided) {
    authn = 'success';
    isAuthnDecided = true;
  }
  if (authzStatus !== undefined) {
    authz = authzStatus >= 400 ? 'denied' : 'allowed';
    isAuthzDecided = true;
  }
  if (errorType !== undefined) {
    if (AUTHN_ERROR_TYPES.has(errorType)) {
      authn = 'failure';
      isAuthnDecided = true;
    } else if (errorType === 'ACCESS_DENIED') {
      authz = 'denied';
      isAuthzDecided = true;
    } else if (THROTTLE_ERROR_TYPES.has(errorType)) {
      isThrottled = true;
    }
  }
  if (!isAuthnDecided && !isAuthzDecided && !isThrottled) {
    if (status === 401) authn = 'failure';
    else if (status === 403) authz = 'denied';
    else if (status === 429) isThrottled = true;
  }
  if (authn === 'failure' && !isAuthzDecided) authz = 'unknown';
  else if (
    !isAuthzDecided &&
    authz === 'unknown' &&
    !isThrottled &&
    status !== undefined &&
    status !== 401 &&
    status !== 403 &&
    status !== 429
  ) {
    authz = 'allowed';
  }
  const outcome: Mutable<Outcome> = { authn, authz, isThrottled };
  if (status !== undefined) outcome.status = status;
  const errorCode = errorType ?? pick(record, 'authorizerError', 'authnError', 'authzError');
  if (errorCode !== undefined) outcome.errorCode = capped(errorCode, 128);
  const scope = pick(record, 'scope', 'scopes');
  if (scope !== undefined)
    outcome.scopes = scope
      .split(/[\s,]+/)
      .filter((s) => s.length > 0)
      .slice(0, 64)
      .map((s) => capped(s, 128));

  // --- action
  const method = pick(record, 'httpMethod');
  const routeKey = pick(record, 'routeKey');
  const resourcePath = pick(record, 'resourcePath');
  const path = pick(record, 'path');
  let name: string;
  if (routeKey !== undefined && routeKey !== '$default') name = routeKey;
  else if (resourcePath !== undefined) name = `${method ?? 'ANY'} ${resourcePath}`;
  else if (routeKey === '$default') name = `${method ?? 'ANY'} $default`;
  else if (path !== undefined) name = `${method ?? 'ANY'} ${path}`;
  else if (record['connectionId'] !== undefined || record['eventType'] !== undefined)
    name = `WEBSOCKET ${pick(record, 'eventType') ?? 'unknown'}`;
  else name = `${method ?? 'ANY'} unknown`;
  const action: Mutable<IdentityEvent['action']> = {
    name: capped(name, 512),
    service: 'execute-api',
    resource: stage === undefined ? apiId : `${apiId}/${capped(stage, 128)}`,
  };
  const region = host?.[2];
  if (region !== undefined) action.region = region;
  if (method !== undefined) action.isReadOnly = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

  const event: Mutable<IdentityEvent> = {
    source: 'api-gateway',
    eventId: capped(pick(record, 'requestId', 'extendedRequestId') ?? '', 128),
    timeMs: time.value,
    identity,
    credential,
    origin: buildOrigin(
      {
        source: pick(record, 'sourceIp', 'ip'),
        userAgent: pick(record, 'userAgent'),
        vpcEndpointId: pick(record, 'vpceId'),
      },
      intel,
    ),
    action,
    outcome,
  };
  if (context.logGroup !== undefined) event.logGroup = context.logGroup;
  return { ok: true, value: event };
}

/** Parse and normalise one access-log line (a CloudWatch log-event message or a file line). */
export function parseApiGatewayAccessLog(
  line: string,
  intel: IpIntel,
  context: ApiGatewayContext = {},
): ParseResult<IdentityEvent> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  const record = asObject(parsed);
  if (record === undefined) return { ok: false, reason: 'not-an-object' };
  return normaliseApiGatewayAccessLog(record, intel, context);
}
