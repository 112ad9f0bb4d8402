/**
 * The part of the OCSF 1.1.0 schema a Detection Finding (class 2004) from nhi-watch can use, as
 * the schema defines it (events/findings/detection_finding.json, finding.json, base_event.json,
 * the `cloud` profile, and the objects below at tag v1.1.0): every object's attribute names, its
 * required attributes, its "at least one of" constraints, and the enumerations and types of the
 * attributes nhi-watch fills. `validateOcsfDetectionFinding` lists every problem.
 */

interface ObjectRule {
  readonly attributes: readonly string[];
  readonly required?: readonly string[];
  readonly atLeastOne?: readonly string[];
}

const ENTITY = ['name', 'uid'];
/** An evidence object's attributes, at least one of which it must have. */
const EVIDENCE_PARTS = [
  'actor',
  'api',
  'connection_info',
  'data',
  'dst_endpoint',
  'file',
  'process',
  'query',
  'src_endpoint',
];

const OBJECTS: Readonly<Record<string, ObjectRule>> = {
  metadata: {
    attributes: [
      'correlation_uid',
      'event_code',
      'extension',
      'extensions',
      'labels',
      'log_level',
      'log_name',
      'log_provider',
      'log_version',
      'logged_time',
      'modified_time',
      'loggers',
      'original_time',
      'processed_time',
      'product',
      'profiles',
      'sequence',
      'tenant_uid',
      'uid',
      'version',
    ],
    required: ['product', 'version'],
  },
  product: {
    attributes: [...ENTITY, 'feature', 'cpe_name', 'lang', 'path', 'url_string', 'vendor_name', 'version'],
    required: ['vendor_name'],
  },
  cloud: {
    attributes: ['account', 'org', 'project_uid', 'provider', 'region', 'zone'],
    required: ['provider'],
  },
  account: { attributes: [...ENTITY, 'type', 'type_id'], atLeastOne: ENTITY },
  finding_info: {
    attributes: [
      'analytic',
      'attacks',
      'created_time',
      'data_sources',
      'desc',
      'first_seen_time',
      'kill_chain',
      'last_seen_time',
      'modified_time',
      'product_uid',
      'related_events',
      'related_analytics',
      'src_url',
      'title',
      'types',
      'uid',
    ],
    required: ['title', 'uid'],
  },
  analytic: {
    attributes: [...ENTITY, 'category', 'desc', 'related_analytics', 'type', 'type_id', 'version'],
    required: ['type_id'],
  },
  evidences: { attributes: EVIDENCE_PARTS, atLeastOne: EVIDENCE_PARTS },
  actor: {
    attributes: ['authorizations', 'idp', 'invoked_by', 'process', 'session', 'user'],
    atLeastOne: ['process', 'user', 'invoked_by', 'session'],
  },
  user: {
    attributes: [
      ...ENTITY,
      'account',
      'credential_uid',
      'domain',
      'email_addr',
      'full_name',
      'groups',
      'ldap_person',
      'org',
      'type',
      'type_id',
      'uid_alt',
    ],
    atLeastOne: ['account', 'name', 'uid'],
  },
  session: {
    attributes: [
      'count',
      'created_time',
      'credential_uid',
      'expiration_time',
      'expiration_reason',
      'is_remote',
      'is_mfa',
      'is_vpn',
      'issuer',
      'terminal',
      'uid',
      'uid_alt',
      'uuid',
    ],
  },
  api: {
    attributes: ['group', 'operation', 'request', 'response', 'service', 'version'],
    required: ['operation'],
  },
  src_endpoint: {
    attributes: [
      ...ENTITY,
      'ip',
      'hostname',
      'instance_uid',
      'interface_uid',
      'interface_name',
      'port',
      'svc_name',
      'location',
      'mac',
      'domain',
      'zone',
      'intermediate_ips',
      'proxy_endpoint',
      'type',
      'type_id',
    ],
    atLeastOne: ['ip', 'uid', 'name', 'hostname', 'instance_uid', 'interface_uid', 'interface_name'],
  },
  resources: {
    attributes: [
      ...ENTITY,
      'cloud_partition',
      'criticality',
      'group',
      'namespace',
      'owner',
      'region',
      'version',
      'data',
      'labels',
      'type',
    ],
    atLeastOne: ENTITY,
  },
};

/** Top-level attributes of Detection Finding 1.1.0 with the `cloud` profile (and the profiles the class includes). */
const EVENT: ObjectRule = {
  attributes: [
    // base event, classification and occurrence
    'activity_id',
    'activity_name',
    'category_name',
    'category_uid',
    'class_name',
    'class_uid',
    'type_name',
    'type_uid',
    'count',
    'duration',
    'end_time',
    'start_time',
    'time',
    'timezone_offset',
    'enrichments',
    'message',
    'metadata',
    'observables',
    'raw_data',
    'severity',
    'severity_id',
    'status',
    'status_code',
    'status_detail',
    'status_id',
    'unmapped',
    // cloud profile
    'cloud',
    'api',
    // finding (and its host profile)
    'comment',
    'confidence',
    'confidence_id',
    'confidence_score',
    'device',
    'actor',
    'finding_info',
    // detection finding (and its security_control profile)
    'evidences',
    'impact',
    'impact_id',
    'impact_score',
    'remediation',
    'resources',
    'risk_level',
    'risk_level_id',
    'risk_score',
    'vulnerabilities',
    'action',
    'action_id',
    'attacks',
    'authorizations',
    'disposition',
    'disposition_id',
    'firewall_rule',
    'malware',
  ],
  required: [
    'activity_id',
    'category_uid',
    'class_uid',
    'type_uid',
    'time',
    'metadata',
    'severity_id',
    'finding_info',
    'cloud',
  ],
};

const ENUMS: Readonly<Record<string, readonly number[]>> = {
  activity_id: [0, 1, 2, 3, 99],
  severity_id: [0, 1, 2, 3, 4, 5, 6, 99],
  status_id: [0, 1, 2, 3, 4, 99],
  'account.type_id': [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99],
  'analytic.type_id': [0, 1, 2, 3, 4, 99],
  'user.type_id': [0, 1, 2, 3, 99],
};

/** Attributes of type timestamp_t (epoch milliseconds, an integer). */
const TIMESTAMPS = new Set([
  'time',
  'start_time',
  'end_time',
  'first_seen_time',
  'last_seen_time',
  'created_time',
]);
/** Attributes holding arrays of strings. */
const STRING_ARRAYS = new Set(['types', 'profiles']);
/** Attributes holding arrays of objects. */
const OBJECT_ARRAYS = new Set(['evidences', 'resources']);
/** Free-form objects. */
const OPEN_OBJECTS = new Set(['unmapped', 'data']);

function check(value: unknown, rule: ObjectRule, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const r of rule.required ?? []) if (obj[r] === undefined) problems.push(`${path}.${r}: required`);
  if (rule.atLeastOne !== undefined && !rule.atLeastOne.some((a) => obj[a] !== undefined))
    problems.push(`${path}: needs at least one of ${rule.atLeastOne.join(', ')}`);
  for (const [k, v] of Object.entries(obj)) {
    const at = `${path}.${k}`;
    if (!rule.attributes.includes(k)) {
      problems.push(`${at}: not an attribute of this object in OCSF 1.1.0`);
      continue;
    }
    const objectName =
      path
        .split('.')
        .pop()
        ?.replace(/\[\d+\]$/, '') ?? '';
    const enumValues = ENUMS[k] ?? ENUMS[`${objectName}.${k}`];
    if (enumValues !== undefined && !enumValues.includes(v as number))
      problems.push(`${at}: ${JSON.stringify(v)} is not in the enumeration`);
    if (TIMESTAMPS.has(k) && !Number.isSafeInteger(v)) problems.push(`${at}: expected epoch milliseconds`);
    if (STRING_ARRAYS.has(k) && !(Array.isArray(v) && v.every((s) => typeof s === 'string')))
      problems.push(`${at}: expected an array of strings`);
    if (OPEN_OBJECTS.has(k)) continue;
    const sub = OBJECTS[k];
    if (OBJECT_ARRAYS.has(k)) {
      if (!Array.isArray(v)) problems.push(`${at}: expected an array`);
      else v.forEach((item, i) => check(item, sub as ObjectRule, `${at}[${i}]`, problems));
    } else if (sub !== undefined) {
      check(v, sub, at, problems);
    }
  }
}

/** Problems of an object as an OCSF 1.1.0 Detection Finding (none means it conforms to this subset). */
export function validateOcsfDetectionFinding(event: unknown): string[] {
  const problems: string[] = [];
  check(event, EVENT, '$', problems);
  const e = event as Record<string, unknown>;
  if (e['class_uid'] !== 2004) problems.push('$.class_uid: a Detection Finding is 2004');
  if (e['category_uid'] !== 2) problems.push('$.category_uid: Findings is 2');
  if (e['type_uid'] !== 2004 * 100 + Number(e['activity_id']))
    problems.push('$.type_uid: must be class_uid * 100 + activity_id');
  return problems;
}
