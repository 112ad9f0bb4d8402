import fc from 'fast-check';
import { globToRegExp } from '../../lambdas/core/contracts';
import { firstMatchingGlob, matchesGlob } from '../../lambdas/core/glob';

describe('matchesGlob', () => {
  it.each([
    ['iam.amazonaws.com:Create*', 'iam.amazonaws.com:CreateAccessKey', true],
    ['iam.amazonaws.com:Create*', 'iam.amazonaws.com:DeleteAccessKey', false],
    ['iam.amazonaws.com:Put*Policy', 'iam.amazonaws.com:PutRolePolicy', true],
    ['iam.amazonaws.com:Put*Policy', 'iam.amazonaws.com:PutRolePolicyX', false],
    ['lambda.amazonaws.com:*Layer*', 'lambda.amazonaws.com:PublishLayerVersion20181031', true],
    ['GET /orders/*', 'GET /orders/{id}', true],
    ['GET /orders/*', 'GET /orders', false],
    ['?', 'a', true],
    ['?', '', false],
    ['*', '', true],
    ['', '', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
  ])('%j vs %j: %s', (glob, text, expected) => {
    expect(matchesGlob(glob, text)).toBe(expected);
  });

  it('matches case-insensitively only when asked', () => {
    expect(matchesGlob('boto3*', 'Boto3/1.34.84')).toBe(false);
    expect(matchesGlob('boto3*', 'Boto3/1.34.84', true)).toBe(true);
  });

  it('agrees with the RegExp form used for contract identity patterns', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/', '.');
    const globChar = fc.constantFrom('a', 'b', ':', '/', '.', '*', '?');
    fc.assert(
      fc.property(fc.array(globChar, { maxLength: 8 }), fc.array(alphabet, { maxLength: 10 }), (g, t) => {
        const glob = g.join('');
        const text = t.join('');
        expect(matchesGlob(glob, text)).toBe(globToRegExp(glob).test(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns the first glob that matches', () => {
    expect(
      firstMatchingGlob(['s3.amazonaws.com:*', 'iam.amazonaws.com:*'], 'iam.amazonaws.com:ListRoles'),
    ).toBe('iam.amazonaws.com:*');
    expect(firstMatchingGlob([], 'iam.amazonaws.com:ListRoles')).toBeUndefined();
  });
});
