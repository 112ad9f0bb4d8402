import { isAuthnFailure, isDenial } from '../baseline.js';
import { describeOrigin, formatTally, iso, tally } from './evidence.js';
import { num, type DetectionRule } from './rule.js';

/** An identity denied again and again, or denied many different actions: probing past its scope with a stolen credential. */
export const accessDeniedBurst: DetectionRule = {
  id: 'access-denied-burst',
  title: 'Burst of authorization denials for one identity',
  severity: 'MEDIUM',
  asffTypes: ['TTPs/Discovery', 'Unusual Behaviors/Application'],
  references: [
    'OWASP-NHI:NHI5',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.AE-02',
    'MITRE:T1580',
    'MITRE:T1526',
    'MITRE:T1087.004',
    'MITRE:T1069.003',
  ],
  falsePositives: [
    'A deployment whose role lacks several permissions (CloudFormation / CDK / Terraform failing resource after resource).',
    'A workload retrying one call after its policy was tightened, or reading S3 keys that do not exist without s3:ListBucket (S3 answers AccessDenied).',
    'Security tooling or an IAM policy simulator run that probes permissions on purpose.',
  ],
  runbook:
    'Read the denied actions in the evidence: enumeration across services (List*/Describe*/Get* on IAM, secrets, KMS) from an unusual source means the credential is in someone else’s hands — rotate it; a single action repeated is usually a policy regression for the owner to fix.',
  defaults: {
    /** Denials (including the current one) within the window. The window keeps at most 64 entries. */
    threshold: 8,
    /** Distinct denied actions within the window: enumeration even below the count threshold. */
    distinctActions: 5,
    /** Window, seconds (at most the baseline's window retention, 3600 s by default). */
    windowSeconds: 600,
  },
  needsLearning: false,
  detect: (event, ctx) => {
    if (!isDenial(event) || isAuthnFailure(event)) return undefined;
    // Denials met by an AWS service acting for the identity (invokedBy signin, SQS, CloudFormation…)
    // are not the identity probing, and their "source address" is the service, not a network.
    if (event.origin.awsService !== undefined) return undefined;
    const threshold = num(ctx.thresholds, 'threshold');
    const distinctActions = num(ctx.thresholds, 'distinctActions');
    const windowSeconds = num(ctx.thresholds, 'windowSeconds');
    const horizon = event.timeMs - windowSeconds * 1000;

    const actions = new Map<string, number>();
    const codes: string[] = [];
    let firstMs = event.timeMs;
    for (const e of ctx.baseline.denials) {
      if (e.t <= horizon || e.t > event.timeMs) continue;
      actions.set(e.k, (actions.get(e.k) ?? 0) + 1);
      codes.push(e.c ?? 'unknown');
      if (e.t < firstMs) firstMs = e.t;
    }
    actions.set(event.action.name, (actions.get(event.action.name) ?? 0) + 1);
    codes.push(event.outcome.errorCode ?? 'unknown');
    const count = codes.length;
    const isEnumeration = actions.size >= distinctActions;
    if (count < threshold && !isEnumeration) return undefined;

    return {
      discriminator: 'denials',
      summary: isEnumeration
        ? `${event.identity.name ?? event.identity.key} was denied ${actions.size} different actions within ${windowSeconds} s`
        : `${event.identity.name ?? event.identity.key} was denied ${count} times within ${windowSeconds} s`,
      evidence: [
        `${count} denials (threshold ${threshold}) of ${actions.size} distinct actions (threshold ${distinctActions}) between ${iso(firstMs)} and ${iso(event.timeMs)}`,
        `denied actions: ${formatTally(actions)}`,
        `error codes: ${formatTally(tally(codes))}`,
        `latest from ${describeOrigin(event)} with ${event.credential.kind}${event.credential.id ? ` ${event.credential.id}` : ''}`,
      ],
      severity: isEnumeration ? 'HIGH' : 'MEDIUM',
    };
  },
};
