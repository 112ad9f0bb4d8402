/** Cases of the `new-action` rule (test material: no production module imports this file). */
import { at, ev, history, inTimeOrder, rotatingHistory, type EventOverrides } from './test-events.js';
import { rawHistory, workerCall } from './raw-records.js';
import { defineCases } from './rule-case.js';

const iam = (eventName: string, isReadOnlyCall = false): EventOverrides => ({
  action: {
    name: `iam.amazonaws.com:${eventName}`,
    service: 'iam.amazonaws.com',
    region: 'us-east-1',
    isReadOnly: isReadOnlyCall,
  },
});

const dynamo = (eventName: string, isReadOnlyCall: boolean): EventOverrides => ({
  action: {
    name: `dynamodb.amazonaws.com:${eventName}`,
    service: 'dynamodb.amazonaws.com',
    isReadOnly: isReadOnlyCall,
  },
});

const s3 = (eventName: string, isReadOnlyCall: boolean): EventOverrides => ({
  action: { name: `s3.amazonaws.com:${eventName}`, service: 's3.amazonaws.com', isReadOnly: isReadOnlyCall },
});

const glue = (eventName: string, isReadOnlyCall: boolean): EventOverrides => ({
  action: {
    name: `glue.amazonaws.com:${eventName}`,
    service: 'glue.amazonaws.com',
    isReadOnly: isReadOnlyCall,
  },
});

/** `new-action`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const newActionCases = defineCases('new-action', [
  {
    name: 'worker role creates an access key: sensitive, HIGH',
    events: [...history(), ev({ ...iam('CreateAccessKey'), timeMs: at(9, 2) })],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'worker role reads a secret it never read, a day after a deploy added actions: sensitive ignores settling',
    events: [
      ...inTimeOrder(history(), [ev({ timeMs: at(6, 9), ...dynamo('PutItem', false) })]),
      ev({
        timeMs: at(7, 19),
        action: {
          name: 'secretsmanager.amazonaws.com:GetSecretValue',
          service: 'secretsmanager.amazonaws.com',
          isReadOnly: true,
        },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'worker role calls sts:GetCallerIdentity: discovery, MEDIUM',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 2),
        action: {
          name: 'sts.amazonaws.com:GetCallerIdentity',
          service: 'sts.amazonaws.com',
          isReadOnly: true,
        },
      }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'settled worker (no new action for 8 days) starts deleting items: LOW',
    events: [...history(), ev({ timeMs: at(9, 11), ...dynamo('DeleteItem', false) })],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'API client calls a route it never called (writes)',
    events: [
      ...history({ source: 'api-gateway', action: { name: 'GET /orders/{id}', isReadOnly: true } }),
      ev({
        source: 'api-gateway',
        timeMs: at(9, 11),
        action: { name: 'POST /admin/users', isReadOnly: false },
      }),
    ],
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'the same deploy’s second write action with settleDays 1: reported',
    events: [
      ...inTimeOrder(history(), [ev({ timeMs: at(6, 9), ...dynamo('PutItem', false) })]),
      ev({ timeMs: at(8, 11), ...dynamo('UpdateItem', false) }),
    ],
    thresholds: { settleDays: 1 },
    fires: true,
    severity: 'LOW',
  },
  {
    name: 'settled worker reads a table with Query, reportReadOnly on: INFORMATIONAL',
    events: [...history(), ev({ timeMs: at(9, 11), ...dynamo('Query', true) })],
    thresholds: { reportReadOnly: true },
    fires: true,
    severity: 'INFORMATIONAL',
  },
  {
    name: 'CloudFormation creates a role on the deploy role’s behalf: sensitive, lowered to MEDIUM as service-made',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 11),
        ...iam('CreateRole'),
        origin: {
          ip: 'cloudformation.amazonaws.com',
          isIp: false,
          awsService: 'cloudformation.amazonaws.com',
        },
      }),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'data-platform role already using 12 actions, a 13th ordinary write with maxKnownActions 10: too broad to matter',
    events: [
      ...rotatingHistory({}, [
        ...['GetItem', 'Query', 'Scan', 'BatchGetItem'].map((a) => dynamo(a, true)),
        ...['PutItem', 'UpdateItem', 'BatchWriteItem'].map((a) => dynamo(a, false)),
        s3('GetObject', true),
        s3('ListObjectsV2', true),
        s3('PutObject', false),
        glue('StartJobRun', false),
        glue('GetJobRun', true),
      ]),
      ev({ timeMs: at(9, 11), ...s3('DeleteObject', false) }),
    ],
    thresholds: { maxKnownActions: 10 },
    fires: false,
  },
  {
    name: 'deploy adds a write action two days after the previous new action (scope still growing)',
    events: [
      ...inTimeOrder(history(), [ev({ timeMs: at(6, 9), ...dynamo('PutItem', false) })]),
      ev({ timeMs: at(8, 11), ...dynamo('UpdateItem', false) }),
    ],
    fires: false,
  },
  {
    name: 'settled worker reads a table with Query (read-only, non-sensitive)',
    events: [...history(), ev({ timeMs: at(9, 11), ...dynamo('Query', true) })],
    fires: false,
  },
  {
    name: 'denied attempt to create an access key (not use of scope)',
    events: [
      ...history(),
      ev({
        ...iam('CreateAccessKey'),
        timeMs: at(9, 2),
        outcome: { authz: 'denied', errorCode: 'AccessDenied' },
      }),
    ],
    fires: false,
  },
  {
    name: 'a known action again (GetItem)',
    events: [...history(), ev({ timeMs: at(9, 11) })],
    fires: false,
  },
  {
    name: 'CloudFormation creates a queue on the deploy role’s behalf (ordinary, via a service)',
    events: [
      ...history(),
      ev({
        timeMs: at(9, 11),
        action: {
          name: 'sqs.amazonaws.com:CreateQueue',
          service: 'sqs.amazonaws.com',
          isReadOnly: false,
        },
        origin: {
          ip: 'cloudformation.amazonaws.com',
          isIp: false,
          awsService: 'cloudformation.amazonaws.com',
        },
      }),
    ],
    fires: false,
  },
  {
    name: 'sensitive first use during the learning period',
    events: [...history({}, 3), ev({ ...iam('CreateAccessKey'), timeMs: at(3, 9) })],
    fires: false,
  },
  {
    name: 'raw CloudTrail: a worker role that only read DynamoDB creates an IAM access key: sensitive, HIGH',
    log: [
      ...rawHistory((timeMs) => workerCall({ timeMs })),
      workerCall({
        timeMs: at(9, 2),
        action: 'iam.amazonaws.com:CreateAccessKey',
        readOnly: false,
        requestParameters: { userName: 'orders-admin' },
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
]);
