import { classifyErrorCode, normaliseCloudTrail } from '../../../../lambdas/core/sources/cloudtrail/index.js';
import type { IdentityEvent } from '../../../../lambdas/core/identity-event.js';
import { INTEL, USER_LIST_USERS, withFields } from '../fixtures.js';

function normalised(record: Record<string, unknown>, intel = INTEL): IdentityEvent {
  const result = normaliseCloudTrail(record, intel, { logGroup: 'aws-cloudtrail-logs-123456789012' });
  if (!result.ok) throw new Error(`expected a normalised event, got reject: ${result.reason}`);
  return result.value;
}

describe('normaliseCloudTrail — outcome', () => {
  const withError = (errorCode: string): IdentityEvent['outcome'] =>
    normalised(withFields(USER_LIST_USERS, { errorCode, errorMessage: 'x' })).outcome;

  it.each([
    'InvalidClientTokenId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'IncompleteSignature',
    'InvalidAccessKeyId',
    'AuthFailure',
    'CloudTrailInvalidClientTokenIdException',
  ])('%s is an authentication failure', (code) => {
    expect(withError(code)).toEqual({
      authn: 'failure',
      authz: 'unknown',
      isThrottled: false,
      errorCode: code,
    });
  });

  it.each([
    'AccessDenied',
    'AccessDeniedException',
    'Client.UnauthorizedOperation',
    'UnauthorizedOperation',
    'VpceAccessDenied',
    'NotAuthorizedException',
  ])('%s is an authorization denial of an authenticated caller', (code) => {
    expect(withError(code)).toEqual({
      authn: 'success',
      authz: 'denied',
      isThrottled: false,
      errorCode: code,
    });
  });

  it.each([
    'ThrottlingException',
    'Throttling',
    'RequestLimitExceeded',
    'TooManyRequestsException',
    'Client.RequestLimitExceeded',
  ])('%s is throttling: neither a failure nor a denial', (code) => {
    const outcome = withError(code);
    expect(outcome.isThrottled).toBe(true);
    expect(outcome.authn).not.toBe('failure');
    expect(outcome.authz).not.toBe('denied');
  });

  it('keeps application errors as errors of an allowed call', () => {
    expect(withError('NoSuchBucketPolicy')).toEqual({
      authn: 'success',
      authz: 'allowed',
      isThrottled: false,
      errorCode: 'NoSuchBucketPolicy',
    });
    expect(classifyErrorCode('200')).toBe('none');
    expect(classifyErrorCode('')).toBe('none');
  });

  it('reads a failed console login from its response, not from errorCode', () => {
    const failed = normalised(
      withFields(USER_LIST_USERS, {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        errorMessage: 'Failed authentication',
        responseElements: { ConsoleLogin: 'Failure' },
      }),
    );
    expect(failed.outcome).toEqual({ authn: 'failure', authz: 'unknown', isThrottled: false });
  });
});
