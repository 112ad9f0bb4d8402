/**
 * Builds API Gateway access-log lines in nhi-watch's access-log format: the format's field names
 * (core's `IDENTITY_ACCESS_LOG_FIELDS`, in its order), keys that do not apply left out, REST API
 * values as strings (a quoted `$context` template) and HTTP API numbers as numbers.
 */
import {
  IDENTITY_ACCESS_LOG_FIELDS,
  type IdentityAccessLogField,
} from '../lambdas/core/sources/access-log-format.js';
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

/** Names that must be fields of nhi-watch's access-log format (a misspelt one does not compile). */
type FormatFields<K extends IdentityAccessLogField> = K;

/** Caller identity variables the stage logs. */
export type ApiCallerIdentity = { readonly [K in CallerField]?: string };
type CallerField = FormatFields<
  | 'identityAccountId'
  | 'callerArn'
  | 'apiKeyId'
  | 'principalId'
  | 'sub'
  | 'clientId'
  | 'issuer'
  | 'jti'
  | 'scope'
  | 'certSerial'
  | 'certSubject'
  | 'vpceId'
>;

/** Authentication / authorization / authorizer outcome variables. */
export type ApiAuthOutcome = { readonly [K in AuthField]?: string };
type AuthField = FormatFields<
  'authnStatus' | 'authnError' | 'authzStatus' | 'authzError' | 'authorizerStatus' | 'authorizerError'
>;

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
  const optional: { readonly [K in IdentityAccessLogField]?: string } = {
    ...spec.caller,
    ...spec.auth,
    ...(spec.error ? { errorType: spec.error.type, errorMessage: spec.error.message } : {}),
  };
  for (const field of IDENTITY_ACCESS_LOG_FIELDS) {
    const value = optional[field];
    if (value !== undefined) line[field] = value;
  }
  return line as unknown as ApiGatewayAccessLogLine;
};
