import type { IdentityBaseline } from '../baseline.js';
import { hasOwn, keysOf } from '../safe-record.js';
import { describeOrigin, iso, listBounded } from './evidence.js';
import { flag, num, type DetectionRule, type Severity } from './rule.js';

/** `arn:aws:iam::123456789012:role/…` (any partition) → `123456789012`. */
const ROLE_ARN_ACCOUNT = /^arn:aws[a-z-]*:iam::(\d{12}):role\//;

const accountOf = (roleArn: string): string | undefined => ROLE_ARN_ACCOUNT.exec(roleArn)?.[1];

type Movement = 'new-account' | 'new-role';

/** An identity reaching a role it never assumed, or into an account it never reached: moving sideways. */
export const lateralMovement: DetectionRule = {
  id: 'lateral-movement',
  title: 'Identity assumed a role it never assumed before',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Lateral Movement', 'TTPs/Privilege Escalation'],
  references: [
    'OWASP-NHI:NHI5',
    'OWASP-NHI:NHI8',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1548.005',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'A new integration: the workload was just given a role in another account (a new replica, a new tenant account).',
    'Deployment pipelines that chain roles into accounts created by account vending.',
    'Roles renamed or recreated (a new ARN for the same purpose).',
  ],
  runbook:
    'Confirm with the identity’s owner that it should reach the target role; if not, revoke the issued session (the target role’s “revoke active sessions”), tighten the target role’s trust policy, and review what the new session did.',
  defaults: {
    /** Events the identity must have behind it before a first AssumeRole into a new account counts (no learning needed). */
    minHistoryEvents: 1,
    /** Skip AssumeRole calls an AWS service makes on the caller's behalf (CloudFormation StackSets, Service Catalog…). */
    ignoreServiceInvoked: true,
  },
  // A first into a new account fires while learning; any other first waits for the learning period, checked in detect.
  // Role chains (a role session assuming a role, `identity.isRoleChain`) are named in the evidence but are no trigger of
  // their own: every role-to-role assumption is one, and a fresh deployment would raise one finding per existing pair.
  needsLearning: false,
  detect: (event, ctx) => {
    const target = event.action.targetRoleArn;
    if (target === undefined || !event.action.name.startsWith('sts.amazonaws.com:AssumeRole'))
      return undefined;
    if (event.identity.kind === 'aws-service') return undefined;
    if (event.outcome.authn === 'failure' || event.outcome.authz === 'denied') return undefined;
    if (event.origin.awsService !== undefined && flag(ctx.thresholds, 'ignoreServiceInvoked'))
      return undefined;
    const b = ctx.baseline;
    if (hasOwn(b.dims.rolesAssumed, target)) return undefined;
    if (b.eventCount < num(ctx.thresholds, 'minHistoryEvents')) return undefined;

    const callerAccount = event.identity.accountId ?? event.recipientAccountId;
    const targetAccount = event.action.targetAccountId ?? accountOf(target);
    const isCrossAccount =
      callerAccount !== undefined && targetAccount !== undefined && targetAccount !== callerAccount;
    const isNewAccount = isCrossAccount && targetAccount !== undefined && !reaches(b, targetAccount);
    const movement: Movement | undefined = isNewAccount
      ? 'new-account'
      : ctx.isLearned
        ? 'new-role'
        : undefined;
    if (movement === undefined) return undefined;

    const severity: Severity = isCrossAccount ? 'HIGH' : 'MEDIUM';
    const known = keysOf(b.dims.rolesAssumed);
    const evidence = [
      `first ${event.action.name.slice('sts.amazonaws.com:'.length)} of ${target} by this identity; roles assumed before: ${known.length > 0 ? listBounded(known) : 'none'}`,
    ];
    if (isCrossAccount) {
      const accounts = knownAccounts(b);
      evidence.push(
        `target account ${targetAccount} is not the caller's account ${callerAccount}; accounts reached before: ${accounts.length > 0 ? listBounded(accounts) : 'none'}`,
      );
    }
    if (event.identity.isRoleChain === true) {
      evidence.push(
        'the caller is a role session: the new session is a role chain (role → role), one more hop from the original credential',
      );
    }
    evidence.push(
      `baseline since ${iso(b.firstSeenMs)}: ${b.eventCount} events${ctx.isLearned ? '' : ' (still learning)'}`,
      `from ${describeOrigin(event)}`,
    );
    return {
      discriminator: `role:${target}`,
      summary: `${event.identity.name ?? event.identity.key} ${SUMMARY[movement]} ${target}`,
      evidence,
      severity,
    };
  },
};

const SUMMARY: Record<Movement, string> = {
  'new-account': 'reached a new account, assuming',
  'new-role': 'assumed for the first time',
};

/** Whether the identity ever reached `account` (a target account seen, or a role assumed there). */
function reaches(b: IdentityBaseline, account: string): boolean {
  if (hasOwn(b.dims.targetAccounts, account)) return true;
  for (const r of keysOf(b.dims.rolesAssumed)) if (accountOf(r) === account) return true;
  return false;
}

/** Accounts the identity reached before. */
function knownAccounts(b: IdentityBaseline): string[] {
  const out = new Set(keysOf(b.dims.targetAccounts));
  for (const r of keysOf(b.dims.rolesAssumed)) {
    const a = accountOf(r);
    if (a !== undefined && a !== b.accountId) out.add(a);
  }
  return [...out];
}
