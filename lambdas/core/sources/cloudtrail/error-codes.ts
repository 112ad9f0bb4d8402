/**
 * CloudTrail's error-code taxonomy: which `errorCode` means an authentication failure, a denial
 * or throttling, and the {@link Outcome} of a record built from it.
 */
import type { AuthnResult, AuthzResult, Outcome } from '../../identity-event.js';
import { asObject, asText, capped } from '../fields.js';
import type { CloudTrailRecord } from './file-formats.js';

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

export function outcomeOf(record: CloudTrailRecord, eventName: string): Outcome {
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
