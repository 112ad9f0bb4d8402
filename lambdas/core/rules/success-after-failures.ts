import type { WindowEntry } from '../baseline.js';
import { hasOwn } from '../safe-record.js';
import { describeOrigin, formatTally, iso, listBounded, tally } from './evidence.js';
import { list, num, type DetectionRule, type Severity, type RuleCase } from './rule.js';
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

/** A success from an address that just failed to authenticate several times: the guessing worked. */
export const successAfterFailures: DetectionRule = {
  id: 'success-after-failures',
  title: 'Successful authentication right after repeated failures from the same source',
  severity: 'HIGH',
  asffTypes: ['TTPs/Initial Access', 'TTPs/Credential Access'],
  references: [
    'OWASP-NHI:NHI4',
    'NIST-CSF-2.0:DE.AE-02',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1110',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'A client fixed in place: a wrong secret fails a few times, the operator corrects it, the next call succeeds from the same host.',
    'A shared egress address where one workload fails and another succeeds; the cross-identity path only fires when this identity has never called from that network.',
  ],
  runbook:
    'Treat the credential as compromised: revoke its sessions / rotate it now, then review everything it did from this source since the success (CloudTrail by access key id / token jti).',
  defaults: {
    /** Failures from the source within the window before the success. */
    minFailures: 3,
    /** How long before the success the failures count, seconds (at most the window retention, 3600 s by default). */
    windowSeconds: 900,
    /** Error codes that end normally in a success (an expired session refreshed, a clock-skewed request re-signed). */
    ignoredErrorCodes: [
      'ExpiredToken',
      'ExpiredTokenException',
      'TokenRefreshRequired',
      'RequestExpired',
      'Client.RequestExpired',
    ],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    if (event.outcome.authn !== 'success') return undefined;
    const o = event.origin;
    if (o.ip === undefined || !o.isIp || o.awsService !== undefined) return undefined;
    const own = ctx.baseline.failures;
    const fromSource = ctx.source?.failures;
    // The common case: nothing failed recently for this identity or from this address.
    if (own.length === 0 && (fromSource === undefined || fromSource.length === 0)) return undefined;

    const windowSeconds = num(ctx.thresholds, 'windowSeconds');
    const horizon = event.timeMs - windowSeconds * 1000;
    // Windows are kept in time order: when the newest entry is older than the window, nothing counts.
    const isOwnRecent = (own[own.length - 1]?.t ?? 0) > horizon;
    const isSourceRecent = (fromSource?.[fromSource.length - 1]?.t ?? 0) > horizon;
    if (!isOwnRecent && !isSourceRecent) return undefined;

    const minFailures = num(ctx.thresholds, 'minFailures');
    const ignored = list(ctx.thresholds, 'ignoredErrorCodes');
    const counts = (e: WindowEntry): boolean =>
      e.t > horizon && e.t <= event.timeMs && (e.c === undefined || !ignored.includes(e.c));

    // Failures against this identity from this address.
    const ownHits = isOwnRecent ? own.filter((e) => e.k === o.ip && counts(e)) : [];
    // Failures from this address against any identity (k = identity key).
    const sourceHits = isSourceRecent && fromSource ? fromSource.filter(counts) : [];
    const isOwnBurst = ownHits.length >= minFailures;
    if (!isOwnBurst && sourceHits.length < minFailures) return undefined;

    const others = new Set(sourceHits.map((e) => e.k));
    others.delete(event.identity.key);
    const isNewNetwork = o.network === undefined || !hasOwn(ctx.baseline.dims.networks, o.network);
    // Another identity's failures only count when this identity never called from here: a shared NAT is home to both.
    const isSprayHit = others.size > 0 && sourceHits.length >= minFailures && isNewNetwork;
    if (!isOwnBurst && !isSprayHit) return undefined;

    const hits = isOwnBurst ? ownHits : sourceHits;
    const lastFailureMs = Math.max(...hits.map((e) => e.t));
    const severity: Severity = event.identity.kind === 'root' || isSprayHit ? 'CRITICAL' : 'HIGH';
    const evidence = [
      isOwnBurst
        ? `${ownHits.length} failed authentications of this identity from ${o.ip} in the ${windowSeconds} s before this success (threshold ${minFailures})`
        : `${sourceHits.length} failed authentications from ${o.ip} against ${new Set(sourceHits.map((e) => e.k)).size} identities in the ${windowSeconds} s before this success (threshold ${minFailures})`,
      `error codes: ${formatTally(tally(hits.map((e) => e.c ?? 'unknown')))}`,
      `last failure ${iso(lastFailureMs)}, success ${iso(event.timeMs)} from ${describeOrigin(event)}`,
    ];
    if (others.size > 0)
      evidence.push(`other identities failing from this address: ${listBounded([...others])}`);
    if (isSprayHit && !isOwnBurst) {
      evidence.push(
        o.network === undefined
          ? 'this identity has no recorded network for this address'
          : `first success of this identity from ${o.network}`,
      );
    }
    return {
      discriminator: `source:${o.ip}`,
      summary: `${event.identity.name ?? event.identity.key} authenticated from ${o.ip} right after ${hits.length} failures from it`,
      evidence,
      severity,
    };
  },
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
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
    ];
  },
};
