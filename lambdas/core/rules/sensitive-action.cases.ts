/** Cases of the `sensitive-action` rule (test material: no production module imports this file). */
import {
  T0,
  UA,
  at,
  ev,
  iamUser,
  insideAws,
  outsideAws,
  sensitiveCall,
  viaService,
  type EventOverrides,
} from './test-events.js';
import { cloudTrail, iamUserIdentity, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

// ---- Case material.
const stopLogging = sensitiveCall('cloudtrail.amazonaws.com', 'StopLogging', { name: 'org-trail' });
const createRole = sensitiveCall('iam.amazonaws.com', 'CreateRole', { roleName: 'stack-fn-role' });
const sendCommand = sensitiveCall('ssm.amazonaws.com', 'SendCommand', {
  documentName: 'AWS-RunShellScript',
  instanceIds: ['i-0123456789abcdef0'],
});
const role = (name: string): NonNullable<EventOverrides['identity']> => ({
  key: `aws:123456789012:role/${name}`,
  name,
  principal: `arn:aws:iam::123456789012:role/${name}`,
  sessionName: `${name}-fn`,
});
const DENIED = { authz: 'denied', errorCode: 'AccessDenied' } as const;
/** A week of ordinary Lambda traffic from four roles: an account with history (mature population). */
const accountWeek = (): ReturnType<typeof ev>[] => {
  const out: ReturnType<typeof ev>[] = [];
  for (let d = 0; d < 8; d++)
    for (const name of ['orders-worker', 'billing-worker', 'mailer', 'thumbnailer'])
      out.push(ev({ timeMs: at(d, 9), identity: role(name) }));
  return out;
};

/** A deployment role's CloudFormation stacks creating a role every day for six days. */
const stackRoles = (): ReturnType<typeof ev>[] =>
  Array.from({ length: 6 }, (_, d) =>
    ev({ timeMs: at(d, 10), origin: viaService('cloudformation.amazonaws.com'), action: createRole }),
  );
/** Three Lambda roles running commands through a Systems Manager automation (on their behalf). */
const peersSendCommand = (): ReturnType<typeof ev>[] =>
  ['ops-a', 'ops-b', 'ops-c'].map((n, i) =>
    ev({
      timeMs: at(0, 9, i),
      identity: role(n),
      origin: { awsService: 'ssm.amazonaws.com' },
      action: sendCommand,
    }),
  );

/**
 * An IAM reconciler's nightly stack updates for four nights, through CloudFormation: three other
 * catalogued IAM changes each night (quiet themselves: made by the service, or not admin policies).
 */
const iamReconciler = (): ReturnType<typeof ev>[] => {
  const cfn = viaService('cloudformation.amazonaws.com');
  return Array.from({ length: 4 }, (_, d) => [
    ev({
      timeMs: at(d, 2),
      origin: cfn,
      action: sensitiveCall('iam.amazonaws.com', 'UpdateAssumeRolePolicy', { roleName: 'app' }),
    }),
    ev({
      timeMs: at(d, 2, 1),
      origin: cfn,
      action: sensitiveCall('iam.amazonaws.com', 'AttachRolePolicy', {
        roleName: 'app',
        policyArn: 'arn:aws:iam::123456789012:policy/app-read',
      }),
    }),
    ev({
      timeMs: at(d, 2, 2),
      origin: cfn,
      action: sensitiveCall('iam.amazonaws.com', 'TagRole', { roleName: 'app' }),
    }),
    ev({
      timeMs: at(d, 2, 3),
      origin: cfn,
      action: sensitiveCall('iam.amazonaws.com', 'PutRolePolicy', { roleName: 'app' }),
    }),
  ]).flat();
};
const reconcilerCreatesUser = () =>
  ev({ timeMs: at(4, 2), action: sensitiveCall('iam.amazonaws.com', 'CreateUser', { userName: 'svc-new' }) });

/** An IAM user's access key from a hosting provider creating a user. */
const staticKeyCreatesUser = (origin = outsideAws('198.51.100.7', 14061, 'DigitalOcean, LLC')) =>
  ev({
    timeMs: T0,
    identity: iamUser('ci-deployer'),
    credential: { id: 'AKIAEXAMPLECIDEPLOY1', kind: 'long-lived-key' },
    origin: { ...origin, ...UA.awsCli },
    action: sensitiveCall('iam.amazonaws.com', 'CreateUser', { userName: 'backup' }, ['ci-deployer']),
  });

/** `sensitive-action`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const sensitiveActionCases = defineCases('sensitive-action', [
  {
    name: 'a Lambda role stops CloudTrail logging on its first call',
    events: [ev({ timeMs: T0, action: stopLogging })],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'an IAM user’s static key from a hosting provider creates a user, in an empty account: one level up for the key outside AWS',
    events: [staticKeyCreatesUser()],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'with staticKeyOutsideAws off, the same CreateUser keeps its catalogue severity',
    events: [staticKeyCreatesUser()],
    thresholds: { staticKeyOutsideAws: false },
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'an IAM user’s static key from outside AWS denied CreateUser: an attempt, no step up for the key',
    events: [
      ev({
        ...staticKeyCreatesUser(),
        outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'an IAM user’s static key from inside AWS creates a user: no step up',
    events: [staticKeyCreatesUser(insideAws('3.80.10.20', 14618))],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'after a week of account history, the first StopLogging anyone made there is CRITICAL',
    events: [...accountWeek(), ev({ timeMs: at(8, 10), identity: role('mailer'), action: stopLogging })],
    fires: true,
    severity: 'CRITICAL',
  },
  {
    name: 'a denied SendCommand that no one in a week-old account ever made',
    events: [...accountWeek(), ev({ timeMs: at(8, 10), action: sendCommand, outcome: DENIED })],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'a denied SendCommand stays quiet while the account is younger than populationMatureDays',
    events: [...accountWeek(), ev({ timeMs: at(8, 10), action: sendCommand, outcome: DENIED })],
    thresholds: { populationMatureDays: 30 },
    fires: false,
  },
  {
    name: 'a denied SendCommand stays quiet when the account has shown fewer identities than populationMatureIdentities',
    events: [...accountWeek(), ev({ timeMs: at(8, 10), action: sendCommand, outcome: DENIED })],
    thresholds: { populationMatureIdentities: 10 },
    fires: false,
  },
  {
    name: 'a deployment role whose stacks create roles every day creates one itself: routine',
    events: [...stackRoles(), ev({ timeMs: at(6, 10), action: createRole })],
    fires: false,
  },
  {
    name: 'with routineMinCalls 10, six days of role creation are not yet routine',
    events: [...stackRoles(), ev({ timeMs: at(6, 10), action: createRole })],
    thresholds: { routineMinCalls: 10 },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'with routineMinDays 10, six days of role creation are not yet routine',
    events: [...stackRoles(), ev({ timeMs: at(6, 10), action: createRole })],
    thresholds: { routineMinDays: 10 },
    fires: true,
  },
  {
    name: 'an IAM reconciler that has made other catalogued IAM changes nightly for four nights creates a user: one level lower',
    events: [...iamReconciler(), reconcilerCreatesUser()],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'the same reconciler creating a role (a LOW change) is quiet: routine for an IAM administrator',
    events: [...iamReconciler(), ev({ timeMs: at(4, 2), action: createRole })],
    fires: false,
  },
  {
    name: 'with routineServiceActions 5, three other IAM changes do not make it an IAM administrator',
    events: [...iamReconciler(), ev({ timeMs: at(4, 2), action: createRole })],
    thresholds: { routineServiceActions: 5 },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'a fourth Lambda role running SendCommand, as three of its peers do through Systems Manager',
    events: [...peersSendCommand(), ev({ timeMs: at(0, 10), identity: role('ops-d'), action: sendCommand })],
    fires: false,
  },
  {
    name: 'with peerCommonIdentities 5, three peers do not make SendCommand common',
    events: [...peersSendCommand(), ev({ timeMs: at(0, 10), identity: role('ops-d'), action: sendCommand })],
    thresholds: { peerCommonIdentities: 5 },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'a StopLogging that failed on a wrong trail name changed nothing',
    events: [ev({ timeMs: T0, action: stopLogging, outcome: { errorCode: 'TrailNotFoundException' } })],
    fires: false,
  },
  {
    name: 'a snapshot attribute change that shares with no one is not sensitive',
    events: [
      ev({
        timeMs: T0,
        action: sensitiveCall('ec2.amazonaws.com', 'ModifySnapshotAttribute', {
          createVolumePermission: { add: { items: [{ group: 'none' }] } },
        }),
      }),
    ],
    fires: false,
  },
  {
    name: 'an AWS service-linked role creating an identity provider',
    events: [
      ev({
        timeMs: T0,
        identity: {
          ...role('AWSServiceRoleForSSO'),
          principal: 'arn:aws:iam::123456789012:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO',
        },
        action: sensitiveCall('iam.amazonaws.com', 'CreateSAMLProvider', { name: 'AWSSSO_123' }),
      }),
    ],
    fires: false,
  },
  {
    name: 'a person deleting the Config delivery channel in the console is LOW',
    events: [
      ev({
        timeMs: T0,
        credential: { kind: 'session-key' },
        origin: {
          userAgent: 'console.amazonaws.com',
          userAgentFamily: 'console',
          userAgentClass: 'console',
        },
        action: sensitiveCall('config.amazonaws.com', 'DeleteDeliveryChannel', {
          deliveryChannelName: 'default',
        }),
      }),
    ],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'CloudFormation creating a role for a stack, on the identity’s behalf',
    events: [
      ev({
        timeMs: T0,
        origin: viaService('cloudformation.amazonaws.com'),
        action: sensitiveCall('iam.amazonaws.com', 'CreateRole', { roleName: 'stack-fn-role' }),
      }),
    ],
    fires: false,
  },
  {
    name: 'raw CloudTrail: an IAM user’s key from a hosting provider with the CLI creates an access key for another user',
    log: [
      cloudTrail(iamUserIdentity('ci-deployer', 'AKIAEXAMPLECIDEPLOY1'), {
        timeMs: T0,
        action: 'iam.amazonaws.com:CreateAccessKey',
        sourceIPAddress: '203.0.113.45',
        userAgent: UA.awsCli.userAgent,
        readOnly: false,
        requestParameters: { userName: 'admin' },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'raw CloudTrail: a Lambda role’s StopLogging on a trail that does not exist changed nothing',
    log: [
      workerCall({
        timeMs: T0,
        action: 'cloudtrail.amazonaws.com:StopLogging',
        readOnly: false,
        requestParameters: { name: 'no-such-trail' },
        errorCode: 'TrailNotFoundException',
        errorMessage: 'Unknown trail: no-such-trail',
      }),
    ],
    fires: false,
  },
]);
