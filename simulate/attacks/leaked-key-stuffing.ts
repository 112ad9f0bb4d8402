/**
 * Attack episode `leaked-key-stuffing` — credential-stuffing: Credential stuffing with a list of
 * leaked access keys (T1110.004). success-after-failures: Valid leaked access key found by stuffing
 * (T1078.004).
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import { newLongLivedKeyId, type Actor, type CallError, type Resources } from '../cloudtrail-builder.js';
import { ACCOUNTS, REGION, userKeyOf } from '../fleet.js';
import { NETWORKS, randomHost } from '../networks.js';
import { ATTACKER_UA } from '../user-agents.js';
import { SIGNATURE_MISMATCH, type EpisodeDef } from './episode.js';

const INVALID_TOKEN: CallError = {
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid.',
};

export const accessKeyStuffing: EpisodeDef = {
  slug: 'leaked-key-stuffing',
  window: 'offHours',
  run: (episode) => {
    const { ctx, rng } = episode;
    const ip = randomHost(rng, NETWORKS.torExitNl);
    const technique = 'Credential stuffing with a list of leaked access keys (T1110.004)';
    const targets: Actor[] = [
      ...rng
        .shuffle(ctx.fleet.users.idle)
        .slice(0, 5)
        .map((key): Actor => ({ kind: 'iam-user', ...key })),
      { kind: 'unknown-key', accountId: ACCOUNTS.workload, accessKeyId: newLongLivedKeyId(rng) },
      { kind: 'unknown-key', accountId: ACCOUNTS.workload, accessKeyId: newLongLivedKeyId(rng) },
    ];
    let t = episode.atMs;
    for (const actor of rng.shuffle(targets)) {
      const attempts = rng.int(1, 3);
      // A key AWS cannot resolve has no identity to attribute it to.
      const identityKey = actor.kind === 'iam-user' ? userKeyOf(actor) : undefined;
      for (let index = 0; index < attempts; index += 1) {
        emitCall(
          ctx,
          rng,
          {
            timeMs: t,
            actor,
            action: 'sts:GetCallerIdentity',
            region: REGION,
            sourceIp: ip,
            userAgent: ATTACKER_UA.kaliBoto3,
            resources: { accountId: ACCOUNTS.workload },
            requestParameters: null,
            error: actor.kind === 'unknown-key' ? INVALID_TOKEN : SIGNATURE_MISMATCH,
          },
          episode.label('credential-stuffing', technique, identityKey),
        );
        t += rng.int(800, 9_000);
      }
    }
    // One key in the list is valid: the source that just failed against many identities gets in.
    t += rng.int(20_000, 90_000);
    const valid: Actor = { kind: 'iam-user', ...ctx.fleet.users.terraformBootstrap };
    const successLabel = episode.label(
      'success-after-failures',
      'Valid leaked access key found by stuffing (T1078.004)',
      userKeyOf(ctx.fleet.users.terraformBootstrap),
    );
    const resources: Resources = {
      accountId: ACCOUNTS.workload,
      userNames: [ctx.fleet.users.terraformBootstrap.userName],
    };
    for (const action of [
      'sts:GetCallerIdentity',
      'iam:GetUser',
      'iam:ListAttachedUserPolicies',
      's3:ListBuckets',
      'iam:ListUsers',
      'iam:ListRoles',
    ]) {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: valid,
          action,
          region: REGION,
          sourceIp: ip,
          userAgent: ATTACKER_UA.kaliBoto3,
          resources,
        },
        successLabel,
      );
      t += rng.int(1_000, 12_000);
    }
  },
};
