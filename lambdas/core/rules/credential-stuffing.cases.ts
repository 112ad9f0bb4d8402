/** Cases of the `credential-stuffing` rule (test material: no production module imports this file). */
import { T0, ev, outsideAws, repeat, UA, apiClient, leakedKeyCall } from './test-events.js';
import { cloudTrail, iamUserIdentity } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material: IAM users and API clients failing from one VPS, or each from its own network.
const MIN = 60_000;

const VPS = outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL');

const USERS = [
  'ci-deployer',
  'report-exporter',
  'backup-agent',
  'billing-sync',
  'log-shipper',
  'metrics-pusher',
];

const keyFails = (timeMs: number, name: string, origin = VPS) =>
  leakedKeyCall(timeMs, name, origin, 'SignatureDoesNotMatch');

const CLIENTS = ['partner-1', 'partner-2', 'partner-3', 'partner-4', 'partner-5', 'partner-6'];

const tokenRejected = (timeMs: number, client: string) =>
  ev({
    source: 'api-gateway',
    timeMs,
    identity: apiClient(client),
    credential: { kind: 'bearer-token', id: undefined },
    origin: { ...outsideAws('198.51.100.23', 9009, 'M247 Europe SRL', 'GB'), ...UA.pythonRequests },
    action: { name: 'POST /oauth2/token', service: 'execute-api', region: 'eu-west-1', isReadOnly: false },
    outcome: { authn: 'failure', authz: 'unknown', status: 401, errorCode: 'invalid_client' },
  });

/** `credential-stuffing`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const credentialStuffingCases = defineCases('credential-stuffing', [
  {
    name: 'six IAM users’ keys fail from one VPS address within eight minutes',
    events: USERS.map((name, i) => keyFails(T0 + i * 90_000, name)),
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'five API clients’ secrets rejected from one address, several attempts each, within three minutes',
    events: repeat(15, T0, 12_000, (t, i) => tokenRejected(t, CLIENTS[i % 5] as string)),
    fires: true,
  },
  {
    name: 'four identities from one address: one below the threshold',
    events: USERS.slice(0, 4).map((name, i) => keyFails(T0 + i * 60_000, name)),
    fires: false,
  },
  {
    name: 'five identities failing from five different addresses (a rotation gone wrong, not one attacker)',
    events: USERS.slice(0, 5).map((name, i) =>
      keyFails(
        T0 + i * 30_000,
        name,
        outsideAws(`198.51.100.${10 + i}`, 7922, 'Comcast Cable Communications, LLC'),
      ),
    ),
    fires: false,
  },
  {
    name: 'one identity failing 25 times from one address is a burst, not stuffing',
    events: repeat(25, T0, 10_000, (t) => keyFails(t, 'ci-deployer')),
    fires: false,
  },
  {
    name: 'five identities from one address, one every twelve minutes, never share a window',
    events: USERS.slice(0, 5).map((name, i) => keyFails(T0 + i * 12 * MIN, name)),
    fires: false,
  },
  {
    name: 'a one-hour window catches the slow run',
    events: USERS.slice(0, 5).map((name, i) => keyFails(T0 + i * 12 * MIN, name)),
    thresholds: { windowSeconds: 3600 },
    fires: true,
  },
  {
    name: 'a threshold of three identities catches a small spray',
    events: USERS.slice(0, 3).map((name, i) => keyFails(T0 + i * 60_000, name)),
    thresholds: { minIdentities: 3 },
    fires: true,
  },
  {
    name: 'raw CloudTrail: six IAM users’ GetCallerIdentity calls fail with InvalidClientTokenId from one VPS',
    log: USERS.map((name, i) =>
      cloudTrail(iamUserIdentity(name, `AKIAEXAMPLESTUFF00${i}`), {
        timeMs: T0 + i * 90_000,
        action: 'sts.amazonaws.com:GetCallerIdentity',
        sourceIPAddress: '203.0.113.45',
        userAgent: UA.boto3Server.userAgent,
        errorCode: 'InvalidClientTokenId',
        errorMessage: 'The security token included in the request is invalid.',
      }),
    ),
    fires: true,
    severity: 'HIGH',
  },
]);
