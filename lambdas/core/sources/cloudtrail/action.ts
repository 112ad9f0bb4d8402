/** The action a CloudTrail record describes: `service:Event`, resource, region, target account. */
import { matchSensitiveAction } from '../../catalogue/sensitive-actions.js';
import { isAccountId, type Action, type Identity } from '../../identity-event.js';
import { asFlag, asObject, asText, capped } from '../fields.js';
import { splitArn } from './arn.js';
import type { CloudTrailRecord } from './file-formats.js';

/** Request parameters that name the resource acted on, in order of preference. */
const RESOURCE_PARAMETERS: readonly string[] = [
  'roleArn',
  'bucketName',
  'secretId',
  'functionName',
  'name',
  'userName',
  'roleName',
  'policyArn',
  'instanceId',
  'keyId',
  'logGroupName',
  'topicArn',
  'queueUrl',
  'tableName',
  'dBInstanceIdentifier',
  'dBSnapshotIdentifier',
  'snapshotId',
  'imageId',
  'trailName',
  'groupName',
  'clusterName',
  'repositoryName',
  'stackName',
  'modelId',
];

/** Preference of each resource-naming request parameter (lower wins). */
const RESOURCE_PARAMETER_RANK: ReadonlyMap<string, number> = new Map(
  RESOURCE_PARAMETERS.map((name, i) => [name, i]),
);

function resourceOf(record: CloudTrailRecord): string | undefined {
  const resources = record['resources'];
  if (Array.isArray(resources)) {
    for (const r of resources) {
      const o = asObject(r);
      const arn = asText(o?.['ARN']) ?? asText(o?.['arn']);
      if (arn !== undefined) return capped(arn, 512);
    }
  }
  const params = asObject(record['requestParameters']);
  if (params === undefined) return undefined;
  // Walk the (few) parameters present rather than probing every known name.
  let best: string | undefined;
  let bestRank = RESOURCE_PARAMETERS.length;
  for (const name in params) {
    const rank = RESOURCE_PARAMETER_RANK.get(name);
    if (rank === undefined || rank >= bestRank) continue;
    const v = params[name];
    if (typeof v === 'string' && v.length > 0) {
      best = v;
      bestRank = rank;
    }
  }
  return best === undefined ? undefined : capped(best, 512);
}

/** Action of a record; the caller's account tells a cross-account call, its names an action on oneself. */
export function actionOf(
  record: CloudTrailRecord,
  eventSource: string,
  eventName: string,
  caller: Identity,
): Action {
  const callerAccount = caller.accountId;
  const dot = eventSource.indexOf('.');
  const action: { -readonly [K in keyof Action]: Action[K] } = {
    name: `${eventSource}:${eventName}`,
    service: dot > 0 ? eventSource.slice(0, dot) : eventSource,
  };
  const resource = resourceOf(record);
  if (resource !== undefined) action.resource = resource;
  const region = asText(record['awsRegion']);
  if (region !== undefined) action.region = capped(region, 64);
  const readOnly = asFlag(record['readOnly']);
  if (readOnly !== undefined) action.isReadOnly = readOnly;
  const recipient = asText(record['recipientAccountId']);
  if (eventName.startsWith('AssumeRole')) {
    const roleArn = asText(asObject(record['requestParameters'])?.['roleArn']);
    if (roleArn !== undefined) {
      action.targetRoleArn = capped(roleArn, 512);
      const target = splitArn(roleArn)?.account;
      if (target !== undefined && isAccountId(target) && target !== callerAccount)
        action.targetAccountId = target;
    }
  }
  if (
    action.targetAccountId === undefined &&
    recipient !== undefined &&
    isAccountId(recipient) &&
    callerAccount !== undefined &&
    recipient !== callerAccount
  ) {
    action.targetAccountId = recipient;
  }
  // The catalogue entry is decided here, where the request parameters are; the event keeps only its id.
  const callerNames: string[] = [];
  if (caller.name !== undefined) callerNames.push(caller.name);
  if (caller.sessionName !== undefined) callerNames.push(caller.sessionName);
  const sensitive = matchSensitiveAction(eventSource, eventName, record['requestParameters'], {
    ...(callerAccount !== undefined ? { account: callerAccount } : {}),
    callerNames,
  });
  if (sensitive !== undefined) action.sensitive = sensitive;
  return action;
}
