/** Cases of the `success-after-failures` rule (test material: no production module imports this file). */
import {
  T0,
  at,
  ev,
  history,
  insideAws,
  outsideAws,
  repeat,
  UA,
  type EventOverrides,
  apiClient,
  ROOT,
  leakedKeyCall,
  throttled,
} from './test-events.js';
import { cloudTrail, rootIdentity } from './raw-records.js';
import { defineCases } from './rule-case.js';

// Case material.
const MIN = 60_000;

const ATTACKER = outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL');

const partner: EventOverrides = {
  source: 'api-gateway',
  identity: apiClient('partner-7'),
  action: { name: 'POST /oauth2/token', service: 'execute-api', region: 'eu-west-1', isReadOnly: false },
  origin: { ...ATTACKER, ...UA.pythonRequests },
};

const partnerCall = (timeMs: number, isOk: boolean) =>
  ev({
    ...partner,
    timeMs,
    credential: isOk ? { kind: 'bearer-token', id: 'jti-7f3a9c' } : { kind: 'bearer-token', id: undefined },
    outcome: isOk
      ? { authn: 'success', authz: 'allowed', status: 200 }
      : { authn: 'failure', authz: 'unknown', status: 401, errorCode: 'invalid_client' },
  });

const keyCall = (timeMs: number, name: string, errorCode?: string, origin = ATTACKER) =>
  leakedKeyCall(timeMs, name, origin, errorCode);

const rootLogin = (timeMs: number, isOk: boolean) =>
  ev({
    timeMs,
    identity: ROOT,
    credential: { kind: 'console-session', id: undefined },
    origin: {
      ...outsideAws('192.0.2.146', 9009, 'M247 Europe SRL', 'RO'),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
      userAgentFamily: 'firefox',
      userAgentClass: 'browser',
    },
    action: { name: 'signin.amazonaws.com:ConsoleLogin', service: 'signin.amazonaws.com', isReadOnly: false },
    outcome: isOk
      ? { authn: 'success', authz: 'allowed' }
      : { authn: 'failure', authz: 'unknown', errorCode: 'Failed authentication' },
  });

// A workload role whose session expired: the SDK refreshes and the next call succeeds.
const workerCall = (timeMs: number, errorCode?: string) =>
  ev({
    timeMs,
    outcome:
      errorCode === undefined
        ? { authn: 'success', authz: 'allowed' }
        : { authn: 'failure', authz: 'unknown', errorCode },
  });

// The NAT gateway address the workloads of one VPC egress through (the default workload's own address).
const NAT = insideAws('3.80.10.20', 14618);

/** `success-after-failures`: replayed through the engine by the rule harness, listed in docs/RULES.md. */
export const successAfterFailuresCases = defineCases('success-after-failures', [
  {
    name: 'an API client secret guessed: five 401s then a 200 from the same address',
    events: [...repeat(5, T0, 20_000, (t) => partnerCall(t, false)), partnerCall(T0 + 3 * MIN, true)],
    fires: true,
    severity: 'HIGH',
  },
  {
    name: 'root console password guessed: four failures then a success (compromised-root-creds scenario)',
    events: [...repeat(4, T0, 40_000, (t) => rootLogin(t, false)), rootLogin(T0 + 4 * MIN, true)],
    fires: true,
    severity: 'CRITICAL',
  },
  {
    name: 'a spray hit: three users’ keys fail from a VPS, then a fourth user’s key works from it',
    events: [
      keyCall(
        T0,
        'ci-deployer',
        undefined,
        outsideAws('198.51.100.10', 7922, 'Comcast Cable Communications, LLC'),
      ),
      keyCall(T0 + 10 * MIN, 'report-exporter', 'InvalidClientTokenId'),
      keyCall(T0 + 11 * MIN, 'backup-agent', 'InvalidClientTokenId'),
      keyCall(T0 + 12 * MIN, 'billing-sync', 'SignatureDoesNotMatch'),
      keyCall(T0 + 13 * MIN, 'ci-deployer'),
    ],
    fires: true,
    severity: 'CRITICAL',
  },
  {
    name: 'two failures then a success: one below the threshold (a token fetched twice too early)',
    events: [...repeat(2, T0, 20_000, (t) => partnerCall(t, false)), partnerCall(T0 + MIN, true)],
    fires: false,
  },
  {
    name: 'three failures, then a success twenty minutes later: outside the window',
    events: [...repeat(3, T0, 20_000, (t) => partnerCall(t, false)), partnerCall(T0 + 21 * MIN, true)],
    fires: false,
  },
  {
    name: 'failures from one address, the success from another',
    events: [
      ...repeat(4, T0, 20_000, (t) => partnerCall(t, false)),
      ev({
        ...partner,
        timeMs: T0 + 2 * MIN,
        origin: { ...outsideAws('198.51.100.200', 64500, 'Example Hosting', 'DE'), ...UA.okhttp },
        credential: { kind: 'bearer-token', id: 'jti-7f3a9c' },
        outcome: { authn: 'success', authz: 'allowed', status: 200 },
      }),
    ],
    fires: false,
  },
  {
    name: 'an expired session refreshed: three ExpiredToken, then the refreshed call succeeds',
    events: [...repeat(3, T0, 1_000, (t) => workerCall(t, 'ExpiredToken')), workerCall(T0 + 5_000)],
    fires: false,
  },
  {
    name: 'throttled calls, then a success',
    events: [...repeat(6, T0, 1_000, throttled), workerCall(T0 + 10_000)],
    fires: false,
  },
  {
    name: 'a shared NAT gateway: two other workloads fail from it, this workload, which always calls from it, succeeds',
    events: [
      ...history({}, 2, 20),
      keyCall(at(2, 9, 0), 'legacy-batch', 'InvalidClientTokenId', NAT),
      keyCall(at(2, 9, 1), 'legacy-batch', 'InvalidClientTokenId', NAT),
      keyCall(at(2, 9, 2), 'old-exporter', 'InvalidClientTokenId', NAT),
      workerCall(at(2, 9, 3)),
    ],
    fires: false,
  },
  {
    name: 'a threshold of two failures catches the early-token case',
    events: [...repeat(2, T0, 20_000, (t) => partnerCall(t, false)), partnerCall(T0 + MIN, true)],
    thresholds: { minFailures: 2 },
    fires: true,
  },
  {
    name: 'a 30-minute window reaches failures twenty minutes back',
    events: [...repeat(3, T0, 20_000, (t) => partnerCall(t, false)), partnerCall(T0 + 21 * MIN, true)],
    thresholds: { windowSeconds: 1800 },
    fires: true,
  },
  {
    name: 'with no ignored codes, expired-token failures before a success count',
    events: [...repeat(3, T0, 1_000, (t) => workerCall(t, 'ExpiredToken')), workerCall(T0 + 5_000)],
    thresholds: { ignoredErrorCodes: [] },
    fires: true,
  },
  {
    name: 'raw CloudTrail: four failed root ConsoleLogin records, then a successful one from the same address',
    log: [0, 1, 2, 3, 4].map((i) =>
      cloudTrail(rootIdentity, {
        timeMs: T0 + i * 50_000,
        action: 'signin.amazonaws.com:ConsoleLogin',
        sourceIPAddress: '192.0.2.77',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
        readOnly: false,
        responseElements: { ConsoleLogin: i < 4 ? 'Failure' : 'Success' },
        ...(i < 4 ? { errorMessage: 'Failed authentication' } : {}),
        additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com/console/home' },
      }),
    ),
    fires: true,
    severity: 'CRITICAL',
  },
]);
