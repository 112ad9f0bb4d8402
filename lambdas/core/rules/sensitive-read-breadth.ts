import { calls, formatTime } from '../baseline-facts.js';
import { breadthKey, distinctWith, type BreadthGroup } from '../breadth.js';
import { describeOrigin, duration, listBounded } from './evidence.js';
import { flag, num, type DetectionRule } from './rule.js';
import { isServiceLinkedRole } from './sensitive-action.js';

const WHAT: Record<BreadthGroup, string> = {
  secrets: 'distinct secrets, decrypted parameters, user data or password reads',
  discovery: 'distinct discovery calls (List / Describe, IAM and Organizations Get)',
};

/**
 * Harvesting and discovery by success, not only by denial: an identity reading far more distinct
 * secrets, or calling far more distinct discovery APIs, within minutes than it ever did.
 */
export const sensitiveReadBreadth: DetectionRule = {
  id: 'sensitive-read-breadth',
  title: 'Non-human identity reading secrets or enumerating far beyond its habit',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Credential Access', 'TTPs/Discovery', 'Unusual Behaviors/User'],
  references: [
    'OWASP-NHI:NHI2',
    'OWASP-NHI:NHI5',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1555.006',
    'MITRE:T1552.005',
    'MITRE:T1087.004',
    'MITRE:T1580',
  ],
  falsePositives: [
    'A job that loads every secret of an application at start-up fires LOW the first time; its burst is then its habit (peakFactor) and later start-ups of the same width are quiet.',
    'Inventory and security scanners enumerate widely by design; they usually run as service-linked roles (ignored) or with infrastructure-as-code agents (ignored); suppress others by identity.',
    'People in the console make many Describe calls per page: console, browser and SSO sessions are not judged.',
  ],
  runbook:
    'List what was read in the evidence: secrets read by an identity that does not use them are exposed — rotate each one and revoke the identity’s sessions; for discovery, look for what the identity did next (sensitive-action, new-action findings) and contain it the same way.',
  defaults: {
    /** Distinct sensitive reads within the breadth window (limits.breadthWindowSeconds, 10 minutes) that can be harvesting. */
    minDistinctSecrets: 10,
    /** Distinct discovery calls within the breadth window that can be enumeration. */
    minDistinctDiscovery: 15,
    /** The burst must exceed the identity's widest earlier burst by this factor. */
    peakFactor: 2,
    /** MEDIUM rather than LOW for a first burst made with a long-lived access key from a public address outside AWS: a leaked key being harvested with, not a workload starting up. */
    staticKeyOutsideAws: true,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const bk = breadthKey(event);
    if (bk === undefined) return undefined;
    if (isServiceLinkedRole(event)) return undefined;
    const t = ctx.thresholds;
    const b = ctx.baseline;
    const windowSeconds = ctx.limits.breadthWindowSeconds;
    const width = distinctWith(b.reads, bk.group, bk.key, event.timeMs, windowSeconds);
    const min = num(t, bk.group === 'secrets' ? 'minDistinctSecrets' : 'minDistinctDiscovery');
    if (width < min) return undefined;
    const peak = b.readPeaks?.[bk.group];
    const isNewBurst = peak === undefined || event.timeMs - peak.s > windowSeconds * 1000;
    const before = peak === undefined ? 0 : isNewBurst ? Math.max(peak.p, peak.c) : peak.p;
    if (width <= before * num(t, 'peakFactor')) return undefined;

    const who = event.identity.name ?? event.identity.key;
    const from = event.timeMs - windowSeconds * 1000;
    const recent = (b.reads ?? [])
      .filter((e) => e.g === bk.group && e.t > from)
      .map((e) => e.k.split('|').slice(0, 2).join(' '));
    const evidence = [
      `${width} ${WHAT[bk.group]} within ${duration(windowSeconds * 1000)} (at least ${min} count): ${listBounded([...recent, bk.key.split('|').slice(0, 2).join(' ')])}`,
      before > 0
        ? `widest earlier burst of ${who}: ${before} within ${duration(windowSeconds * 1000)} (this one must exceed ${num(t, 'peakFactor')}×)`
        : `${who} never made such reads in a burst before`,
      b.eventCount > 0
        ? `history: ${calls(b.eventCount)} since ${formatTime(b.firstSeenMs)}${ctx.isLearned ? '' : ' (still learning)'}`
        : `${who} is new: this burst is its first activity`,
    ];
    if (event.outcome.authz === 'denied')
      evidence.push('this call was denied; the burst counts attempts as well as reads');
    const o = event.origin;
    const isStaticKeyOutside =
      flag(t, 'staticKeyOutsideAws') &&
      event.credential.kind === 'long-lived-key' &&
      o.isIp &&
      !o.isAws &&
      !o.isPrivate &&
      o.awsService === undefined;
    if (isStaticKeyOutside)
      evidence.push(
        'made with a long-lived access key from a public address outside AWS: the credential most often leaked, not a workload role starting up',
      );
    evidence.push(`from ${describeOrigin(event)}`);
    return {
      discriminator: `breadth:${bk.group}`,
      summary:
        bk.group === 'secrets'
          ? `${who} read ${width} distinct secrets within ${duration(windowSeconds * 1000)}`
          : `${who} made ${width} distinct discovery calls within ${duration(windowSeconds * 1000)}`,
      evidence,
      severity: (ctx.isLearned && before > 0) || isStaticKeyOutside ? 'MEDIUM' : 'LOW',
    };
  },
};
