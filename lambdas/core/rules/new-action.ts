import {
  describeTop,
  distinctValues,
  formatDuration,
  formatTime,
  hasValue,
  historyLine,
} from '../baseline-facts.js';
import { entriesOf } from '../safe-record.js';
import type { IdentityBaseline } from '../baseline.js';
import { firstMatchingGlob } from '../glob.js';
import type { IdentityEvent } from '../identity-event.js';
import {
  flag,
  list,
  num,
  type DetectionRule,
  type RuleContext,
  type RuleMatch,
  type Severity,
} from './rule.js';

const DAY_MS = 86_400_000;

/** Read-only by the CloudTrail flag, or by the API naming convention when the flag is absent. */
function isReadOnly(event: IdentityEvent): boolean {
  if (event.action.isReadOnly !== undefined) return event.action.isReadOnly;
  const name = event.action.name.slice(event.action.name.indexOf(':') + 1);
  return /^(Describe|List|Get|Head|Lookup|Search|BatchGet|Query|Scan|Select)/.test(name);
}

/** The most recent first use among the identity's actions: how long its scope has been stable. */
function newestFirstUse(b: IdentityBaseline): { action: string; f: number } | undefined {
  let newest: { action: string; f: number } | undefined;
  for (const [action, stat] of entriesOf(b.dims.actions))
    if (!newest || stat.f > newest.f) newest = { action, f: stat.f };
  return newest;
}

const LOWER: Record<Severity, Severity> = {
  CRITICAL: 'HIGH',
  HIGH: 'MEDIUM',
  MEDIUM: 'LOW',
  LOW: 'INFORMATIONAL',
  INFORMATIONAL: 'INFORMATIONAL',
};

function detect(event: IdentityEvent, ctx: RuleContext): RuleMatch | undefined {
  // Denied calls are not use of scope (access-denied-burst judges them); failed authentication proves nothing.
  if (event.outcome.authz === 'denied' || event.outcome.authn === 'failure') return undefined;
  const action = event.action.name;
  const b = ctx.baseline;
  if (action === '' || hasValue(b.dims.actions, action)) return undefined;

  const t = ctx.thresholds;
  const viaService = event.origin.awsService;
  let severity: Severity | undefined;
  let why: string;
  const sensitive = firstMatchingGlob(list(t, 'sensitiveActions'), action);
  const discovery =
    sensitive === undefined ? firstMatchingGlob(list(t, 'discoveryActions'), action) : undefined;
  const newest = newestFirstUse(b);
  if (sensitive !== undefined) {
    severity = 'HIGH';
    why = `sensitive action (matches ${sensitive})`;
  } else if (discovery !== undefined) {
    severity = 'MEDIUM';
    why = `discovery action (matches ${discovery})`;
  } else {
    // Ordinary new actions count only once the scope has settled: a workload still growing adds
    // actions daily, and deploys that add several at once produce one finding (the first), not many.
    if (viaService !== undefined) return undefined;
    const isRead = event.source === 'cloudtrail' && isReadOnly(event);
    if (isRead && !flag(t, 'reportReadOnly')) return undefined;
    if (distinctValues(b.dims.actions) >= num(t, 'maxKnownActions')) return undefined;
    if (newest && event.timeMs - newest.f < num(t, 'settleDays') * DAY_MS) return undefined;
    severity = isRead ? 'INFORMATIONAL' : 'LOW';
    why = isRead ? 'read-only action' : 'action';
  }
  if (viaService !== undefined) severity = LOWER[severity];

  const who = event.identity.name ?? event.identity.key;
  const evidence = [
    `first use of ${action}: ${why}${viaService !== undefined ? `, made by ${viaService} on the identity's behalf` : ''}`,
    `${distinctValues(b.dims.actions)} ${distinctValues(b.dims.actions) === 1 ? 'action' : 'actions'} used before; most used: ${describeTop(b.dims.actions, 3)}`,
  ];
  if (newest) {
    evidence.push(
      `newest before this: ${newest.action}, first used ${formatTime(newest.f)} (${formatDuration(event.timeMs - newest.f)} earlier)`,
    );
  }
  evidence.push(historyLine(b));
  return {
    discriminator: `action:${action}`,
    severity,
    summary: `${who} used ${action} for the first time (${why})`,
    evidence,
  };
}

/** Scope creep: the first call of an action an identity never used, weighted by how much the action can do. */
export const newAction: DetectionRule = {
  id: 'new-action',
  title: 'Non-human identity used an action for the first time',
  severity: 'LOW',
  asffTypes: [
    'Unusual Behaviors/Application',
    'TTPs/Persistence',
    'TTPs/Privilege Escalation',
    'TTPs/Discovery',
    'TTPs/Credential Access',
  ],
  references: [
    'OWASP-NHI:NHI5',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1098',
    'MITRE:T1087.004',
    'MITRE:T1526',
    'MITRE:T1580',
    'MITRE:T1555.006',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'A release that gives the workload a new feature (new table, queue, secret, route)',
    'Infrastructure-as-code identities whose scope changes with every template (tune settleDays or disable for them)',
    'An action evicted from a very broad identity’s bounded baseline and seen again',
  ],
  runbook:
    'Check the identity’s recent deploys: a matching change explains it. A sensitive or discovery action with no change behind it is a stolen credential at work: revoke it and review what else it touched.',
  defaults: {
    /** Always reported (HIGH) when first used: persistence, privilege, secrets, logging and key destruction. */
    sensitiveActions: [
      'iam.amazonaws.com:Create*',
      'iam.amazonaws.com:Put*Policy',
      'iam.amazonaws.com:Attach*',
      'iam.amazonaws.com:UpdateAssumeRolePolicy',
      'iam.amazonaws.com:UpdateLoginProfile',
      'iam.amazonaws.com:AddUserToGroup',
      'iam.amazonaws.com:SetDefaultPolicyVersion',
      'iam.amazonaws.com:GetAccountAuthorizationDetails',
      'sts.amazonaws.com:GetFederationToken',
      'sts.amazonaws.com:GetSessionToken',
      'secretsmanager.amazonaws.com:GetSecretValue',
      'secretsmanager.amazonaws.com:BatchGetSecretValue',
      'ssm.amazonaws.com:GetParameter*',
      'ssm.amazonaws.com:SendCommand',
      'ssm.amazonaws.com:StartSession',
      's3.amazonaws.com:ListBuckets',
      's3.amazonaws.com:PutBucketPolicy',
      's3.amazonaws.com:PutBucketAcl',
      'ec2.amazonaws.com:GetPasswordData',
      'ec2.amazonaws.com:ModifySnapshotAttribute',
      'ec2.amazonaws.com:ModifyImageAttribute',
      'ec2.amazonaws.com:AuthorizeSecurityGroupIngress',
      'ec2.amazonaws.com:ImportKeyPair',
      'cloudtrail.amazonaws.com:StopLogging',
      'cloudtrail.amazonaws.com:DeleteTrail',
      'cloudtrail.amazonaws.com:UpdateTrail',
      'cloudtrail.amazonaws.com:PutEventSelectors',
      'guardduty.amazonaws.com:DeleteDetector',
      'kms.amazonaws.com:ScheduleKeyDeletion',
      'kms.amazonaws.com:DisableKey',
      'lambda.amazonaws.com:*Layer*',
      'lambda.amazonaws.com:UpdateFunctionCode*',
      'lambda.amazonaws.com:AddPermission*',
      'ec2-instance-connect.amazonaws.com:Send*',
      'organizations.amazonaws.com:LeaveOrganization',
    ],
    /** Reported (MEDIUM) when first used: the enumeration a stolen credential starts with. */
    discoveryActions: [
      'sts.amazonaws.com:GetCallerIdentity',
      'iam.amazonaws.com:List*',
      'iam.amazonaws.com:Get*',
      'iam.amazonaws.com:SimulatePrincipalPolicy',
      'organizations.amazonaws.com:Describe*',
      'organizations.amazonaws.com:List*',
      'secretsmanager.amazonaws.com:ListSecrets',
      'ssm.amazonaws.com:DescribeParameters',
      'lambda.amazonaws.com:ListFunctions*',
      'cloudtrail.amazonaws.com:DescribeTrails',
      'guardduty.amazonaws.com:ListDetectors',
      'ec2.amazonaws.com:DescribeInstanceAttribute',
    ],
    /** Ordinary new actions are reported (LOW) only when no action was first used in the last this-many days. */
    settleDays: 3,
    /** Report ordinary read-only CloudTrail actions (INFORMATIONAL); off: reads of non-sensitive services are routine growth. */
    reportReadOnly: false,
    /** An identity already using this many actions is too broad for ordinary new actions to mean anything. */
    maxKnownActions: 90,
  },
  needsLearning: true,
  detect,
};
