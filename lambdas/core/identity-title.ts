/**
 * Whether a call was made by a person, so a finding about a human identity is not titled
 * "Non-human identity …". Judged from the call itself (the finding is built from one event):
 * root, IAM Identity Center users, console sessions, MFA-authenticated sessions and IAM users
 * driving a browser or the console are people; everything else is treated as a workload.
 */
import type { IdentityEvent } from './identity-event.js';

/** True when the call was made by a person rather than a workload. */
export function isHumanCall(e: IdentityEvent): boolean {
  const kind = e.identity.kind;
  if (kind === 'root' || kind === 'identity-center') return true;
  if (e.credential.kind === 'console-session' || e.credential.isMfa === true) return true;
  const cls = e.origin.userAgentClass;
  return kind === 'iam-user' && (cls === 'browser' || cls === 'console');
}

const NHI_PREFIX = /^Non-human identity\b/;

/** A rule's title for this call: "Non-human identity …" becomes "Human identity …" for a person. */
export function titleForCall(ruleTitle: string, e: IdentityEvent): string {
  return isHumanCall(e) ? ruleTitle.replace(NHI_PREFIX, 'Human identity') : ruleTitle;
}
