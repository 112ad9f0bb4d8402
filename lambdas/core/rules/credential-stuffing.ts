import { isAuthnFailure } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso, listBounded, tally } from './evidence.js';
import { num, type DetectionRule, type RuleCase } from './rule.js';
import { T0, ev, outsideAws, repeat, UA, apiClient, leakedKeyCall } from './test-events.js';

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

/** One address failing authentication as many different identities: stuffing leaked secrets, or spraying one guess across clients. */
export const credentialStuffing: DetectionRule = {
  id: 'credential-stuffing',
  title: 'One source failing authentication against many identities',
  severity: 'HIGH',
  asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/IP address'],
  references: [
    'OWASP-NHI:NHI4',
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-01',
    'NIST-CSF-2.0:DE.AE-03',
    'MITRE:T1110.004',
    'MITRE:T1110.003',
  ],
  falsePositives: [
    'A shared egress (corporate NAT, CI runner pool, Lambda Hyperplane ENI) where several workloads fail at once after a secret rotation or an IdP outage.',
    'A secret scanner or a security team verifying leaked keys (GetCallerIdentity against many keys from one host).',
  ],
  runbook:
    'Block the source address at the edge (WAF / API Gateway resource policy), rotate every listed identity’s credential, and look for a success from that address (success-after-failures) — any listed identity that later succeeds from it is compromised.',
  defaults: {
    /** Distinct identities failing from the source within the window (the current one included). */
    minIdentities: 5,
    /** Window, seconds (at most the baseline's window retention, 3600 s by default). */
    windowSeconds: 600,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    if (!isAuthnFailure(event)) return undefined;
    const source = ctx.source;
    if (source === undefined || source.failures.length === 0) return undefined;
    const minIdentities = num(ctx.thresholds, 'minIdentities');
    const windowSeconds = num(ctx.thresholds, 'windowSeconds');
    const horizon = event.timeMs - windowSeconds * 1000;

    // Identities in the order they were tried, the current one last.
    const perIdentity = new Map<string, number>();
    const codes: string[] = [];
    let firstMs = event.timeMs;
    for (const e of source.failures) {
      if (e.t <= horizon || e.t > event.timeMs) continue;
      perIdentity.set(e.k, (perIdentity.get(e.k) ?? 0) + 1);
      codes.push(e.c ?? 'unknown');
      if (e.t < firstMs) firstMs = e.t;
    }
    perIdentity.set(event.identity.key, (perIdentity.get(event.identity.key) ?? 0) + 1);
    codes.push(event.outcome.errorCode ?? 'unknown');
    if (perIdentity.size < minIdentities) return undefined;

    return {
      discriminator: `source:${source.ip}`,
      summary: `${source.ip} failed authentication as ${perIdentity.size} different identities within ${windowSeconds} s`,
      evidence: [
        `${perIdentity.size} identities (threshold ${minIdentities}) and ${codes.length} failures from ${describeOrigin(event)} between ${iso(firstMs)} and ${iso(event.timeMs)}`,
        `identities tried: ${listBounded([...perIdentity.keys()])}`,
        `error codes: ${formatTally(tally(codes))}`,
        `this identity: ${identityLine(event)}`,
      ],
    };
  },
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
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
    ];
  },
};

/** The current identity, as the finding's subject. */
const identityLine = (event: IdentityEvent): string =>
  `${event.identity.key} (${event.credential.kind}${event.credential.id ? ` ${event.credential.id}` : ''}, ${event.outcome.errorCode ?? 'no error code'})`;
