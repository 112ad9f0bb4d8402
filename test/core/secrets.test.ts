import fc from 'fast-check';

import { redactionMarker, scrubSecrets } from '../../lambdas/core/secrets.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktOTkiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('scrubSecrets', () => {
  it.each([
    ['JWT in a user agent', `my-client/1.0 (${JWT})`, JWT, 'jwt'],
    [
      'bearer credential',
      'curl/8.0 Authorization: Bearer abc123.def456-ghi789',
      'abc123.def456-ghi789',
      'bearer',
    ],
    ['basic credential', 'Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA==', 'basic'],
    ['token query value', 'GET /callback?state=1&access_token=s3cr3tValue&x=2', 's3cr3tValue', 'query'],
    ['api_key query value', '/v1/items?api_key=AbC123xyz', 'AbC123xyz', 'query'],
    ['password query value', '/login?user=bob&password=hunter2', 'hunter2', 'query'],
    [
      'SigV4 presigned URL signature',
      '/obj?X-Amz-Signature=0123456789abcdef0123',
      '0123456789abcdef0123',
      'query',
    ],
    [
      'SigV4 presigned URL credential',
      '/obj?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=1',
      'AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request',
      'query',
    ],
    ['JSON-ish password', 'error: {"password": "pa55word!"}', 'pa55word!', 'query'],
    ['AWS secret access key', `aws-cli/2 secret ${AWS_SECRET} end`, AWS_SECRET, 'aws-key'],
    [
      'STS session token',
      'x IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD end',
      'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD',
      'aws-sts',
    ],
    [
      'GitHub token',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'github',
    ],
  ] as const)('%s is replaced by a marker with its fingerprint', (_name, text, secret, kind) => {
    const out = scrubSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(redactionMarker(kind, secret));
  });

  it('keeps what is not a secret, including the parameter name and the scheme', () => {
    expect(scrubSecrets('GET /orders/{id}')).toBe('GET /orders/{id}');
    expect(scrubSecrets('aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 command/s3.ls')).toBe(
      'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2 command/s3.ls',
    );
    expect(scrubSecrets('arn:aws:iam::123456789012:role/deployer')).toBe(
      'arn:aws:iam::123456789012:role/deployer',
    );
    // A git commit or SHA-1 digest (hex, one case) is not an AWS secret key.
    expect(scrubSecrets('build 3f786850e387550fdab836ed7e6dc881de23001b')).toBe(
      'build 3f786850e387550fdab836ed7e6dc881de23001b',
    );
    expect(scrubSecrets('/a?access_token=abc')).toMatch(/^\/a\?access_token=\[redacted:query:[0-9a-f]{8}\]$/);
    expect(scrubSecrets('Bearer abcdefgh')).toMatch(/^Bearer \[redacted:bearer:[0-9a-f]{8}\]$/);
  });

  it('is deterministic: the same secret gets the same marker, another secret another', () => {
    expect(scrubSecrets(`a ${JWT}`)).toBe(scrubSecrets(`a ${JWT}`));
    expect(redactionMarker('jwt', JWT)).not.toBe(redactionMarker('jwt', `${JWT}x`));
  });

  it('is idempotent on every kind of marker', () => {
    const all = [
      JWT,
      'Bearer abc123def456',
      'Basic dXNlcjpwYXNzd29yZA==',
      '?token=abc&api_key=def&password=ghi&X-Amz-Signature=jkl&X-Amz-Credential=mno',
      '{"client_secret": "xyz"}',
      AWS_SECRET,
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ].join(' ');
    const once = scrubSecrets(all);
    expect(scrubSecrets(once)).toBe(once);
  });

  it('never throws, and leaves no JWT / bearer credential behind on arbitrary text around one', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        const out = scrubSecrets(`${before} ${JWT} Bearer qwertyuiop123 ${after}`);
        return !out.includes(JWT) && !out.includes('qwertyuiop123');
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => typeof scrubSecrets(s) === 'string'));
  });
});
