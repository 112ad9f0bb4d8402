import { newUserAgent } from '../../../lambdas/core/rules/new-user-agent';
import { findCase, replay } from './replay-case';

describe('new-user-agent findings', () => {
  it('are one per new family: the human-operated role’s new CLI family is named', () => {
    const c = findCase(
      newUserAgent,
      'human-operated role (CLI history) used from a new CLI family: new family',
    );
    expect(replay(newUserAgent, c).map((f) => f.discriminator)).toEqual(['ua:aws-powershell']);
  });
});
