/** Cases of the `new-federated-subject` rule (test material: no production module imports this file). */
import { webIdentityIssuance, type CaseRecord } from './raw-records.js';
import { at } from './test-events.js';
import { defineCases } from './rule-case.js';

// Case material: CI and EKS roles of account 123456789012 assumed with web-identity tokens, as
// STS logs AssumeRoleWithWebIdentity (documented record shape).
const GITHUB = 'token.actions.githubusercontent.com';
const EKS = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

/** `sub` assuming `role` at `timeMs`. */
const webIdentity = (
  timeMs: number,
  sub: string,
  role = 'ci-deployer',
  provider = GITHUB,
  o: { readonly errorCode?: string; readonly sourceIPAddress?: string } = {},
): CaseRecord => webIdentityIssuance(sub, provider, { timeMs, role, session: 'GitHubActions', ...o });

/** Deployments of `subs` (round robin) twice a day for `days` days from day 0. */
const deployments = (
  subs: readonly string[],
  days = 3,
  role = 'ci-deployer',
  provider = GITHUB,
): CaseRecord[] => {
  const out: CaseRecord[] = [];
  let i = 0;
  for (let d = 0; d < days; d++)
    for (const h of [9, 15])
      out.push(webIdentity(at(d, h, i % 7), subs[i++ % subs.length] as string, role, provider));
  return out;
};

/** `count` assumptions on day `day`, one an hour from 01:00, round robin over `subs`. */
const hourly = (subs: readonly string[], day: number, count: number): CaseRecord[] =>
  Array.from({ length: count }, (_, i) => webIdentity(at(day, 1 + i), subs[i % subs.length] as string));

const ORG_REPOS = Array.from({ length: 8 }, (_, i) => `repo:octo-org/service-${i}:ref:refs/heads/main`);

const MAIN = 'repo:octo-org/storefront:ref:refs/heads/main';
const PROD = 'repo:octo-org/storefront:environment:production';
const LEDGER_SA = 'system:serviceaccount:payments:ledger-writer';

/** `new-federated-subject`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const newFederatedSubjectCases = defineCases('new-federated-subject', [
  {
    name: 'another repository of the same organisation assumes the storefront deploy role',
    log: [
      ...deployments([MAIN, PROD]),
      webIdentity(at(3, 11), 'repo:octo-org/sandbox:ref:refs/heads/try-things'),
    ],
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'a repository of an organisation never seen on the role (wildcard trust policy abuse)',
    log: [
      ...deployments([MAIN, PROD]),
      webIdentity(at(3, 2), 'repo:attacker-org/storefront:ref:refs/heads/main', 'ci-deployer', GITHUB, {
        sourceIPAddress: '203.0.113.45',
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'a service account of another namespace assumes the ledger writer role of an EKS cluster',
    log: [
      ...deployments([LEDGER_SA], 3, 'ledger-writer', EKS),
      webIdentity(at(3, 12), 'system:serviceaccount:default:default', 'ledger-writer', EKS, {
        sourceIPAddress: '3.80.10.20',
      }),
    ],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'a new branch, a pull request and a release tag of the known repository',
    log: [
      ...deployments([MAIN, PROD]),
      webIdentity(at(3, 10), 'repo:octo-org/storefront:ref:refs/heads/feature/checkout-v2'),
      webIdentity(at(3, 11), 'repo:octo-org/storefront:pull_request'),
      webIdentity(at(3, 12), 'repo:octo-org/storefront:ref:refs/tags/v4.2.0'),
    ],
    fires: false,
  },
  {
    name: 'the first repository ever to assume a brand-new role',
    log: [webIdentity(at(0, 9), MAIN, 'new-deployer'), webIdentity(at(0, 15), MAIN, 'new-deployer')],
    fires: false,
  },
  {
    name: 'a second repository on a role only a few hours old',
    log: [...hourly([MAIN], 0, 6), webIdentity(at(0, 20), 'repo:octo-org/sandbox:ref:refs/heads/main')],
    fires: false,
  },
  {
    name: 'a second repository on a role a few hours old, with a 4-hour history accepted',
    log: [...hourly([MAIN], 0, 6), webIdentity(at(0, 20), 'repo:octo-org/sandbox:ref:refs/heads/main')],
    thresholds: { minHistoryHours: 4 },
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'a second repository after three deployments, with three assumptions accepted as history',
    log: [...hourly([MAIN], 0, 3), webIdentity(at(2, 9), 'repo:octo-org/sandbox:ref:refs/heads/main')],
    thresholds: { minAssumptions: 3 },
    fires: true,
    severity: 'MEDIUM',
  },
  {
    name: 'a new repository refused by the trust policy (no credentials issued)',
    log: [
      ...deployments([MAIN, PROD]),
      webIdentity(at(3, 11), 'repo:attacker-org/x:ref:refs/heads/main', 'ci-deployer', GITHUB, {
        errorCode: 'AccessDenied',
      }),
    ],
    fires: false,
  },
  {
    name: 'an organisation-wide role many repositories already use',
    log: [
      ...hourly(ORG_REPOS, 0, 8),
      ...deployments(ORG_REPOS, 4),
      webIdentity(at(4, 11), 'repo:octo-org/service-new:ref:refs/heads/main'),
    ],
    thresholds: { maxKnownSubjects: 8 },
    fires: false,
  },
]);
