/** Cases of the `chain-replay` rule (test material: no production module imports this file). */
import {
  assumeRoleIssuance,
  assumedRole,
  cloudTrail,
  webIdentityIssuance,
  type CaseRecord,
} from './raw-records.js';
import { at } from './test-events.js';
import { defineCases } from './rule-case.js';

// Case material: sessions handed out by AWS services, by a CI token exchange and by role chaining,
// then used by the workload they were issued to — and from elsewhere.
const GITHUB = 'token.actions.githubusercontent.com';
const INSTANCE_KEY = 'ASIAEXAMPLEINSTANCE7';
const CI_KEY = 'ASIAEXAMPLECIRUNNER1';
const ADMIN_KEY = 'ASIAEXAMPLEPRODADMIN';

/** A call made with session key `key` of `role` (session `session`) from `ip`. */
const sessionCall = (
  timeMs: number,
  role: string,
  session: string,
  key: string,
  ip: string,
  action = 's3.amazonaws.com:ListBuckets',
): CaseRecord =>
  cloudTrail(assumedRole(role, session, key), {
    timeMs,
    action,
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64',
  });

/** EC2 handing the instance profile's session to instance i-0a1b2c3d4e5f60718, then the instance calling S3. */
const instanceSession: CaseRecord[] = [
  assumeRoleIssuance('ec2.amazonaws.com', {
    timeMs: at(0, 9),
    role: 'app-server',
    session: 'i-0a1b2c3d4e5f60718',
    accessKeyId: INSTANCE_KEY,
  }),
  sessionCall(at(0, 9, 5), 'app-server', 'i-0a1b2c3d4e5f60718', INSTANCE_KEY, '54.210.5.6'),
];

/** A GitHub Actions job on the runner 198.51.100.7 exchanging its token for the deploy role's session. */
const ciSession: CaseRecord[] = [
  webIdentityIssuance('repo:octo-org/storefront:ref:refs/heads/main', GITHUB, {
    timeMs: at(0, 10),
    role: 'ci-deployer',
    session: 'GitHubActions',
    accessKeyId: CI_KEY,
    sourceIPAddress: '198.51.100.7',
  }),
  sessionCall(
    at(0, 10, 1),
    'ci-deployer',
    'GitHubActions',
    CI_KEY,
    '198.51.100.7',
    'cloudformation.amazonaws.com:DescribeStacks',
  ),
];

/** `chain-replay`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const chainReplayCases = defineCases('chain-replay', [
  {
    name: 'instance credentials handed out by EC2 used from a VPS outside AWS',
    log: [
      ...instanceSession,
      sessionCall(at(0, 9, 40), 'app-server', 'i-0a1b2c3d4e5f60718', INSTANCE_KEY, '203.0.113.45'),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'a CI job’s session used from another network while the job runs',
    log: [
      ...ciSession,
      sessionCall(
        at(0, 10, 7),
        'ci-deployer',
        'GitHubActions',
        CI_KEY,
        '192.0.2.77',
        'iam.amazonaws.com:ListRoles',
      ),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'the CI session chains into prod-admin from an AWS build host; prod-admin’s key is then used from a VPS',
    log: [
      webIdentityIssuance('repo:octo-org/storefront:environment:production', GITHUB, {
        timeMs: at(0, 10),
        role: 'ci-deployer',
        session: 'GitHubActions',
        accessKeyId: CI_KEY,
        sourceIPAddress: '3.80.10.20',
      }),
      assumeRoleIssuance(assumedRole('ci-deployer', 'GitHubActions', CI_KEY), {
        timeMs: at(0, 10, 2),
        role: 'prod-admin',
        session: 'deploy-42',
        accessKeyId: ADMIN_KEY,
        sourceIPAddress: '3.80.10.20',
      }),
      sessionCall(
        at(0, 10, 3),
        'prod-admin',
        'deploy-42',
        ADMIN_KEY,
        '3.80.10.20',
        'cloudformation.amazonaws.com:UpdateStack',
      ),
      sessionCall(
        at(0, 10, 30),
        'prod-admin',
        'deploy-42',
        ADMIN_KEY,
        '203.0.113.45',
        'iam.amazonaws.com:CreateAccessKey',
      ),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'the instance and the CI job using their sessions where they got them',
    log: [
      ...instanceSession,
      sessionCall(at(0, 9, 30), 'app-server', 'i-0a1b2c3d4e5f60718', INSTANCE_KEY, '3.80.10.20'),
      ...ciSession,
      sessionCall(
        at(0, 10, 20),
        'ci-deployer',
        'GitHubActions',
        CI_KEY,
        '198.51.100.7',
        's3.amazonaws.com:PutObject',
      ),
    ],
    fires: false,
  },
  {
    name: 'an IAM Roles Anywhere session used from the on-premises server it was issued for',
    log: [
      assumeRoleIssuance('rolesanywhere.amazonaws.com', {
        timeMs: at(0, 8),
        role: 'onprem-builder',
        session: '0b1c2d3e4f',
        accessKeyId: 'ASIAEXAMPLEANYWHERE1',
      }),
      sessionCall(at(0, 8, 1), 'onprem-builder', '0b1c2d3e4f', 'ASIAEXAMPLEANYWHERE1', '198.51.100.23'),
    ],
    fires: false,
  },
  {
    name: 'instance credentials used outside AWS after they expired (no live link: credential-replay’s business)',
    log: [
      ...instanceSession,
      sessionCall(at(1, 12), 'app-server', 'i-0a1b2c3d4e5f60718', INSTANCE_KEY, '203.0.113.45'),
    ],
    fires: false,
  },
  {
    name: 'a session key whose issuance nhi-watch never saw',
    log: [sessionCall(at(0, 9), 'app-server', 'i-0a1b2c3d4e5f60718', 'ASIAEXAMPLEUNLINKED1', '203.0.113.45')],
    fires: false,
  },
]);
