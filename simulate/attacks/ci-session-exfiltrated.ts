/**
 * Attack episode `ci-session-exfiltrated` — chain-replay: a compromised build dependency posts the
 * job's AWS session to its author, who uses it from a VPS while the job still runs (T1552.001,
 * T1550.001). The job's own token exchange is legitimate; the key's use elsewhere is the signal.
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { assumeRolePayload, newRoleSession, type CallSpec } from '../cloudtrail-builder.js';
import { REGION, roleKey } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA, GHA_CONFIGURE_CREDENTIALS } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const ciSessionExfiltrated: EpisodeDef = {
  slug: 'ci-session-exfiltrated',
  window: 'ciHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fleet = ctx.fleet;
    const role = fleet.roles.ghaDeployer;
    const technique =
      'CI session key exfiltrated by a build dependency and used elsewhere (T1552.001, T1550.001)';
    const subject = `repo:${fleet.github.org}/orders-service:ref:refs/heads/main`;
    const runner = randomHost(rng, rng.pick(fleet.runnerNetworks));
    let t = episode.atMs;
    const session = newRoleSession(rng, role, 'GitHubActions', t, {
      webIdentityProvider: fleet.github.providerArn,
    });
    const payload = assumeRolePayload(session, 3600);
    const setup = episode.label('chain-replay', technique, roleKey(role), false);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: {
          kind: 'web-identity',
          providerArn: fleet.github.providerArn,
          subject,
          audience: 'sts.amazonaws.com',
        },
        action: 'sts:AssumeRoleWithWebIdentity',
        region: REGION,
        sourceIp: runner,
        userAgent: GHA_CONFIGURE_CREDENTIALS,
        resources: fleet.ciResources,
        requestParameters: payload.requestParameters,
        responseElements: {
          ...payload.responseElements,
          subjectFromWebIdentityToken: subject,
          provider: fleet.github.providerArn,
          audience: 'sts.amazonaws.com',
        },
        eventResources: payload.eventResources,
      },
      setup,
    );
    t += rng.int(800, 2_500);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: session,
        action: 'sts:GetCallerIdentity',
        region: REGION,
        sourceIp: runner,
        userAgent: GHA_CONFIGURE_CREDENTIALS,
        resources: fleet.ciResources,
      },
      setup,
    );
    // Minutes later, from the dependency author's VPS.
    const vps = randomHost(rng, rng.pick([NETWORKS.digitalOceanDe, NETWORKS.ovhFr, NETWORKS.hetznerDe]));
    t += rng.int(3, 12) * 60_000;
    const signal = episode.label('chain-replay', technique, roleKey(role));
    const call = (action: string, command: string, extra: Partial<CallSpec> = {}): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: vps,
          userAgent: ATTACKER_UA.awsCliUbuntu(command),
          resources: fleet.ciResources,
          ...extra,
        },
        signal,
      );
      t += rng.int(2_000, 20_000);
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity');
    call('iam:ListRoles', 'iam.list-roles');
    call('s3:ListBuckets', 's3.ls');
    const archive = fleet.ciResources.buckets?.[3] ?? 'order-archive';
    for (let i = 0; i < rng.int(3, 8); i++)
      call('s3:GetObject', 's3.cp', {
        requestParameters: {
          bucketName: archive,
          Host: `${archive}.s3.${REGION}.amazonaws.com`,
          key: `orders/${rng.hex(12)}.json.gz`,
        },
      });
  },
};
