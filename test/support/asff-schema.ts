/**
 * Validate an ASFF finding against the Security Hub SDK's own schema, so tests (and the loopback
 * Security Hub receiver) reject what the real service would. Security Hub has no emulator; the
 * SDK ships the service model as smithy schema tuples, which this walks:
 *
 *   structure  [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]
 *   union      [4, namespace, name, traits, memberNames, memberSchemas]
 *   list       [1, namespace, name, traits, memberSchema]
 *   map        [2, namespace, name, traits, keySchema, valueSchema]
 *   simple     [0, namespace, name, traits, schema]
 *   a number   0 string, 1 number, 2 boolean, 4–7 timestamp, 15 document, 21 blob, 17/19 big
 *              numbers; `64 | x` a list of x, `128 | x` a map of string to x
 *   a function a lazy reference to one of the above
 *
 * The first `requiredCount` member names of a structure are its required members. The schema is
 * an internal SDK shape: test/core/asff.test.ts pins the required list, so an SDK upgrade that
 * changes it is noticed, and an unknown schema form is reported instead of silently accepted.
 *
 * On top of the schema (which carries no constraints) it checks the documented ASFF rules:
 * SchemaVersion, the 12-digit account, the extra required Severity and Types, enums, length and
 * count limits, RFC 3339 timestamps, the Types taxonomy and the 240 KB size limit.
 */
import * as securityHub from '@aws-sdk/client-securityhub';

type SchemaRef = unknown;

/** The SDK's AwsSecurityFinding schema tuple. */
export const AWS_SECURITY_FINDING_SCHEMA: SchemaRef = (securityHub as unknown as Record<string, unknown>)[
  'AwsSecurityFinding$'
];

const LIST_MODIFIER = 0b0100_0000;
const MAP_MODIFIER = 0b1000_0000;

/** Members the ASFF documentation requires in addition to the SDK's required list. */
export const ASFF_DOC_REQUIRED = ['Severity', 'Types'] as const;

const ENUMS: Readonly<Record<string, readonly string[]>> = {
  'Severity.Label': Object.values(securityHub.SeverityLabel),
  'FindingProviderSeverity.Label': Object.values(securityHub.SeverityLabel),
  'Compliance.Status': Object.values(securityHub.ComplianceStatus),
  'AwsSecurityFinding.RecordState': Object.values(securityHub.RecordState),
  'AwsSecurityFinding.VerificationState': Object.values(securityHub.VerificationState),
  'AwsSecurityFinding.WorkflowState': Object.values(securityHub.WorkflowState),
  'Workflow.Status': Object.values(securityHub.WorkflowStatus),
  'Resource.Partition': Object.values(securityHub.Partition),
  'Resource.Provider': Object.values(securityHub.CloudProviderName),
  // Documented values that the SDK types as plain strings.
  'Resource.ResourceRole': ['Actor', 'Target'],
  'Action.ActionType': ['NETWORK_CONNECTION', 'AWS_API_CALL', 'DNS_REQUEST', 'PORT_PROBE'],
  'AwsApiCallAction.CallerType': ['remoteip', 'domain'],
};

/** Documented maximum lengths (characters) of string members. */
const MAX_CHARS: Readonly<Record<string, number>> = {
  'AwsSecurityFinding.Id': 512,
  'AwsSecurityFinding.GeneratorId': 512,
  'AwsSecurityFinding.ProductArn': 2048,
  'AwsSecurityFinding.ProductName': 128,
  'AwsSecurityFinding.CompanyName': 128,
  'AwsSecurityFinding.Region': 16,
  'AwsSecurityFinding.Title': 256,
  'AwsSecurityFinding.Description': 1024,
  'AwsSecurityFinding.AwsAccountName': 50,
  'Resource.Type': 256,
  'Resource.Region': 16,
  'Severity.Original': 64,
  'FindingProviderSeverity.Original': 64,
  'Recommendation.Text': 512,
  'AwsApiCallAction.Api': 128,
  'AwsApiCallAction.ServiceName': 128,
};

/** Documented item counts of list members: [min, max]. */
const LIST_ITEMS: Readonly<Record<string, readonly [number, number]>> = {
  'AwsSecurityFinding.Types': [0, 50],
  'AwsSecurityFinding.Resources': [1, 32],
  'AwsSecurityFinding.Malware': [0, 5],
  'AwsSecurityFinding.Threats': [1, 32],
  'AwsSecurityFinding.ThreatIntelIndicators': [1, 5],
  'AwsSecurityFinding.RelatedFindings': [1, 10],
  'FindingProviderFields.Types': [0, 50],
  'Compliance.RelatedRequirements': [0, 32],
};

/** Documented map limits: [max keys, max key chars, max value chars]. */
const MAP_LIMITS: Readonly<Record<string, readonly [number, number, number]>> = {
  'AwsSecurityFinding.ProductFields': [50, 128, 2048],
  'AwsSecurityFinding.UserDefinedFields': [50, 128, 1024],
  'ResourceDetails.Other': [50, 128, 1024],
};

/** String members that Security Hub validates as RFC 3339 timestamps. */
const TIMESTAMP_STRINGS = new Set([
  'AwsSecurityFinding.CreatedAt',
  'AwsSecurityFinding.UpdatedAt',
  'AwsSecurityFinding.FirstObservedAt',
  'AwsSecurityFinding.LastObservedAt',
  'AwsSecurityFinding.ProcessedAt',
  'AwsApiCallAction.FirstSeen',
  'AwsApiCallAction.LastSeen',
  'Note.UpdatedAt',
  'ThreatIntelIndicator.LastObservedAt',
  'ProcessDetails.LaunchedAt',
  'ProcessDetails.TerminatedAt',
  'AwsIamAccessKeyDetails.CreatedAt',
  'AwsIamRoleDetails.CreateDate',
  'AwsIamUserDetails.CreateDate',
  'AwsApiGatewayStageDetails.CreatedDate',
  'AwsApiGatewayStageDetails.LastUpdatedDate',
  'AwsApiGatewayV2StageDetails.CreatedDate',
  'AwsApiGatewayV2StageDetails.LastUpdatedDate',
]);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const TYPE_NAMESPACES = new Set([
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
]);
const MAX_FINDING_BYTES = 240 * 1024;

interface Member {
  /** `Struct.member` for the limit tables, or undefined outside a structure. */
  readonly at: string | undefined;
  /** The value validated (its members are named without a prefix). */
  readonly isRoot?: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Follow lazy references and one-element member wrappers to a concrete schema. */
function resolve(ref: SchemaRef): SchemaRef {
  let s = ref;
  for (let i = 0; i < 8 && typeof s === 'function'; i++) s = (s as () => unknown)();
  // Member schemas with member traits are `[schema, traits]`.
  if (
    Array.isArray(s) &&
    s.length === 2 &&
    (typeof s[0] === 'function' || typeof s[0] === 'number' || Array.isArray(s[0]))
  )
    return resolve(s[0]);
  return s;
}

/** Name of a structure schema, e.g. `AwsSecurityFinding`. */
const structName = (s: readonly unknown[]): string => String(s[2]);

/** The SDK's required members of a structure schema (its first `requiredCount` member names). */
export function requiredMembers(schema: SchemaRef = AWS_SECURITY_FINDING_SCHEMA): string[] {
  const s = resolve(schema);
  if (!Array.isArray(s) || s[0] !== 3) throw new TypeError('not a structure schema');
  const names = s[4] as readonly string[];
  const count = typeof s[6] === 'number' ? s[6] : 0;
  return names.slice(0, count);
}

/** Every member name of a structure schema. */
export function memberNames(schema: SchemaRef = AWS_SECURITY_FINDING_SCHEMA): string[] {
  const s = resolve(schema);
  if (!Array.isArray(s) || s[0] !== 3) throw new TypeError('not a structure schema');
  return [...(s[4] as readonly string[])];
}

/**
 * Problems with one ASFF finding as BatchImportFindings would receive it (parsed JSON); an
 * empty list means valid. Each problem names the path, e.g. `Resources[0].Type: missing`.
 */
export function validateAsffFinding(obj: unknown): string[] {
  const problems: string[] = [];
  walk(obj, AWS_SECURITY_FINDING_SCHEMA, 'AwsSecurityFinding', { at: undefined, isRoot: true }, problems);
  if (!isPlainObject(obj)) return problems;

  for (const name of ASFF_DOC_REQUIRED)
    if (obj[name] === undefined) problems.push(`${name}: missing (required by ASFF)`);
  if (obj.SchemaVersion !== undefined && obj.SchemaVersion !== '2018-10-08')
    problems.push(`SchemaVersion: must be 2018-10-08, got ${JSON.stringify(obj.SchemaVersion)}`);
  if (typeof obj.AwsAccountId === 'string' && !/^\d{12}$/.test(obj.AwsAccountId))
    problems.push(`AwsAccountId: must be 12 digits, got ${JSON.stringify(obj.AwsAccountId)}`);
  if (
    typeof obj.ProductArn === 'string' &&
    !/^arn:[a-z-]+:securityhub:[a-z0-9-]+:\d{12}:product\/[^/]+\/[^/]+$/.test(obj.ProductArn)
  ) {
    problems.push(`ProductArn: not a Security Hub product ARN: ${JSON.stringify(obj.ProductArn)}`);
  }
  for (const key of ['Types'] as const) checkTypes(obj[key], key, problems);
  if (isPlainObject(obj.FindingProviderFields))
    checkTypes(obj.FindingProviderFields.Types, 'FindingProviderFields.Types', problems);
  if (
    typeof obj.CreatedAt === 'string' &&
    typeof obj.UpdatedAt === 'string' &&
    Date.parse(obj.UpdatedAt) < Date.parse(obj.CreatedAt)
  ) {
    problems.push('UpdatedAt: earlier than CreatedAt');
  }
  const bytes = Buffer.byteLength(JSON.stringify(obj), 'utf8');
  if (bytes > MAX_FINDING_BYTES) problems.push(`finding: ${bytes} bytes, over the 240 KB limit`);
  return problems;
}

/**
 * Problems with a request body of a Security Hub operation (`GetFindings`, `BatchUpdateFindings`,
 * …) as the service would receive it, against the SDK's own `<Operation>Request` schema, plus
 * the documented limits the schema does not carry.
 */
export function validateRequest(operation: string, body: unknown): string[] {
  const problems = validateSdkRequest(securityHub, operation, body);
  if (!isPlainObject(body)) return problems;
  if (
    operation === 'GetFindings' &&
    typeof body.MaxResults === 'number' &&
    (body.MaxResults < 1 || body.MaxResults > 100)
  )
    problems.push(`MaxResults: ${body.MaxResults}, allowed 1–100`);
  if (operation === 'BatchUpdateFindings') {
    const ids = Array.isArray(body.FindingIdentifiers) ? body.FindingIdentifiers.length : 0;
    if (ids < 1 || ids > 100) problems.push(`FindingIdentifiers: ${ids} items, allowed 1–100`);
    const note = isPlainObject(body.Note) ? body.Note : undefined;
    if (note && typeof note.Text === 'string' && note.Text.length > 512)
      problems.push(`Note.Text: ${note.Text.length} characters, at most 512`);
    if (note && typeof note.UpdatedBy === 'string' && note.UpdatedBy.length > 512)
      problems.push(`Note.UpdatedBy: ${note.UpdatedBy.length} characters, at most 512`);
    const status = isPlainObject(body.Workflow) ? body.Workflow.Status : undefined;
    if (status !== undefined && !Object.values(securityHub.WorkflowStatus).includes(status as never))
      problems.push(`Workflow.Status: ${JSON.stringify(status)} is not a workflow status`);
  }
  return problems;
}

/** awsJson protocols carry timestamps as epoch seconds; restJson as ISO 8601 text. */
let isEpochSecondsWire = false;

/**
 * Problems with a request body of any operation of an SDK client module (`@aws-sdk/client-…`), as the
 * service would receive it on the wire, against the module's own `<Operation>Request` (or `Input`) schema.
 * `wire: 'awsJson'` reads timestamps as the awsJson protocols send them (epoch seconds).
 */
export function validateSdkRequest(
  sdk: Record<string, unknown>,
  operation: string,
  body: unknown,
  wire: 'restJson' | 'awsJson' = 'restJson',
): string[] {
  // Most services name the input shape `<Operation>Request`; awsQuery ones (SNS, SQS) `<Operation>Input`.
  const schema = sdk[`${operation}Request$`] ?? sdk[`${operation}Input$`];
  if (schema === undefined) return [`${operation}: the SDK has no request schema of that name`];
  const problems: string[] = [];
  isEpochSecondsWire = wire === 'awsJson';
  try {
    walk(body, schema, `${operation}Request`, { at: undefined, isRoot: true }, problems);
  } finally {
    isEpochSecondsWire = false;
  }
  return problems;
}

/** Types follow the taxonomy `namespace/category[/classifier]` with a documented namespace. */
function checkTypes(types: unknown, path: string, problems: string[]): void {
  if (!Array.isArray(types)) return;
  types.forEach((t, i) => {
    if (typeof t !== 'string') return;
    const parts = t.split('/');
    if (
      parts.length < 2 ||
      parts.length > 3 ||
      parts.some((p) => p === '') ||
      !TYPE_NAMESPACES.has(parts[0] as string)
    ) {
      problems.push(
        `${path}[${i}]: ${JSON.stringify(t)} is not namespace/category[/classifier] with a valid namespace`,
      );
    }
  });
}

function walk(value: unknown, ref: SchemaRef, path: string, member: Member, problems: string[]): void {
  const s = resolve(ref);
  if (typeof s === 'number') {
    simple(value, s, path, member, problems);
    return;
  }
  if (!Array.isArray(s)) {
    problems.push(`${path}: validator cannot read schema form ${typeof s}`);
    return;
  }
  switch (s[0]) {
    case 0:
      walk(value, s[4], path, member, problems);
      return;
    case 1:
      list(value, s[4], path, member, problems);
      return;
    case 2:
      map(value, s[5], path, member, problems);
      return;
    case 3:
    case 4:
      structure(value, s, path, member.isRoot === true, problems);
      return;
    default:
      problems.push(`${path}: validator cannot read schema kind ${JSON.stringify(s[0])}`);
  }
}

function structure(
  value: unknown,
  s: readonly unknown[],
  path: string,
  isRoot: boolean,
  problems: string[],
): void {
  const name = structName(s);
  if (!isPlainObject(value)) {
    problems.push(`${path}: expected an object (${name}), got ${describe(value)}`);
    return;
  }
  const names = s[4] as readonly string[];
  const schemas = s[5] as readonly unknown[];
  const required = s[0] === 3 && typeof s[6] === 'number' ? s[6] : 0;
  const prefix = isRoot ? '' : `${path}.`;
  for (let i = 0; i < required; i++) {
    const m = names[i] as string;
    if (value[m] === undefined || value[m] === null) problems.push(`${prefix}${m}: missing (required)`);
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const present: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const i = index.get(key);
    if (i === undefined) {
      problems.push(`${prefix}${key}: unknown member of ${name}`);
      continue;
    }
    if (v === undefined) continue;
    if (v === null) {
      problems.push(`${prefix}${key}: null is not a value`);
      continue;
    }
    present.push(key);
    walk(v, schemas[i], `${prefix}${key}`, { at: `${name}.${key}` }, problems);
  }
  if (s[0] === 4 && present.length !== 1)
    problems.push(`${path}: a union (${name}) needs exactly one member, got ${present.length}`);
}

function list(value: unknown, itemRef: SchemaRef, path: string, member: Member, problems: string[]): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected a list, got ${describe(value)}`);
    return;
  }
  const bounds = member.at === undefined ? undefined : LIST_ITEMS[member.at];
  if (bounds && (value.length < bounds[0] || value.length > bounds[1])) {
    problems.push(`${path}: ${value.length} items, allowed ${bounds[0]}–${bounds[1]}`);
  }
  value.forEach((item, i) => {
    if (item === null || item === undefined) problems.push(`${path}[${i}]: null is not a value`);
    else walk(item, itemRef, `${path}[${i}]`, { at: undefined }, problems);
  });
}

function map(value: unknown, valueRef: SchemaRef, path: string, member: Member, problems: string[]): void {
  if (!isPlainObject(value)) {
    problems.push(`${path}: expected a map, got ${describe(value)}`);
    return;
  }
  const entries = Object.entries(value);
  const limits = member.at === undefined ? undefined : MAP_LIMITS[member.at];
  if (limits && entries.length > limits[0])
    problems.push(`${path}: ${entries.length} keys, at most ${limits[0]}`);
  for (const [k, v] of entries) {
    if (k === '') problems.push(`${path}: empty key`);
    if (limits && k.length > limits[1])
      problems.push(`${path}.${k}: key longer than ${limits[1]} characters`);
    if (limits && typeof v === 'string' && v.length > limits[2])
      problems.push(`${path}.${k}: value longer than ${limits[2]} characters`);
    if (v === null || v === undefined) problems.push(`${path}.${k}: null is not a value`);
    else walk(v, valueRef, `${path}.${k}`, { at: undefined }, problems);
  }
}

function simple(value: unknown, code: number, path: string, member: Member, problems: string[]): void {
  if (code & LIST_MODIFIER) {
    list(value, code & ~LIST_MODIFIER, path, member, problems);
    return;
  }
  if (code & MAP_MODIFIER) {
    map(value, code & ~MAP_MODIFIER, path, member, problems);
    return;
  }
  switch (code) {
    case 0:
      string(value, path, member, problems);
      return;
    case 1:
    case 17:
    case 19:
      if (typeof value !== 'number' || !Number.isFinite(value))
        problems.push(`${path}: expected a number, got ${describe(value)}`);
      return;
    case 2:
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean, got ${describe(value)}`);
      return;
    case 4:
    case 5:
    case 6:
    case 7:
      if (isEpochSecondsWire) {
        if (typeof value !== 'number' || !Number.isFinite(value))
          problems.push(`${path}: expected epoch seconds, got ${describe(value)}`);
        return;
      }
      if (
        !(value instanceof Date) &&
        !(typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value)))
      ) {
        problems.push(`${path}: expected an ISO 8601 timestamp, got ${describe(value)}`);
      }
      return;
    case 15:
      return;
    case 21:
      if (typeof value !== 'string' && !(value instanceof Uint8Array))
        problems.push(`${path}: expected a blob, got ${describe(value)}`);
      return;
    default:
      problems.push(`${path}: validator cannot read simple schema ${code}`);
  }
}

function string(value: unknown, path: string, member: Member, problems: string[]): void {
  if (typeof value !== 'string') {
    problems.push(`${path}: expected a string, got ${describe(value)}`);
    return;
  }
  // ASFF strings are NonEmptyString.
  if (value === '') problems.push(`${path}: empty string`);
  if (member.at === undefined) return;
  const allowed = ENUMS[member.at];
  if (allowed && !allowed.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  const max = MAX_CHARS[member.at];
  if (max !== undefined && value.length > max)
    problems.push(`${path}: ${value.length} characters, at most ${max}`);
  if (TIMESTAMP_STRINGS.has(member.at) && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
    problems.push(`${path}: ${JSON.stringify(value)} is not an RFC 3339 timestamp`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a Date';
  return typeof v === 'string'
    ? `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
    : typeof v;
}
