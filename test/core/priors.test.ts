import { DEFAULT_LIMITS } from '../../lambdas/core/baseline';
import {
  emptyPopulation,
  foldPopulation,
  isPopulationMature,
  peerKindOf,
  populationAccount,
} from '../../lambdas/core/priors';
import { UA, at, ev, iamUser, insideAws, ROOT, apiClient } from '../../lambdas/core/rules/test-events';

describe('peerKindOf: the kind of workload a call shows', () => {
  it.each([
    ['a Lambda runtime user agent', ev({ origin: UA.lambdaNode }), 'lambda'],
    ['an ECS task user agent', ev({ origin: UA.ecsFargate }), 'container'],
    [
      'an instance id as role session name',
      ev({
        identity: { sessionName: 'i-0123456789abcdef0' },
        origin: { ...insideAws('54.210.5.6'), ...UA.boto3Server },
      }),
      'ec2-instance',
    ],
    [
      'a web-identity provider',
      ev({
        identity: { sessionName: 'GitHubActions', issuer: 'token.actions.githubusercontent.com' },
        origin: UA.boto3Server,
      }),
      'ci-oidc',
    ],
    ['an IAM user key', ev({ identity: iamUser('deployer'), origin: UA.awsCli }), 'iam-user'],
    ['a console session', ev({ credential: { kind: 'console-session' } }), 'human'],
    [
      'an SSO permission-set role',
      ev({ identity: { name: 'AWSReservedSSO_Admin_0123abcd' }, origin: UA.awsCli }),
      'human',
    ],
    ['root', ev({ identity: ROOT }), 'root'],
    ['an API client', ev({ source: 'api-gateway', identity: apiClient('partner-7') }), 'api-client'],
    [
      'a role session with nothing telling',
      ev({ identity: { sessionName: 'job-42' }, origin: UA.boto3Server }),
      'role',
    ],
  ])('%s', (_name, event, kind) => {
    expect(peerKindOf(event)).toBe(kind);
  });

  it('puts API clients in their API’s population, not an account’s', () => {
    expect(populationAccount(ev({ source: 'api-gateway', identity: apiClient('partner-7') }))).toBe(
      'api:a1b2c3d4e5',
    );
  });
});

describe('foldPopulation', () => {
  const fresh = () => emptyPopulation('pop#acct#123456789012', 'account', '123456789012', at(0));
  const hints = { isNewIdentity: false, isNewActionForIdentity: true };

  it('counts denied calls but does not learn their actions; skips authentication failures', () => {
    const p = fresh();
    expect(
      foldPopulation(
        p,
        ev({ outcome: { authz: 'denied', errorCode: 'AccessDenied' } }),
        hints,
        DEFAULT_LIMITS,
      ),
    ).toBe(true);
    expect(
      foldPopulation(
        p,
        ev({ outcome: { authn: 'failure', errorCode: 'InvalidClientTokenId' } }),
        hints,
        DEFAULT_LIMITS,
      ),
    ).toBe(false);
    expect(p.eventCount).toBe(1);
    expect(p.actions).toEqual({});
  });

  it('keeps at most maxPopulationActions actions, evicting the least recently seen', () => {
    const p = fresh();
    const limits = { ...DEFAULT_LIMITS, maxPopulationActions: 3 };
    for (let i = 0; i < 5; i++)
      foldPopulation(p, ev({ timeMs: at(0, 1, i), action: { name: `svc:Action${i}` } }), hints, limits);
    expect(Object.keys(p.actions).sort()).toEqual(['svc:Action2', 'svc:Action3', 'svc:Action4']);
  });

  it('keeps an action named like an Object.prototype member as plain data', () => {
    const p = fresh();
    foldPopulation(p, ev({ action: { name: '__proto__' } }), hints, DEFAULT_LIMITS);
    foldPopulation(p, ev({ action: { name: 'constructor' } }), hints, DEFAULT_LIMITS);
    expect(Object.keys(p.actions).sort()).toEqual(['__proto__', 'constructor'].sort());
    expect(Object.getPrototypeOf(p.actions)).toBeNull();
  });

  it('is mature only with enough days and identities behind it', () => {
    const p = fresh();
    p.identities = 3;
    expect(isPopulationMature(p, at(6), 7, 3)).toBe(false);
    expect(isPopulationMature(p, at(7), 7, 3)).toBe(true);
    expect(isPopulationMature(p, at(7), 7, 4)).toBe(false);
  });
});
