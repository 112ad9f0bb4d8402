/**
 * Attack episode `ci-foreign-repository-oidc` — new-federated-subject: the deploy role's trust policy
 * matches any repository (`repo:*`), and a repository of another organisation, run on the same
 * GitHub-hosted runners, exchanges its OIDC token for the role (T1199, T1078.004).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { assumeRolePayload, newRoleSession, type CallSpec } from '../cloudtrail-builder.js';
import { REGION, roleKey } from '../fleet.js';
import { randomHost } from '../networks.js';
import { GHA_CONFIGURE_CREDENTIALS, ghaAwsCli } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const ciForeignRepository: EpisodeDef = {
  slug: 'ci-foreign-repository-oidc',
  window: 'ciHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fleet = ctx.fleet;
    const role = fleet.roles.ghaDeployer;
    const technique =
      'Wildcard OIDC trust: a repository of another organisation assumes the deploy role (T1199, T1078.004)';
    const owner = rng.pick(['octo-forks', 'ci-templates-oss', 'devx-sandbox']);
    const subject = `repo:${owner}/${rng.pick(['orders-service', 'deploy-actions', 'infra-tests'])}:ref:refs/heads/main`;
    const ip = randomHost(rng, rng.pick(fleet.runnerNetworks));
    let t = episode.atMs;
    const session = newRoleSession(rng, role, 'GitHubActions', t, {
      webIdentityProvider: fleet.github.providerArn,
    });
    const payload = assumeRolePayload(session, 3600);
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
        sourceIp: ip,
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
      episode.label('new-federated-subject', technique, roleKey(role)),
    );
    // What the foreign workflow then does with the deploy role: look around, read the Terraform state.
    const followOn = episode.label('new-federated-subject', technique, roleKey(role), false);
    const call = (action: string, command: string, extra: Partial<CallSpec> = {}): void => {
      t += rng.int(1_000, 15_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: session,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ghaAwsCli(command),
          resources: fleet.ciResources,
          ...extra,
        },
        followOn,
      );
    };
    call('sts:GetCallerIdentity', 'sts.get-caller-identity');
    call('s3:ListBuckets', 's3.ls');
    const state = fleet.ciResources.buckets?.[2] ?? 'tfstate';
    call('s3:GetObject', 's3.cp', {
      requestParameters: {
        bucketName: state,
        Host: `${state}.s3.${REGION}.amazonaws.com`,
        key: 'platform/terraform.tfstate',
      },
    });
  },
};
