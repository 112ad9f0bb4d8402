/**
 * CloudTrail as a source: file formats → records, record or line → identity event. The folder
 * keeps one concern per file: file-formats (containers, gzip), error-codes (taxonomy, outcome),
 * identity (`userIdentity` by type), credential, action, arn, normalise.
 */
export {
  DEFAULT_MAX_GUNZIP_BYTES,
  maybeGunzip,
  parseCloudTrailBytes,
  parseCloudTrailText,
  type CloudTrailRecord,
  type CloudTrailText,
  type CloudTrailTextFormat,
  type TextReject,
} from './file-formats.js';
export {
  AUTHENTICATION_FAILURE_CODES,
  AUTHORIZATION_DENIAL_CODES,
  THROTTLING_CODES,
  classifyErrorCode,
  type CloudTrailErrorClass,
} from './error-codes.js';
export { normaliseCloudTrail, parseCloudTrailLine, type CloudTrailContext } from './normalise.js';
