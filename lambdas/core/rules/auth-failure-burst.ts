import { isAuthnFailure, within } from '../baseline.js';
import type { CredentialKind, IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso, tally } from './evidence.js';
import { num, type DetectionRule, type RuleCase } from './rule.js';
import { T0, ev, outsideAws, repeat, UA, apiClient, ROOT, throttled } from './test-events.js';

/** Credential kinds whose id names one credential (a bearer token that failed has no verified jti). */
const STABLE_IDS: ReadonlySet<CredentialKind> = new Set<CredentialKind>([
  'long-lived-key',
  'session-key',
  'api-key',
  'mtls-certificate',
]);

// Case material: an API client whose tokens are rejected, an IAM user whose signatures fail.
const partner = {
  source: 'api-gateway' as const,
  identity: apiClient('partner-7'),
  action: { name: 'GET /orders/{id}', service: 'execute-api', region: 'eu-west-1', isReadOnly: true },
  origin: { ...outsideAws('198.51.100.7', 64500, 'Example Hosting', 'DE'), ...UA.okhttp },
};
const rejectedToken = (timeMs: number) =>
  ev({
    ...partner,
    timeMs,
    credential: { kind: 'bearer-token', id: undefined },
    outcome: { authn: 'failure', authz: 'unknown', status: 401, errorCode: 'Unauthorized' },
  });
const reporter = {
  identity: {
    key: 'aws:123456789012:user/report-exporter',
    kind: 'iam-user' as const,
    principal: 'arn:aws:iam::123456789012:user/report-exporter',
    name: 'report-exporter',
    sessionName: undefined,
  },
  credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' as const },
  origin: { ...outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL'), ...UA.boto3Server },
  action: {
    name: 's3.amazonaws.com:ListBuckets',
    service: 's3.amazonaws.com',
    region: 'us-east-1',
    isReadOnly: true,
  },
};
const badSignature = (timeMs: number, errorCode = 'SignatureDoesNotMatch') =>
  ev({ ...reporter, timeMs, outcome: { authn: 'failure', authz: 'unknown', errorCode } });
const MIN = 60_000;

/** Many authentication failures for one identity in a few minutes: a guessed secret, a stolen key id, or a broken rotation. */
export const authFailureBurst: DetectionRule = {
  id: 'auth-failure-burst',
  title: 'Burst of authentication failures for one identity',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Credential Access', 'Unusual Behaviors/Application'],
  references: [
    'OWASP-NHI:NHI4',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1110',
    'MITRE:T1110.001',
  ],
  falsePositives: [
    'A secret or key rotated in the issuer but not yet in every client: each old client fails until redeployed.',
    'A workload with a skewed clock (RequestExpired) or an expired session retrying in a tight loop.',
    'A client deployed with a wrong secret after a release; the failures stop when it is rolled back.',
  ],
  runbook:
    'Check the error codes and sources in the evidence: if the sources are not the identity’s own workload, rotate the credential and look for a success from those sources (success-after-failures); otherwise fix the client’s secret.',
  defaults: {
    /** Failures (including the current one) that make a burst. The window keeps at most 64 entries: higher values never fire. */
    threshold: 10,
    /** Window the failures fall in, seconds (at most the baseline's window retention, 3600 s by default). */
    windowSeconds: 300,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    if (!isAuthnFailure(event)) return undefined;
    const threshold = num(ctx.thresholds, 'threshold');
    const windowSeconds = num(ctx.thresholds, 'windowSeconds');
    const recent = within(ctx.baseline.failures, event.timeMs, windowSeconds);
    const count = recent.length + 1;
    if (count < threshold) return undefined;

    const cred = event.credential;
    const isStable = cred.id !== undefined && cred.id !== '' && STABLE_IDS.has(cred.kind);
    const codes = tally(codesOf(recent, event));
    const sources = tally(recent.map((e) => e.k || 'unknown'));
    const current = event.origin.ip ?? 'unknown';
    sources.set(current, (sources.get(current) ?? 0) + 1);
    const firstMs = recent.length > 0 ? (recent[0]?.t ?? event.timeMs) : event.timeMs;
    return {
      discriminator: isStable ? `credential:${cred.id}` : 'identity',
      summary: `${count} authentication failures for ${event.identity.name ?? event.identity.key} within ${windowSeconds} s`,
      evidence: [
        `${count} failed authentications between ${iso(firstMs)} and ${iso(event.timeMs)} (threshold ${threshold} in ${windowSeconds} s)`,
        `error codes: ${formatTally(codes)}`,
        `sources: ${formatTally(sources)}; latest from ${describeOrigin(event)}`,
        isStable ? `credential: ${cred.kind} ${cred.id}` : `credential: ${cred.kind} (no verified id)`,
      ],
      ...(event.identity.kind === 'root' ? { severity: 'HIGH' as const } : {}),
    };
  },
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'twelve rejected bearer tokens for one API client from one address in four minutes',
        events: repeat(12, T0 + 10 * MIN, 20_000, rejectedToken),
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'ten SignatureDoesNotMatch for one access key in ninety seconds',
        events: repeat(10, T0, 10_000, (t) => badSignature(t)),
        fires: true,
      },
      {
        name: 'root console password guessed ten times in five minutes',
        events: repeat(10, T0, 25_000, (timeMs) =>
          ev({
            timeMs,
            identity: ROOT,
            credential: { kind: 'console-session', id: undefined },
            origin: {
              ...outsideAws('192.0.2.77', 9009, 'M247 Europe SRL', 'RO'),
              userAgent: 'Mozilla/5.0',
              userAgentFamily: 'firefox',
              userAgentClass: 'browser',
            },
            action: {
              name: 'signin.amazonaws.com:ConsoleLogin',
              service: 'signin.amazonaws.com',
              isReadOnly: false,
            },
            outcome: { authn: 'failure', authz: 'unknown', errorCode: 'Failed authentication' },
          }),
        ),
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'nine failures in the window: one below the threshold',
        events: repeat(9, T0, 10_000, (t) => badSignature(t)),
        fires: false,
      },
      {
        name: 'ten failures spread over 45 minutes (a retry every five minutes) never fill one window',
        events: repeat(10, T0, 5 * MIN, (t) => badSignature(t, 'InvalidClientTokenId')),
        fires: false,
      },
      {
        name: 'forty ThrottlingException responses in two minutes are not authentication failures',
        events: repeat(40, T0, 3_000, throttled),
        fires: false,
      },
      {
        name: 'fifteen AccessDenied responses are authorization, not authentication, failures',
        events: repeat(15, T0, 8_000, (timeMs) =>
          ev({
            ...reporter,
            timeMs,
            outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
          }),
        ),
        fires: false,
      },
      {
        name: 'a threshold of 20 stays quiet on ten failures',
        events: repeat(10, T0, 10_000, (t) => badSignature(t)),
        thresholds: { threshold: 20 },
        fires: false,
      },
      {
        name: 'a one-hour window catches failures spread over 45 minutes',
        events: repeat(10, T0, 5 * MIN, (t) => badSignature(t, 'InvalidClientTokenId')),
        thresholds: { windowSeconds: 3600 },
        fires: true,
      },
    ];
  },
};

/** Error codes of the failures in the window plus the current one (`unknown` when none was logged). */
function* codesOf(recent: readonly { c?: string }[], event: IdentityEvent): Generator<string> {
  for (const e of recent) yield e.c ?? 'unknown';
  yield event.outcome.errorCode ?? 'unknown';
}
