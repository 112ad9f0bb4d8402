/**
 * Benign chained CloudTrail traffic of federated workloads: EKS pods exchanging their projected
 * service-account tokens for their roles (IRSA: AssumeRoleWithWebIdentity from the node, about once
 * an hour per pod, then the pod's calls from the same node), and the partner's backend exchanging
 * its OAuth client-credentials token (the same client id it calls the orders API with) for a
 * file-drop role. Definitions come from their own random stream, so the rest of the fleet is
 * unchanged by them.
 */
import { assumeRolePayload, newRoleSession, newUniqueId, type RoleDef } from '../cloudtrail-builder.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, type GenContext, type TimedSession } from '../context.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import type { Rng } from '../prng.js';
import type { LabelSpec } from '../sink.js';
import { PARTNER_HTTP_CLIENT } from '../user-agents.js';
import { emitCall } from './cloudtrail-calls.js';
import { PARTNER_HOURS } from './partner.js';

/** One service account of the cluster and the role its trust policy lets it assume. */
export interface EksWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: RoleDef;
  /** Calls per hour with the role's session, and which. */
  readonly perHour: number;
  readonly actions: readonly string[];
}

/** The EKS cluster: its OIDC provider, its nodes' addresses and its IRSA workloads. */
export interface EksCluster {
  readonly providerHost: string;
  readonly providerArn: string;
  readonly nodeIps: readonly string[];
  readonly workloads: readonly EksWorkload[];
}

/** The cluster of a simulation (same for every caller: drawn from its own labelled stream). */
export const eksCluster = (ctx: GenContext): EksCluster => {
  const rng = ctx.rng.fork('eks-fleet');
  const id = Array.from({ length: 32 }, () => rng.pick([...'0123456789ABCDEF'])).join('');
  const providerHost = `oidc.eks.${REGION}.amazonaws.com/id/${id}`;
  const role = (name: string): RoleDef => ({
    accountId: ACCOUNTS.workload,
    name,
    roleId: newUniqueId(rng, 'AROA'),
  });
  return {
    providerHost,
    providerArn: `arn:aws:iam::${ACCOUNTS.workload}:oidc-provider/${providerHost}`,
    nodeIps: Array.from({ length: 3 }, () => randomHost(rng, NETWORKS.awsUse1Fargate)),
    workloads: [
      {
        namespace: 'payments',
        serviceAccount: 'ledger-writer',
        role: role('eks-ledger-writer'),
        perHour: 6,
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'kms:Decrypt'],
      },
      {
        namespace: 'orders',
        serviceAccount: 'queue-consumer',
        role: role('eks-queue-consumer'),
        perHour: 8,
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
      },
      {
        namespace: 'monitoring',
        serviceAccount: 'cloudwatch-exporter',
        role: role('eks-cloudwatch-exporter'),
        perHour: 4,
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
      },
    ],
  };
};

/** The subject of a service account's projected token. */
export const serviceAccountSubject = (namespace: string, serviceAccount: string): string =>
  `system:serviceaccount:${namespace}:${serviceAccount}`;

/** A boto3-on-EKS user agent. */
export const eksBoto3 = (service: string): string =>
  `Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84 api/${service}`;

/** One IRSA credential exchange from a node: the session it issued. */
export const emitIrsaExchange = (
  ctx: GenContext,
  rng: Rng,
  cluster: EksCluster,
  subject: string,
  role: RoleDef,
  timeMs: number,
  nodeIp: string,
  label?: LabelSpec,
): TimedSession => {
  const session = newRoleSession(rng, role, `botocore-session-${Math.floor(timeMs / 1000)}`, timeMs, {
    webIdentityProvider: cluster.providerArn,
  });
  const payload = assumeRolePayload(session, 3600);
  emitCall(
    ctx,
    rng,
    {
      timeMs,
      actor: {
        kind: 'web-identity',
        providerArn: cluster.providerArn,
        subject,
        audience: 'sts.amazonaws.com',
      },
      action: 'sts:AssumeRoleWithWebIdentity',
      region: REGION,
      sourceIp: nodeIp,
      userAgent: eksBoto3('sts'),
      resources: { accountId: ACCOUNTS.workload },
      requestParameters: payload.requestParameters,
      responseElements: {
        ...payload.responseElements,
        subjectFromWebIdentityToken: subject,
        provider: cluster.providerArn,
        audience: 'sts.amazonaws.com',
      },
      eventResources: payload.eventResources,
    },
    label,
  );
  return { session, ip: nodeIp, fromMs: timeMs, toMs: timeMs + HOUR_MS };
};

/** EKS pods refreshing their IRSA credentials and working with them, every hour of every day. */
const generateEks = (ctx: GenContext): void => {
  const cluster = eksCluster(ctx);
  cluster.workloads.forEach((workload, index) => {
    const rng = ctx.rng.fork(`eks/${workload.namespace}/${workload.serviceAccount}`);
    const subject = serviceAccountSubject(workload.namespace, workload.serviceAccount);
    const node = cluster.nodeIps[index % cluster.nodeIps.length] as string;
    const resources = { accountId: ACCOUNTS.workload, tables: ['ledger'], queueName: 'order-events' };
    // The SDK refreshes credentials some minutes before they expire.
    for (let t = ctx.startMs + rng.int(1, 40) * MINUTE_MS; t < ctx.endMs; t += rng.int(50, 58) * MINUTE_MS) {
      const live = emitIrsaExchange(ctx, rng, cluster, subject, workload.role, t, node);
      ctx.state.eksSessions.push({ ...live, subject });
      const calls = rng.poisson(workload.perHour * Math.max(0.3, ctx.scale));
      for (let c = 0; c < calls; c++) {
        const action = rng.pick(workload.actions);
        emitCall(ctx, rng, {
          timeMs: t + rng.int(5, 50 * 60) * 1000,
          actor: live.session,
          action,
          region: REGION,
          sourceIp: node,
          userAgent: eksBoto3(action.slice(0, action.indexOf(':'))),
          resources,
        });
      }
    }
  });
};

/** The partner's file-drop role, assumed with its OAuth client-credentials token. */
export const partnerDropRole = (ctx: GenContext): RoleDef => ({
  accountId: ACCOUNTS.workload,
  name: 'partner-file-drop',
  roleId: newUniqueId(ctx.rng.fork('partner-exchange-fleet'), 'AROA'),
});

/** The OIDC provider ARN of the partner's token issuer (the Cognito user pool its tokens come from). */
export const partnerProviderArn = (ctx: GenContext): string =>
  `arn:aws:iam::${ACCOUNTS.workload}:oidc-provider/${ctx.fleet.partner.issuer.replace(/^https:\/\//, '')}`;

/** The partner's backend exchanging its token for AWS credentials a few times a day and dropping files. */
const generatePartnerExchange = (ctx: GenContext): void => {
  const rng = ctx.rng.fork('partner-exchange');
  const role = partnerDropRole(ctx);
  const providerArn = partnerProviderArn(ctx);
  const subject = ctx.fleet.partner.clientId;
  for (let day = 0; day < ctx.days; day += 1) {
    const dayStart = ctx.startMs + day * DAY_MS;
    const runs = rng.int(2, 5);
    for (let r = 0; r < runs; r++) {
      const t = dayStart + Math.floor(rng.float(PARTNER_HOURS.start, PARTNER_HOURS.end - 1) * HOUR_MS);
      const ip = rng.pick(ctx.fleet.partner.natIps);
      const session = newRoleSession(rng, role, `partner-sync-${Math.floor(t / 1000)}`, t, {
        webIdentityProvider: providerArn,
      });
      const payload = assumeRolePayload(session, 3600);
      emitCall(ctx, rng, {
        timeMs: t,
        actor: { kind: 'web-identity', providerArn, subject, audience: subject },
        action: 'sts:AssumeRoleWithWebIdentity',
        region: REGION,
        sourceIp: ip,
        userAgent: PARTNER_HTTP_CLIENT,
        resources: { accountId: ACCOUNTS.workload },
        requestParameters: payload.requestParameters,
        responseElements: {
          ...payload.responseElements,
          subjectFromWebIdentityToken: subject,
          provider: providerArn,
          audience: subject,
        },
        eventResources: payload.eventResources,
      });
      const bucket = `partner-drop-${ACCOUNTS.workload}`;
      const files = rng.int(1, 6);
      for (let f = 0; f < files; f++) {
        emitCall(ctx, rng, {
          timeMs: t + (f + 1) * rng.int(2_000, 20_000),
          actor: session,
          action: 's3:PutObject',
          region: REGION,
          sourceIp: ip,
          userAgent: PARTNER_HTTP_CLIENT,
          resources: { accountId: ACCOUNTS.workload, buckets: [bucket], keyPrefix: 'inbound/' },
        });
      }
    }
  }
};

/** All federated-workload traffic. */
export const generateFederatedWorkloads = (ctx: GenContext): void => {
  generateEks(ctx);
  generatePartnerExchange(ctx);
};

/** The identities this traffic adds to the simulation's list (meta.identities). */
export const federatedWorkloadIdentities = (ctx: GenContext): { key: string; description: string }[] => [
  ...eksCluster(ctx).workloads.map((w) => ({
    key: roleKey(w.role),
    description: `EKS service account ${w.namespace}/${w.serviceAccount} (IRSA web identity)`,
  })),
  {
    key: roleKey(partnerDropRole(ctx)),
    description: 'partner file drop, assumed with the partner’s OAuth client token (web identity)',
  },
];
