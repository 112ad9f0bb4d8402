import {
  fingerprint,
  IDENTITY_ACCESS_LOG_FORMAT_HTTP,
  IDENTITY_ACCESS_LOG_FORMAT_REST,
  normaliseApiGatewayAccessLog,
  parseApiGatewayAccessLog,
  renderAccessLogFormat,
} from '../../../lambdas/core/sources/api-gateway.js';
import type { IdentityEvent } from '../../../lambdas/core/identity-event.js';
import { plausibleWindow } from '../../../lambdas/core/sources/time-window.js';
import { INTEL } from './fixtures.js';

/** A REST API line as the recommended format writes it: every value a string, `-` when empty. */
const REST_BASE: Record<string, string> = {
  requestId: '4c8a3f0e-52a1-4a3e-9d0e-7f2b6a1c0001',
  requestTimeEpoch: '1714557600123',
  apiId: 'a1b2c3d4e5',
  stage: 'prod',
  domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
  httpMethod: 'GET',
  resourcePath: '/orders/{orderId}',
  path: '/prod/orders/8812',
  protocol: 'HTTP/1.1',
  status: '200',
  responseLength: '512',
  sourceIp: '198.51.100.7',
  userAgent: 'okhttp/4.12.0',
  identityAccountId: '-',
  callerArn: '-',
  apiKeyId: '-',
  principalId: '-',
  sub: '-',
  clientId: '-',
  issuer: '-',
  jti: '-',
  scope: '-',
  certSerial: '-',
  certSubject: '-',
  vpceId: '-',
  authnStatus: '-',
  authnError: '-',
  authzStatus: '-',
  authzError: '-',
  authorizerStatus: '-',
  authorizerError: '-',
  errorType: '-',
  errorMessage: '-',
};

function line(fields: Record<string, string>): string {
  return JSON.stringify({ ...REST_BASE, ...fields });
}

function event(fields: Record<string, string>): IdentityEvent {
  const result = parseApiGatewayAccessLog(line(fields), INTEL, { logGroup: '/aws/apigateway/orders-prod' });
  if (!result.ok) throw new Error(`expected an event, got reject: ${result.reason}`);
  return result.value;
}

const COGNITO_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';

describe('recommended access-log formats', () => {
  it('use the agreed output keys, REST-only variables only on REST', () => {
    expect(Object.keys(IDENTITY_ACCESS_LOG_FORMAT_REST)).toEqual(Object.keys(REST_BASE));
    const restOnly = [
      'resourcePath',
      'apiKeyId',
      'vpceId',
      'authnStatus',
      'authnError',
      'authzStatus',
      'authzError',
      'authorizerStatus',
    ];
    for (const key of restOnly) expect(Object.keys(IDENTITY_ACCESS_LOG_FORMAT_HTTP)).not.toContain(key);
    expect(IDENTITY_ACCESS_LOG_FORMAT_HTTP).toMatchObject({
      routeKey: '$context.routeKey',
      sub: '$context.authorizer.claims.sub',
      jti: '$context.authorizer.claims.jti',
    });
    expect(IDENTITY_ACCESS_LOG_FORMAT_REST).toMatchObject({
      callerArn: '$context.identity.userArn',
      certSerial: '$context.identity.clientCert.serialNumber',
      authnStatus: '$context.authenticate.status',
      authzStatus: '$context.authorize.status',
      authorizerStatus: '$context.authorizer.status',
      errorType: '$context.error.responseType',
    });
  });

  it('render to one line of JSON with every variable quoted and no secret-bearing variable', () => {
    for (const format of [IDENTITY_ACCESS_LOG_FORMAT_REST, IDENTITY_ACCESS_LOG_FORMAT_HTTP]) {
      const rendered = renderAccessLogFormat(format);
      expect(rendered).not.toContain('\n');
      expect(JSON.parse(rendered)).toEqual(format);
      expect(rendered).toContain('"requestId":"$context.requestId"');
      expect(rendered).not.toContain('$context.identity.apiKey"');
      expect(rendered).not.toContain('clientCertPem');
    }
  });
});

describe('parseApiGatewayAccessLog — identity and credential', () => {
  it('keys a Cognito / JWT client on issuer + client_id and identifies the token by jti', () => {
    const e = event({
      clientId: '4p1ex4mpl3cl13nt1d',
      sub: '4p1ex4mpl3cl13nt1d',
      issuer: COGNITO_ISSUER,
      jti: '0f4e7a1c-1b2d-4e5f-8a9b-123456789abc',
      scope: 'orders/read orders/write',
    });
    expect(e.identity).toEqual({
      key: 'api:a1b2c3d4e5:cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123:4p1ex4mpl3cl13nt1d',
      kind: 'api-client',
      name: '4p1ex4mpl3cl13nt1d',
      principal: '4p1ex4mpl3cl13nt1d',
      clientId: '4p1ex4mpl3cl13nt1d',
      issuer: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    });
    expect(e.credential).toEqual({ kind: 'bearer-token', id: '0f4e7a1c-1b2d-4e5f-8a9b-123456789abc' });
    expect(e.outcome.scopes).toEqual(['orders/read', 'orders/write']);
  });

  it('keys a user token without client_id on its subject', () => {
    const e = event({ sub: 'b1c2d3e4-0000-4000-8000-00000000abcd', issuer: COGNITO_ISSUER });
    expect(e.identity.key).toBe(
      'api:a1b2c3d4e5:cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123:b1c2d3e4-0000-4000-8000-00000000abcd',
    );
    expect(e.credential).toEqual({ kind: 'bearer-token' });
  });

  it('keys Lambda-authorizer principals, API keys and client certificates', () => {
    expect(event({ principalId: 'partner-7' }).identity).toMatchObject({
      key: 'api:a1b2c3d4e5:lambda:partner-7',
      clientId: 'partner-7',
    });
    const keyed = event({ apiKeyId: 'x1y2z3a4b5' });
    expect(keyed.identity.key).toBe('api:a1b2c3d4e5:api-key:x1y2z3a4b5');
    expect(keyed.credential).toEqual({ kind: 'api-key', id: 'x1y2z3a4b5' });
    const mtls = event({ certSerial: '4A:3F:00:91:7C', certSubject: 'CN=billing-worker,O=Example' });
    expect(mtls.identity.key).toBe('api:a1b2c3d4e5:mtls:4A:3F:00:91:7C');
    expect(mtls.credential).toEqual({ kind: 'mtls-certificate', id: '4A:3F:00:91:7C' });
  });

  it('keys IAM callers on the role, not the session, and records the signing key', () => {
    const e = event({
      callerArn: 'arn:aws:sts::123456789012:assumed-role/report-builder/i-0a1b2c3d4e5f00001',
      identityAccountId: '123456789012',
      accessKey: 'ASIA3EXAMPLEKEY00042',
    });
    expect(e.identity).toMatchObject({
      key: 'api:a1b2c3d4e5:iam:arn:aws:iam::123456789012:role/report-builder',
      principal: 'arn:aws:iam::123456789012:role/report-builder',
      sessionName: 'i-0a1b2c3d4e5f00001',
      accountId: '123456789012',
    });
    expect(e.credential).toEqual({ kind: 'session-key', id: 'ASIA3EXAMPLEKEY00042' });
    expect(event({ callerArn: 'arn:aws:iam::123456789012:user/batch' }).credential).toEqual({
      kind: 'sigv4',
    });
  });

  it('keys calls without any identity as the API’s anonymous client', () => {
    const e = event({});
    expect(e.identity).toEqual({ key: 'api:a1b2c3d4e5:anonymous', kind: 'unknown' });
    expect(e.credential).toEqual({ kind: 'none' });
    expect(e.outcome).toEqual({ authn: 'unknown', authz: 'allowed', isThrottled: false, status: 200 });
  });

  it('never keeps a raw API key or token a custom format logged, only a fingerprint', () => {
    const secretKey = 'ExAmPlEaPiKeYvAlUe0123456789abcdefGHIJ';
    const secretToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJleGFtcGxlIn0.c2lnbmF0dXJl';
    const withKey = event({ apiKey: secretKey });
    const withToken = event({ authorization: `Bearer ${secretToken}` });
    expect(withKey.credential).toEqual({ kind: 'api-key', id: fingerprint(secretKey) });
    expect(withToken.credential.kind).toBe('bearer-token');
    expect(withToken.credential.id).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(JSON.stringify(withKey)).not.toContain(secretKey);
    expect(JSON.stringify(withToken)).not.toContain(secretToken);
  });
});

describe('parseApiGatewayAccessLog — outcome', () => {
  const client = { principalId: 'partner-7' };

  it.each([
    [
      { status: '401', authnStatus: '401', authnError: 'Unauthorized', errorType: 'UNAUTHORIZED' },
      'failure',
      'unknown',
    ],
    [
      { status: '403', authorizerStatus: '403', authorizerError: 'User is not authorized' },
      'failure',
      'unknown',
    ],
    [{ status: '401', authorizerStatus: '401' }, 'failure', 'unknown'],
    [{ status: '403', errorType: 'EXPIRED_TOKEN' }, 'failure', 'unknown'],
    [{ status: '403', errorType: 'INVALID_API_KEY' }, 'failure', 'unknown'],
    [
      {
        status: '403',
        authnStatus: '200',
        authzStatus: '403',
        authzError: 'AccessDenied',
        errorType: 'ACCESS_DENIED',
      },
      'success',
      'denied',
    ],
    [{ status: '403' }, 'success', 'denied'],
    [{ status: '401' }, 'failure', 'unknown'],
  ])('classifies %j as authn %s / authz %s', (fields, authn, authz) => {
    const outcome = event({ ...client, ...fields }).outcome;
    expect(outcome.authn).toBe(authn);
    expect(outcome.authz).toBe(authz);
    expect(outcome.isThrottled).toBe(false);
  });

  it('treats throttling as neither a failure nor a denial', () => {
    for (const fields of [
      { status: '429' },
      { status: '429', errorType: 'THROTTLED' },
      { status: '429', errorType: 'QUOTA_EXCEEDED' },
    ]) {
      const outcome = event({ ...client, ...fields }).outcome;
      expect(outcome).toMatchObject({ authn: 'success', authz: 'unknown', isThrottled: true, status: 429 });
    }
  });

  it('treats 5xx application errors as neither, keeping the error type', () => {
    expect(event({ ...client, status: '502', errorType: 'INTEGRATION_FAILURE' }).outcome).toEqual({
      authn: 'success',
      authz: 'allowed',
      isThrottled: false,
      status: 502,
      errorCode: 'INTEGRATION_FAILURE',
    });
  });
});

describe('parseApiGatewayAccessLog — action, origin, time', () => {
  it('names REST actions by method and resource, HTTP actions by route key', () => {
    const rest = event({});
    expect(rest.action).toEqual({
      name: 'GET /orders/{orderId}',
      service: 'execute-api',
      resource: 'a1b2c3d4e5/prod',
      region: 'eu-west-1',
      isReadOnly: true,
    });
    expect(event({ routeKey: 'POST /orders', httpMethod: 'POST', resourcePath: '-' }).action).toMatchObject({
      name: 'POST /orders',
      isReadOnly: false,
    });
  });

  it('enriches the source address and classifies the user agent', () => {
    expect(event({ vpceId: 'vpce-0a1b2c3d4e5f00001' }).origin).toEqual({
      ip: '198.51.100.7',
      isIp: true,
      network: '198.51.100.0/24',
      asn: 64500,
      asOrg: 'Example Residential Broadband',
      country: 'DE',
      isAws: false,
      isPrivate: false,
      vpcEndpointId: 'vpce-0a1b2c3d4e5f00001',
      userAgent: 'okhttp/4.12.0',
      userAgentFamily: 'okhttp',
      userAgentClass: 'http-library',
    });
  });

  it('takes event time from requestTimeEpoch, else requestTime, else the log-event timestamp', () => {
    expect(event({}).timeMs).toBe(1714557600123);
    expect(event({ requestTimeEpoch: '-', requestTime: '01/May/2024:10:00:00 +0200' }).timeMs).toBe(
      Date.UTC(2024, 4, 1, 8),
    );
    const fromContext = normaliseApiGatewayAccessLog({ requestId: 'r1', status: '200' }, INTEL, {
      timestampMs: 1714557600999,
    });
    expect(fromContext.ok && fromContext.value.timeMs).toBe(1714557600999);
  });

  it('reads Elastic-style lines: ip / caller / user keys, CLF time, no API id', () => {
    const e = parseApiGatewayAccessLog(
      '{"requestId": "c5a56ba0-fd42-4425-b7d2-5e8836563270","ip": "198.51.100.7","caller": "-","user": "-","requestTime": "19/Jul/2023:16:15:44 +0000","httpMethod": "GET","resourcePath": "/pets/{petId}","status": "200","protocol": "HTTP/1.1","responseLength": "49"}',
      INTEL,
      { apiId: 'fromloggroup' },
    );
    expect(e.ok && e.value).toMatchObject({
      eventId: 'c5a56ba0-fd42-4425-b7d2-5e8836563270',
      timeMs: Date.UTC(2023, 6, 19, 16, 15, 44),
      identity: { key: 'api:fromloggroup:anonymous' },
      action: { name: 'GET /pets/{petId}' },
      origin: { ip: '198.51.100.7', asn: 64500 },
    });
  });

  it('names WebSocket events', () => {
    const e = parseApiGatewayAccessLog(
      '{"requestId":"Iq9gwFDNoAMFo1A=","ip":"198.51.100.7","caller":"-","user":"-","requestTime":"26/Jul/2023:12:20:46 +0000","eventType":"CONNECT","routeKey":"$connect","status":"500","connectionId":"Iq8gj1UmIAMCKpA=","apiId":"z1ctxygne5"}',
      INTEL,
    );
    expect(e.ok && e.value.action.name).toBe('$connect');
    const unnamed = parseApiGatewayAccessLog(
      '{"requestId":"r","ip":"198.51.100.7","requestTime":"26/Jul/2023:12:20:46 +0000","eventType":"-","routeKey":"-","status":"403","connectionId":"-"}',
      INTEL,
    );
    expect(unnamed.ok && unnamed.value.action.name).toBe('WEBSOCKET unknown');
  });

  it.each([
    ['GET /pets HTTP/1.1 200', 'invalid-json'],
    ['[1,2]', 'not-an-object'],
    ['{"requestId":"r1","status":"200"}', 'missing-request-time'],
    ['{"requestId":"r1","requestTimeEpoch":"soon"}', 'invalid-request-time'],
    ['{"requestId":"r1","requestTimeEpoch":-1.797693134862316e305}', 'invalid-request-time'],
    ['{"requestId":"r1","requestTimeEpoch":"9000000000000000"}', 'invalid-request-time'],
    ['{"requestId":"r1","requestTime":"yesterday"}', 'invalid-request-time'],
    ['{"eventName":"GetObject","eventTime":"2024-05-01T10:00:00Z"}', 'not-an-access-log'],
  ])('rejects %s with %s', (text, reason) => {
    expect(parseApiGatewayAccessLog(text, INTEL)).toEqual({ ok: false, reason });
  });
});

describe('parseApiGatewayAccessLog — plausible time', () => {
  /** Received 2024-05-02: the base line (2024-05-01T10:00Z) is inside, anything after 2024-05-03 is not. */
  const window = plausibleWindow(Date.UTC(2024, 4, 2));
  const line = (fields: Record<string, unknown>): string => JSON.stringify({ ...REST_BASE, ...fields });

  it.each([
    [{ requestTimeEpoch: '0' }],
    [{ requestTimeEpoch: '1136073599' }],
    [{ requestTimeEpoch: String(Date.UTC(2024, 4, 3) + 1) }],
    [{ requestTimeEpoch: '1714780800' }],
    [{ requestTimeEpoch: '-', requestTime: '31/Dec/2005:23:59:59 +0000' }],
    [{ requestTimeEpoch: '-', requestTime: '03/May/2024:00:00:01 +0000' }],
    [{ requestTimeEpoch: '-', requestTime: '2099-01-01T00:00:00Z' }],
  ])('rejects %j as request-time-out-of-range', (fields) => {
    expect(parseApiGatewayAccessLog(line(fields), INTEL, { window })).toEqual({
      ok: false,
      reason: 'request-time-out-of-range',
    });
  });

  it('bounds the log-event timestamp it falls back on by the same window', () => {
    const untimed = { requestId: 'r1', status: '200' };
    expect(normaliseApiGatewayAccessLog(untimed, INTEL, { timestampMs: -1e19, window })).toEqual({
      ok: false,
      reason: 'request-time-out-of-range',
    });
    const inside = normaliseApiGatewayAccessLog(untimed, INTEL, {
      timestampMs: Date.UTC(2024, 4, 1),
      window,
    });
    expect(inside.ok && inside.value.timeMs).toBe(Date.UTC(2024, 4, 1));
  });

  it('accepts the edges of the window and, without a window, anything from 2006 on', () => {
    const first = parseApiGatewayAccessLog(line({ requestTimeEpoch: '1136073600' }), INTEL, { window });
    expect(first.ok && first.value.timeMs).toBe(Date.UTC(2006, 0, 1));
    const last = parseApiGatewayAccessLog(line({ requestTimeEpoch: String(Date.UTC(2024, 4, 3)) }), INTEL, {
      window,
    });
    expect(last.ok && last.value.timeMs).toBe(Date.UTC(2024, 4, 3));
    expect(parseApiGatewayAccessLog(line({ requestTimeEpoch: '4102444800' }), INTEL).ok).toBe(true);
    expect(parseApiGatewayAccessLog(line({ requestTimeEpoch: '86400' }), INTEL)).toEqual({
      ok: false,
      reason: 'request-time-out-of-range',
    });
  });
});
