/**
 * The stored form of a state record's body (the `body` attribute of the baseline table).
 *
 * DynamoDB bills a write by the started kilobyte of the item, so a record's body is what decides
 * whether a write costs one unit or three. A record is a small JSON document (a few hundred bytes
 * to a few KB) whose bytes are mostly the same field names and shapes in every record; a general
 * compressor starting from an empty window cannot exploit that on so little text (gzip took a
 * 2.3 KB identity record to ~660 bytes). A zlib stream with a *preset dictionary* of those shared
 * names and shapes starts with them in its window: the same record takes ~300 bytes, lossless,
 * with nothing about the record's content or meaning changed.
 *
 * Formats, told apart by their first bytes, all readable forever:
 * - `S`: the JSON text (what records under the old 1 KB gzip threshold were written as);
 * - `B` starting `1f 8b`: gzip of the JSON (records written before the dictionary);
 * - `B` starting with a zlib header: zlib with the preset dictionary {@link RECORD_DICTIONARY_V1};
 *   the stream names its dictionary (Adler-32 in the header) and checks its data (Adler-32 trailer),
 *   so a body written with another dictionary fails loudly instead of decoding to garbage.
 *
 * The dictionary is part of the stored format: it must never change. A better one is a new
 * constant (V2) tried by its Adler-32 id, with V1 kept for the records already written.
 */
import { constants, deflateSync, gunzipSync, inflateSync } from 'node:zlib';

/**
 * Field names, shapes and common values of state records (identity baselines, credentials, rate
 * profiles, incidents, sources, populations, links), least frequent first: deflate reaches the end
 * of its window with the shortest distances. Generic to every deployment: no fleet's own values.
 * FROZEN: stored records depend on every byte (test/adapters/record-codec.test.ts pins its Adler-32).
 */
export const RECORD_DICTIONARY_V1: Buffer = Buffer.from(
  [
    '{"type":"link","key":"lnk#ASIA","accessKeyId":"ASIA","issuedAtMs":,"expiresAtMs":,"chain":{"steps":[{"principal":"arn:aws:iam::',
    ':assumed-role/","via":"sts.amazonaws.com:AssumeRoleWithWebIdentity","sts.amazonaws.com:GetSessionToken"}]},',
    '{"type":"source","key":"src#","ip":"',
    '{"type":"population","key":"pop#kind#","scope":"kind","pop#acct#","scope":"account","account":"api:","kind":"lambda","kind":"ec2-instance","kind":"container","kind":"ci-oidc","kind":"iam-user","kind":"api-client","kind":"human","kind":"role",',
    '"identities":,"actions":{"iam.amazonaws.com:ListRoles":{"n":1,"f":,"l":,"i":1},"sts.amazonaws.com:GetCallerIdentity":{"n":1,"f":,"l":,"i":1},',
    '"incident":{"id":"inc-","startMs":,"lastMs":,"severity":"HIGH","severity":"MEDIUM","severity":"LOW","severity":"CRITICAL","alerts":1,"alertedSeverity":"HIGH","alerted":["',
    '"],"findingCount":1,"keys":["","facts":[{"t":,"ruleId":"new-source","summary":"","items":[""]}],"factsOmitted":0},',
    '"reads":[{"t":,"k":"s3:GetObject","g":"data"},{"t":,"k":"","g":"discovery"}],"readPeaks":{"data":{"p":0,"c":1,"s":},"discovery":{"p":0,"c":1,"s":}},',
    '"failures":[{"t":,"k":"","c":"AccessDenied"},{"t":,"k":"","c":"InvalidClientTokenId"}],"denials":[{"t":,"k":"","c":"UnauthorizedOperation"}],',
    '"uaFamilies":{"terraform":{"n":1,"f":,"l":},"aws-cli":{"n":1,"f":,"l":},"boto3":{"n":1,"f":,"l":},"botocore":{"n":1,"f":,"l":},"aws-sdk-go":{"n":1,"f":,"l":},"aws-sdk-java":{"n":1,"f":,"l":},"python-requests":{"n":1,"f":,"l":},"curl":{"n":1,"f":,"l":},"console":{"n":1,"f":,"l":},"aws-internal":{"n":1,"f":,"l":},"aws-sdk-js":{"n":1,"f":,"l":}},',
    '"uaClasses":{"iac":{"n":1,"f":,"l":},"cli":{"n":1,"f":,"l":},"http-library":{"n":1,"f":,"l":},"browser":{"n":1,"f":,"l":},"aws-internal":{"n":1,"f":,"l":},"sdk":{"n":1,"f":,"l":}},',
    '"kind":"iam-user","kind":"root","kind":"federated","kind":"aws-service","kind":"api-client","kind":"unknown","kind":"access-key","kind":"bearer-token","kind":"api-key","kind":"client-certificate",',
    '"rolesAssumed":{"arn:aws:iam::":{"n":1,"f":,"l":}},"targetAccounts":{"":{"n":1,"f":,"l":}},"scopes":{"":{"n":1,"f":,"l":}},"vpcEndpoints":{"vpce-":{"n":1,"f":,"l":}},"awsServices":{"lambda.amazonaws.com":{"n":1,"f":,"l":},"cloudformation.amazonaws.com":{"n":1,"f":,"l":}},"subjects":{"repo:":{"n":1,"f":,"l":}},"subjectOwners":{"":{"n":1,"f":,"l":}},',
    '"actions":{"sts.amazonaws.com:AssumeRole":{"n":1,"f":,"l":},"s3.amazonaws.com:PutObject":{"n":1,"f":,"l":},"s3.amazonaws.com:GetObject":{"n":1,"f":,"l":},"dynamodb.amazonaws.com:Query":{"n":1,"f":,"l":},"dynamodb.amazonaws.com:PutItem":{"n":1,"f":,"l":},"dynamodb.amazonaws.com:GetItem":{"n":1,"f":,"l":},"sqs.amazonaws.com:ReceiveMessage":{"n":1,"f":,"l":},"sqs.amazonaws.com:SendMessage":{"n":1,"f":,"l":},"kms.amazonaws.com:Decrypt":{"n":1,"f":,"l":},"GET /":{"n":1,"f":,"l":},"POST /":{"n":1,"f":,"l":}},',
    '"credentials":{"AKIA":{"kind":"access-key","f":,"l":,"n":1,"origins":{"net:":{"n":1,"f":,"l":},"svc:":{"n":1,"f":,"l":},"raw:":{"n":1,"f":,"l":},"AS":{"n":1,"f":,"l":}},"hasAws":false,"hasOutside":true,"uaClasses":{"cli":{"n":1,"f":,"l":}},"nets":{"priv:":{"n":1,"f":,"l":}}},',
    '"ASIA":{"kind":"session-key","f":,"l":,"n":1,"origins":{"AS16509":{"n":1,"f":,"l":},"AS14618":{"n":1,"f":,"l":}},"hasAws":true,"hasOutside":false,"uaClasses":{"sdk":{"n":1,"f":,"l":}},"nets":{".0/24":{"n":1,"f":,"l":}},"hasAwsNetwork":true}},',
    '"rate":{"bucketStartMs":,"bucketCount":1,"peak":1,"slots":[{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0}],"minuteStartMs":,"minuteCount":1},"failures":[],"denials":[],"batches":["bf:","',
    '"],"accountId":"123456789012","principal":"arn:aws:iam::123456789012:role/","name":"","liveFromMs":',
    '{"type":"identity","key":"aws:123456789012:role/","kind":"iam-role","firstSeenMs":,"lastSeenMs":,"eventCount":1,"maxGapMs":0,',
    '"dims":{"networks":{".0/24":{"n":1,"f":,"l":}},"asns":{"16509":{"n":1,"f":,"l":},"14618":{"n":1,"f":,"l":}},"countries":{"US":{"n":1,"f":,"l":}},"uaFamilies":{"aws-sdk-js":{"n":1,"f":,"l":}},"uaClasses":{"sdk":{"n":1,"f":,"l":}},"actions":{"":{"n":1,"f":,"l":}},"rolesAssumed":{},"targetAccounts":{},"scopes":{},"credentialKinds":{"session-key":{"n":1,"f":,"l":}},"vpcEndpoints":{},"awsServices":{},"regions":{"us-east-1":{"n":1,"f":,"l":}},"subjects":{},"subjectOwners":{}},',
    '"credentials":{"ASIA":{"kind":"session-key","f":,"l":,"n":1,"origins":{"AS16509":{"n":1,"f":,"l":}},"hasAws":true,"hasOutside":false,"uaClasses":{"sdk":{"n":1,"f":,"l":}},"nets":{".0/24":{"n":1,"f":,"l":}},"hasAwsNetwork":true}},',
    '"rate":{"bucketStartMs":,"bucketCount":1,"peak":1,"slots":[{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0},{"m":0,"v":0,"s":0}],"minuteStartMs":,"minuteCount":1},"failures":[],"denials":[],"batches":["',
  ].join(''),
  'utf8',
);

/** zlib at its best ratio: bodies are a few hundred bytes, where level 9 costs microseconds more than 6. */
const DEFLATE_OPTIONS = { dictionary: RECORD_DICTIONARY_V1, level: constants.Z_BEST_COMPRESSION } as const;
const INFLATE_OPTIONS = { dictionary: RECORD_DICTIONARY_V1 } as const;

/** A record body as stored: JSON text, or compressed bytes. */
export type StoredBody = { readonly S: string } | { readonly B: Uint8Array };

/** Compress a record's JSON text with the record dictionary (zlib format, dictionary id in the header). */
export const compressRecordJson = (json: string): Buffer => deflateSync(json, DEFLATE_OPTIONS);

/** The JSON text of a stored body in any of its formats; throws on a body it cannot read. */
export function recordJsonOf(body: { readonly S?: string; readonly B?: Uint8Array } | undefined): string {
  if (body?.S !== undefined) return body.S;
  const bytes = body?.B;
  if (bytes === undefined) throw new Error('record body is neither S nor B');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes).toString('utf8');
  return inflateSync(bytes, INFLATE_OPTIONS).toString('utf8');
}
