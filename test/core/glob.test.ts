import fc from 'fast-check';
import { ContractSet } from '../../lambdas/core/contracts';
import { compileGlob, firstMatchingGlob, matchesGlob } from '../../lambdas/core/glob';

/** The stated semantics as a RegExp (anchored, `*` = `[^]*`, `?` = `[^]`): the oracle of the property test. */
const oracle = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^]*')
      .replace(/\?/g, '[^]')}$`,
  );

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

  it('treats line breaks as ordinary characters: `*` and `?` match them, literals must match them', () => {
    expect(matchesGlob('GET /orders/*', 'GET /orders/1\nX-Injected: 1')).toBe(true);
    expect(matchesGlob('a?b', 'a\nb')).toBe(true);
    expect(matchesGlob('a?b', 'a\r\nb')).toBe(false);
    expect(matchesGlob('*', '\n')).toBe(true);
    expect(matchesGlob('role/ci-*', 'role/ci-\n')).toBe(true);
    expect(matchesGlob('role/ci', 'role/ci\n')).toBe(false);
  });

  it('has no escapes or classes: regex characters match themselves', () => {
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(matchesGlob('a.b', 'aXb')).toBe(false);
    expect(matchesGlob('[ab]', 'a')).toBe(false);
    expect(matchesGlob('[ab]', '[ab]')).toBe(true);
    expect(matchesGlob('\\*', '\\anything')).toBe(true);
  });

  it('agrees with the stated semantics on arbitrary globs and texts, line breaks included', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/', '.', '\n', '\r', '\u2028');
    const globChar = fc.constantFrom('a', 'b', ':', '/', '.', '\n', '*', '?');
    fc.assert(
      fc.property(fc.array(globChar, { maxLength: 8 }), fc.array(alphabet, { maxLength: 10 }), (g, t) => {
        const glob = g.join('');
        const text = t.join('');
        expect(matchesGlob(glob, text)).toBe(oracle(glob).test(text));
        expect(compileGlob(glob).test(text)).toBe(oracle(glob).test(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('is the engine of contract identity patterns: a line break in a key does not escape its contract', () => {
    const contracts = new ContractSet([
      { identity: 'api:a1b2c3d4e5:client:partner-*', allowedAsns: [64500] },
    ]);
    expect(contracts.forIdentity('api:a1b2c3d4e5:client:partner-7\nx')?.identity).toBe(
      'api:a1b2c3d4e5:client:partner-*',
    );
    expect(contracts.forIdentity('api:a1b2c3d4e5:client:other')).toBeUndefined();
  });

  it('compiles a glob once for repeated tests, case-insensitively when asked', () => {
    const glob = compileGlob('aws:123456789012:role/ETL-*', true);
    expect(glob.source).toBe('aws:123456789012:role/ETL-*');
    expect(glob.test('aws:123456789012:role/etl-nightly')).toBe(true);
    expect(glob.test('aws:123456789012:user/etl-nightly')).toBe(false);
    expect(compileGlob('role/ETL-*').test('role/etl-nightly')).toBe(false);
  });

  it('returns the first glob that matches', () => {
    expect(
      firstMatchingGlob(['s3.amazonaws.com:*', 'iam.amazonaws.com:*'], 'iam.amazonaws.com:ListRoles'),
    ).toBe('iam.amazonaws.com:*');
    expect(firstMatchingGlob([], 'iam.amazonaws.com:ListRoles')).toBeUndefined();
  });
});
