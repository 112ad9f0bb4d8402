/**
 * Attack episode `eks-foreign-service-account` — new-federated-subject: the ledger writer role trusts
 * every service account of the cluster (`system:serviceaccount:*`), and a pod of another namespace,
 * compromised, exchanges its own token for it (T1078.004, T1528).
 */
import {
  eksBoto3,
  eksCluster,
  emitIrsaExchange,
  serviceAccountSubject,
} from '../benign/federated-workloads.js';
import { emitCall } from '../benign/cloudtrail-calls.js';
import { REGION, roleKey } from '../fleet.js';
import type { EpisodeDef } from './episode.js';

export const eksForeignServiceAccount: EpisodeDef = {
  slug: 'eks-foreign-service-account',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const cluster = eksCluster(ctx);
    const target = cluster.workloads[0];
    if (target === undefined) return;
    const technique =
      'Wildcard IRSA trust: a pod of another namespace assumes the ledger writer role (T1078.004, T1528)';
    const subject = serviceAccountSubject(
      rng.pick(['ci-runners', 'default', 'web-frontend']),
      rng.pick(['default', 'builder']),
    );
    const node = rng.pick(cluster.nodeIps);
    const live = emitIrsaExchange(
      ctx,
      rng,
      cluster,
      subject,
      target.role,
      episode.atMs,
      node,
      episode.label('new-federated-subject', technique, roleKey(target.role)),
    );
    const followOn = episode.label('new-federated-subject', technique, roleKey(target.role), false);
    let t = episode.atMs;
    for (const action of ['sts:GetCallerIdentity', 'dynamodb:Scan', 'dynamodb:Scan', 'kms:Decrypt']) {
      t += rng.int(2_000, 30_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: live.session,
          action,
          region: REGION,
          sourceIp: node,
          userAgent: eksBoto3(action.slice(0, action.indexOf(':'))),
          resources: { accountId: target.role.accountId, tables: ['ledger'] },
        },
        followOn,
      );
    }
  },
};
