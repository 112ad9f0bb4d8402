/**
 * Attack episode `etl-snapshot-share-outside` — sensitive-action: a poisoned image of the nightly
 * ETL task snapshots the data-lake volume and the reporting database and shares both snapshots with
 * an account outside the organisation (T1537), from the task's own egress with its own SDK. The task
 * only ever reads and writes the data lake: it has never shared anything.
 */
import { emitCall } from '../benign/cloudtrail-calls.js';
import type { CallSpec, Resources } from '../cloudtrail-builder.js';
import { ACCOUNTS, REGION, roleKey } from '../fleet.js';
import { FARGATE_BOTO3 } from '../user-agents.js';
import type { EpisodeDef } from './episode.js';

export const etlSnapshotShareOutside: EpisodeDef = {
  slug: 'etl-snapshot-share-outside',
  window: 'etlRun',
  run: (episode) => {
    const { ctx, rng } = episode;
    const run = ctx.state.etlRuns.find(
      (candidate) => candidate.fromMs <= episode.atMs && episode.atMs < candidate.toMs,
    );
    if (!run) return;
    const technique = 'Snapshots shared with an outside account by a poisoned ETL image (T1537)';
    const setup = episode.label('sensitive-action', technique, roleKey(run.session.role), false);
    const signal = episode.label('sensitive-action', technique, roleKey(run.session.role));
    // A 12-digit account that is none of the fleet's: the attacker's.
    const outside = String(rng.int(100_000_000_000, 999_999_999_999));
    const volumeId = `vol-0${rng.hex(16)}`;
    const snapshotId = `snap-0${rng.hex(16)}`;
    const dbSnapshot = `datalake-reporting-${rng.hex(6)}`;
    const resources: Resources = { accountId: ACCOUNTS.workload };
    let t = episode.atMs;
    const call = (action: string, extra: Partial<CallSpec>, isSignal: boolean): void => {
      emitCall(
        ctx,
        rng,
        {
          timeMs: t,
          actor: run.session,
          action,
          region: REGION,
          sourceIp: run.ip,
          userAgent: FARGATE_BOTO3,
          resources,
          ...extra,
        },
        isSignal ? signal : setup,
      );
      t += rng.int(3_000, 40_000);
    };
    call('ec2:CreateSnapshot', { requestParameters: { volumeId, description: 'nightly' } }, false);
    t += rng.int(2 * 60_000, 6 * 60_000);
    call(
      'ec2:ModifySnapshotAttribute',
      {
        requestParameters: {
          snapshotId,
          createVolumePermission: { add: { items: [{ userId: outside }] } },
          attributeType: 'CREATE_VOLUME_PERMISSION',
        },
        responseElements: { _return: true },
      },
      true,
    );
    call(
      'rds:CreateDBSnapshot',
      { requestParameters: { dBSnapshotIdentifier: dbSnapshot, dBInstanceIdentifier: 'reporting' } },
      false,
    );
    t += rng.int(5 * 60_000, 12 * 60_000);
    call(
      'rds:ModifyDBSnapshotAttribute',
      {
        requestParameters: {
          dBSnapshotIdentifier: dbSnapshot,
          attributeName: 'restore',
          valuesToAdd: [outside],
        },
        responseElements: null,
      },
      true,
    );
  },
};
