/**
 * Builds CloudTrail records the way AWS writes them: userIdentity by principal type, data vs
 * management events, per-service request parameters, TLS details, AssumeRole responses that carry
 * the issued access key id (never the secret or session token).
 */
import type { Rng } from './prng.js';
import type { CloudTrailRecord } from './types.js';

/** An IAM role as the simulator knows it. */
export interface RoleDef {
  readonly accountId: string;
  readonly name: string;
  /** Unique role id (`AROA…`). */
  readonly roleId: string;
}

/** An IAM user and one of its access keys. */
export interface UserKey {
  readonly accountId: string;
  readonly userName: string;
  /** Unique user id (`AIDA…`). */
  readonly userId: string;
  /** Long-lived access key id (`AKIA…`). */
  readonly accessKeyId: string;
}

/** A role session (the credentials issued by one AssumeRole*). */
export interface RoleSession {
  readonly kind: 'role-session';
  readonly role: RoleDef;
  readonly sessionName: string;
  /** Session access key id (`ASIA…`). */
  readonly accessKeyId: string;
  readonly creationMs: number;
  /** OIDC provider ARN when the session came from AssumeRoleWithWebIdentity. */
  readonly webIdentityProvider?: string;
  /** True for EC2 instance-profile sessions (IMDS delivery). */
  readonly isEc2InstanceProfile?: boolean;
}

/** Who made a call. */
export type Actor =
  | RoleSession
  | ({ readonly kind: 'iam-user' } & UserKey)
  | { readonly kind: 'aws-service'; readonly service: string }
  | {
      readonly kind: 'web-identity';
      readonly providerArn: string;
      readonly subject: string;
      readonly audience: string;
    }
  /** A person federated through a SAML identity provider (IAM Identity Center). */
  | {
      readonly kind: 'saml-user';
      readonly providerArn: string;
      readonly principalId: string;
      readonly userName: string;
    }
  /** A request signed with an access key AWS could not resolve (deleted / never existed). */
  | { readonly kind: 'unknown-key'; readonly accountId: string; readonly accessKeyId: string };

/** The resources an identity works on, used to fill request parameters. */
export interface Resources {
  readonly accountId: string;
  readonly tables?: readonly string[];
  readonly buckets?: readonly string[];
  /** S3 key prefix the identity reads / writes under. */
  readonly keyPrefix?: string;
  readonly queueName?: string;
  readonly topicName?: string;
  readonly kmsKeyId?: string;
  readonly eventBus?: string;
  readonly parameterNames?: readonly string[];
  readonly functionNames?: readonly string[];
  readonly roleNames?: readonly string[];
  readonly stackName?: string;
  readonly secretNames?: readonly string[];
  readonly athenaWorkgroup?: string;
  readonly glueDatabase?: string;
  readonly glueTables?: readonly string[];
  readonly userNames?: readonly string[];
}

/** An API error as CloudTrail records it. */
export interface CallError {
  readonly code: string;
  readonly message: string;
}

/** Everything that varies between two CloudTrail records. */
export interface CallSpec {
  readonly timeMs: number;
  readonly actor: Actor;
  /** IAM-style action, e.g. `dynamodb:GetItem`. */
  readonly action: string;
  readonly region: string;
  /** IP address, or the AWS service host name for service-made calls. */
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly resources: Resources;
  readonly error?: CallError;
  /** AWS service that made the call with the actor's credentials (e.g. CloudFormation). */
  readonly invokedBy?: string;
  /** Overrides of the generated request parameters / response elements. */
  readonly requestParameters?: Readonly<Record<string, unknown>> | null;
  readonly responseElements?: Readonly<Record<string, unknown>> | null;
  /** Resources array (ARNs) for events that carry one. */
  readonly eventResources?: readonly Readonly<Record<string, unknown>>[];
  /** Account whose trail received the event. @default the actor's account */
  readonly recipientAccountId?: string;
  /** Set for cross-account events (a copy is delivered to each account). */
  readonly isCrossAccount?: boolean;
  /** Console-made calls (a console session). */
  readonly isConsole?: boolean;
}

const DATA_EVENTS = new Set([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:BatchWriteItem',
  'dynamodb:BatchGetItem',
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:HeadObject',
  's3:ListObjects',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sns:Publish',
]);

const READ_ONLY_EXCEPTIONS: Readonly<Record<string, boolean>> = {
  'kms:Decrypt': true,
  'kms:GenerateDataKey': true,
  'sts:AssumeRole': true,
  'sts:AssumeRoleWithWebIdentity': true,
  'sts:AssumeRoleWithSAML': true,
  'sqs:ReceiveMessage': true,
  'dynamodb:Query': true,
  'dynamodb:Scan': true,
  's3:HeadObject': true,
  'athena:StartQueryExecution': false,
};

const READ_ONLY_PREFIXES = ['Get', 'List', 'Describe', 'Head', 'Lookup', 'BatchGet'];

/** Whether CloudTrail marks the action read-only. */
export const isReadOnlyAction = (action: string): boolean => {
  const known = READ_ONLY_EXCEPTIONS[action];
  if (known !== undefined) return known;
  const name = action.slice(action.indexOf(':') + 1);
  return READ_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix));
};

/** Whether the action is a data event (logged only by trails with data events enabled). */
export const isDataEvent = (action: string): boolean => DATA_EVENTS.has(action);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's second-precision ISO time. */
export const cloudTrailTime = (timeMs: number): string =>
  new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The "Jun 2, 2025, 11:15:22 AM" spelling STS and IAM use in responseElements. */
export const responseDate = (timeMs: number): string => {
  const date = new Date(timeMs);
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()] ?? 'Jan'} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
};

/** A fresh session access key id. */
export const newSessionKeyId = (rng: Rng): string => `ASIA${rng.base32(16)}`;
/** A fresh long-lived access key id. */
export const newLongLivedKeyId = (rng: Rng): string => `AKIA${rng.base32(16)}`;
/** A fresh unique id with the given IAM prefix (`AROA`, `AIDA`). */
export const newUniqueId = (rng: Rng, prefix: 'AROA' | 'AIDA'): string => `${prefix}${rng.base32(17)}`;

/** ARN of a role. */
export const roleArn = (role: RoleDef): string => `arn:aws:iam::${role.accountId}:role/${role.name}`;
/** ARN of a role session. */
export const sessionArn = (session: RoleSession): string =>
  `arn:aws:sts::${session.role.accountId}:assumed-role/${session.role.name}/${session.sessionName}`;

/** A new role session with its own ASIA key. */
export const newRoleSession = (
  rng: Rng,
  role: RoleDef,
  sessionName: string,
  creationMs: number,
  extra: { readonly webIdentityProvider?: string; readonly isEc2InstanceProfile?: boolean } = {},
): RoleSession => ({
  kind: 'role-session',
  role,
  sessionName,
  accessKeyId: newSessionKeyId(rng),
  creationMs,
  ...extra,
});

const actorAccount = (actor: Actor): string | undefined => {
  switch (actor.kind) {
    case 'role-session':
      return actor.role.accountId;
    case 'iam-user':
    case 'unknown-key':
      return actor.accountId;
    case 'aws-service':
    case 'web-identity':
    case 'saml-user':
      return undefined;
  }
};

const userIdentity = (actor: Actor, invokedBy: string | undefined): Record<string, unknown> => {
  switch (actor.kind) {
    case 'role-session': {
      const role = actor.role;
      return {
        type: 'AssumedRole',
        principalId: `${role.roleId}:${actor.sessionName}`,
        arn: sessionArn(actor),
        accountId: role.accountId,
        accessKeyId: actor.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: role.roleId,
            arn: roleArn(role),
            accountId: role.accountId,
            userName: role.name,
          },
          webIdFederationData:
            actor.webIdentityProvider === undefined
              ? {}
              : { federatedProvider: actor.webIdentityProvider, attributes: {} },
          attributes: { creationDate: cloudTrailTime(actor.creationMs), mfaAuthenticated: 'false' },
          ...(actor.isEc2InstanceProfile === true ? { ec2RoleDelivery: '2.0' } : {}),
        },
        ...(invokedBy === undefined ? {} : { invokedBy }),
      };
    }
    case 'iam-user':
      return {
        type: 'IAMUser',
        principalId: actor.userId,
        arn: `arn:aws:iam::${actor.accountId}:user/${actor.userName}`,
        accountId: actor.accountId,
        accessKeyId: actor.accessKeyId,
        userName: actor.userName,
        ...(invokedBy === undefined ? {} : { invokedBy }),
      };
    case 'aws-service':
      return { type: 'AWSService', invokedBy: actor.service };
    case 'web-identity':
      return {
        type: 'WebIdentityUser',
        principalId: `${actor.providerArn}:${actor.audience}:${actor.subject}`,
        userName: actor.subject,
        identityProvider: actor.providerArn,
      };
    case 'saml-user':
      return {
        type: 'SAMLUser',
        principalId: actor.principalId,
        userName: actor.userName,
        identityProvider: actor.providerArn,
      };
    case 'unknown-key':
      return { type: 'Unknown', principalId: '', accountId: actor.accountId, accessKeyId: actor.accessKeyId };
  }
};

const pickOr = (rng: Rng, items: readonly string[] | undefined, fallback: string): string =>
  items && items.length > 0 ? rng.pick(items) : fallback;

const objectKey = (rng: Rng, resources: Resources): string =>
  `${resources.keyPrefix ?? 'data/'}${rng.hex(8)}/${rng.hex(12)}.json`;

const s3Request = (
  rng: Rng,
  region: string,
  resources: Resources,
  withKey: boolean,
): Record<string, unknown> => {
  const bucketName = pickOr(rng, resources.buckets, `example-data-${resources.accountId}`);
  return {
    bucketName,
    Host: `${bucketName}.s3.${region}.amazonaws.com`,
    ...(withKey ? { key: objectKey(rng, resources) } : {}),
  };
};

const dynamoKey = { pk: 'HIDDEN_DUE_TO_SECURITY_REASONS' };

/** Default request parameters per action; null where CloudTrail logs none. */
const requestParametersFor = (
  rng: Rng,
  action: string,
  region: string,
  resources: Resources,
): Record<string, unknown> | null => {
  const table = pickOr(rng, resources.tables, 'orders');
  const queueUrl = `https://sqs.${region}.amazonaws.com/${resources.accountId}/${resources.queueName ?? 'jobs'}`;
  switch (action) {
    case 'dynamodb:GetItem':
    case 'dynamodb:DeleteItem':
      return { tableName: table, key: dynamoKey, consistentRead: false };
    case 'dynamodb:PutItem':
      return { tableName: table, key: dynamoKey };
    case 'dynamodb:UpdateItem':
      return { tableName: table, key: dynamoKey, updateExpression: 'HIDDEN_DUE_TO_SECURITY_REASONS' };
    case 'dynamodb:Query':
      return {
        tableName: table,
        keyConditionExpression: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        limit: rng.pick([25, 50, 100]),
      };
    case 'dynamodb:Scan':
      return { tableName: table, limit: 1000 };
    case 'dynamodb:BatchWriteItem':
      return { requestItems: [{ tableName: table, key: dynamoKey }] };
    case 'dynamodb:DescribeTable':
      return { tableName: table };
    case 'sqs:SendMessage':
    case 'sqs:ReceiveMessage':
    case 'sqs:DeleteMessage':
    case 'sqs:GetQueueAttributes':
      return { queueUrl };
    case 'sns:Publish':
      return { topicArn: `arn:aws:sns:${region}:${resources.accountId}:${resources.topicName ?? 'events'}` };
    case 'events:PutEvents':
      return {
        entries: [
          { eventBusName: resources.eventBus ?? 'default', source: 'orders', detailType: 'OrderUpdated' },
        ],
      };
    case 'kms:Decrypt':
      return { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: resources.kmsKeyId ?? 'alias/aws/lambda' };
    case 'kms:GenerateDataKey':
      return { keyId: resources.kmsKeyId ?? 'alias/aws/s3', keySpec: 'AES_256' };
    case 's3:GetObject':
    case 's3:PutObject':
    case 's3:HeadObject':
    case 's3:DeleteObject':
      return s3Request(rng, region, resources, true);
    case 's3:ListObjects':
      return {
        ...s3Request(rng, region, resources, false),
        prefix: resources.keyPrefix ?? '',
        'list-type': '2',
      };
    case 's3:GetBucketPolicy':
      return { ...s3Request(rng, region, resources, false), policy: '' };
    case 's3:GetBucketVersioning':
      return { ...s3Request(rng, region, resources, false), versioning: '' };
    case 's3:GetBucketAcl':
      return { ...s3Request(rng, region, resources, false), acl: '' };
    case 's3:GetBucketTagging':
      return { ...s3Request(rng, region, resources, false), tagging: '' };
    case 's3:ListBuckets':
      return { Host: `s3.${region}.amazonaws.com` };
    case 'ssm:GetParameter':
      return { name: pickOr(rng, resources.parameterNames, '/app/config'), withDecryption: true };
    case 'athena:StartQueryExecution':
      return {
        queryString: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        workGroup: resources.athenaWorkgroup ?? 'primary',
      };
    case 'athena:GetQueryExecution':
    case 'athena:GetQueryResults':
      return { queryExecutionId: rng.uuid() };
    case 'glue:GetTable':
      return {
        databaseName: resources.glueDatabase ?? 'default',
        name: pickOr(rng, resources.glueTables, 'events'),
      };
    case 'glue:GetPartitions':
      return {
        databaseName: resources.glueDatabase ?? 'default',
        tableName: pickOr(rng, resources.glueTables, 'events'),
      };
    case 'cloudformation:DescribeStacks':
    case 'cloudformation:DescribeStackEvents':
    case 'cloudformation:ExecuteChangeSet':
      return { stackName: resources.stackName ?? 'app' };
    case 'cloudformation:CreateChangeSet':
      return {
        stackName: resources.stackName ?? 'app',
        changeSetName: `awscli-cloudformation-package-deploy-${rng.int(1_700_000_000, 1_799_999_999)}`,
        changeSetType: 'UPDATE',
        capabilities: ['CAPABILITY_IAM'],
      };
    case 'cloudformation:DescribeChangeSet':
      return {
        changeSetName: `arn:aws:cloudformation:${region}:${resources.accountId}:changeSet/${rng.uuid()}`,
        stackName: resources.stackName ?? 'app',
      };
    case 'lambda:GetFunction20150331v2':
    case 'lambda:UpdateFunctionConfiguration20150331v2':
    case 'lambda:ListVersionsByFunction20150331':
      return { functionName: pickOr(rng, resources.functionNames, 'app') };
    case 'lambda:UpdateFunctionCode20150331v2':
      return { functionName: pickOr(rng, resources.functionNames, 'app'), publish: false, dryRun: false };
    case 'iam:GetRole':
    case 'iam:ListRolePolicies':
    case 'iam:ListAttachedRolePolicies':
      return { roleName: pickOr(rng, resources.roleNames, 'app-role') };
    case 'iam:ListAccessKeys':
    case 'iam:CreateAccessKey':
    case 'iam:CreateUser':
    case 'iam:GetUser':
    case 'iam:ListAttachedUserPolicies':
      return { userName: pickOr(rng, resources.userNames, 'app-user') };
    case 'secretsmanager:GetSecretValue':
      return { secretId: pickOr(rng, resources.secretNames, 'prod/app') };
    case 'sts:GetCallerIdentity':
    case 's3:GetBucketLocation':
      return null;
    default:
      return null;
  }
};

/** Default response elements (null for reads, as CloudTrail logs them). */
const responseElementsFor = (
  rng: Rng,
  action: string,
  region: string,
  resources: Resources,
): Record<string, unknown> | null => {
  switch (action) {
    case 'sqs:SendMessage':
      return { mD5OfMessageBody: rng.hex(32), messageId: rng.uuid() };
    case 'sns:Publish':
      return { messageId: rng.uuid() };
    case 'events:PutEvents':
      return { failedEntryCount: 0, entries: [{ eventId: rng.uuid() }] };
    case 'athena:StartQueryExecution':
      return { queryExecutionId: rng.uuid() };
    case 'cloudformation:CreateChangeSet':
      return {
        id: `arn:aws:cloudformation:${region}:${resources.accountId}:changeSet/${rng.uuid()}`,
        stackId: `arn:aws:cloudformation:${region}:${resources.accountId}:stack/${resources.stackName ?? 'app'}/${rng.uuid()}`,
      };
    case 's3:PutObject':
      return { 'x-amz-server-side-encryption': 'aws:kms' };
    default:
      return null;
  }
};

const eventResourcesFor = (
  action: string,
  region: string,
  resources: Resources,
  request: Record<string, unknown> | null,
): Record<string, unknown>[] | undefined => {
  if (action.startsWith('dynamodb:') && request && typeof request['tableName'] === 'string') {
    return [
      {
        accountId: resources.accountId,
        type: 'AWS::DynamoDB::Table',
        ARN: `arn:aws:dynamodb:${region}:${resources.accountId}:table/${request['tableName']}`,
      },
    ];
  }
  if (action.startsWith('s3:') && request && typeof request['bucketName'] === 'string') {
    const bucket = request['bucketName'];
    const objectArn =
      typeof request['key'] === 'string'
        ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${request['key']}` }]
        : [];
    return [
      ...objectArn,
      { accountId: resources.accountId, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ];
  }
  if (action === 'kms:Decrypt' || action === 'kms:GenerateDataKey') {
    return [
      {
        accountId: resources.accountId,
        type: 'AWS::KMS::Key',
        ARN: `arn:aws:kms:${region}:${resources.accountId}:key/${resources.kmsKeyId ?? 'a1b2c3d4-5678-90ab-cdef-111122223333'}`,
      },
    ];
  }
  return undefined;
};

const hostFor = (prefix: string, region: string): string => {
  if (prefix === 'iam') return 'iam.amazonaws.com';
  if (prefix === 's3') return `s3.${region}.amazonaws.com`;
  return `${prefix}.${region}.amazonaws.com`;
};

/** S3 request ids are 16 upper-case hex characters; most other services use UUIDs. */
const requestIdFor = (rng: Rng, prefix: string): string =>
  prefix === 's3' ? rng.hex(16).toUpperCase() : rng.uuid();

/** One CloudTrail record for the call. */
export const cloudTrailRecord = (rng: Rng, spec: CallSpec): CloudTrailRecord => {
  const separator = spec.action.indexOf(':');
  const prefix = spec.action.slice(0, separator);
  const eventName = spec.action.slice(separator + 1);
  const isData = isDataEvent(spec.action);
  const isServiceSource = !/^\d/.test(spec.sourceIp);
  const region = prefix === 'iam' ? 'us-east-1' : spec.region;
  const request =
    spec.requestParameters === undefined
      ? requestParametersFor(rng, spec.action, region, spec.resources)
      : spec.requestParameters;
  const response =
    spec.error !== undefined
      ? null
      : spec.responseElements === undefined
        ? responseElementsFor(rng, spec.action, region, spec.resources)
        : spec.responseElements;
  const eventResources =
    spec.eventResources ?? eventResourcesFor(spec.action, region, spec.resources, request);
  const recipient = spec.recipientAccountId ?? actorAccount(spec.actor) ?? spec.resources.accountId;
  const record: Record<string, unknown> = {
    eventVersion: isData ? '1.09' : '1.08',
    userIdentity: userIdentity(spec.actor, spec.invokedBy),
    eventTime: cloudTrailTime(spec.timeMs),
    eventSource: `${prefix}.amazonaws.com`,
    eventName,
    awsRegion: region,
    sourceIPAddress: spec.sourceIp,
    userAgent: spec.userAgent,
  };
  if (spec.error) {
    record['errorCode'] = spec.error.code;
    record['errorMessage'] = spec.error.message;
  }
  record['requestParameters'] = request;
  record['responseElements'] = response;
  if (prefix === 's3' && isData) {
    record['additionalEventData'] = {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: eventName === 'PutObject' ? rng.int(400, 250_000) : 0,
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': rng.base32(40),
      bytesTransferredOut: eventName === 'GetObject' && spec.error === undefined ? rng.int(400, 900_000) : 0,
    };
  }
  record['requestID'] = requestIdFor(rng, prefix);
  record['eventID'] = rng.uuid();
  record['readOnly'] = isReadOnlyAction(spec.action);
  if (eventResources) record['resources'] = eventResources;
  record['eventType'] = 'AwsApiCall';
  record['managementEvent'] = !isData;
  record['recipientAccountId'] = recipient;
  if (spec.isCrossAccount === true) record['sharedEventID'] = rng.uuid();
  record['eventCategory'] = isData ? 'Data' : 'Management';
  if (!isServiceSource) {
    record['tlsDetails'] = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: hostFor(prefix, region),
    };
  }
  if (spec.isConsole === true) record['sessionCredentialFromConsole'] = 'true';
  return record as unknown as CloudTrailRecord;
};

/** Request / response of an AssumeRole that issued `issued` (credentials by key id only). */
export const assumeRolePayload = (
  issued: RoleSession,
  durationSeconds: number,
): {
  requestParameters: Record<string, unknown>;
  responseElements: Record<string, unknown>;
  eventResources: Record<string, unknown>[];
} => ({
  requestParameters: { roleArn: roleArn(issued.role), roleSessionName: issued.sessionName, durationSeconds },
  responseElements: {
    credentials: {
      accessKeyId: issued.accessKeyId,
      expiration: responseDate(issued.creationMs + durationSeconds * 1000),
    },
    assumedRoleUser: {
      assumedRoleId: `${issued.role.roleId}:${issued.sessionName}`,
      arn: sessionArn(issued),
    },
  },
  eventResources: [{ accountId: issued.role.accountId, type: 'AWS::IAM::Role', ARN: roleArn(issued.role) }],
});

/** The standard AccessDenied message of an identity-based-policy denial. */
export const accessDeniedMessage = (actor: Actor, action: string, resourceArn: string): string => {
  const principal =
    actor.kind === 'role-session'
      ? sessionArn(actor)
      : actor.kind === 'iam-user'
        ? `arn:aws:iam::${actor.accountId}:user/${actor.userName}`
        : 'anonymous';
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resourceArn} because no identity-based policy allows the ${action} action`;
};
