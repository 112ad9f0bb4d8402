/**
 * nhi-watch's identity access-log formats for API Gateway (REST and HTTP APIs) as data: the output
 * key → `$context` variable maps the CDK construct and `npm run access-log-format` install, and the
 * list of field names they write. Pure constants with no parsing, so the traffic simulator may import
 * them (the normaliser lives in api-gateway.ts).
 */

/** Output key → `$context` variable of an access-log format. */
export type AccessLogFormat = Readonly<Record<string, string>>;

/**
 * Recommended access-log format for REST APIs (v1): every identity variable API Gateway offers.
 * `$context.authenticate.*`, `$context.authorize.*`, `$context.authorizer.status`,
 * `$context.identity.apiKeyId` and `$context.identity.vpceId` exist for REST APIs only.
 */
export const IDENTITY_ACCESS_LOG_FORMAT_REST = {
  requestId: '$context.requestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  apiId: '$context.apiId',
  stage: '$context.stage',
  domainName: '$context.domainName',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  identityAccountId: '$context.identity.accountId',
  callerArn: '$context.identity.userArn',
  apiKeyId: '$context.identity.apiKeyId',
  principalId: '$context.authorizer.principalId',
  sub: '$context.authorizer.claims.sub',
  clientId: '$context.authorizer.claims.client_id',
  issuer: '$context.authorizer.claims.iss',
  jti: '$context.authorizer.claims.jti',
  scope: '$context.authorizer.claims.scope',
  certSerial: '$context.identity.clientCert.serialNumber',
  certSubject: '$context.identity.clientCert.subjectDN',
  vpceId: '$context.identity.vpceId',
  authnStatus: '$context.authenticate.status',
  authnError: '$context.authenticate.error',
  authzStatus: '$context.authorize.status',
  authzError: '$context.authorize.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerError: '$context.authorizer.error',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
} as const satisfies AccessLogFormat;

/**
 * Recommended access-log format for HTTP APIs (v2). HTTP APIs have routes instead of resources,
 * no API keys, no VPC endpoint id and no authenticate / authorize phases; JWT authorizer claims
 * are `$context.authorizer.claims.*` as on REST.
 */
export const IDENTITY_ACCESS_LOG_FORMAT_HTTP = {
  requestId: '$context.requestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  apiId: '$context.apiId',
  stage: '$context.stage',
  domainName: '$context.domainName',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  identityAccountId: '$context.identity.accountId',
  callerArn: '$context.identity.userArn',
  principalId: '$context.authorizer.principalId',
  sub: '$context.authorizer.claims.sub',
  clientId: '$context.authorizer.claims.client_id',
  issuer: '$context.authorizer.claims.iss',
  jti: '$context.authorizer.claims.jti',
  scope: '$context.authorizer.claims.scope',
  certSerial: '$context.identity.clientCert.serialNumber',
  certSubject: '$context.identity.clientCert.subjectDN',
  authorizerError: '$context.authorizer.error',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
} as const satisfies AccessLogFormat;

/**
 * Render a format to the one-line JSON string API Gateway's `accessLogSettings.format` wants.
 * Every variable is quoted, so empty variables (logged as `-`) keep the line valid JSON.
 */
export function renderAccessLogFormat(format: AccessLogFormat): string {
  const parts: string[] = [];
  for (const [key, variable] of Object.entries(format))
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(variable)}`);
  return `{${parts.join(',')}}`;
}

/** A field name one of nhi-watch's access-log formats writes. */
export type IdentityAccessLogField =
  keyof typeof IDENTITY_ACCESS_LOG_FORMAT_REST | keyof typeof IDENTITY_ACCESS_LOG_FORMAT_HTTP;

/** Every field name of the REST and HTTP formats, once each (REST order, then HTTP-only fields). */
export const IDENTITY_ACCESS_LOG_FIELDS: readonly IdentityAccessLogField[] = [
  ...new Set<IdentityAccessLogField>([
    ...(Object.keys(IDENTITY_ACCESS_LOG_FORMAT_REST) as (keyof typeof IDENTITY_ACCESS_LOG_FORMAT_REST)[]),
    ...(Object.keys(IDENTITY_ACCESS_LOG_FORMAT_HTTP) as (keyof typeof IDENTITY_ACCESS_LOG_FORMAT_HTTP)[]),
  ]),
];
