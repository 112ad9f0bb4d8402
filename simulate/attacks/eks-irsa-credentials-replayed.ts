/**
 * Attack episode `eks-irsa-credentials-replayed` — chain-replay: a pod's IRSA session, issued to it
 * on a cluster node inside AWS, read out of the pod (a debug endpoint dumping its environment) and
 * used from outside AWS (T1552.007, T1550.001).
 */
import { eksCluster } from '../benign/federated-workloads.js';
import { emitCall } from '../benign/cloudtrail-calls.js';
import { REGION, roleKey } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const eksIrsaCredentialsReplayed: EpisodeDef = {
  slug: 'eks-irsa-credentials-replayed',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const cluster = eksCluster(ctx);
    const queue = cluster.workloads[1];
    if (queue === undefined) return;
    const sessions = ctx.state.eksSessions.filter((s) => s.session.role.name === queue.role.name);
    // A session live for at least half an hour more at the episode's start, else the next one issued.
    const current = sessions.find((s) => s.fromMs <= episode.atMs && s.toMs - episode.atMs >= 30 * 60_000);
    const next = sessions.find((s) => s.fromMs > episode.atMs);
    const live = current ?? next;
    if (live === undefined) return;
    const startMs = current !== undefined ? episode.atMs : live.fromMs + rng.int(1, 5) * 60_000;
    const technique =
      'Pod IRSA credentials read out of the pod and used from outside AWS (T1552.007, T1550.001)';
    const signal = episode.label('chain-replay', technique, roleKey(queue.role));
    const ip = randomHost(rng, rng.pick([NETWORKS.digitalOceanUs, NETWORKS.ovhFr]));
    let t = startMs + rng.int(1, 10) * 60_000;
    for (const [action, command] of [
      ['sts:GetCallerIdentity', 'sts.get-caller-identity'],
      ['sqs:ListQueues', 'sqs.list-queues'],
      ['sqs:ReceiveMessage', 'sqs.receive-message'],
      ['sqs:ReceiveMessage', 'sqs.receive-message'],
      ['sqs:ReceiveMessage', 'sqs.receive-message'],
    ] as const) {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: live.session,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.awsCliUbuntu(command),
          resources: { accountId: queue.role.accountId, queueName: 'order-events' },
        },
        signal,
      );
      t += rng.int(3_000, 40_000);
    }
  },
};
