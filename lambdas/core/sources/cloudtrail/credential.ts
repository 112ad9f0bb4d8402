/** The credential a CloudTrail record was made with: kind, key id, issue time, MFA. */
import type { Credential, CredentialKind, IdentityKind } from '../../identity-event.js';
import { parseCompactTime, parseIsoTime } from '../event-time.js';
import { asFlag, asObject, asText, capped } from '../fields.js';
import { isWithin, type TimeWindow } from '../time-window.js';
import type { CloudTrailRecord } from './file-formats.js';

/** Credential of a record, given the identity kind and `userIdentity.type` already found; issue times outside `window` are left out. */
export function credentialOf(
  record: CloudTrailRecord,
  eventName: string,
  kind: IdentityKind,
  userIdentityType: string | undefined,
  window: TimeWindow,
): Credential {
  const ui = asObject(record['userIdentity']);
  const accessKeyId = asText(ui?.['accessKeyId']);
  const attributes = asObject(asObject(ui?.['sessionContext'])?.['attributes']);
  let credentialKind: CredentialKind;
  if (eventName === 'ConsoleLogin' || asFlag(record['sessionCredentialFromConsole']) === true)
    credentialKind = 'console-session';
  else if (accessKeyId === undefined && record['eventSource'] === 'signin.amazonaws.com')
    credentialKind = 'console-session';
  else if (accessKeyId !== undefined && accessKeyId.startsWith('AKIA')) credentialKind = 'long-lived-key';
  else if (accessKeyId !== undefined && accessKeyId.startsWith('ASIA')) credentialKind = 'session-key';
  else if (accessKeyId !== undefined) credentialKind = 'unknown';
  else if (userIdentityType === 'WebIdentityUser') credentialKind = 'bearer-token';
  else if (kind === 'aws-service' || userIdentityType === 'AWSAccount') credentialKind = 'none';
  else credentialKind = 'unknown';
  const credential: { -readonly [K in keyof Credential]: Credential[K] } = { kind: credentialKind };
  if (accessKeyId !== undefined) credential.id = capped(accessKeyId, 128);
  const created = asText(attributes?.['creationDate']);
  if (created !== undefined) {
    const t = parseIsoTime(created) ?? parseCompactTime(created);
    // An issue time outside the window is impossible: dropped, the event itself still counts.
    if (t !== undefined && isWithin(window, t)) credential.issuedAtMs = t;
  }
  const mfa = asFlag(attributes?.['mfaAuthenticated']);
  if (mfa !== undefined) credential.isMfa = mfa;
  if (eventName === 'ConsoleLogin') {
    const extra = asObject(record['additionalEventData']);
    const used = asText(extra?.['MFAUsed']);
    // With SAML federation MFA happens at the identity provider; MFAUsed says nothing then.
    if (used !== undefined && asText(extra?.['SamlProviderArn']) === undefined)
      credential.isMfa = used === 'Yes';
  }
  return credential;
}
