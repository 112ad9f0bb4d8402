/**
 * The identity-rich API Gateway access-log formats, as the CDK side sees them. The decoder in
 * `lambdas/core/sources/api-gateway.ts` owns the canonical definition (key → `$context` variable);
 * this module is the single place lib/ reads it from, so switching to the core's export is one line.
 */

/** Access-log format of a REST API stage: JSON object, key → `$context` variable. */
export const IDENTITY_ACCESS_LOG_FORMAT_REST: Readonly<Record<string, string>> = {
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
  accessKey: '$context.identity.accessKey',
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
};

/** Access-log format of an HTTP API stage (HTTP APIs have no API keys and fewer identity variables). */
export const IDENTITY_ACCESS_LOG_FORMAT_HTTP: Readonly<Record<string, string>> = {
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
};

/** The format string a stage takes: one JSON object per request, every value a quoted variable. */
export const accessLogFormatString = (format: Readonly<Record<string, string>>): string =>
  JSON.stringify(format);
