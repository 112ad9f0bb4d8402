/**
 * Builds API Gateway access-log lines in nhi-watch's access-log format: fixed key names, keys
 * that do not apply left out, REST API values as strings (a quoted `$context` template) and HTTP
 * API numbers as numbers.
 */
import type { Rng } from './prng.js';
import type { ApiGatewayAccessLogLine } from './types.js';

/** A deployed API stage. */
export interface ApiDef {
  readonly apiId: string;
  readonly kind: 'rest' | 'http';
  readonly stage: string;
  readonly domainName: string;
  readonly region: string;
}

/** Caller identity variables the stage logs. */
export interface ApiCallerIdentity {
  readonly identityAccountId?: string;
  readonly callerArn?: string;
  readonly accessKey?: string;
  readonly apiKeyId?: string;
  readonly principalId?: string;
  readonly sub?: string;
  readonly clientId?: string;
  readonly issuer?: string;
  readonly jti?: string;
  readonly scope?: string;
  readonly certSerial?: string;
  readonly certSubject?: string;
  readonly vpceId?: string;
}

/** Authentication / authorization / authorizer outcome variables. */
export interface ApiAuthOutcome {
  readonly authnStatus?: string;
  readonly authnError?: string;
  readonly authzStatus?: string;
  readonly authzError?: string;
  readonly authorizerStatus?: string;
  readonly authorizerError?: string;
}

/** One request. */
export interface ApiRequestSpec {
  readonly timeMs: number;
  readonly api: ApiDef;
  readonly method: string;
  /** Route template, e.g. `/orders/{id}`. */
  readonly route: string;
  /** Concrete path, e.g. `/orders/4711`. */
  readonly path: string;
  readonly status: number;
  readonly responseLength: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly caller: ApiCallerIdentity;
  readonly auth?: ApiAuthOutcome;
  readonly error?: { readonly type: string; readonly message: string };
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** HTTP API request ids look like `Kx9JbhFsoAMEb2A=`. */
const httpApiRequestId = (rng: Rng): string => `${rng.chars(BASE64_ALPHABET, 15)}=`;

const CALLER_KEYS = [
  'identityAccountId',
  'callerArn',
  'accessKey',
  'apiKeyId',
  'principalId',
  'sub',
  'clientId',
  'issuer',
  'jti',
  'scope',
  'certSerial',
  'certSubject',
  'vpceId',
] as const;

const AUTH_KEYS = [
  'authnStatus',
  'authnError',
  'authzStatus',
  'authzError',
  'authorizerStatus',
  'authorizerError',
] as const;

/** One access-log line for the request. */
export const apiGatewayLine = (rng: Rng, spec: ApiRequestSpec): ApiGatewayAccessLogLine => {
  const isRest = spec.api.kind === 'rest';
  const line: Record<string, unknown> = {
    requestId: isRest ? rng.uuid() : httpApiRequestId(rng),
    requestTimeEpoch: isRest ? String(spec.timeMs) : spec.timeMs,
    apiId: spec.api.apiId,
    stage: spec.api.stage,
    domainName: spec.api.domainName,
    httpMethod: spec.method,
  };
  if (isRest) line['resourcePath'] = spec.route;
  else line['routeKey'] = `${spec.method} ${spec.route}`;
  line['path'] = spec.path;
  line['protocol'] = 'HTTP/1.1';
  line['status'] = isRest ? String(spec.status) : spec.status;
  line['responseLength'] = isRest ? String(spec.responseLength) : spec.responseLength;
  line['sourceIp'] = spec.sourceIp;
  line['userAgent'] = spec.userAgent;
  for (const key of CALLER_KEYS) {
    const value = spec.caller[key];
    if (value !== undefined) line[key] = value;
  }
  for (const key of AUTH_KEYS) {
    const value = spec.auth?.[key];
    if (value !== undefined) line[key] = value;
  }
  if (spec.error) {
    line['errorType'] = spec.error.type;
    line['errorMessage'] = spec.error.message;
  }
  return line as unknown as ApiGatewayAccessLogLine;
};
