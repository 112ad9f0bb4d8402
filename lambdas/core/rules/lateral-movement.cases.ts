/** Cases of the `lateral-movement` rule (test material: no production module imports this file). */
import { T0, at, ev, history, repeat, viaService, type EventOverrides } from './test-events.js';
import { workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material: the orders worker (home account 123456789012) and the roles it assumes.
const HOME = '123456789012';

const REPLICA = '111122223333';

const assume = (timeMs: number, roleArn: string, o: EventOverrides = {}) => {
  const account = roleArn.split(':')[4];
  const caller = ev(o).identity;
  return ev({
    ...o,
    timeMs,
    // The CloudTrail normaliser marks an AssumeRole made by a role session as a role chain.
    identity: { ...o.identity, isRoleChain: caller.kind === 'iam-role' ? true : undefined },
    action: {
      name: 'sts.amazonaws.com:AssumeRole',
      service: 'sts.amazonaws.com',
      region: 'us-east-1',
      isReadOnly: false,
      resource: roleArn,
      targetRoleArn: roleArn,
      targetAccountId: account !== HOME ? account : undefined,
    },
  });
};

/**
 * Two days of a worker that reads DynamoDB and assumes `roleArn` now and then. Its very first call is that
 * AssumeRole (nothing to compare with yet), so the history itself raises no finding.
 */
const workerHistory = (roleArn: string) =>
  [assume(at(0, 7), roleArn), ...history({}, 2, 15), assume(at(1, 9), roleArn)].sort(
    (x, y) => x.timeMs - y.timeMs,
  );

const LEARNING = { learningPeriodSeconds: 86_400, learningMinEvents: 20 };

const role = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;

/** `lateral-movement`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const lateralMovementCases = defineCases('lateral-movement', [
  {
    name: 'a Lambda role reaching into an account it never touched, one day into its life',
    events: [
      ...repeat(10, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role('444455556666', 'OrganizationAccountAccessRole')),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'after learning, the worker’s role session chains into a same-account role it never assumed',
    events: [
      ...workerHistory(role(HOME, 'orders-reader')),
      assume(at(2, 10), role(HOME, 'admin-break-glass')),
    ],
    learning: LEARNING,
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'after learning, a new role in an account the worker already reaches',
    events: [
      ...workerHistory(role(REPLICA, 'orders-replica-writer')),
      assume(at(2, 10), role(REPLICA, 'billing-admin')),
    ],
    learning: LEARNING,
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'a role session chaining into a new same-account role in its first week (still learning)',
    events: [
      ...repeat(5, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(T0 + 10 * 60_000, role(HOME, 'orders-reader')),
    ],
    fires: false,
  },
  {
    name: 'the cross-account role it always assumes',
    events: [
      ...workerHistory(role(REPLICA, 'orders-replica-writer')),
      assume(at(2, 10), role(REPLICA, 'orders-replica-writer')),
    ],
    learning: LEARNING,
    fires: false,
  },
  {
    name: 'a new same-account role while the identity is still learning',
    events: [
      ...repeat(10, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role(HOME, 'orders-reader')),
    ],
    fires: false,
  },
  {
    name: 'the Lambda service assuming function execution roles',
    events: ['orders-worker', 'billing-sync', 'log-shipper'].map((fn, i) =>
      assume(T0 + i * 60_000, role(HOME, `${fn}-exec`), {
        identity: {
          key: 'aws:service:lambda.amazonaws.com',
          kind: 'aws-service',
          principal: 'lambda.amazonaws.com',
          name: 'lambda.amazonaws.com',
          accountId: undefined,
          sessionName: undefined,
        },
        credential: { id: undefined, kind: 'none' },
        origin: viaService('lambda.amazonaws.com'),
      }),
    ),
    fires: false,
  },
  {
    name: 'CloudFormation StackSets assuming the execution role in a member account for the admin role',
    events: [
      ...repeat(5, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role('444455556666', 'AWSCloudFormationStackSetExecutionRole'), {
        origin: viaService('cloudformation.amazonaws.com'),
      }),
    ],
    fires: false,
  },
  {
    name: 'a denied AssumeRole into a new account moved nowhere',
    events: [
      ...repeat(5, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role('444455556666', 'OrganizationAccountAccessRole'), {
        outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ],
    fires: false,
  },
  {
    name: 'an identity whose very first call is a cross-account AssumeRole has no history to compare',
    events: [assume(T0, role(REPLICA, 'orders-replica-writer'))],
    fires: false,
  },
  {
    name: 'requiring twenty events of history keeps a ten-event identity quiet',
    events: [
      ...repeat(10, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role('444455556666', 'OrganizationAccountAccessRole')),
    ],
    thresholds: { minHistoryEvents: 20 },
    fires: false,
  },
  {
    name: 'service-invoked role assumptions count when configured to',
    events: [
      ...repeat(5, T0, 60_000, (timeMs) => ev({ timeMs })),
      assume(at(0, 1), role('444455556666', 'AWSCloudFormationStackSetExecutionRole'), {
        origin: viaService('cloudformation.amazonaws.com'),
      }),
    ],
    thresholds: { ignoreServiceInvoked: false },
    fires: true,
  },
  {
    name: 'raw CloudTrail: a Lambda role’s AssumeRole into an account it never touched, an hour into its life',
    log: [
      ...repeat(10, T0, 60_000, (timeMs) => workerCall({ timeMs })),
      workerCall({
        timeMs: at(0, 1),
        action: 'sts.amazonaws.com:AssumeRole',
        readOnly: false,
        requestParameters: {
          roleArn: 'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole',
          roleSessionName: 'orders-worker',
        },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
]);
