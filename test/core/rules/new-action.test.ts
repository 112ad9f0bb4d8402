import { newAction } from '../../../lambdas/core/rules/new-action';
import { findCase, replay } from './replay-case';

describe('new-action findings', () => {
  it('name the deploy’s second new action once settleDays is shorter than the gap, not the first', () => {
    const c = findCase(newAction, 'the same deploy’s second write action with settleDays 1');
    expect(replay(newAction, c).map((f) => f.discriminator)).toEqual([
      'action:dynamodb.amazonaws.com:UpdateItem',
    ]);
  });
});
