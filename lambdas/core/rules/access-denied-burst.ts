import { isAuthnFailure, isDenial } from '../baseline.js';
import { describeOrigin, formatTally, iso, tally } from './evidence.js';
import { num, type DetectionRule, type RuleCase } from './rule.js';
import {
  T0,
  ev,
  outsideAws,
  repeat,
  UA,
  type EventOverrides,
  apiClient,
  throttled,
  viaService,
} from './test-events.js';

// Case material: a stolen key enumerating, a workload retrying one denied call, an API client probing routes.
const MIN = 60_000;
const exporter: EventOverrides = {
  identity: {
    key: 'aws:123456789012:user/report-exporter',
    kind: 'iam-user',
    principal: 'arn:aws:iam::123456789012:user/report-exporter',
    name: 'report-exporter',
    sessionName: undefined,
  },
  credential: { id: 'AKIAEXAMPLEREPORT001', kind: 'long-lived-key' },
  origin: { ...outsideAws('203.0.113.45', 14061, 'DigitalOcean, LLC', 'NL'), ...UA.boto3Server },
};
const denied = (timeMs: number, action: string, errorCode = 'AccessDenied') =>
  ev({
    ...exporter,
    timeMs,
    action: {
      name: action,
      service: action.slice(0, action.indexOf(':')),
      region: 'us-east-1',
      isReadOnly: true,
    },
    outcome: { authn: 'success', authz: 'denied', errorCode },
  });
/** What enumerate-iam / pacu style tools call first with a stolen key. */
const RECON = [
  'iam.amazonaws.com:ListUsers',
  's3.amazonaws.com:ListBuckets',
  'secretsmanager.amazonaws.com:ListSecrets',
  'ec2.amazonaws.com:DescribeInstances',
  'lambda.amazonaws.com:ListFunctions',
  'iam.amazonaws.com:ListRoles',
  'kms.amazonaws.com:ListKeys',
];
const probe = (timeMs: number, route: string) =>
  ev({
    source: 'api-gateway',
    timeMs,
    identity: apiClient('partner-7'),
    credential: { kind: 'bearer-token', id: 'jti-7f3a9c' },
    origin: { ...outsideAws('198.51.100.7', 64500, 'Example Hosting', 'DE'), ...UA.okhttp },
    action: { name: route, service: 'execute-api', region: 'eu-west-1' },
    outcome: { authn: 'success', authz: 'denied', status: 403, errorCode: 'AccessDeniedException' },
  });

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
  // Built when read (the harness, the docs), not when the Lambda loads the catalogue.
  get tests(): readonly RuleCase[] {
    return [
      {
        name: 'a stolen key enumerating: five services’ List/Describe calls denied within two minutes',
        events: RECON.slice(0, 5).map((a, i) => denied(T0 + i * 20_000, a)),
        fires: true,
        severity: 'HIGH',
      },
      {
        name: 'ec2:GetPasswordData denied thirty times across instances (Stratus ec2-get-password-data)',
        events: repeat(30, T0, 4_000, (t) =>
          denied(t, 'ec2.amazonaws.com:GetPasswordData', 'Client.UnauthorizedOperation'),
        ),
        fires: true,
        severity: 'MEDIUM',
      },
      {
        name: 'an API client probing admin routes it is not granted',
        events: [
          'GET /admin/users',
          'GET /admin/keys',
          'DELETE /orders/{id}',
          'GET /internal/config',
          'POST /admin/export',
        ].map((r, i) => probe(T0 + i * 15_000, r)),
        fires: true,
      },
      {
        name: 'a console sign-in service meeting denials for a user (invokedBy signin.amazonaws.com) is not the identity probing',
        events: repeat(12, T0, 5_000, (t) =>
          ev({
            ...exporter,
            timeMs: t,
            origin: viaService('signin.amazonaws.com'),
            action: { name: 'iam.amazonaws.com:GetAccountSummary', service: 'iam', isReadOnly: true },
            outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
          }),
        ),
        fires: false,
      },
      {
        name: 'SQS delivering to a queue whose key policy denies it, on the identity’s behalf',
        events: repeat(12, T0, 5_000, (t) =>
          ev({
            timeMs: t,
            origin: viaService('sqs.amazonaws.com'),
            action: { name: 'kms.amazonaws.com:GenerateDataKey', service: 'kms', isReadOnly: true },
            outcome: { authn: 'success', authz: 'denied', errorCode: 'AccessDenied' },
          }),
        ),
        fires: false,
      },
      {
        name: 'seven denials of one action: one below the threshold',
        events: repeat(7, T0, 30_000, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
        fires: false,
      },
      {
        name: 'four distinct denied actions: one below the enumeration threshold',
        events: RECON.slice(0, 4).map((a, i) => denied(T0 + i * 20_000, a)),
        fires: false,
      },
      {
        name: 'eight denials, one every five minutes (a cron job missing one permission), never fill one window',
        events: repeat(8, T0, 5 * MIN, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
        fires: false,
      },
      {
        name: 'a ThrottlingException burst is not a denial',
        events: repeat(30, T0, 2_000, throttled),
        fires: false,
      },
      {
        name: 'authentication failures with a bad signature are not authorization denials',
        events: repeat(12, T0, 5_000, (timeMs) =>
          ev({
            ...exporter,
            timeMs,
            outcome: { authn: 'failure', authz: 'unknown', errorCode: 'SignatureDoesNotMatch' },
          }),
        ),
        fires: false,
      },
      {
        name: 'a threshold of four catches four denials',
        events: repeat(4, T0, 30_000, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
        thresholds: { threshold: 4 },
        fires: true,
      },
      {
        name: 'an enumeration threshold of three catches three distinct actions',
        events: RECON.slice(0, 3).map((a, i) => denied(T0 + i * 20_000, a)),
        thresholds: { distinctActions: 3 },
        fires: true,
      },
      {
        name: 'a one-hour window catches the slow cron job',
        events: repeat(8, T0, 5 * MIN, (t) => denied(t, 'ssm.amazonaws.com:GetParameter')),
        thresholds: { windowSeconds: 3600 },
        fires: true,
      },
    ];
  },
};
