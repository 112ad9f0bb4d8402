import {
  planSubscriptions,
  planUnsubscriptions,
  type LogGroupFilters,
  type SubscriptionTarget,
} from '../../lambdas/core/log-subscriptions';

const OURS = 'arn:aws:lambda:eu-west-1:123456789012:function:nhi-watch-api';
const target: SubscriptionTarget = {
  prefixes: ['/apigateway/access/', 'apigw-'],
  destinationArn: OURS,
  filterName: 'nhi-watch',
  excludedLogGroups: ['/apigateway/access/named-in-config'],
};
const foreign = (n: number) => ({
  filterName: `team-${n}`,
  destinationArn: `arn:aws:firehose:eu-west-1:123456789012:deliverystream/t${n}`,
});
const group = (logGroupName: string, filters: LogGroupFilters['filters'] = []): LogGroupFilters => ({
  logGroupName,
  filters,
});

describe('planSubscriptions', () => {
  it('subscribes matching groups with a free slot and leaves the rest alone', () => {
    const plan = planSubscriptions(target, [
      group('/apigateway/access/orders'),
      group('apigw-partners', [foreign(1)]),
      group('/aws/lambda/orders'),
      group('/apigateway/access/named-in-config'),
    ]);

    expect(plan).toEqual({
      subscribe: ['/apigateway/access/orders', 'apigw-partners'],
      unchanged: [],
      skipped: [],
    });
  });

  it('counts a group already delivering to nhi-watch as done, whatever its filter is called', () => {
    const plan = planSubscriptions(target, [
      group('/apigateway/access/orders', [{ filterName: 'nhi-watch', destinationArn: OURS }]),
      group('/apigateway/access/billing', [
        foreign(1),
        { filterName: 'added-by-hand', destinationArn: OURS },
      ]),
    ]);

    expect(plan).toEqual({
      subscribe: [],
      unchanged: ['/apigateway/access/orders', '/apigateway/access/billing'],
      skipped: [],
    });
  });

  it("replaces nhi-watch's own filter when it points at an old function, even when both slots are taken", () => {
    const plan = planSubscriptions(target, [
      group('/apigateway/access/orders', [
        foreign(1),
        { filterName: 'nhi-watch', destinationArn: `${OURS}-old` },
      ]),
    ]);

    expect(plan.subscribe).toEqual(['/apigateway/access/orders']);
  });

  it("never takes another team's slot: a group with two other filters is skipped and reported", () => {
    const plan = planSubscriptions(target, [group('/apigateway/access/orders', [foreign(1), foreign(2)])]);

    expect(plan).toEqual({
      subscribe: [],
      unchanged: [],
      skipped: [{ logGroupName: '/apigateway/access/orders', reason: 'no-free-slot' }],
    });
  });
});

describe('planUnsubscriptions', () => {
  it('removes only filters nhi-watch created: its name and its destination, on matching groups', () => {
    const groups = [
      group('/apigateway/access/orders', [foreign(1), { filterName: 'nhi-watch', destinationArn: OURS }]),
      group('/apigateway/access/billing', [
        { filterName: 'nhi-watch', destinationArn: 'arn:aws:lambda:eu-west-1:123456789012:function:other' },
      ]),
      group('/apigateway/access/hand', [{ filterName: 'added-by-hand', destinationArn: OURS }]),
      group('/apigateway/access/named-in-config', [{ filterName: 'nhi-watch', destinationArn: OURS }]),
      group('/other/group', [{ filterName: 'nhi-watch', destinationArn: OURS }]),
    ];

    expect(planUnsubscriptions(target, groups)).toEqual(['/apigateway/access/orders']);
  });
});
