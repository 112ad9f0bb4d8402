/**
 * Findings → OCSF 1.1.0 Detection Findings (class 2004), the schema Security Lake and the
 * OCSF-based Security Hub take. Attribute names, requirements and enumerations are those of the
 * OCSF schema at v1.1.0 (events/findings/detection_finding.json and the objects it uses); the
 * `cloud` profile is applied. test/core/ocsf.test.ts checks every output against that subset.
 *
 * Choices worth knowing:
 * - A fresh finding is activity `Create` (1); a repeat of it (same id, raised count) is `Update` (2).
 * - The caller is the evidence's `actor.user` (its ARN, else its nhi-watch key) with its session and
 *   credential id, the call is the evidence's `api.operation`, the address its `src_endpoint.ip`.
 * - `resources` name the identity (and the call's target when one was named), typed like CloudFormation.
 * - What OCSF has no attribute for (ASN, incident, chain, evidence lines, runbook) is in
 *   `unmapped['nhi-watch']`. Attacker-controlled text is scrubbed of secrets and neutralised first.
 */
import { isIP } from 'node:net';

import { describeChain } from './chains.js';
import type { Severity } from './classification.js';
import type { Finding } from './finding.js';
import { clean } from './neutralise.js';
import { scrubFinding } from './secrets.js';

/** The OCSF schema version of the events. */
export const OCSF_VERSION = '1.1.0';
/** Detection Finding's class, in the Findings category. */
export const OCSF_DETECTION_FINDING = { classUid: 2004, categoryUid: 2 } as const;

/** Where the findings are published from. */
export interface OcsfContext {
  /** The account running nhi-watch (the cloud account when a finding names none). */
  readonly accountId: string;
  readonly region: string;
  /** nhi-watch's version, as `metadata.product.version` (recommended by OCSF; left out when unknown). */
  readonly productVersion?: string;
}

/** OCSF `severity_id` of each severity, and its caption. */
const SEVERITY: Readonly<Record<Severity, { id: number; caption: string }>> = {
  INFORMATIONAL: { id: 1, caption: 'Informational' },
  LOW: { id: 2, caption: 'Low' },
  MEDIUM: { id: 3, caption: 'Medium' },
  HIGH: { id: 4, caption: 'High' },
  CRITICAL: { id: 5, caption: 'Critical' },
};

const ACCOUNT = /^\d{12}$/;

/** CloudFormation-style type of the identity, for `resources[].type`. */
function resourceType(f: Finding): string {
  switch (f.identityKind) {
    case 'iam-role':
      return 'AWS::IAM::Role';
    case 'iam-user':
      return 'AWS::IAM::User';
    case 'root':
      return 'AWS::Account';
    case 'api-client':
      return 'API client';
    default:
      return f.identityKind;
  }
}

/** One OCSF 1.1.0 Detection Finding (the attributes nhi-watch fills). */
export interface OcsfDetectionFinding {
  readonly activity_id: 1 | 2;
  readonly activity_name: 'Create' | 'Update';
  readonly category_uid: 2;
  readonly category_name: 'Findings';
  readonly class_uid: 2004;
  readonly class_name: 'Detection Finding';
  readonly type_uid: 200401 | 200402;
  readonly type_name: string;
  readonly time: number;
  readonly start_time: number;
  readonly end_time: number;
  readonly count: number;
  readonly severity_id: number;
  readonly severity: string;
  readonly status_id: 1;
  readonly status: 'New';
  readonly message: string;
  readonly metadata: {
    readonly version: string;
    readonly uid: string;
    readonly profiles: readonly string[];
    readonly log_name: string;
    readonly product: { readonly name: string; readonly vendor_name: string; readonly version?: string };
  };
  readonly cloud: {
    readonly provider: 'AWS';
    readonly region: string;
    readonly account: { readonly uid: string; readonly type_id: 10; readonly type: 'AWS Account' };
  };
  readonly finding_info: {
    readonly uid: string;
    readonly title: string;
    readonly desc: string;
    readonly types: readonly string[];
    readonly first_seen_time: number;
    readonly last_seen_time: number;
    readonly analytic: {
      readonly uid: string;
      readonly name: string;
      readonly type_id: 2;
      readonly type: 'Behavioral';
    };
  };
  readonly evidences: readonly {
    readonly actor: {
      readonly user: {
        readonly uid: string;
        readonly name: string;
        readonly type_id: 99;
        readonly type: string;
      };
      readonly session?: { readonly uid?: string; readonly credential_uid?: string };
    };
    readonly api: { readonly operation: string };
    readonly src_endpoint?: { readonly ip: string };
  }[];
  readonly resources: readonly {
    readonly uid: string;
    readonly name?: string;
    readonly type: string;
    readonly region: string;
  }[];
  readonly unmapped: { readonly 'nhi-watch': Readonly<Record<string, unknown>> };
}

/** Convert one finding to an OCSF Detection Finding: `create` for a fresh finding, `update` for a repeat. */
export function toOcsf(
  unscrubbed: Finding,
  ctx: OcsfContext,
  activity: 'create' | 'update',
): OcsfDetectionFinding {
  if (!ACCOUNT.test(ctx.accountId))
    throw new TypeError(`toOcsf: accountId must be 12 digits, got ${JSON.stringify(ctx.accountId)}`);
  const f = scrubFinding(unscrubbed);
  const severity = SEVERITY[f.severity];
  const activityId = activity === 'create' ? 1 : 2;
  const region =
    f.region !== undefined && /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(f.region) ? f.region : ctx.region;
  const lastSeen = Math.max(f.firstSeenMs, f.lastSeenMs);
  const who = clean(f.principal ?? f.identityKey, 1024);
  const session: { uid?: string; credential_uid?: string } = {};
  if (f.sessionName !== undefined && f.sessionName !== '') session.uid = clean(f.sessionName, 256);
  if (f.credentialId !== undefined && f.credentialId !== '')
    session.credential_uid = clean(f.credentialId, 256);
  const evidence: OcsfDetectionFinding['evidences'][number] = {
    actor: {
      user: {
        uid: who,
        name: clean(f.identityName ?? f.identityKey, 1024),
        type_id: 99,
        type: f.identityKind,
      },
      ...(Object.keys(session).length > 0 ? { session } : {}),
    },
    api: { operation: clean(f.action, 512) },
    ...(f.sourceIp !== undefined && isIP(f.sourceIp) !== 0 ? { src_endpoint: { ip: f.sourceIp } } : {}),
  };
  const resources: { uid: string; name?: string; type: string; region: string }[] = [
    {
      uid: who,
      ...(f.identityName !== undefined ? { name: clean(f.identityName, 1024) } : {}),
      type: resourceType(f),
      region,
    },
  ];
  if (f.resource !== undefined && f.resource !== '')
    resources.push({ uid: clean(f.resource, 1024), type: 'Target', region });
  const extra: Record<string, unknown> = {
    identityKey: clean(f.identityKey, 1024),
    identityKind: f.identityKind,
    credentialKind: f.credentialKind,
    source: f.source,
    evidence: f.evidence.slice(0, 20).map((e) => clean(e, 512)),
    runbook: clean(f.runbook, 2048),
    references: f.references.slice(0, 32).map((r) => clean(r, 256)),
    alert: f.alert !== false,
  };
  if (f.asn !== undefined) extra['asn'] = f.asn;
  if (f.asOrg !== undefined) extra['asOrg'] = clean(f.asOrg, 256);
  if (f.country !== undefined) extra['country'] = clean(f.country, 8);
  if (f.userAgent !== undefined) extra['userAgent'] = clean(f.userAgent, 512);
  if (f.items !== undefined) extra['items'] = f.items.map((i) => clean(i, 256));
  if (f.incident !== undefined)
    extra['incident'] = { uid: f.incident.id, findings: f.incident.findings, start_time: f.incident.startMs };
  if (f.chain !== undefined) extra['chain'] = clean(describeChain(f.chain), 2048);
  return {
    activity_id: activityId,
    activity_name: activity === 'create' ? 'Create' : 'Update',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: activityId === 1 ? 200401 : 200402,
    type_name: `Detection Finding: ${activity === 'create' ? 'Create' : 'Update'}`,
    time: lastSeen,
    start_time: f.firstSeenMs,
    end_time: lastSeen,
    count: f.count,
    severity_id: severity.id,
    severity: severity.caption,
    status_id: 1,
    status: 'New',
    message: clean(f.summary, 1024),
    metadata: {
      version: OCSF_VERSION,
      uid: f.id,
      profiles: ['cloud'],
      log_name: f.source === 'cloudtrail' ? 'CloudTrail' : 'API Gateway access logs',
      product: {
        name: 'nhi-watch',
        vendor_name: 'nhi-watch',
        ...(ctx.productVersion !== undefined ? { version: ctx.productVersion } : {}),
      },
    },
    cloud: {
      provider: 'AWS',
      region,
      account: {
        uid: f.accountId !== undefined && ACCOUNT.test(f.accountId) ? f.accountId : ctx.accountId,
        type_id: 10,
        type: 'AWS Account',
      },
    },
    finding_info: {
      uid: f.id,
      title: clean(f.title, 256),
      desc: clean(f.summary, 1024),
      types: f.asffTypes.slice(0, 50).map((t) => clean(t, 256)),
      first_seen_time: f.firstSeenMs,
      last_seen_time: lastSeen,
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 2, type: 'Behavioral' },
    },
    evidences: [evidence],
    resources,
    unmapped: { 'nhi-watch': extra },
  };
}
