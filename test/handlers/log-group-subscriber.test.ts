import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CloudFormationResponseError,
  sendCloudFormationResponse,
} from '../../lambdas/adapters/cloudformation-response';
import { CloudWatchLogsSubscriptionAdmin } from '../../lambdas/adapters/cloudwatch-logs-subscription-admin';
import type { LogSubscriptionAdmin, SubscriptionTarget } from '../../lambdas/core/log-subscriptions';
import {
  PHYSICAL_RESOURCE_ID,
  createHandler,
  handler,
  productionDeps,
  type LogGroupSubscriberDeps,
} from '../../lambdas/handlers/log-group-subscriber';
import { FakeCloudWatchLogs } from './fake-cloudwatch-logs';
import { ConfigurationError } from '../../lambdas/handlers/env';

const OURS = 'arn:aws:lambda:eu-west-1:123456789012:function:nhi-watch-api';
const FIREHOSE = 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/siem';
const KINESIS = 'arn:aws:kinesis:eu-west-1:123456789012:stream/audit';
const target: SubscriptionTarget = {
  prefixes: ['/apigateway/access/'],
  destinationArn: OURS,
  filterName: 'nhi-watch',
  excludedLogGroups: ['/apigateway/access/named'],
};
const resourceProperties = (t: SubscriptionTarget) => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:subscriber',
  Prefixes: t.prefixes,
  DestinationArn: t.destinationArn,
  FilterName: t.filterName,
  ExcludedLogGroups: t.excludedLogGroups,
});
const context = { getRemainingTimeInMillis: () => 300_000 };

describe('log-group-subscriber against a CloudWatch Logs endpoint', () => {
  let fake: FakeCloudWatchLogs;
  let client: CloudWatchLogsClient;
  let noFreeSlotCounts: number[];
  let deps: LogGroupSubscriberDeps;

  const customResource = (
    requestType: 'Create' | 'Update' | 'Delete',
    extra: Record<string, unknown> = {},
  ) => ({
    RequestType: requestType,
    ResponseURL: `${fake.endpoint}/cfn/${requestType}?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/NhiWatch/1',
    RequestId: `req-${requestType}`,
    LogicalResourceId: 'Subscriptions',
    ResourceType: 'Custom::NhiWatchLogGroupSubscriptions',
    ResourceProperties: resourceProperties(target),
    ...extra,
  });

  beforeEach(async () => {
    fake = new FakeCloudWatchLogs();
    await fake.start();
    client = new CloudWatchLogsClient({
      endpoint: fake.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      maxAttempts: 1,
    });
    noFreeSlotCounts = [];
    deps = {
      admin: new CloudWatchLogsSubscriptionAdmin(client),
      target,
      respond: sendCloudFormationResponse,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      recordNoFreeSlot: (count) => noFreeSlotCounts.push(count),
    };
    fake.addGroup('/apigateway/access/orders');
    fake.addGroup('/apigateway/access/billing', [['siem', FIREHOSE]]);
    fake.addGroup('/apigateway/access/full', [
      ['siem', FIREHOSE],
      ['audit', KINESIS],
    ]);
    fake.addGroup('/apigateway/access/stale', [['nhi-watch', `${OURS}-replaced`]]);
    fake.addGroup('/apigateway/access/named', [['nhi-watch', OURS]]);
    fake.addGroup('/other/service');
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  it('on stack creation subscribes every matching group with a free slot and reports the full ones', async () => {
    const outcome = await createHandler(deps)(customResource('Create'), context);

    expect(fake.filtersOf('/apigateway/access/orders')).toEqual([['nhi-watch', OURS]]);
    expect(fake.filtersOf('/apigateway/access/billing')).toEqual([
      ['nhi-watch', OURS],
      ['siem', FIREHOSE],
    ]);
    expect(fake.filtersOf('/apigateway/access/stale')).toEqual([['nhi-watch', OURS]]);
    expect(fake.filtersOf('/apigateway/access/full')).toEqual([
      ['audit', KINESIS],
      ['siem', FIREHOSE],
    ]);
    expect(fake.filtersOf('/other/service')).toEqual([]);
    expect(fake.calls.filter((c) => c.input['logGroupName'] === '/apigateway/access/named')).toEqual([]);
    expect(outcome).toEqual({
      subscribed: ['/apigateway/access/billing', '/apigateway/access/orders', '/apigateway/access/stale'],
      unchanged: [],
      noFreeSlot: ['/apigateway/access/full'],
    });
    expect(noFreeSlotCounts).toEqual([1]);
    expect(fake.cfnResponses).toEqual([
      {
        Status: 'SUCCESS',
        Reason: 'no free subscription slot on: /apigateway/access/full',
        PhysicalResourceId: PHYSICAL_RESOURCE_ID,
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/NhiWatch/1',
        RequestId: 'req-Create',
        LogicalResourceId: 'Subscriptions',
        Data: { Subscribed: 3, Unchanged: 0, NoFreeSlot: 1 },
        contentType: '',
      },
    ]);
  });

  it('reports a group whose last slot was taken between listing and subscribing', async () => {
    fake.filledBeforePut.add('/apigateway/access/billing');

    const outcome = await createHandler(deps)(
      { 'detail-type': 'Scheduled Event', source: 'aws.events' },
      context,
    );

    expect(outcome).toMatchObject({
      subscribed: ['/apigateway/access/orders', '/apigateway/access/stale'],
      noFreeSlot: ['/apigateway/access/full', '/apigateway/access/billing'],
    });
    expect(noFreeSlotCounts).toEqual([2]);
  });

  it('is idempotent: a second pass changes nothing', async () => {
    await createHandler(deps)(customResource('Create'), context);
    fake.calls.length = 0;

    const outcome = await createHandler(deps)(
      { 'detail-type': 'Scheduled Event', source: 'aws.events' },
      context,
    );

    expect(fake.calls.filter((c) => c.operation === 'PutSubscriptionFilter')).toEqual([]);
    expect(outcome).toMatchObject({ subscribed: [], noFreeSlot: ['/apigateway/access/full'] });
  });

  it('on stack deletion removes only the filters it created, and answers CloudFormation', async () => {
    await createHandler(deps)(customResource('Create'), context);
    fake.addGroup('/apigateway/access/by-hand', [['mine', OURS]]);

    await createHandler(deps)(
      customResource('Delete', { PhysicalResourceId: PHYSICAL_RESOURCE_ID }),
      context,
    );

    expect(fake.filtersOf('/apigateway/access/orders')).toEqual([]);
    expect(fake.filtersOf('/apigateway/access/billing')).toEqual([['siem', FIREHOSE]]);
    expect(fake.filtersOf('/apigateway/access/full')).toHaveLength(2);
    expect(fake.filtersOf('/apigateway/access/by-hand')).toEqual([['mine', OURS]]);
    expect(fake.filtersOf('/apigateway/access/named')).toEqual([['nhi-watch', OURS]]);
    expect(fake.cfnResponses.at(-1)).toMatchObject({
      Status: 'SUCCESS',
      RequestId: 'req-Delete',
      Data: { Removed: 3 },
    });
  });

  it('on update unsubscribes the groups of a prefix that was dropped', async () => {
    fake.addGroup('/legacy/api', [
      ['nhi-watch', OURS],
      ['siem', FIREHOSE],
    ]);
    const old = resourceProperties({ ...target, prefixes: ['/apigateway/access/', '/legacy/'] });

    await createHandler(deps)(customResource('Update', { OldResourceProperties: old }), context);

    expect(fake.filtersOf('/legacy/api')).toEqual([['siem', FIREHOSE]]);
    expect(fake.filtersOf('/apigateway/access/orders')).toEqual([['nhi-watch', OURS]]);
    expect(fake.cfnResponses.at(-1)).toMatchObject({ Status: 'SUCCESS', RequestId: 'req-Update' });
  });

  it('subscribes a log group as soon as it is created, and ignores groups outside the prefixes', async () => {
    fake.addGroup('/apigateway/access/new-api');
    const created = (logGroupName: string) => ({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.logs',
      detail: {
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogGroup',
        requestParameters: { logGroupName },
      },
    });

    const outcome = await createHandler(deps)(created('/apigateway/access/new-api'), context);
    await createHandler(deps)(created('/other/service'), context);

    expect(outcome).toEqual({ subscribed: ['/apigateway/access/new-api'], unchanged: [], noFreeSlot: [] });
    expect(fake.filtersOf('/other/service')).toEqual([]);
    expect(fake.calls.filter((c) => c.operation === 'PutSubscriptionFilter')).toHaveLength(1);
  });

  it('reports FAILED to CloudFormation, with the cause, when the API refuses', async () => {
    fake.denied.add('DescribeLogGroups');

    await createHandler(deps)(customResource('Create'), context);

    expect(fake.cfnResponses).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringContaining('/apigateway/access/') as unknown,
      }),
    ]);
  });

  it('fails a scheduled pass when the API refuses, so Lambda retries it and then parks it', async () => {
    fake.denied.add('PutSubscriptionFilter');

    await expect(
      createHandler(deps)({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, context),
    ).rejects.toThrow('subscribing /apigateway/access/billing failed');
  });

  it('answers CloudFormation before the function would time out', async () => {
    const stuck: LogSubscriptionAdmin = {
      listLogGroups: () => new Promise<string[]>(() => undefined),
      listFilters: () => Promise.resolve([]),
      putFilter: () => Promise.resolve('subscribed'),
      deleteFilter: () => Promise.resolve(),
    };

    await createHandler({ ...deps, admin: stuck })(customResource('Create'), {
      getRemainingTimeInMillis: () => 10_500,
    });

    expect(fake.cfnResponses).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringContaining('did not finish') as unknown,
      }),
    ]);
  });

  it('fails the invocation when CloudFormation does not accept the response', async () => {
    const event = { ...customResource('Create'), ResponseURL: `${fake.endpoint}/cfn/reject` };

    await expect(createHandler(deps)(event, context)).rejects.toThrow(CloudFormationResponseError);
  });

  it('ignores events it does not know', async () => {
    await expect(createHandler(deps)({ hello: 'world' }, context)).resolves.toEqual({
      ignored: 'unrecognised event',
    });
    expect(fake.calls).toEqual([]);
  });
});

describe('productionDeps', () => {
  const env = {
    POWERTOOLS_SERVICE_NAME: 'nhi-watch',
    POWERTOOLS_METRICS_NAMESPACE: 'NhiWatch',
    SUBSCRIPTION_TARGET: JSON.stringify(target),
    AWS_REGION: 'eu-west-1',
  };
  const failure = (e: Record<string, string | undefined>): unknown => {
    try {
      productionDeps(e);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('refuses to start without a valid SUBSCRIPTION_TARGET, naming the variable', () => {
    const missing = failure({ ...env, SUBSCRIPTION_TARGET: undefined });
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing).toMatchObject({
      variable: 'SUBSCRIPTION_TARGET',
      message: 'SUBSCRIPTION_TARGET: is required but not set',
    });
    expect(failure({ ...env, SUBSCRIPTION_TARGET: '{not json' })).toMatchObject({
      variable: 'SUBSCRIPTION_TARGET',
      message: expect.stringContaining('is not valid JSON'),
    });
    const incomplete = failure({ ...env, SUBSCRIPTION_TARGET: JSON.stringify({ prefixes: ['/a/'] }) });
    expect(incomplete).toBeInstanceOf(ConfigurationError);
    expect((incomplete as Error).message).toContain('destinationArn');
  });

  it('has no fallback service name or metrics namespace: a missing one fails the cold start', () => {
    for (const name of ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']) {
      const error = failure({ ...env, [name]: undefined });
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ variable: name });
    }
  });

  it('fails the Lambda entry point’s invocation with the ConfigurationError, not a half-configured pass', async () => {
    const context = {
      functionName: 'subscriber',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:subscriber',
      memoryLimitInMB: '256',
      awsRequestId: 'req-1',
      logGroupName: '/aws/lambda/subscriber',
      logStreamName: 'stream',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 60_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const saved = process.env['SUBSCRIPTION_TARGET'];
    delete process.env['SUBSCRIPTION_TARGET'];
    try {
      await expect(handler({ 'detail-type': 'Scheduled Event' }, context)).rejects.toBeInstanceOf(
        ConfigurationError,
      );
    } finally {
      if (saved !== undefined) process.env['SUBSCRIPTION_TARGET'] = saved;
    }
  });

  it('builds its collaborators from a valid target', () => {
    const deps = productionDeps(env);

    expect(deps.target).toEqual(target);
  });
});
