import { isAuthnFailure } from '../baseline.js';
import type { IdentityEvent } from '../identity-event.js';
import { describeOrigin, formatTally, iso, listBounded, tally } from './evidence.js';
import { num, type DetectionRule } from './rule.js';

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
};

/** The current identity, as the finding's subject. */
const identityLine = (event: IdentityEvent): string =>
  `${event.identity.key} (${event.credential.kind}${event.credential.id ? ` ${event.credential.id}` : ''}, ${event.outcome.errorCode ?? 'no error code'})`;
