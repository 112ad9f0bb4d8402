import { describeOrigin, duration, iso } from './evidence.js';
import { getOwn } from '../safe-record.js';
import { list, num, type DetectionRule, type Severity } from './rule.js';

const DAY_MS = 86_400_000;

type Reason = 'root-key' | 'workload-runtime' | 'aws-network' | 'old-key' | 'automation-outside';

const SEVERITY: Record<Reason, Severity> = {
  'root-key': 'CRITICAL',
  'workload-runtime': 'MEDIUM',
  'aws-network': 'MEDIUM',
  'old-key': 'LOW',
  'automation-outside': 'LOW',
};

/** Static access keys are the secret most often leaked; workloads never need one, and root should have none. */
export const longLivedCredential: DetectionRule = {
  id: 'long-lived-credential',
  title: 'Long-lived access key in use where a role belongs',
  severity: 'MEDIUM',
  asffTypes: ['Software and Configuration Checks/AWS Security Best Practices'],
  references: [
    'OWASP-NHI:NHI7',
    'OWASP-NHI:NHI6',
    'NIST-CSF-2.0:DE.CM-03',
    'NIST-CSF-2.0:DE.CM-09',
    'MITRE:T1078.004',
    'MITRE:T1552.001',
  ],
  falsePositives: [
    'Integrations that cannot assume roles (some SaaS connectors, on-premises appliances) legitimately hold a key; record them in a suppression with an expiry and a rotation owner.',
    'A key first seen long ago by nhi-watch may have been rotated under the same user: the age is the key id’s, not the user’s.',
    'Workloads deliberately using an IAM user key to reach another account’s bucket policy (migrate them to a cross-account role).',
    'People whose workstation egresses through an AWS address (VPN, proxy, virtual desktop) look like a workload in AWS; macOS CLI / SDK agents (desktopUserAgentMarkers) are not taken for one.',
  ],
  runbook:
    'Replace the key with a role (Lambda / ECS task / EC2 instance profile, or IAM Roles Anywhere / OIDC outside AWS), then deactivate and delete the access key; for a root key, delete it now and check CloudTrail for what it was used for.',
  defaults: {
    /** A key in use longer than this after it was first seen (or issued, when known) is reported as old. */
    maxKeyAgeDays: 90,
    /** User-agent markers of managed workload runtimes (`exec-env/AWS_Lambda_…`, `exec-env/AWS_ECS_FARGATE` / `_EC2`). */
    workloadUserAgentMarkers: ['exec-env/AWS_Lambda', 'exec-env/AWS_ECS'],
    /** User-agent classes of automation (SDKs, infrastructure as code, HTTP libraries): an IAM user key used by them outside AWS is a workload's static key. */
    automationUserAgentClasses: ['sdk', 'iac', 'http-library'],
    /** User-agent markers of a person's desktop (macOS: `Darwin/` in CLI v1 and botocore, `os/macos` in CLI v2): from an AWS address that is a workstation egressing through AWS (VPN, proxy), not a workload in AWS. */
    desktopUserAgentMarkers: ['Darwin/', 'os/macos'],
  },
  needsLearning: false,
  detect: (event, ctx) => {
    const cred = event.credential;
    if (cred.kind !== 'long-lived-key' || cred.id === undefined || cred.id === '') return undefined;
    if (event.outcome.authn === 'failure') return undefined;
    const o = event.origin;
    const identity = event.identity;
    const prev = getOwn(ctx.baseline.credentials, cred.id);

    let reason: Reason | undefined;
    let marker: string | undefined;
    const firstMs = Math.min(prev?.f ?? Infinity, cred.issuedAtMs ?? Infinity);
    const ageMs = Number.isFinite(firstMs) ? event.timeMs - firstMs : 0;
    if (identity.kind === 'root') {
      reason = 'root-key';
    } else {
      // A service relaying the caller's key (CloudFormation, Athena…) says nothing about where the key lives.
      if (o.awsService !== undefined) return undefined;
      const ua = o.userAgent;
      marker =
        ua === undefined
          ? undefined
          : list(ctx.thresholds, 'workloadUserAgentMarkers').find((m) => ua.includes(m));
      const isDesktop =
        ua !== undefined && list(ctx.thresholds, 'desktopUserAgentMarkers').some((m) => ua.includes(m));
      if (marker !== undefined) reason = 'workload-runtime';
      else if (identity.kind === 'iam-user' && o.isAws && o.isIp && !isDesktop) reason = 'aws-network';
      else if (ageMs >= num(ctx.thresholds, 'maxKeyAgeDays') * DAY_MS) reason = 'old-key';
      // Once per key (its first use nhi-watch sees), not every dedup window: routine automation on
      // a static key is a posture fact to fix, not an incident to re-alert.
      else if (
        prev === undefined &&
        identity.kind === 'iam-user' &&
        !o.isAws &&
        list(ctx.thresholds, 'automationUserAgentClasses').includes(o.userAgentClass)
      )
        reason = 'automation-outside';
    }
    if (reason === undefined) return undefined;

    const who = identity.name ?? identity.key;
    const evidence = [
      prev
        ? `${cred.id} of ${identity.key}: first seen ${iso(firstMs)} (${duration(ageMs)} before this call), ${prev.n} uses recorded`
        : `${cred.id} of ${identity.key}: first use recorded`,
    ];
    if (reason === 'root-key') {
      evidence.push(
        'root access keys carry every permission in the account and no IAM policy can narrow them; AWS recommends root has none',
      );
    } else if (reason === 'workload-runtime') {
      evidence.push(
        `the user agent names a managed runtime (${marker ?? ''}): the key is baked into a workload's configuration instead of its execution role`,
      );
    } else if (reason === 'aws-network') {
      evidence.push(
        'an IAM user key called from an AWS address: a workload in AWS (EC2, Lambda, ECS) holds a static key instead of using its role',
      );
    } else if (reason === 'automation-outside') {
      evidence.push(
        `automation (${o.userAgentFamily}, ${o.userAgentClass}) calling with a static key from outside AWS: ${cred.issuedAtMs !== undefined || prev ? `key known for ${duration(ageMs)}` : 'key age unknown'}; IAM Roles Anywhere or OIDC federation would give it short-lived credentials`,
      );
    } else {
      evidence.push(
        `in use ${duration(ageMs)} after it was first seen (limit ${num(ctx.thresholds, 'maxKeyAgeDays')} days)`,
      );
    }
    evidence.push(`from ${describeOrigin(event)}`);
    return {
      discriminator: `credential:${cred.id}`,
      summary:
        reason === 'root-key'
          ? `Root user access key in use (${cred.id})`
          : `${who} ${SUMMARY[reason]} (${cred.id})`,
      evidence,
      severity: SEVERITY[reason],
    };
  },
};

const SUMMARY: Record<Exclude<Reason, 'root-key'>, string> = {
  'workload-runtime': 'has a static access key baked into a workload runtime',
  'aws-network': 'uses a static access key from inside AWS',
  'old-key': 'still uses an old access key',
  'automation-outside': 'runs automation outside AWS on a static access key',
};
