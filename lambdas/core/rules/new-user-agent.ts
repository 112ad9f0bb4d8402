import {
  calls,
  describeTop,
  distinctValues,
  hasValue,
  historyLine,
  quoteUntrusted,
  totalCalls,
} from '../baseline-facts.js';
import { entriesOf } from '../safe-record.js';
import type { IdentityBaseline } from '../baseline.js';
import type { IdentityEvent, UserAgentClass } from '../identity-event.js';
import {
  flag,
  list,
  num,
  type DetectionRule,
  type RuleContext,
  type RuleMatch,
  type Severity,
} from './rule.js';

/**
 * Whether the identity's history is a workload's: every user-agent class that carries at least
 * `minShare` of its calls is a workload class (one stray CLI call during learning does not make a
 * Lambda role "human-used" forever).
 */
function isWorkloadProfile(b: IdentityBaseline, workload: readonly string[], minShare: number): boolean {
  const total = totalCalls(b.dims.uaClasses);
  if (total === 0) return false;
  let hasWorkload = false;
  for (const [cls, stat] of entriesOf(b.dims.uaClasses)) {
    if (stat.n / total < minShare) continue;
    if (!workload.includes(cls)) return false;
    hasWorkload = true;
  }
  return hasWorkload;
}

function detect(event: IdentityEvent, ctx: RuleContext): RuleMatch | undefined {
  const o = event.origin;
  // Agents of calls an AWS service made on the identity's behalf are the service's, and AWS's own
  // agents (console back ends, `AWS Internal`) are never the identity's choice.
  if (o.awsService !== undefined || o.userAgentClass === 'aws-internal' || event.outcome.authn === 'failure')
    return undefined;
  const family = o.userAgentFamily;
  const b = ctx.baseline;
  if (family === '' || hasValue(b.dims.uaFamilies, family)) return undefined;

  const t = ctx.thresholds;
  const cls: UserAgentClass = o.userAgentClass;
  const isNewClass = !hasValue(b.dims.uaClasses, cls);
  let severity: Severity | undefined;
  let why: string | undefined;
  if (list(t, 'offensiveClasses').includes(cls)) {
    // An attack tool's agent is evidence on its own: it needs no learned baseline to stand out.
    severity = 'HIGH';
    why = `an attack / penetration-testing tool (${cls})`;
  } else if (!ctx.isLearned) {
    return undefined;
  } else if (
    isNewClass &&
    list(t, 'humanClasses').includes(cls) &&
    isWorkloadProfile(b, list(t, 'workloadClasses'), num(t, 'minClassShare'))
  ) {
    severity = 'MEDIUM';
    why = `a human's tool (${cls}) on an identity that only ever ran as a workload`;
  } else if (flag(t, 'reportNewFamilies') && distinctValues(b.dims.uaFamilies) < num(t, 'maxKnownFamilies')) {
    severity = 'LOW';
    why = `a user-agent family (${cls}) it never used before`;
  }
  if (severity === undefined || why === undefined) return undefined;

  const who = event.identity.name ?? event.identity.key;
  const total = totalCalls(b.dims.uaClasses);
  const classShares = entriesOf(b.dims.uaClasses)
    .sort((x, y) => y[1].n - x[1].n)
    .map(([c, s]) => `${c} ${((100 * s.n) / Math.max(1, total)).toFixed(s.n === total ? 0 : 1)}%`)
    .join(', ');
  return {
    discriminator: `ua:${family}`,
    severity,
    summary: `${who} called ${event.action.name} with ${family}: ${why}`,
    evidence: [
      `first call with user-agent family ${family} (class ${cls})${o.userAgent !== undefined ? `: ${quoteUntrusted(o.userAgent)}` : ''}`,
      `families seen before: ${describeTop(b.dims.uaFamilies, 3)}`,
      `classes seen before: ${classShares || 'none'} of ${calls(total)}`,
      historyLine(b),
    ],
  };
}

/** A workload's user agent is fixed by its code; a browser, CLI or attack tool on it is a person (or attacker) holding its credential. */
export const newUserAgent: DetectionRule = {
  id: 'new-user-agent',
  title: 'Non-human identity used with a new user agent',
  severity: 'LOW',
  asffTypes: ['Unusual Behaviors/Application', 'Unusual Behaviors/User', 'TTPs/Initial Access'],
  references: [
    'OWASP-NHI:NHI10',
    'OWASP-NHI:NHI2',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.CM-09',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1078.004',
  ],
  falsePositives: [
    'A workload rewritten in another language or SDK (boto3 → aws-sdk-js), or a new IaC tool in the pipeline',
    'An engineer debugging with the workload’s role from a terminal (still human use of an NHI: worth a conversation)',
    'Authorised penetration tests (offensive-tool user agents)',
  ],
  runbook:
    'Ask the owner who used this client; for a browser, CLI or attack tool on a workload identity, treat the credential as exposed: revoke sessions / rotate the key and review the calls made with this agent.',
  defaults: {
    /** Classes that are always HIGH when a new family of them appears. */
    offensiveClasses: ['offensive-tool'],
    /** Classes that mean a person is at the keyboard. */
    humanClasses: ['browser', 'cli', 'console'],
    /** Classes a workload uses; an identity whose significant classes are all here is a workload. */
    workloadClasses: ['sdk', 'iac', 'aws-internal', 'http-library'],
    /** Classes under this share of the identity's calls are ignored when judging whether it is a workload. */
    minClassShare: 0.01,
    /** Report any new family (LOW), not only human / offensive ones. */
    reportNewFamilies: true,
    /** An identity already seen with this many families (many API consumers) gets no LOW new-family findings. */
    maxKnownFamilies: 12,
  },
  // New families wait for the learning period (checked in detect); an offensive tool's agent fires from the first call.
  needsLearning: false,
  detect,
};
