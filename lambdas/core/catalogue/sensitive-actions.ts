/**
 * The sensitive-action catalogue: AWS API calls that matter when a non-human identity makes them,
 * as data — the CloudTrail event source and names, the request-parameter condition where it decides
 * (a detector update that disables it, a snapshot shared with `all`, a security group opened to the
 * world), the tactic, MITRE ATT&CK and OWASP NHI references, a base severity, and why it matters.
 *
 * `signal` says how the entry is judged: `single` entries matter on their own (the `sensitive-action`
 * rule); `breadth` entries are routine one at a time and matter in numbers (`sensitive-read-breadth`:
 * dozens of distinct secrets in minutes).
 *
 * Entries are matched in order; the first whose names and condition match wins, so a specific entry
 * (a snapshot shared with `all`) comes before a general one (shared with an account).
 */
import type { SensitiveMatch, Tactic } from '../identity-event.js';
import { meets, type Condition, type ConditionContext } from './conditions.js';

/** Base severity of an entry, before the rule weighs the context. */
export type BaseSeverity = 'LOW' | 'MEDIUM' | 'HIGH';

/** One catalogue entry. */
export interface SensitiveAction {
  readonly id: string;
  /** CloudTrail `eventSource`. */
  readonly source: string;
  /** CloudTrail `eventName`s (Lambda's API-version suffixes such as `20150331v2` are ignored). */
  readonly names: readonly string[];
  /** Request-parameter condition, when the parameters decide whether the call is sensitive. */
  readonly when?: Condition;
  readonly tactic: Tactic;
  readonly severity: BaseSeverity;
  readonly signal: 'single' | 'breadth';
  /** MITRE ATT&CK technique ids (`T1562.008`). */
  readonly mitre: readonly string[];
  /** OWASP Non-Human Identities Top 10 ids (`NHI7`). */
  readonly owasp: readonly string[];
  /** Why it matters when a workload identity does it. */
  readonly why: string;
}

const ADMIN_POLICY_ARN =
  ':policy/(?:.*/)?(?:AdministratorAccess|IAMFullAccess|PowerUserAccess|AWSOrganizationsFullAccess)$';
const UNUSUAL_INSTANCE_TYPE = '^(?:p[2-6]|g[3-6]|gr6|inf[12]|trn[12]|dl[12]|x1|x2|u-|hpc|f[12]|vt1)';

/** The catalogue. */
export const SENSITIVE_ACTIONS: readonly SensitiveAction[] = [
  // ---- Defense evasion: blinding the account's logging and detection.
  {
    id: 'cloudtrail-stop-logging',
    source: 'cloudtrail.amazonaws.com',
    names: ['StopLogging'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5', 'NHI10'],
    why: 'stops a trail recording API calls: what an intruder does next goes unlogged',
  },
  {
    id: 'cloudtrail-delete-trail',
    source: 'cloudtrail.amazonaws.com',
    names: ['DeleteTrail'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5', 'NHI10'],
    why: 'deletes a trail: the account loses its audit log',
  },
  {
    id: 'cloudtrail-event-selectors-narrowed',
    source: 'cloudtrail.amazonaws.com',
    names: ['PutEventSelectors'],
    when: {
      any: [
        { path: 'eventSelectors.includeManagementEvents', in: [false, 'false'] },
        { path: 'eventSelectors.readWriteType', in: ['ReadOnly', 'WriteOnly'] },
        { path: 'eventSelectors.excludeManagementEventSources', present: true },
        { path: 'advancedEventSelectors.fieldSelectors.notEquals', present: true },
      ],
    },
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5', 'NHI10'],
    why: 'narrows what a trail records (management events off, one direction only, sources excluded)',
  },
  {
    id: 'cloudtrail-update-trail',
    source: 'cloudtrail.amazonaws.com',
    names: ['UpdateTrail'],
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5'],
    why: 'changes where or how a trail delivers (bucket, key, regions): logs can be redirected or dropped',
  },
  {
    id: 'guardduty-delete-detector',
    source: 'guardduty.amazonaws.com',
    names: ['DeleteDetector'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5', 'NHI10'],
    why: 'deletes the GuardDuty detector: threat detection in the region stops',
  },
  {
    id: 'guardduty-disable-detector',
    source: 'guardduty.amazonaws.com',
    names: ['UpdateDetector'],
    when: { path: 'enable', in: [false, 'false'] },
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5', 'NHI10'],
    why: 'disables the GuardDuty detector',
  },
  {
    id: 'guardduty-suppress',
    source: 'guardduty.amazonaws.com',
    names: [
      'CreateIPSet',
      'UpdateIPSet',
      'CreateFilter',
      'UpdateFilter',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
      'DeleteMembers',
      'DisassociateMembers',
      'StopMonitoringMembers',
    ],
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5'],
    why: 'trusted-IP lists, archive filters and member changes silence GuardDuty findings',
  },
  {
    id: 'config-stop-recording',
    source: 'config.amazonaws.com',
    names: ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5', 'NHI10'],
    why: 'stops AWS Config recording resource changes',
  },
  {
    id: 'config-delete-rule',
    source: 'config.amazonaws.com',
    names: ['DeleteConfigRule', 'DeleteConformancePack', 'DeleteRemediationConfiguration'],
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5'],
    why: 'removes compliance checks',
  },
  {
    id: 'ec2-delete-flow-logs',
    source: 'ec2.amazonaws.com',
    names: ['DeleteFlowLogs'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5', 'NHI10'],
    why: 'deletes VPC flow logs: network evidence stops',
  },
  {
    id: 'route53resolver-delete-query-logging',
    source: 'route53resolver.amazonaws.com',
    names: ['DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.008'],
    owasp: ['NHI5', 'NHI10'],
    why: 'stops DNS query logging: exfiltration over DNS goes unseen',
  },
  {
    id: 'securityhub-disable',
    source: 'securityhub.amazonaws.com',
    names: [
      'DisableSecurityHub',
      'BatchDisableStandards',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
    ],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5', 'NHI10'],
    why: 'turns off Security Hub or its standards',
  },
  ...(
    [
      ['macie-disable', 'macie2.amazonaws.com', ['DisableMacie', 'DisableOrganizationAdminAccount'], 'Macie'],
      ['access-analyzer-delete', 'access-analyzer.amazonaws.com', ['DeleteAnalyzer'], 'IAM Access Analyzer'],
      [
        'inspector-disable',
        'inspector2.amazonaws.com',
        ['Disable', 'DisableDelegatedAdminAccount'],
        'Inspector',
      ],
    ] as const
  ).map(([id, source, names, service]): SensitiveAction => ({
    id,
    source,
    names,
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562.001'],
    owasp: ['NHI5'],
    why: `disables ${service}`,
  })),
  {
    id: 'logs-delete',
    source: 'logs.amazonaws.com',
    names: ['DeleteLogGroup', 'DeleteSubscriptionFilter', 'DeleteLogStream'],
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1070', 'T1562.008'],
    owasp: ['NHI5'],
    why: 'deletes logs or the subscription that forwards them (nhi-watch reads through one)',
  },
  {
    id: 'ec2-disable-ebs-encryption',
    source: 'ec2.amazonaws.com',
    names: ['DisableEbsEncryptionByDefault'],
    tactic: 'defense-evasion',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562'],
    owasp: ['NHI5'],
    why: 'new volumes stop being encrypted by default',
  },
  {
    id: 'organizations-leave',
    source: 'organizations.amazonaws.com',
    names: ['LeaveOrganization', 'DeleteOrganization'],
    tactic: 'defense-evasion',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1562', 'T1666'],
    owasp: ['NHI5', 'NHI10'],
    why: 'takes the account out of its organization: its guardrails (SCPs) and central logging stop applying',
  },
  // ---- Privilege escalation.
  {
    id: 'iam-attach-admin-policy',
    source: 'iam.amazonaws.com',
    names: ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'],
    when: { path: 'policyArn', matches: ADMIN_POLICY_ARN },
    tactic: 'privilege-escalation',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1098.003', 'T1078.004'],
    owasp: ['NHI5'],
    why: 'attaches an administrator-level managed policy',
  },
  {
    id: 'iam-put-admin-inline-policy',
    source: 'iam.amazonaws.com',
    names: ['PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'CreatePolicyVersion', 'CreatePolicy'],
    when: { path: 'policyDocument', check: 'policy-grants-admin' },
    tactic: 'privilege-escalation',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1098.003'],
    owasp: ['NHI5'],
    why: 'writes a policy that allows every action on every resource',
  },
  {
    id: 'iam-policy-version-default',
    source: 'iam.amazonaws.com',
    names: ['SetDefaultPolicyVersion', 'CreatePolicyVersion'],
    when: {
      any: [
        { path: 'setAsDefault', in: [true, 'true'] },
        { path: 'versionId', present: true },
      ],
    },
    tactic: 'privilege-escalation',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098.003'],
    owasp: ['NHI5'],
    why: 'switches the permissions every holder of a managed policy has',
  },
  {
    id: 'iam-remove-permissions-boundary',
    source: 'iam.amazonaws.com',
    names: ['DeleteRolePermissionsBoundary', 'DeleteUserPermissionsBoundary'],
    tactic: 'privilege-escalation',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI5'],
    why: 'removes the ceiling on an identity’s permissions',
  },
  {
    id: 'iam-update-other-login-profile',
    source: 'iam.amazonaws.com',
    names: ['UpdateLoginProfile'],
    when: { path: 'userName', check: 'other-user' },
    tactic: 'privilege-escalation',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI5'],
    why: 'sets another user’s console password: take-over of that user',
  },
  {
    id: 'iam-add-user-to-group',
    source: 'iam.amazonaws.com',
    names: ['AddUserToGroup'],
    tactic: 'privilege-escalation',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI5'],
    why: 'grants a user a group’s permissions',
  },
  // ---- Persistence: new ways back in.
  {
    id: 'iam-create-user',
    source: 'iam.amazonaws.com',
    names: ['CreateUser'],
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1136.003'],
    owasp: ['NHI1', 'NHI7'],
    why: 'creates an IAM user: a long-lived identity outside the workload’s lifecycle',
  },
  {
    id: 'iam-create-access-key-other-user',
    source: 'iam.amazonaws.com',
    names: ['CreateAccessKey'],
    when: { path: 'userName', check: 'other-user' },
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098.001'],
    owasp: ['NHI7', 'NHI2'],
    why: 'creates a static access key for another user: a credential the caller now holds',
  },
  {
    id: 'iam-create-access-key',
    source: 'iam.amazonaws.com',
    names: ['CreateAccessKey'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1098.001'],
    owasp: ['NHI7'],
    why: 'creates a static access key: a long-lived secret that outlives sessions',
  },
  {
    id: 'iam-create-login-profile',
    source: 'iam.amazonaws.com',
    names: ['CreateLoginProfile'],
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI1'],
    why: 'gives a user a console password',
  },
  {
    id: 'iam-trust-foreign-principal',
    source: 'iam.amazonaws.com',
    names: ['UpdateAssumeRolePolicy', 'CreateRole'],
    when: {
      any: [
        { path: 'policyDocument', check: 'trust-foreign-principal' },
        { path: 'assumeRolePolicyDocument', check: 'trust-foreign-principal' },
      ],
    },
    tactic: 'persistence',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1098', 'T1199'],
    owasp: ['NHI5', 'NHI8'],
    why: 'lets another account (or anyone) assume a role here',
  },
  {
    id: 'iam-update-trust',
    source: 'iam.amazonaws.com',
    names: ['UpdateAssumeRolePolicy'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI5'],
    why: 'changes who may assume a role',
  },
  {
    id: 'iam-create-role',
    source: 'iam.amazonaws.com',
    names: ['CreateRole'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1136.003'],
    owasp: ['NHI1'],
    why: 'creates a role',
  },
  {
    id: 'iam-identity-provider',
    source: 'iam.amazonaws.com',
    names: [
      'CreateSAMLProvider',
      'UpdateSAMLProvider',
      'CreateOpenIDConnectProvider',
      'AddClientIDToOpenIDConnectProvider',
    ],
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1484.002'],
    owasp: ['NHI8'],
    why: 'trusts a new identity provider: tokens it signs become AWS sessions',
  },
  {
    id: 'rolesanywhere-trust-anchor',
    source: 'rolesanywhere.amazonaws.com',
    names: ['CreateTrustAnchor', 'UpdateTrustAnchor'],
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1098'],
    owasp: ['NHI8'],
    why: 'trusts a certificate authority: certificates it issues become AWS sessions',
  },
  {
    id: 'sts-federation-token',
    source: 'sts.amazonaws.com',
    names: ['GetFederationToken'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1550.001'],
    owasp: ['NHI7'],
    why: 'mints a federated session from a user key; it survives deleting the key',
  },
  {
    id: 'lambda-public-permission',
    source: 'lambda.amazonaws.com',
    names: ['AddPermission', 'AddLayerVersionPermission'],
    when: { path: 'principal', in: ['*'] },
    tactic: 'persistence',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1546'],
    owasp: ['NHI5'],
    why: 'lets anyone invoke a function or use a layer',
  },
  {
    id: 'lambda-add-permission',
    source: 'lambda.amazonaws.com',
    names: ['AddPermission'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1546'],
    owasp: ['NHI5'],
    why: 'grants another principal the right to invoke a function',
  },
  {
    id: 'lambda-add-layer',
    source: 'lambda.amazonaws.com',
    names: ['UpdateFunctionConfiguration'],
    when: { path: 'layers', present: true },
    tactic: 'persistence',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1546'],
    owasp: ['NHI5'],
    why: 'adds a layer (extension) to a function: code that runs with the function’s role on every call',
  },
  {
    id: 'ec2-key-pair',
    source: 'ec2.amazonaws.com',
    names: ['ImportKeyPair', 'CreateKeyPair'],
    tactic: 'persistence',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1098.004'],
    owasp: ['NHI1'],
    why: 'registers an SSH key for instances',
  },
  // ---- Exposure / exfiltration: data or resources opened to others.
  {
    id: 'ec2-snapshot-public',
    source: 'ec2.amazonaws.com',
    names: ['ModifySnapshotAttribute'],
    when: { path: 'createVolumePermission.add.items.group', in: ['all'] },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'makes an EBS snapshot public: anyone can copy the disk',
  },
  {
    id: 'ec2-snapshot-shared',
    source: 'ec2.amazonaws.com',
    names: ['ModifySnapshotAttribute'],
    when: { path: 'createVolumePermission.add.items.userId', present: true },
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'shares an EBS snapshot with another account',
  },
  {
    id: 'ec2-image-public',
    source: 'ec2.amazonaws.com',
    names: ['ModifyImageAttribute'],
    when: { path: 'launchPermission.add.items.group', in: ['all'] },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'makes an AMI public',
  },
  {
    id: 'ec2-image-shared',
    source: 'ec2.amazonaws.com',
    names: ['ModifyImageAttribute'],
    when: {
      any: [
        { path: 'launchPermission.add.items.userId', present: true },
        { path: 'launchPermission.add.items.organizationArn', present: true },
      ],
    },
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'shares an AMI with another account',
  },
  {
    id: 'rds-snapshot-public',
    source: 'rds.amazonaws.com',
    names: ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'],
    when: {
      all: [
        { path: 'attributeName', in: ['restore'] },
        { path: 'valuesToAdd', in: ['all'] },
      ],
    },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'makes a database snapshot restorable by anyone',
  },
  {
    id: 'rds-snapshot-shared',
    source: 'rds.amazonaws.com',
    names: ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'],
    when: {
      all: [
        { path: 'attributeName', in: ['restore'] },
        { path: 'valuesToAdd', present: true },
      ],
    },
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1537'],
    owasp: ['NHI5'],
    why: 'shares a database snapshot with another account',
  },
  {
    id: 'rds-public-instance',
    source: 'rds.amazonaws.com',
    names: ['ModifyDBInstance', 'ModifyDBCluster', 'RestoreDBInstanceFromDBSnapshot', 'CreateDBInstance'],
    when: { path: 'publiclyAccessible', in: [true, 'true'] },
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1530'],
    owasp: ['NHI5'],
    why: 'makes a database reachable from the internet',
  },
  {
    id: 's3-public-policy',
    source: 's3.amazonaws.com',
    names: ['PutBucketPolicy'],
    when: { path: 'bucketPolicy', check: 'policy-public' },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1530'],
    owasp: ['NHI5'],
    why: 'a bucket policy allowing anyone without conditions',
  },
  {
    id: 's3-public-acl',
    source: 's3.amazonaws.com',
    names: ['PutBucketAcl', 'PutObjectAcl'],
    when: {
      any: [
        { path: 'x-amz-acl', in: ['public-read', 'public-read-write', 'authenticated-read'] },
        {
          path: 'AccessControlPolicy.AccessControlList.Grant.Grantee.URI',
          matches: '/groups/global/(AllUsers|AuthenticatedUsers)$',
        },
      ],
    },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1530'],
    owasp: ['NHI5'],
    why: 'an ACL granting everyone (or every AWS account) access',
  },
  {
    id: 's3-delete-public-access-block',
    source: 's3.amazonaws.com',
    names: ['DeleteBucketPublicAccessBlock', 'DeletePublicAccessBlock', 'DeleteAccountPublicAccessBlock'],
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1530', 'T1562'],
    owasp: ['NHI5'],
    why: 'removes the guard that keeps buckets from being made public',
  },
  {
    id: 'secretsmanager-public-policy',
    source: 'secretsmanager.amazonaws.com',
    names: ['PutResourcePolicy'],
    when: { path: 'resourcePolicy', check: 'policy-public' },
    tactic: 'exposure',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1552'],
    owasp: ['NHI5'],
    why: 'a secret readable by anyone',
  },
  {
    id: 'ec2-security-group-world-admin-port',
    source: 'ec2.amazonaws.com',
    names: ['AuthorizeSecurityGroupIngress'],
    when: {
      any: [
        { path: 'ipPermissions.items', check: 'world-open-admin-port' },
        { path: '', check: 'world-open-admin-port' },
      ],
    },
    tactic: 'exposure',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1562.007'],
    owasp: ['NHI5'],
    why: 'opens SSH, RDP, a database port or every port to the internet',
  },
  // ---- Credential access: reads of secrets.
  {
    id: 'ec2-get-password-data',
    source: 'ec2.amazonaws.com',
    names: ['GetPasswordData'],
    tactic: 'credential-access',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1552.005'],
    owasp: ['NHI2'],
    why: 'reads a Windows instance’s encrypted administrator password',
  },
  {
    id: 'secretsmanager-batch-get',
    source: 'secretsmanager.amazonaws.com',
    names: ['BatchGetSecretValue'],
    tactic: 'credential-access',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1555.006'],
    owasp: ['NHI2'],
    why: 'reads many secrets in one call (by list or by filter)',
  },
  {
    id: 'secretsmanager-get-secret',
    source: 'secretsmanager.amazonaws.com',
    names: ['GetSecretValue'],
    tactic: 'credential-access',
    severity: 'LOW',
    signal: 'breadth',
    mitre: ['T1555.006'],
    owasp: ['NHI2'],
    why: 'reads a secret',
  },
  {
    id: 'ssm-get-parameter-decrypted',
    source: 'ssm.amazonaws.com',
    names: ['GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory'],
    when: { path: 'withDecryption', in: [true, 'true'] },
    tactic: 'credential-access',
    severity: 'LOW',
    signal: 'breadth',
    mitre: ['T1552'],
    owasp: ['NHI2'],
    why: 'reads a SecureString parameter in clear',
  },
  {
    id: 'ec2-read-user-data',
    source: 'ec2.amazonaws.com',
    names: ['DescribeInstanceAttribute'],
    when: { path: 'attribute', in: ['userData'] },
    tactic: 'credential-access',
    severity: 'LOW',
    signal: 'breadth',
    mitre: ['T1552.005'],
    owasp: ['NHI2'],
    why: 'reads an instance’s user data, where bootstrap secrets often sit',
  },
  // ---- Discovery.
  {
    id: 'iam-account-authorization-details',
    source: 'iam.amazonaws.com',
    names: ['GetAccountAuthorizationDetails'],
    tactic: 'discovery',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1087.004', 'T1069.003'],
    owasp: ['NHI5'],
    why: 'dumps every user, role, group and policy of the account in one call',
  },
  // ---- Execution and lateral movement.
  {
    id: 'ec2-modify-user-data',
    source: 'ec2.amazonaws.com',
    names: ['ModifyInstanceAttribute'],
    when: {
      any: [
        { path: 'userData', present: true },
        { path: 'attribute', in: ['userData'] },
      ],
    },
    tactic: 'execution',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1059.009'],
    owasp: ['NHI5'],
    why: 'replaces an instance’s user data: code that runs as root at the next start',
  },
  {
    id: 'ec2-run-unusual-instances',
    source: 'ec2.amazonaws.com',
    names: ['RunInstances'],
    when: {
      any: [
        { path: 'instanceType', matches: UNUSUAL_INSTANCE_TYPE },
        { path: 'instancesSet.items.maxCount', atLeast: 10 },
      ],
    },
    tactic: 'impact',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1496'],
    owasp: ['NHI5'],
    why: 'launches GPU / high-memory instances or many at once: the signature of resource hijacking',
  },
  {
    id: 'ssm-send-command',
    source: 'ssm.amazonaws.com',
    names: ['SendCommand', 'StartSession', 'StartAutomationExecution'],
    tactic: 'execution',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1651'],
    owasp: ['NHI5'],
    why: 'runs commands on instances with their instance role',
  },
  {
    id: 'lambda-update-code',
    source: 'lambda.amazonaws.com',
    names: ['UpdateFunctionCode'],
    tactic: 'execution',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1648'],
    owasp: ['NHI5'],
    why: 'replaces a function’s code: it runs with the function’s role',
  },
  {
    id: 'ec2-instance-connect-serial',
    source: 'ec2-instance-connect.amazonaws.com',
    names: ['SendSerialConsoleSSHPublicKey'],
    tactic: 'lateral-movement',
    severity: 'HIGH',
    signal: 'single',
    mitre: ['T1021.004'],
    owasp: ['NHI5'],
    why: 'pushes an SSH key to an instance’s serial console: a shell that bypasses the network',
  },
  {
    id: 'ec2-enable-serial-console',
    source: 'ec2.amazonaws.com',
    names: ['EnableSerialConsoleAccess'],
    tactic: 'lateral-movement',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1021'],
    owasp: ['NHI5'],
    why: 'enables serial-console access for the account',
  },
  {
    id: 'ec2-instance-connect',
    source: 'ec2-instance-connect.amazonaws.com',
    names: ['SendSSHPublicKey'],
    tactic: 'lateral-movement',
    severity: 'LOW',
    signal: 'single',
    mitre: ['T1021.004'],
    owasp: ['NHI5'],
    why: 'pushes a temporary SSH key to an instance',
  },
  // ---- Impact: resource hijacking of AI models.
  {
    id: 'bedrock-enable-model-access',
    source: 'bedrock.amazonaws.com',
    names: ['PutFoundationModelEntitlement', 'PutUseCaseForModelAccess', 'CreateFoundationModelAgreement'],
    tactic: 'impact',
    severity: 'MEDIUM',
    signal: 'single',
    mitre: ['T1496'],
    owasp: ['NHI5'],
    why: 'enables access to foundation models: the first step of LLM hijacking',
  },
];

/** Entries by id. */
export const SENSITIVE_ACTION_BY_ID: ReadonlyMap<string, SensitiveAction> = new Map(
  SENSITIVE_ACTIONS.map((a) => [a.id, a]),
);

const byName = new Map<string, SensitiveAction[]>();
for (const a of SENSITIVE_ACTIONS)
  for (const n of a.names) {
    const list = byName.get(n) ?? [];
    list.push(a);
    byName.set(n, list);
  }

/**
 * Whether a call of `eventName` on `eventSource` can be a catalogued action (its conditions aside):
 * what an identity's own history of calls says about the sensitive changes it makes routinely.
 */
export function isCataloguedCall(eventSource: string, eventName: string): boolean {
  const candidates = byName.get(baseEventName(eventName));
  return candidates !== undefined && candidates.some((a) => a.source === '*' || a.source === eventSource);
}

/** `UpdateFunctionConfiguration20150331v2` → `UpdateFunctionConfiguration` (Lambda logs its API version in the name). */
export const baseEventName = (name: string): string => name.replace(/20\d{6}(?:v\d+)?$/, '');

/**
 * The catalogue entry a CloudTrail call matches, or undefined. `params` is the record's
 * `requestParameters` (untrusted; conditions never throw on it).
 */
export function matchSensitiveAction(
  eventSource: string,
  eventName: string,
  params: unknown,
  ctx: ConditionContext,
): SensitiveMatch | undefined {
  const candidates = byName.get(baseEventName(eventName));
  if (candidates === undefined) return undefined;
  for (const a of candidates) {
    if (a.source !== '*' && a.source !== eventSource) continue;
    if (a.when !== undefined && !meets(params ?? {}, a.when, ctx)) continue;
    return { id: a.id, tactic: a.tactic };
  }
  return undefined;
}
