import { isAuthnFailure, within } from '../baseline.js';
import type { CredentialKind, IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso, tally } from './evidence.js';
import { num, type DetectionRule } from './rule.js';

/** Credential kinds whose id names one credential (a bearer token that failed has no verified jti). */
const STABLE_IDS: ReadonlySet<CredentialKind> = new Set<CredentialKind>([
  'long-lived-key',
  'session-key',
  'api-key',
  'mtls-certificate',
]);

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
};

/** Error codes of the failures in the window plus the current one (`unknown` when none was logged). */
function* codesOf(recent: readonly { c?: string }[], event: IdentityEvent): Generator<string> {
  for (const e of recent) yield e.c ?? 'unknown';
  yield event.outcome.errorCode ?? 'unknown';
}
