/**
 * Attack episode `cross-account-role-chain` — lateral-movement: Cross-account role assumption and
 * role chaining from a compromised function (T1078.004, T1550.001).
 */
import { emitCall, lambdaUserAgent } from '../benign/cloudtrail-calls.js';
import { assumeRolePayload, newRoleSession, type CallSpec, type Resources } from '../cloudtrail-builder.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { lambdaNodeSdk } from '../user-agents.js';
import { lambdaDef, lambdaEnv, type EpisodeDef } from './episode.js';

export const crossAccountPivot: EpisodeDef = {
  slug: 'cross-account-role-chain',
  window: 'business',
  run: (episode) => {
    const { ctx, rng } = episode;
    const fn = lambdaDef(ctx, 'report-exporter');
    const live = lambdaEnv(episode, fn.functionName);
    if (!live) return;
    const env = live.session;
    const technique =
      'Cross-account role assumption and role chaining from a compromised function (T1078.004, T1550.001)';
    const { sharedBackup, sharedBackupAdmin } = ctx.fleet.roles;
    let t = live.atMs;
    const first = newRoleSession(rng, sharedBackup, `report-exporter-${rng.hex(6)}`, t);
    const firstPayload = assumeRolePayload(first, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: env.session,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: lambdaUserAgent(fn, 'sts:AssumeRole'),
        resources: fn.resources,
        requestParameters: firstPayload.requestParameters,
        responseElements: firstPayload.responseElements,
        eventResources: firstPayload.eventResources,
        isCrossAccount: true,
      },
      episode.label('lateral-movement', technique, roleKey(fn.role)),
    );
    t += rng.int(2_000, 20_000);
    const sharedResources: Resources = {
      accountId: ACCOUNTS.shared,
      buckets: [`backup-vault-${ACCOUNTS.shared}`],
      keyPrefix: 'snapshots/',
    };
    const ua = lambdaNodeSdk('sts');
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: first,
        action: 'sts:GetCallerIdentity',
        region: REGION,
        sourceIp: env.ip,
        userAgent: ua,
        resources: sharedResources,
      },
      episode.label('lateral-movement', technique, roleKey(sharedBackup), false),
    );
    t += rng.int(2_000, 20_000);
    const chained = newRoleSession(rng, sharedBackupAdmin, `backup-${rng.hex(6)}`, t);
    const chainedPayload = assumeRolePayload(chained, 3600);
    emitCall(
      ctx,
      rng,
      {
        timeMs: t,
        actor: first,
        action: 'sts:AssumeRole',
        region: REGION,
        sourceIp: env.ip,
        userAgent: ua,
        resources: sharedResources,
        requestParameters: chainedPayload.requestParameters,
        responseElements: chainedPayload.responseElements,
        eventResources: chainedPayload.eventResources,
      },
      episode.label('lateral-movement', technique, roleKey(sharedBackup)),
    );
    const followLabel = episode.label('lateral-movement', technique, roleKey(sharedBackupAdmin), false);
    const follow = (action: string, extra: Partial<CallSpec> = {}): void => {
      t += rng.int(1_000, 15_000);
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: chained,
          action,
          region: REGION,
          sourceIp: env.ip,
          userAgent: lambdaNodeSdk(action.slice(0, action.indexOf(':'))),
          resources: sharedResources,
          ...extra,
        },
        followLabel,
      );
    };
    follow('iam:ListRoles');
    follow('s3:ListBuckets');
    for (let index = 0; index < 3; index += 1) follow('s3:ListObjects');
    const reads = rng.int(5, 12);
    for (let index = 0; index < reads; index += 1) follow('s3:GetObject');
  },
};
