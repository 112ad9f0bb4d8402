import { getOwn, hasOwn, keysOf } from '../safe-record.js';
import { describeOrigin, duration, iso, listBounded } from './evidence.js';
import { num, type DetectionRule, type Severity } from './rule.js';

const HOUR_MS = 3_600_000;

/** What is left of a pattern once its provider prefix is dropped: `repo:org/app`, `sa:ns/name`. */
const shortPattern = (pattern: string): string => pattern.slice(pattern.indexOf('|') + 1);

/**
 * A federated subject (GitHub repository, EKS service account, GitLab project, Terraform workspace,
 * SAML issuer, Cognito pool, certificate) assuming a role for the first time, when the role has a
 * history of *other* subjects: the signature of a trust policy that matches more than it should
 * (`repo:org/*`, `system:serviceaccount:*`, a missing `sub` condition). Subjects are compared by
 * pattern, not raw subject: a new branch, tag, environment or pull request of a known repository,
 * or a new end user of a known Cognito pool, is routine and never fires.
 */
export const newFederatedSubject: DetectionRule = {
  id: 'new-federated-subject',
  title: 'A federated subject never seen before assumed the role',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Initial Access', 'Unusual Behaviors/User'],
  references: [
    'OWASP-NHI:NHI6',
    'OWASP-NHI:NHI9',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1078.004',
    'MITRE:T1199',
  ],
  falsePositives: [
    'A new repository, project or service account legitimately onboarded onto an existing deployment role.',
    'A repository renamed or transferred to another organisation (its subject changes with it).',
    'A cluster rebuilt with a new OIDC provider for the same service accounts.',
  ],
  runbook:
    'Check the role’s trust policy: its `sub` / `aud` conditions should name the repositories, branches or service accounts meant to use it. If this subject was not onboarded on purpose, revoke the role’s active sessions, tighten the condition, and review what the session issued here did (its key is named in the finding).',
  defaults: {
    /** Earlier federated assumptions of the role before a new subject counts. */
    minAssumptions: 5,
    /** Hours between the role's first federated assumption and this one. */
    minHistoryHours: 24,
    /** A role already used by this many distinct subjects treats a new one as routine (an organisation-wide role). */
    maxKnownSubjects: 24,
  },
  // Judged on the role's own history of subjects (checked in detect), not on its learning period: a CI
  // role makes few calls a day and may never reach it.
  needsLearning: false,
  detect: (event, ctx) => {
    const subject = event.issuance?.subject;
    if (subject === undefined) return undefined;
    if (event.outcome.authn === 'failure' || event.outcome.authz === 'denied') return undefined;
    const b = ctx.baseline;
    const known = b.dims.subjects;
    if (hasOwn(known, subject.pattern)) return undefined;
    const patterns = keysOf(known);
    // No subject history at all: a brand-new role, or the first federation onto it — no baseline to break.
    if (patterns.length === 0) return undefined;
    if (patterns.length >= num(ctx.thresholds, 'maxKnownSubjects')) return undefined;
    let assumptions = 0;
    let firstMs = Number.POSITIVE_INFINITY;
    for (const p of patterns) {
      const stat = getOwn(known, p);
      if (stat === undefined) continue;
      assumptions += stat.n;
      if (stat.f < firstMs) firstMs = stat.f;
    }
    if (assumptions < num(ctx.thresholds, 'minAssumptions')) return undefined;
    if (event.timeMs - firstMs < num(ctx.thresholds, 'minHistoryHours') * HOUR_MS) return undefined;

    const isNewOwner = !hasOwn(b.dims.subjectOwners, subject.owner);
    const severity: Severity = isNewOwner ? 'HIGH' : 'MEDIUM';
    const role = event.identity.name ?? event.identity.key;
    const issued = event.issuance;
    const evidence = [
      `first assumption of ${role} by ${subject.label} (subject ${subject.subject})`,
      `subjects that assumed it before (${patterns.length}, ${assumptions} assumptions since ${iso(firstMs)}, ${duration(event.timeMs - firstMs)}): ${listBounded(patterns.map(shortPattern))}`,
    ];
    if (isNewOwner) {
      evidence.push(
        `${shortPattern(subject.owner)} is new to this role; owners before: ${listBounded(keysOf(b.dims.subjectOwners).map(shortPattern))}`,
      );
    }
    if (issued !== undefined) {
      evidence.push(
        `issued ${issued.accessKeyId}${issued.sessionName !== undefined ? ` for session ${issued.sessionName}` : ''}${issued.expiresAtMs !== undefined ? `, valid until ${iso(issued.expiresAtMs)}` : ''}: later calls with it carry this subject`,
      );
    }
    evidence.push(
      `token from ${subject.provider}${subject.audience !== undefined ? ` for audience ${subject.audience}` : ''}, call from ${describeOrigin(event)}`,
    );
    return {
      discriminator: `subject:${subject.pattern}`,
      summary: `${subject.label} assumed ${role} for the first time${isNewOwner ? ', from an owner never seen on it' : ''}`,
      evidence,
      severity,
    };
  },
};
